"""Two workers (separate engines, as two processes would have) claim from the outbox at the same moment,
each holding its claim open: on PostgreSQL neither waits for the other and no export goes to both,
and the ledger's single statement does not wait for a claim held open either."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from adapters.persistence.postgres_ledger import PostgresDeliveryLedger
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.adapters.persistence.conftest import sqlalchemy_engine, sqlalchemy_units
from tests.builders import queued
from tests.conftest import FixedClock

pytestmark = pytest.mark.postgres

Workers = tuple[SqlAlchemyUnitOfWorkFactory, SqlAlchemyUnitOfWorkFactory]


@pytest.fixture
async def workers(postgres_url: str) -> AsyncIterator[Workers]:
    """Two workers' units of work on engines of their own, on an emptied database."""
    async for first in sqlalchemy_units(postgres_url, truncate=True):
        async for second in sqlalchemy_units(postgres_url, truncate=False):
            yield first, second


async def _claim_held_open(
    units: SqlAlchemyUnitOfWorkFactory, now: datetime, limit: int, both_claimed: asyncio.Barrier
) -> list[str]:
    async with units() as uow:
        claimed = list(await uow.outbox.claim(now, now + timedelta(minutes=5), limit))
        await asyncio.wait_for(both_claimed.wait(), timeout=10)  # neither has committed yet
        await uow.commit()
    return claimed


async def test_claims_held_open_side_by_side_never_share_an_export(
    workers: Workers, clock: FixedClock
) -> None:
    first, second = workers
    now = clock.now()
    exports = await queued(first, now, 6)
    both_claimed = asyncio.Barrier(2)
    one, other = await asyncio.gather(
        _claim_held_open(first, now, 4, both_claimed), _claim_held_open(second, now, 4, both_claimed)
    )
    assert len(one) + len(other) == 6
    assert set(one) | set(other) == {e.id for e in exports}


async def test_a_claim_in_one_statement_skips_rows_another_claim_holds(
    postgres_url: str, clock: FixedClock
) -> None:
    """The ledger's `claim` takes what another worker has not locked, at once, rather than waiting for it."""
    async for first in sqlalchemy_units(postgres_url, truncate=True):
        async for engine in sqlalchemy_engine(postgres_url, truncate=False):
            await _skips_held_rows(first, PostgresDeliveryLedger(engine), clock)


async def _skips_held_rows(
    first: SqlAlchemyUnitOfWorkFactory, second: PostgresDeliveryLedger, clock: FixedClock
) -> None:
    now = clock.now()
    exports = await queued(first, now, 4)
    async with first() as uow:
        held = set(await uow.outbox.claim(now, now + timedelta(minutes=5), 2))  # not committed
        claimed = await asyncio.wait_for(second.claim(now, now + timedelta(minutes=5), 4), 5)
        await uow.commit()
    assert len(held) == 2
    assert {e.id for e in claimed} == {e.id for e in exports} - held
