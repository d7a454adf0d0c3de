"""The migrations: each step goes up and down cleanly, and the result matches the tables in code."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, inspect

from adapters.persistence.migrator import AlembicMigrator
from adapters.persistence.tables import metadata


def _tables(path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_every_step_goes_up_down_and_up_again(tmp_path: Path) -> None:
    database = tmp_path / "stairs.db"
    migrator = AlembicMigrator(f"sqlite+aiosqlite:///{database}")
    revisions = migrator.revisions()
    assert revisions, "there is at least one migration"
    previous = "base"
    for revision in revisions:
        migrator.upgrade(revision)
        after_up = _tables(database)
        migrator.downgrade(previous)
        migrator.upgrade(revision)
        assert _tables(database) == after_up
        previous = revision
    assert _tables(database) == set(metadata.tables)
    migrator.downgrade("base")
    assert _tables(database) == set()


def test_the_migrated_schema_matches_the_tables_in_code(sqlite_url: str) -> None:
    AlembicMigrator(sqlite_url).check()


@pytest.mark.postgres
def test_the_migrated_postgres_schema_matches_the_tables_in_code(postgres_url: str) -> None:
    AlembicMigrator(postgres_url).check()


def test_check_notices_a_database_behind_the_code(tmp_path: Path) -> None:
    migrator = AlembicMigrator(f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}")
    with pytest.raises(CommandError):
        migrator.check()
