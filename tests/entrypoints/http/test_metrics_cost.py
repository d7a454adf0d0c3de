"""/metrics costs the same at any size of the exports table: a scrape runs no SQL at all, and the
figures it shows are read in the background by statements whose PostgreSQL plans never scan the
exports table whole — only the indexes of the few open exports, of the last hour's deliveries and of
what waits for a person — nor the client integrations (only the index of the refused ones)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from adapters.persistence.migrator import AlembicMigrator
from entrypoints.http.app import create_app
from sandbox.world import settings_for
from tests.adapters.persistence.conftest import sqlalchemy_units
from tests.conftest import POSTGRES_ADMIN_URL, _on_admin_database, require_service

pytestmark = pytest.mark.postgres

EXPORTS = 20_000
# Only these indexes may read the exports table for the figures: their size follows the open
# exports and the last hour's deliveries, not the years of history.
CHEAP_INDEXES = {
    "exports": {"ix_exports_open_status", "ix_exports_delivered_at", "ix_exports_waiting"},
    "client_integrations": {"ix_client_integrations_refused"},
}

# One export a minute over the last two weeks: one in a thousand queued, one in a thousand failed,
# a tenth skipped, the rest delivered ten seconds after they were queued.
FILL = f"""
INSERT INTO exports (id, partner_id, client_id, document_id, direction, kind, occurred_at,
                     created_at, status, attempts, delivered_at, violations, version)
SELECT 'e-' || n, 'p1', 'c1', 'doc-' || n, 'purchase', 'invoice', at, at, status, '[]',
       CASE WHEN status = 'delivered' THEN at + interval '10 seconds' END, '[]', 1
FROM (
    SELECT n, now() - n * interval '1 minute' AS at,
           CASE WHEN n % 1000 = 0 THEN 'queued' WHEN n % 1000 = 1 THEN 'failed'
                WHEN n % 10 = 2 THEN 'skipped' ELSE 'delivered' END AS status
    FROM generate_series(1, {EXPORTS}) AS n
) AS made
"""

# As many clients of that partner, none of them refused.
CLIENTS = f"""
INSERT INTO client_integrations (partner_id, client_id, mailboxes, activation, version)
SELECT 'p1', 'c' || n, '[]', '[]', 1 FROM generate_series(1, {EXPORTS}) AS n
"""


@pytest.fixture
def large_database() -> Iterator[str]:
    """A migrated database of its own holding 20,000 exports, analysed so that the planner knows it
    is large enough to prefer an index where one fits."""
    admin = make_url(POSTGRES_ADMIN_URL)
    require_service("PostgreSQL", admin.host or "127.0.0.1", admin.port or 5432)
    name = f"octobridge_metrics_cost_{os.getpid()}"
    _on_admin_database(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    own = admin.set(database=name)
    AlembicMigrator(own.render_as_string(hide_password=False)).upgrade()
    _on_admin_database(own, FILL, CLIENTS, "ANALYZE exports", "ANALYZE client_integrations")
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        _on_admin_database(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Statements:
    """Every SQL statement any engine of this process sends, with its parameters, while listening."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.sent.append((statement, parameters))

    def __enter__(self) -> Statements:
        event.listen(Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(Engine, "before_cursor_execute", self)


def _reads_of_large_tables(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if plan.get("Relation Name") in CHEAP_INDEXES:
        yield plan
    for inner in plan.get("Plans", []):
        yield from _reads_of_large_tables(inner)


async def _plans(url: str, statements: list[tuple[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    address = make_url(url)
    connection = await asyncpg.connect(
        host=address.host, port=address.port, user=address.username, database=address.database
    )
    try:
        plans = []
        for statement, parameters in statements:
            if statement.lstrip().upper().startswith("SELECT"):
                found = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {statement}", *(parameters or ()))
                plans.append((statement, json.loads(found)[0]["Plan"]))
        return plans
    finally:
        await connection.close()


async def _assert_read_by_cheap_indexes(url: str, statements: list[tuple[str, Any]]) -> None:
    """Both large tables are read, each only through its indexes of what is few."""
    reads = [
        (sql, read) for sql, plan in await _plans(url, statements) for read in _reads_of_large_tables(plan)
    ]
    assert {read["Relation Name"] for _, read in reads} == set(CHEAP_INDEXES), "both are read, by index"
    for sql, read in reads:
        table = read["Relation Name"]
        assert read.get("Index Name") in CHEAP_INDEXES[table], f"{read['Node Type']} over {table} for {sql}"


async def test_a_scrape_queries_nothing_and_the_figures_never_scan_the_exports_table(
    large_database: str, tmp_path: Path
) -> None:
    settings = settings_for(large_database, "smtp://127.0.0.1:1", "http://127.0.0.1:1", tmp_path)
    with Statements() as refreshing:
        async with AsyncTestClient(app=create_app(settings)) as client:
            with Statements() as scraping:
                text = (await client.get("/metrics")).text
            await client.app.state.refresh_figures()
    assert scraping.sent == [], "a scrape reads the figures the app refreshed, it queries nothing"
    assert 'octobridge_exports{status="queued"} 20.0' in text
    assert 'octobridge_exports{status="failed"} 20.0' in text
    assert 'octobridge_delivery_latency_seconds{quantile="0.5"} 10.0' in text
    assert 'octobridge_attention{reason="failedExports"} 1.0' in text  # one client, 20 failed exports
    assert 'octobridge_attention{reason="mailboxRefused"} 0.0' in text

    await _assert_read_by_cheap_indexes(large_database, refreshing.sent)


async def test_a_partners_attention_reads_only_what_waits(large_database: str) -> None:
    """`GET /v1/attention` for the partner of all those exports and clients: the same indexes."""
    async for units in sqlalchemy_units(large_database, truncate=False):
        with Statements() as listing:
            async with units() as uow:
                items = await uow.attention.list("p1")
    assert [(i.client_id, i.reason, i.count) for i in items] == [("c1", "failedExports", 20)]
    await _assert_read_by_cheap_indexes(large_database, listing.sent)
