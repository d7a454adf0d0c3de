"""What a refused mailbox asks of the repositories (CONTRACTS §8), against the fake, SQLite and
PostgreSQL alike: the client's open exports, and the refusal and the release, each one transaction."""

from __future__ import annotations

from datetime import timedelta

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.refusals import mailbox_refused, release_held
from domain.client_integration import ClientIntegration
from domain.export import Export, ExportStatus, HoldReason
from domain.mailbox import Mailbox
from tests.adapters.persistence.test_repository_contract import add_two_partners_and_three_integrations
from tests.builders import MAILBOX, an_export
from tests.conftest import FixedClock

NEW_MAILBOX = Mailbox("uid-000001-01@import.octopus.be")
REPLY = f"550 5.1.1 <{MAILBOX}>: Recipient address rejected: User unknown"


async def _queued(units: UnitOfWorkFactory, clock: FixedClock, *exports: Export) -> None:
    async with units() as uow:
        await add_two_partners_and_three_integrations(uow, clock)
        await uow.exports.add_many(list(exports))
        await uow.outbox.put_many([e.id for e in exports if e.status is ExportStatus.QUEUED], clock.now())
        await uow.commit()


async def _due(units: UnitOfWorkFactory, clock: FixedClock) -> set[str]:
    """The exports with an outbox row (read, not leased)."""
    async with units() as uow:
        return set(await uow.outbox.claim(clock.now() + timedelta(days=1), clock.now(), 1000))


async def test_the_open_exports_of_a_client_are_its_queued_and_failed_oldest_first(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    now = clock.now()
    oldest = an_export(now - timedelta(hours=2), document="d1")
    failed = an_export(now - timedelta(hours=1), document="d2", status=ExportStatus.FAILED)
    held = an_export(now, document="d3")
    held.hold()
    delivered = an_export(now, document="d4", status=ExportStatus.DELIVERED)
    skipped = an_export(now, document="d5", status=ExportStatus.SKIPPED)
    others = [an_export(now, client="c2", document="d6"), an_export(now, partner="p2", document="d7")]
    await _queued(units, clock, held, delivered, failed, skipped, oldest, *others)
    async with units() as uow:
        found = await uow.exports.list_open_of_client("p1", "c1")
        assert [e.id for e in found] == [oldest.id, failed.id, held.id]
        assert [(e.status, e.held) for e in found] == [
            ("queued", None),
            ("failed", None),
            ("queued", HoldReason.MAILBOX_REFUSED),
        ]
        assert await uow.exports.list_open_of_client("p1", "c9") == []


async def _refuse(units: UnitOfWorkFactory, clock: FixedClock, refused: Export, *, commit: bool) -> None:
    async with units() as uow:
        export = await uow.exports.get(refused.id)
        assert export is not None
        export.refused(clock.now(), REPLY)
        await uow.outbox.remove(export.id)
        assert await mailbox_refused(uow, export, clock.now(), REPLY) == []
        if commit:
            await uow.commit()


async def test_a_refusal_refuses_the_mailbox_and_holds_the_clients_queued_exports_together(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    now = clock.now()
    refused, waiting = an_export(now, document="d1"), an_export(now, document="d2")
    elsewhere = an_export(now, client="c2", document="d3")
    await _queued(units, clock, refused, waiting, elsewhere)
    clock.advance(minutes=1)
    await _refuse(units, clock, refused, commit=False)  # left uncommitted: nothing of it is kept
    async with units() as uow:
        assert (await uow.integrations.get("p1", "c1")).mailbox_refusal is None  # type: ignore[union-attr]
        assert {e.status for e in await uow.exports.list_open_of_client("p1", "c1")} == {ExportStatus.QUEUED}
    assert await _due(units, clock) == {refused.id, waiting.id, elsewhere.id}

    await _refuse(units, clock, refused, commit=True)
    async with units() as uow:
        integration = await uow.integrations.get("p1", "c1")
        assert integration is not None and integration.mailbox_refusal is not None
        refusal = integration.mailbox_refusal
        assert (refusal.mailbox, refusal.at, refusal.reply, refusal.export_id) == (
            Mailbox(MAILBOX),
            clock.now(),
            REPLY,
            refused.id,
        )
        exports = {e.id: e for e in await uow.exports.list_open_of_client("p1", "c1")}
        assert (exports[refused.id].status, exports[refused.id].held) == (
            "failed",
            HoldReason.MAILBOX_REFUSED,
        )
        assert (exports[waiting.id].status, exports[waiting.id].held) == (
            "queued",
            HoldReason.MAILBOX_REFUSED,
        )
        assert (await uow.integrations.get("p1", "c2")).mailbox_refusal is None  # type: ignore[union-attr]
    assert await _due(units, clock) == {elsewhere.id}


async def test_a_new_address_releases_what_waited_to_it_in_one_transaction(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    refused, waiting = an_export(clock.now(), document="d1"), an_export(clock.now(), document="d2")
    await _queued(units, clock, refused, waiting)
    await _refuse(units, clock, refused, commit=True)
    later = clock.advance(hours=1)
    async with units() as uow:
        integration = await uow.integrations.get("p1", "c1")
        assert isinstance(integration, ClientIntegration)
        integration.activate(NEW_MAILBOX, later)
        released = await release_held(uow, integration, later)
        assert {e.id for e in released} == {refused.id, waiting.id}
        await uow.commit()
    async with units() as uow:
        integration = await uow.integrations.get("p1", "c1")
        assert integration is not None and integration.mailbox_refusal is None
        exports = await uow.exports.list_open_of_client("p1", "c1")
        assert {(e.id, e.status, e.held, e.mailbox) for e in exports} == {
            (refused.id, ExportStatus.QUEUED, None, NEW_MAILBOX),
            (waiting.id, ExportStatus.QUEUED, None, NEW_MAILBOX),
        }
    assert await _due(units, clock) == {refused.id, waiting.id}
