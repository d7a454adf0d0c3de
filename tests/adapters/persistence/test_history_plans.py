"""The history query keeps to its indexes on PostgreSQL when the plan is a generic one, as the
driver's cached prepared statement becomes: 50,000 exports of one client, and each page, however
deep, and the rare-status filter, is one backward index range, neither filtered nor sorted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.engine import create_engine
from adapters.persistence.exports import history_page
from adapters.persistence.mapping import start_mappers
from application.ports.repositories import ExportQuery
from domain.export import ExportStatus

pytestmark = pytest.mark.postgres

START = datetime(2026, 1, 1, tzinfo=UTC)
EXPORTS = 50_000
HISTORY = "ix_exports_partner_id_client_id_created_at_id"
BY_STATUS = "ix_exports_partner_id_client_id_status_created_at_id"

# One export a minute for client c1 (one in a thousand failed), and a neighbour c2 sharing the partner.
_FILL = """
INSERT INTO exports (id, partner_id, client_id, document_id, direction, kind, occurred_at,
                     created_at, status, attempts, violations, version)
SELECT md5(client || n)::uuid::text, 'p1', client, 'd' || n, 'purchase', 'invoice',
       timestamptz '2026-01-01 00:00+00' + n * interval '1 minute',
       timestamptz '2026-01-01 00:00+00' + n * interval '1 minute',
       CASE WHEN n % 1000 = 0 THEN 'failed' ELSE 'delivered' END, '[]', '[]', 1
FROM generate_series(1, {count}) AS n, (VALUES ('c1')) AS clients (client)
UNION ALL
SELECT md5('c2' || n)::uuid::text, 'p1', 'c2', 'd' || n, 'purchase', 'invoice',
       timestamptz '2026-01-01 00:00+00' + n * interval '1 minute',
       timestamptz '2026-01-01 00:00+00' + n * interval '1 minute', 'delivered', '[]', '[]', 1
FROM generate_series(1, {count} / 10) AS n
"""


@pytest.fixture
async def filled(postgres_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection whose transaction holds the exports and their statistics, rolled back at the end."""
    start_mappers()
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection, connection.begin() as transaction:
            await connection.exec_driver_sql(_FILL.format(count=EXPORTS))
            await connection.exec_driver_sql("ANALYZE exports")
            await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            yield connection
            await transaction.rollback()
    finally:
        await engine.dispose()


def _literal(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text.replace("'", "''") + "'"


async def generic_plan(connection: AsyncConnection, query: ExportQuery) -> str:
    """The plan PostgreSQL makes of the repository's statement prepared once, for any parameters."""
    compiled = history_page(query).compile(dialect=postgresql.asyncpg.dialect())
    arguments = ", ".join(_literal(compiled.params[name]) for name in compiled.positiontup or ())
    await connection.exec_driver_sql(f"PREPARE history AS {compiled}")
    try:
        result = await connection.exec_driver_sql(f"EXPLAIN EXECUTE history({arguments})")
        return "\n".join(line for (line,) in result.all())
    finally:
        await connection.exec_driver_sql("DEALLOCATE history")


def assert_one_index_range(plan: str, index: str) -> None:
    assert f"Index Scan Backward using {index} on exports" in plan, plan
    for costly in ("Seq Scan", "Sort", "Filter:"):
        assert costly not in plan, plan


async def test_the_first_page_reads_the_newest_exports_off_the_history_index(
    filled: AsyncConnection,
) -> None:
    plan = await generic_plan(filled, ExportQuery(partner_id="p1", client_id="c1", limit=51))
    assert_one_index_range(plan, HISTORY)


async def test_a_deep_page_starts_where_the_cursor_points_in_the_index(filled: AsyncConnection) -> None:
    after = (START + timedelta(minutes=EXPORTS // 5), "ffffffff-ffff-ffff-ffff-ffffffffffff")
    plan = await generic_plan(filled, ExportQuery(partner_id="p1", client_id="c1", limit=51, after=after))
    assert_one_index_range(plan, HISTORY)
    (bound,) = (line for line in plan.splitlines() if "Index Cond:" in line)
    assert "ROW(created_at, (id)::text) < ROW(" in bound, plan


async def test_a_rare_status_is_read_off_the_status_index(filled: AsyncConnection) -> None:
    query = ExportQuery(partner_id="p1", client_id="c1", status=ExportStatus.FAILED, limit=51)
    assert_one_index_range(await generic_plan(filled, query), BY_STATUS)
