"""Pruning a backlog on PostgreSQL walks the `received_at` index a batch at a time: each batch's
plan reads the index, never the whole table, and deletes at most the batch size."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.received_messages import oldest_ids_deleted
from tests.adapters.persistence.conftest import sqlalchemy_engine

pytestmark = pytest.mark.postgres

BACKLOG = 200_000
BATCH = 5_000
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    async for engine in sqlalchemy_engine(postgres_url, truncate=True):
        yield engine


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM received_messages"))).scalar_one())


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


async def test_each_batch_reads_the_received_at_index_and_deletes_at_most_a_batch(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO received_messages (message_id, received_at) SELECT 'm-' || n, "
                f"timestamptz '{START.isoformat()}' + n * interval '1 second' "
                "FROM generate_series(1, :backlog) AS n"
            ),
            {"backlog": BACKLOG},
        )
        await connection.execute(text("ANALYZE received_messages"))
    compiled = oldest_ids_deleted("postgresql").compile(dialect=engine.dialect)
    values = {"moment": datetime(2026, 1, 3, tzinfo=UTC), "limit": BATCH}
    positional = tuple(values[name] for name in compiled.positiontup or ())
    remaining = []
    for _ in range(3):
        async with engine.begin() as connection:
            result = await connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled.string}", positional
            )
            explained = result.scalar_one()
        plan = json.loads(explained) if isinstance(explained, str) else explained
        nodes = _nodes(plan[0]["Plan"])
        types = {node["Node Type"] for node in nodes}
        assert "Seq Scan" not in types and "Hash Join" not in types, types
        assert any(node.get("Index Name") == "ix_received_messages_received_at" for node in nodes)
        assert all(node["Actual Rows"] <= BATCH for node in nodes)
        remaining.append(await _count(engine))
    assert remaining == [BACKLOG - BATCH * n for n in (1, 2, 3)]
