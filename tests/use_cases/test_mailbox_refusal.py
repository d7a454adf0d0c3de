"""A mailbox refused at `RCPT TO`, the exports it holds, and their release (R25, CONTRACTS §8)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from adapters.memory.delivery_ledger import InMemoryDeliveryLedger
from adapters.memory.mailer import InMemoryMailer
from adapters.memory.unit_of_work import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory
from application.attempts import AttemptReason, Step, judge
from application.errors import MailboxRefused, RecipientRefused, Unavailable
from application.services.refusals import refuse_mailbox
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.claim_due_exports import ClaimDueExports
from application.use_cases.deactivate_client_integration import DeactivateClient, DeactivateClientIntegration
from application.use_cases.deliver_export import DeliverExport, DeliveryResult
from application.use_cases.import_clients import ClientRow, ImportBatch, ImportClients
from application.use_cases.receive_message import ReceiveDocumentMessage
from application.use_cases.retry_export import Retry, RetryExport
from application.views import ExportView
from domain.client_integration import ClientIntegration, MailboxStatus
from domain.export import Export, ExportStatus, HoldReason
from domain.retry import RetrySchedule
from tests.builders import MAILBOX, a_message
from tests.conftest import FixedClock
from tests.use_cases.test_delivery import SCHEDULE, Banqup, Renderer

pytestmark = pytest.mark.usefixtures("active_client")
NEW_MAILBOX = "uid-008352-25@import.octopus.be"
REFUSAL = f"550 5.1.1 <{MAILBOX}>: Recipient address rejected: User unknown"


@dataclass
class World:
    """Partner p1's client c1, active with `MAILBOX`, a worker and a relay that may refuse addresses."""

    units: InMemoryUnitOfWorkFactory
    clock: FixedClock
    mailer: InMemoryMailer = field(default_factory=lambda: InMemoryMailer("octobridge@octobridge.example"))
    documents: int = 0

    def deliver(self, schedule: RetrySchedule = SCHEDULE) -> DeliverExport:
        ledger = InMemoryDeliveryLedger(self.units.store)
        return DeliverExport(ledger, self.units, self.clock, Banqup(), Renderer(), self.mailer, schedule)

    async def receive(self, document: str | None = None) -> str:
        """A document approved in Banqup; the id of its export."""
        if document is None:
            self.documents += 1
            document = f"doc-{self.documents}"
        outcome = await ReceiveDocumentMessage(UnitOfWorkRunner(self.units), self.clock)(
            a_message(self.clock.now(), document=document)
        )
        assert outcome.export_id is not None, outcome
        return outcome.export_id

    async def activate(self, mailbox: str) -> None:
        """The accountant enters `mailbox` for the client (PUT /v1/clients/c1/octopus)."""
        await ActivateClientIntegration(self.units, self.clock)(
            ActivateClient(partner_id="p1", client_id="c1", mailbox=mailbox)
        )

    async def claim(self) -> list[Export]:
        return await ClaimDueExports(InMemoryDeliveryLedger(self.units.store), self.clock)(100)

    async def run_worker(self) -> list[DeliveryResult]:
        """One pass of the worker: what was due, claimed and attempted."""
        deliver = self.deliver()
        return [await deliver(export) for export in await self.claim()]

    async def export(self, export_id: str) -> Export:
        async with self.units() as uow:
            export = await uow.exports.get(export_id)
        assert export is not None
        return export

    async def integration(self) -> ClientIntegration:
        async with self.units() as uow:
            integration = await uow.integrations.get("p1", "c1")
        assert integration is not None
        return integration

    async def refused(self) -> str:
        """Two documents queued, the first refused at `RCPT TO`: the integration refused, the second
        held. The first's id."""
        first = await self.receive()
        (claimed,) = await self.claim()
        await self.receive()
        self.mailer.refused_mailboxes.add(MAILBOX)
        await self.deliver()(claimed)
        assert (await self.integration()).holds_new_exports
        return first

    async def exports(self) -> list[Export]:
        async with self.units() as uow:
            return list(await uow.exports.list_open_of_client("p1", "c1"))

    async def retry(self, export_id: str) -> ExportView:
        return await RetryExport(self.units, self.clock)(Retry(export_id))

    def outbox(self) -> set[str]:
        return set(self.units.store.outbox)

    def sent_to(self, address: str) -> list[str]:
        """The Message-IDs of the mails the relay took for `address`."""
        return [m.message_id for m in self.mailer.sent if m.to == address]


@pytest.fixture
def world(units: InMemoryUnitOfWorkFactory, clock: FixedClock) -> World:
    clock.advance(minutes=1)
    return World(units, clock)


def test_judge_tells_a_refused_mailbox_from_another_refused_recipient() -> None:
    mailbox = judge(Step.SEND, MailboxRefused(REFUSAL))
    other = judge(Step.SEND, RecipientRefused("550 5.7.1 Relaying denied"))
    assert (mailbox.outcome, mailbox.reason, mailbox.detail) == ("failed", AttemptReason.MAILBOX, REFUSAL)
    assert (other.outcome, other.reason) == ("failed", AttemptReason.RECIPIENT)


async def test_a_refused_mailbox_fails_the_export_refuses_the_integration_and_holds_the_others(
    world: World,
) -> None:
    first = await world.receive()
    (claimed,) = await world.claim()
    second, third = await world.receive(), await world.receive()
    world.mailer.refused_mailboxes.add(MAILBOX)
    world.clock.advance(seconds=5)
    result = await world.deliver()(claimed)
    assert (result.status, result.outcome, result.reason, result.detail) == (
        ExportStatus.FAILED,
        "failed",
        AttemptReason.MAILBOX,
        REFUSAL,
    )
    refused = await world.export(first)
    assert (refused.status, refused.held, refused.last_error) == (
        "failed",
        HoldReason.MAILBOX_REFUSED,
        REFUSAL,
    )
    integration = await world.integration()
    assert integration.mailbox_status is MailboxStatus.REFUSED
    assert integration.mailbox_refusal is not None
    assert (integration.mailbox_refusal.reply, integration.mailbox_refusal.export_id) == (REFUSAL, first)
    assert integration.mailbox_refusal.at == world.clock.now()
    for held in (second, third):
        export = await world.export(held)
        assert (export.status, export.held, export.attempts) == ("queued", HoldReason.MAILBOX_REFUSED, ())
    assert world.outbox() == set()  # nothing is attempted any more
    assert await world.run_worker() == []
    assert world.mailer.sent == []


async def test_another_refused_recipient_fails_the_export_only(world: World) -> None:
    first = await world.receive()
    world.mailer.refusals.append(RecipientRefused("550 5.7.1 Relaying denied"))
    await world.run_worker()
    second = await world.receive()
    assert (await world.export(first)).status is ExportStatus.FAILED
    assert (await world.export(first)).held is None
    assert (await world.integration()).mailbox_status is MailboxStatus.OK
    await world.run_worker()
    assert (await world.export(second)).status is ExportStatus.DELIVERED


async def _claimed_pair(world: World) -> tuple[Export, Export]:
    """Two exports claimed together; the first is then refused at `RCPT TO`, which holds the second
    while it is on its way."""
    await world.receive(), await world.receive()
    first, second = sorted(await world.claim(), key=lambda e: e.id)
    world.mailer.refused_mailboxes.add(MAILBOX)
    assert (await world.deliver()(first)).status is ExportStatus.FAILED
    assert (await world.export(second.id)).held is HoldReason.MAILBOX_REFUSED
    return first, second


async def test_a_claimed_export_held_meanwhile_is_recorded_delivered_if_its_mail_went(world: World) -> None:
    _, second = await _claimed_pair(world)
    world.mailer.refused_mailboxes.clear()  # the relay took this one after all
    result = await world.deliver()(second)
    export = await world.export(second.id)
    assert (result.status, export.status, export.held, str(export.mailbox)) == (
        ExportStatus.DELIVERED,
        "delivered",
        None,
        MAILBOX,
    )
    assert world.sent_to(MAILBOX) == [export.message_id]


async def test_a_claimed_export_held_meanwhile_stays_held_when_refused_too(world: World) -> None:
    _, second = await _claimed_pair(world)
    result = await world.deliver()(second)
    export = await world.export(second.id)
    assert result.status is None
    assert (export.status, export.held, export.attempts) == ("queued", HoldReason.MAILBOX_REFUSED, ())
    assert second.id not in world.outbox()
    assert (await world.integration()).mailbox_refusal.export_id != second.id  # type: ignore[union-attr]


async def test_a_claimed_export_held_meanwhile_stays_held_after_a_temporary_failure(world: World) -> None:
    _, second = await _claimed_pair(world)
    world.mailer.refused_mailboxes.clear()
    world.mailer.refusals.append(Unavailable("421 4.7.0 Try again later"))
    assert (await world.deliver()(second)).status is None
    export = await world.export(second.id)
    assert (export.status, export.held) == ("queued", HoldReason.MAILBOX_REFUSED)
    assert second.id not in world.outbox()


async def test_a_mail_that_went_to_the_old_address_while_released_to_a_new_one_says_where_it_went(
    world: World,
) -> None:
    first, second = await _claimed_pair(world)
    await world.activate(NEW_MAILBOX)  # releases both, to the new address
    assert str((await world.export(second.id)).mailbox) == NEW_MAILBOX
    world.mailer.refused_mailboxes.clear()  # the old address took the mail on its way after all
    await world.deliver()(second)
    export = await world.export(second.id)
    assert (export.status, str(export.mailbox)) == ("delivered", MAILBOX)
    assert [r.message_id for r in await world.run_worker()] == [(await world.export(first.id)).message_id]
    assert world.sent_to(MAILBOX) == [export.message_id]  # not sent a second time, to the new one
    assert world.sent_to(NEW_MAILBOX) == [(await world.export(first.id)).message_id]


async def test_a_refusal_of_an_address_changed_since_sends_the_export_to_the_new_one(world: World) -> None:
    export_id = await world.receive()
    (claimed,) = await world.claim()
    await world.activate(NEW_MAILBOX)
    world.mailer.refused_mailboxes.add(MAILBOX)
    result = await world.deliver()(claimed)
    assert result.status is ExportStatus.QUEUED  # at once to the new address, which nobody refused
    assert (await world.integration()).mailbox_status is MailboxStatus.OK
    await world.run_worker()
    export = await world.export(export_id)
    assert (export.status, str(export.mailbox), export.held) == ("delivered", NEW_MAILBOX, None)
    assert [a.outcome for a in export.attempts] == ["failed", "retried", "delivered"]


async def test_while_refused_new_documents_are_held_and_never_attempted(world: World) -> None:
    await world.refused()
    world.clock.advance(minutes=5)
    later = await world.receive()
    export = await world.export(later)
    assert (export.status, export.held, str(export.mailbox)) == (
        "queued",
        HoldReason.MAILBOX_REFUSED,
        MAILBOX,
    )
    assert world.outbox() == set()
    world.mailer.refused_mailboxes.clear()  # even a relay that would take it now gets nothing
    assert await world.run_worker() == [] and world.mailer.sent == []


async def test_while_refused_a_document_skipped_before_is_held_when_it_may_go(
    world: World, units: InMemoryUnitOfWorkFactory
) -> None:
    await DeactivateClientIntegration(units, world.clock)(DeactivateClient("p1", "c1"))
    skipped = await world.receive("doc-s")
    assert (await world.export(skipped)).status is ExportStatus.SKIPPED
    world.clock.advance(minutes=1)
    await world.activate(MAILBOX)
    await world.refused()
    assert await world.receive("doc-s") == skipped  # approved again
    export = await world.export(skipped)
    assert (export.status, export.held) == ("queued", HoldReason.MAILBOX_REFUSED)
    assert skipped not in world.outbox()


async def test_retrying_an_export_the_refusal_failed_keeps_it_held_while_refused(world: World) -> None:
    first = await world.refused()
    view = await world.retry(first)
    assert (view.status, view.held) == ("queued", "mailboxRefused")
    assert first not in world.outbox()
    assert (await world.export(first)).attempts[-1].outcome == "retried"


async def test_retrying_another_failed_export_while_refused_holds_it_too(world: World) -> None:
    other = await world.receive()
    world.mailer.refusals.append(RecipientRefused("550 5.7.1 Relaying denied"))
    await world.run_worker()
    await world.refused()
    view = await world.retry(other)
    assert (view.status, view.held) == ("queued", "mailboxRefused")
    assert other not in world.outbox()


@pytest.mark.parametrize("address", [NEW_MAILBOX, MAILBOX], ids=["new address", "same address confirmed"])
async def test_an_address_entered_sends_everything_that_waited_to_it_once(world: World, address: str) -> None:
    first = await world.refused()
    later = await world.receive()
    before = {e.id for e in await world.exports()}
    assert len(before) == 3
    world.mailer.refused_mailboxes.clear()
    world.clock.advance(hours=1)
    await world.activate(address)
    integration = await world.integration()
    assert (integration.mailbox_status, integration.mailbox_refusal, str(integration.mailbox)) == (
        MailboxStatus.OK,
        None,
        address,
    )
    released = await world.exports()
    assert {e.id for e in released} == before and world.outbox() == before
    assert all((e.status, e.held, str(e.mailbox)) == ("queued", None, address) for e in released)
    refused = await world.export(first)
    assert [(a.outcome, a.detail) for a in refused.attempts] == [
        ("failed", REFUSAL),
        ("retried", f"sent again to {address}"),
    ]
    await world.run_worker()
    delivered = [await world.export(e) for e in before]
    assert sorted(world.sent_to(address)) == sorted(str(e.message_id) for e in delivered)
    assert {e.status for e in delivered} == {ExportStatus.DELIVERED} and {first, later} <= before
    assert await world.run_worker() == []


async def test_the_same_address_again_while_ok_changes_nothing(world: World) -> None:
    export_id = await world.receive()
    commits = world.units.store.commits
    await world.activate(MAILBOX)
    assert world.units.store.commits == commits
    assert world.outbox() == {export_id}


async def test_a_new_address_in_the_csv_import_releases_and_the_same_one_does_not(world: World) -> None:
    first = await world.refused()
    importer = ImportClients(world.units, world.clock)
    world.clock.advance(hours=1)
    same = await importer(ImportBatch(rows=[ClientRow(2, "p1", "c1", MAILBOX)]))
    assert (same.updated, same.unchanged) == (0, 1)
    assert (await world.integration()).holds_new_exports and world.outbox() == set()
    report = await importer(ImportBatch(rows=[ClientRow(2, "p1", "c1", NEW_MAILBOX)]))
    assert report.updated == 1
    assert not (await world.integration()).holds_new_exports
    assert world.outbox() == {e.id for e in await world.exports()} and first in world.outbox()
    assert {str(e.mailbox) for e in await world.exports()} == {NEW_MAILBOX}


async def test_a_dry_run_of_the_csv_import_releases_nothing(world: World) -> None:
    await world.refused()
    await ImportClients(world.units, world.clock)(
        ImportBatch(rows=[ClientRow(2, "p1", "c1", NEW_MAILBOX)], dry_run=True)
    )
    assert (await world.integration()).holds_new_exports and world.outbox() == set()


class _Interfered(InMemoryUnitOfWorkFactory):
    """Units of work on the same store; before the first `interfering` commits, `meanwhile` runs and
    commits a transaction of its own."""

    def __init__(
        self, units: InMemoryUnitOfWorkFactory, meanwhile: Callable[[], Awaitable[None]], times: int
    ):
        super().__init__(units.store)
        self._meanwhile = meanwhile
        self.times = times

    def __call__(self) -> InMemoryUnitOfWork:
        uow = super().__call__()
        commit = uow.commit

        async def interfered() -> None:
            if self.times:
                self.times -= 1
                await self._meanwhile()
            await commit()

        uow.commit = interfered  # type: ignore[method-assign]
        return uow


def _interfered(world: World, times: int) -> DeliverExport:
    """A worker whose refusal transactions meet, `times` times, the client's dossier being changed."""

    async def the_client_changes() -> None:
        async with world.units() as uow:
            integration = await uow.integrations.get("p1", "c1")
            assert integration is not None
            integration.dossier_id = (integration.dossier_id or 0) + 1
            await uow.commit()

    units = _Interfered(world.units, the_client_changes, times)
    ledger = InMemoryDeliveryLedger(world.units.store)
    return DeliverExport(ledger, units, world.clock, Banqup(), Renderer(), world.mailer, SCHEDULE)


async def test_a_refusal_that_meets_another_change_is_recorded_on_what_that_one_left(world: World) -> None:
    export_id = await world.receive()
    (claimed,) = await world.claim()
    other = await world.receive()
    world.mailer.refused_mailboxes.add(MAILBOX)
    result = await _interfered(world, times=1)(claimed)
    assert result.status is ExportStatus.FAILED
    integration = await world.integration()
    assert integration.holds_new_exports and integration.dossier_id == 1  # both changes kept
    assert (await world.export(export_id)).held is HoldReason.MAILBOX_REFUSED
    assert (await world.export(other)).held is HoldReason.MAILBOX_REFUSED
    assert world.outbox() == set()


async def test_a_refusal_that_keeps_meeting_changes_is_left_for_the_next_lease(world: World) -> None:
    export_id = await world.receive()
    (claimed,) = await world.claim()
    world.mailer.refused_mailboxes.add(MAILBOX)
    result = await _interfered(world, times=100)(claimed)
    assert (result.status, result.reason) == (ExportStatus.QUEUED, AttemptReason.DATABASE)
    assert "not recorded" in result.detail
    export = await world.export(export_id)
    assert (export.status, export.attempts) == ("queued", ())
    assert export_id in world.outbox()  # leased: taken again when the lease ends
    assert not (await world.integration()).holds_new_exports


async def test_retrying_an_export_a_refusal_failed_once_the_client_has_a_working_address_sends_it_there(
    world: World,
) -> None:
    """As a bounce recorded by `refuse_mailbox` alone leaves it: the export failed by the refusal of an
    address the client has left since, its integration ok."""
    export_id = await world.receive()
    await world.run_worker()
    await world.activate(NEW_MAILBOX)
    async with world.units() as uow:
        export = await uow.exports.get(export_id)
        assert export is not None
        export.bounced(world.clock.now(), "5.1.1 mailbox unknown", mailbox_refused=True)
        assert not await refuse_mailbox(uow, export, world.clock.now(), "5.1.1 mailbox unknown")
        await uow.commit()
    view = await world.retry(export_id)
    assert (view.status, view.held, view.mailbox) == ("queued", None, NEW_MAILBOX)
    assert world.outbox() == {export_id}
    await world.run_worker()
    assert world.sent_to(NEW_MAILBOX) == [str((await world.export(export_id)).message_id)]


async def test_an_export_held_by_an_intake_that_raced_the_release_goes_with_the_next_confirmation(
    world: World,
) -> None:
    """Intake read the refusal, the accountant's new address committed, then intake held its export:
    no refusal is left to end, and the accountant's next save still sends what waits."""
    export_id = await world.receive()
    async with world.units() as uow:  # as that intake committed it: held, without an outbox row
        export = await uow.exports.get(export_id)
        assert export is not None
        export.hold()
        await uow.outbox.remove(export_id)
        await uow.commit()
    await world.activate(MAILBOX)
    assert [r.status for r in await world.run_worker()] == [ExportStatus.DELIVERED]
    assert (await world.export(export_id)).held is None
