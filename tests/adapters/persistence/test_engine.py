"""The SQLite engine's settings, read back from a live connection."""

from __future__ import annotations

from sqlalchemy import text

from adapters.persistence.engine import create_engine

SYNCHRONOUS_FULL = 2  # SQLite's code for `synchronous=FULL`


async def test_a_sqlite_commit_is_on_disk_before_it_returns(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            synchronous = (await connection.execute(text("PRAGMA synchronous"))).scalar_one()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
    finally:
        await engine.dispose()
    assert (journal, synchronous, foreign_keys) == ("wal", SYNCHRONOUS_FULL, 1)
