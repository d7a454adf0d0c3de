"""Bounces later (CONTRACTS §7, §8), at the use-case level against the fakes: a mail's envelope
sender names its export, and a delivery status notification to it fails the export, refuses the
mailbox, is noted, or is ignored; each once however often it comes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.mail.delivery_reports import EmailDeliveryReportReader
from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.services.bounce_addresses import BounceAddresses
from application.use_cases.accept_bounce_recipient import AcceptBounceRecipient
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.deliver_export import DeliverExport
from application.use_cases.record_delivery_report import (
    RecordDeliveryReport,
    ReportedMail,
    ReportOutcome,
)
from domain.client_integration import MailboxStatus
from domain.export import AttemptOutcome, Export, ExportStatus, HoldReason
from tests.builders import MAILBOX
from tests.conftest import FixedClock
from tests.delivery_reports import NOT_A_REPORT, a_delivery_report
from tests.use_cases.conftest import connect
from tests.use_cases.test_delivery import SCHEDULE, World

pytestmark = pytest.mark.usefixtures("active_client")
BOUNCES = BounceAddresses.of("the secret key", "bounces.octobridge.example")
NEW_MAILBOX = "uid-008352-99@import.octopus.be"


class BounceWorld(World):
    def deliver(self) -> DeliverExport:
        return DeliverExport(
            self.ledger,
            self.units,
            self.clock,
            self.banqup,
            self.renderer,
            self.relay,
            SCHEDULE,
            bounces=BOUNCES,
        )

    async def delivered(self, document: str = "doc-1") -> str:
        export_id = await self.queue(document)
        assert await self.attempt(export_id) is ExportStatus.DELIVERED
        return export_id

    async def report(self, export_id: str, content: bytes) -> tuple[ReportOutcome, ...]:
        self.clock.advance(minutes=5)
        record = RecordDeliveryReport(self.units, self.clock, EmailDeliveryReportReader(), BOUNCES)
        recorded = await record(ReportedMail(recipient=BOUNCES.address_of(export_id), content=content))
        assert recorded.export_id == export_id
        return recorded.outcomes

    async def bounce(self, export_id: str, **report: str) -> tuple[ReportOutcome, ...]:
        return await self.report(export_id, a_delivery_report(BOUNCES.address_of(export_id), **report))

    async def integration(self):  # type: ignore[no-untyped-def]
        async with self.units() as uow:
            return await uow.integrations.get("p1", "c1")

    async def outbox(self) -> int:
        async with self.units() as uow:
            return await uow.outbox.depth()


@pytest.fixture
def world(units: InMemoryUnitOfWorkFactory, clock: FixedClock) -> BounceWorld:
    clock.advance(minutes=1)
    return BounceWorld(units, clock)


async def test_the_envelope_sender_names_the_export_and_is_accepted_back(world: BounceWorld) -> None:
    export_id = await world.delivered()
    (mail,) = world.relay.sent
    assert mail.envelope_sender == BOUNCES.address_of(export_id)
    accept = AcceptBounceRecipient(world.units, BOUNCES)
    assert await accept(mail.envelope_sender) == export_id
    other_id = export_id[:-1] + ("1" if export_id[-1] == "0" else "0")
    assert await accept(mail.envelope_sender.replace(export_id, other_id)) is None
    assert await accept(BOUNCES.address_of("no-such-export")) is None  # a valid tag, no export


async def test_without_bounce_addresses_the_envelope_sender_is_left_to_the_mailer(world: BounceWorld) -> None:
    export_id = await world.queue()
    await world.attempt(export_id, World.deliver(world))
    (mail,) = world.relay.sent
    assert mail.envelope_sender is None


async def test_a_late_refusal_fails_the_export_refuses_the_mailbox_and_holds_the_next(
    world: BounceWorld,
) -> None:
    export_id = await world.delivered()
    waiting = await world.queue("doc-2")
    assert await world.bounce(export_id) == (ReportOutcome.REFUSED,)
    export: Export = await world.export(export_id)
    assert (export.status, export.held) == (ExportStatus.FAILED, HoldReason.MAILBOX_REFUSED)
    last = export.attempts[-1]
    assert last.outcome is AttemptOutcome.FAILED
    assert last.detail.startswith("delivery report: failed 5.1.1 — smtp; 550 5.1.1")
    assert "User unknown" in last.detail
    integration = await world.integration()
    assert integration.mailbox_status is MailboxStatus.REFUSED
    assert integration.mailbox_refusal.export_id == export_id
    assert integration.mailbox_refusal.reply == last.detail
    held: Export = await world.export(waiting)
    assert (held.status, held.held) == (ExportStatus.QUEUED, HoldReason.MAILBOX_REFUSED)
    assert await world.outbox() == 0  # never attempted while the mailbox is refused


async def test_the_same_report_twice_is_recorded_once(world: BounceWorld) -> None:
    export_id = await world.delivered()
    assert await world.bounce(export_id) == (ReportOutcome.REFUSED,)
    before: Export = await world.export(export_id)
    assert await world.bounce(export_id) == (ReportOutcome.REPEATED,)
    after: Export = await world.export(export_id)
    assert after.attempts == before.attempts


async def test_a_delay_is_noted_and_changes_nothing_else(world: BounceWorld) -> None:
    export_id = await world.delivered()
    outcomes = await world.bounce(export_id, action="delayed", status="4.4.1", diagnostic="smtp; 421 busy")
    assert outcomes == (ReportOutcome.NOTED,)
    export: Export = await world.export(export_id)
    assert export.status is ExportStatus.DELIVERED and export.held is None
    assert (export.attempts[-1].outcome, export.attempts[-1].detail) == (
        AttemptOutcome.DELAYED,
        "delivery report: delayed 4.4.1 — smtp; 421 busy",
    )
    assert export.delivery_attempts == 1
    assert (await world.integration()).mailbox_status is MailboxStatus.OK


async def test_another_permanent_failure_fails_the_export_only(world: BounceWorld) -> None:
    export_id = await world.delivered()
    outcomes = await world.bounce(export_id, status="5.2.2", diagnostic="smtp; 552 5.2.2 mailbox full")
    assert outcomes == (ReportOutcome.FAILED,)
    export: Export = await world.export(export_id)
    assert (export.status, export.held) == (ExportStatus.FAILED, None)
    assert export.last_error == "delivery report: failed 5.2.2 — smtp; 552 5.2.2 mailbox full"
    assert (await world.integration()).mailbox_status is MailboxStatus.OK


async def test_a_failure_for_another_address_or_of_an_export_not_delivered_is_noted_only(
    world: BounceWorld,
) -> None:
    export_id = await world.delivered()
    assert await world.bounce(export_id, recipient="uid-000001-01@import.octopus.be") == (
        ReportOutcome.NOTED,
    )
    queued = await world.queue("doc-2")
    assert await world.bounce(queued) == (ReportOutcome.NOTED,)
    for noted in (export_id, queued):
        export: Export = await world.export(noted)
        assert export.held is None and export.attempts[-1].outcome is AttemptOutcome.FAILED
    assert [(await world.export(e)).status for e in (export_id, queued)] == ["delivered", "queued"]
    assert (await world.integration()).mailbox_status is MailboxStatus.OK


async def test_a_refusal_of_an_address_changed_since_sends_the_export_to_the_new_one(
    world: BounceWorld,
) -> None:
    export_id = await world.delivered()
    await ActivateClientIntegration(world.units, world.clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=NEW_MAILBOX)
    )
    assert await world.bounce(export_id) == (ReportOutcome.REFUSED,)
    integration = await world.integration()
    assert integration.mailbox_status is MailboxStatus.OK  # the new address is not the refused one
    export: Export = await world.export(export_id)
    assert (export.status, str(export.mailbox), export.held) == (ExportStatus.QUEUED, NEW_MAILBOX, None)
    world.clock.advance(minutes=1)
    assert await world.attempt(export_id) is ExportStatus.DELIVERED
    assert [m.to for m in world.relay.sent] == [MAILBOX, NEW_MAILBOX]


async def test_the_same_refusal_at_the_address_an_export_was_sent_again_to_refuses_that_one_too(
    world: BounceWorld,
) -> None:
    export_id = await world.delivered()
    assert await world.bounce(export_id) == (ReportOutcome.REFUSED,)
    await ActivateClientIntegration(world.units, world.clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=NEW_MAILBOX)
    )
    world.clock.advance(minutes=1)
    assert await world.attempt(export_id) is ExportStatus.DELIVERED
    assert await world.bounce(export_id) == (ReportOutcome.REPEATED,)  # the old report, late again
    assert await world.bounce(export_id, recipient=NEW_MAILBOX) == (ReportOutcome.REFUSED,)
    refusal = (await world.integration()).mailbox_refusal
    assert refusal is not None and str(refusal.mailbox) == NEW_MAILBOX


async def test_a_mail_that_is_not_a_report_is_ignored(world: BounceWorld) -> None:
    export_id = await world.delivered()
    before: Export = await world.export(export_id)
    assert await world.report(export_id, NOT_A_REPORT) == ()
    report_of_success = a_delivery_report(BOUNCES.address_of(export_id), action="delivered", status="2.0.0")
    assert await world.report(export_id, report_of_success) == (ReportOutcome.IGNORED,)
    assert (await world.export(export_id)).attempts == before.attempts
    assert world.units.store.delivery_reports == {}


async def test_a_report_on_an_export_forgotten_since_changes_nothing(world: BounceWorld) -> None:
    commits = world.units.store.commits
    assert await world.bounce("forgotten-export") == ()
    assert world.units.store.commits == commits


async def test_a_report_to_any_other_address_changes_nothing(world: BounceWorld) -> None:
    export_id = await world.delivered()
    record = RecordDeliveryReport(world.units, world.clock, EmailDeliveryReportReader(), BOUNCES)
    forged = BounceAddresses.of("another key", BOUNCES.domain).address_of(export_id)
    for recipient in (forged, f"postmaster@{BOUNCES.domain}"):
        recorded = await record(ReportedMail(recipient=recipient, content=a_delivery_report(recipient)))
        assert (recorded.export_id, recorded.outcomes) == (None, ())
    assert (await world.export(export_id)).status is ExportStatus.DELIVERED


REPORTS = st.tuples(
    st.sampled_from(["failed", "delayed", "delivered"]),
    st.sampled_from(["5.1.1", "5.2.2", "4.4.1"]),
    st.sampled_from([MAILBOX, "uid-000001-01@import.octopus.be"]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(REPORTS, min_size=1, max_size=8))
async def test_any_sequence_of_reports_adds_one_attempt_per_new_report_and_fails_at_most_once(
    reports: list[tuple[str, str, str]],
) -> None:
    units, clock = InMemoryUnitOfWorkFactory(), FixedClock()  # a world of its own for each example
    await connect(units, clock, InMemoryOctopusAccount(clock), "p1")
    activate = ActivateClientIntegration(units, clock)
    await activate(ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX))
    clock.advance(minutes=1)
    world = BounceWorld(units, clock)
    export_id = await world.delivered()
    outcomes = [
        (await world.bounce(export_id, action=action, status=status, recipient=recipient))[0]
        for action, status, recipient in reports
    ]
    counted = [(a, s, r.lower()) for a, s, r in reports if a != "delivered"]  # a recipient's own
    new = len(set(counted))
    assert sum(o is not ReportOutcome.REPEATED and o is not ReportOutcome.IGNORED for o in outcomes) == new
    export: Export = await world.export(export_id)
    assert len(export.attempts) == 1 + new
    failed = [o for o in outcomes if o in (ReportOutcome.REFUSED, ReportOutcome.FAILED)]
    assert len(failed) <= 1
    assert (export.status is ExportStatus.FAILED) == bool(failed)
    refused = (await world.integration()).mailbox_status is MailboxStatus.REFUSED
    assert refused == (failed == [ReportOutcome.REFUSED])
