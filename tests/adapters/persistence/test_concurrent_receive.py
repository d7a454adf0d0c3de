"""R11 under a race: two receivers (separate engines, as two processes would have) get messages for the
same document at the same moment; the database lets exactly one export through."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from application.ports.repositories import ExportQuery
from application.ports.unit_of_work import UnitOfWorkFactory
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.install_extension import Install, InstallExtension
from application.use_cases.receive_message import ReceiveDocumentMessage
from application.use_cases.set_extension_active import SetExtensionActive, SwitchExtension
from tests.adapters.persistence.conftest import sqlalchemy_units
from tests.builders import MAILBOX, a_message
from tests.conftest import FixedClock

ROUNDS = 25


async def _prepare(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    async with units() as uow:
        extension = await uow.extensions.get("p1")
        assert extension is not None
        extension.connected(clock.now())
        await uow.commit()
    await SetExtensionActive(units, clock)(SwitchExtension("p1", active=True, confirm=False))
    await ActivateClientIntegration(units, clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX)
    )


async def _race(url: str, truncate: bool, clock: FixedClock) -> None:
    async for first in sqlalchemy_units(url, truncate=truncate):
        async for second in sqlalchemy_units(url, truncate=False):
            await _prepare(first, clock)
            at = clock.advance(minutes=1)
            receivers = (
                ReceiveDocumentMessage(UnitOfWorkRunner(first), clock),
                ReceiveDocumentMessage(UnitOfWorkRunner(second), clock),
            )
            outcomes: Counter[str] = Counter()
            for n in range(ROUNDS):
                results = await asyncio.gather(
                    *(receive(a_message(at, document=f"doc-{n}")) for receive in receivers)
                )
                outcomes.update(f"{r.outcome}:{r.reason}" for r in results)
            async with first() as uow:
                exports = await uow.exports.list(ExportQuery(limit=1000))
            assert sorted(e.document_id for e in exports) == sorted(f"doc-{n}" for n in range(ROUNDS))
            assert outcomes == {"exported:None": ROUNDS, "ignored:repeat": ROUNDS}
            async with first() as uow:
                assert await uow.outbox.depth() == ROUNDS


@pytest.mark.postgres
async def test_postgres_lets_one_export_through(postgres_url: str, clock: FixedClock) -> None:
    await _race(postgres_url, True, clock)


async def test_sqlite_lets_one_export_through(sqlite_url: str, clock: FixedClock) -> None:
    await _race(sqlite_url, False, clock)
