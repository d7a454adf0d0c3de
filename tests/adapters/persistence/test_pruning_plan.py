"""Pruning a backlog on PostgreSQL walks an index a batch at a time: each batch's plan reads the
index, never the whole table, and deletes at most the batch size, however large the backlog."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Delete, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.exports import finished_exports_deleted
from adapters.persistence.received_messages import oldest_ids_deleted

pytestmark = pytest.mark.postgres

BACKLOG = 200_000
BATCH = 5_000
START = f"timestamptz '{datetime(2026, 1, 1, tzinfo=UTC).isoformat()}'"
MOMENT = datetime(2026, 1, 3, tzinfo=UTC)  # after the first 172,800 rows, a second apart

RECEIVED_MESSAGES = (
    "INSERT INTO received_messages (message_id, received_at) "
    f"SELECT 'm-' || n, {START} + n * interval '1 second' FROM generate_series(1, {BACKLOG}) AS n"
)
# Every third export is queued, and is kept however old.
EXPORTS = (
    "INSERT INTO exports (id, partner_id, client_id, document_id, direction, kind, occurred_at, "
    "created_at, status, attempts, violations, version) "
    f"SELECT 'e-' || n, 'p1', 'c1', 'd-' || n, 'purchase', 'invoice', {START}, "
    f"{START} + n * interval '1 second', (ARRAY['delivered', 'skipped', 'queued'])[n % 3 + 1], '[]', '[]', 1 "
    f"FROM generate_series(1, {BACKLOG}) AS n"
)


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    from tests.adapters.persistence.conftest import sqlalchemy_engine

    async for engine in sqlalchemy_engine(postgres_url, truncate=True):
        yield engine


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


async def _count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


@pytest.mark.parametrize(
    ("table", "backlog", "statement", "index"),
    [
        (
            "received_messages",
            RECEIVED_MESSAGES,
            lambda dialect: oldest_ids_deleted(dialect, since=True),
            "ix_received_messages_received_at",
        ),
        ("exports", EXPORTS, finished_exports_deleted, "ix_exports_status_created_at"),
    ],
)
async def test_each_batch_reads_an_index_and_deletes_at_most_a_batch(
    engine: AsyncEngine, table: str, backlog: str, statement: Any, index: str
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(backlog))
        await connection.execute(text(f"ANALYZE {table}"))
    deleting: Delete = statement("postgresql")
    compiled = deleting.compile(dialect=engine.dialect)
    remaining, blocks = [], []
    for batch in range(3):
        # Messages: each batch starts where the one before ended (the rows are a second apart).
        since = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=BATCH * batch)
        values = {"status": "delivered", "moment": MOMENT, "since": since, "limit": BATCH}
        positional = tuple(values[name] for name in compiled.positiontup or ())
        async with engine.begin() as connection:
            result = await connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {compiled.string}", positional
            )
            explained = result.scalar_one()
        plan = json.loads(explained) if isinstance(explained, str) else explained
        nodes = _nodes(plan[0]["Plan"])
        assert {"Seq Scan", "Hash Join", "Sort"}.isdisjoint(node["Node Type"] for node in nodes), nodes
        scans = [node for node in nodes if node.get("Index Name") == index]
        assert scans, nodes
        assert all(node["Actual Rows"] <= BATCH for node in nodes)
        blocks.append(sum(n["Shared Hit Blocks"] + n["Shared Read Blocks"] for n in scans))
        remaining.append(await _count(engine, table))
    assert remaining == [BACKLOG - BATCH * n for n in (1, 2, 3)]
    if table == "received_messages":
        # Without vacuum, the entries of the ids deleted stay in the index: a batch that walked past
        # them would read more blocks each time (a backlog of 10⁶ ids: 140 for the first batch, 3,793
        # for the 150th). Starting where the last ended, each reads about what the first did.
        assert max(blocks) <= 1.5 * blocks[0], blocks
