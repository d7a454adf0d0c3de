"""Delivering queued exports: outcomes, retries and their schedule (R13, R15, R16)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.memory.delivery_ledger import InMemoryDeliveryLedger
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from adapters.ubl import PeppolUblToolkit
from application.attempts import AttemptReason, Step, judge
from application.errors import (
    Conflict,
    Invalid,
    InvalidDocument,
    NotFound,
    RecipientRefused,
    Unavailable,
    Violation,
)
from application.ports.documents import (
    DocumentRenderer,
    DocumentSource,
    Renderable,
    RenderedDocument,
    SourceDocument,
)
from application.ports.mailer import Mailer, OutgoingMail
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.claim_due_exports import ClaimDueExports
from application.use_cases.deliver_export import DeliverExport, DeliveryResult, attachment_name
from application.use_cases.receive_message import ReceiveDocumentMessage
from application.use_cases.retry_export import Retry, RetryExport
from domain.export import AttemptOutcome, Export, ExportStatus
from domain.retry import RetrySchedule
from tests.adapters.ubl.banqup_documents import encode
from tests.adapters.ubl.test_banqup_rendering import _sample
from tests.builders import MAILBOX, a_message
from tests.conftest import FixedClock

pytestmark = pytest.mark.usefixtures("active_client")
SCHEDULE = RetrySchedule(
    base=timedelta(minutes=1), max_delay=timedelta(minutes=30), horizon=timedelta(hours=2)
)


@dataclass
class Banqup(DocumentSource):
    missing: set[str] = field(default_factory=set)
    failure: Exception | None = None
    document: bytes = b'{"number": "INV/42"}'

    async def fetch(self, client_id: str, document_id: str) -> SourceDocument:
        if self.failure is not None:
            raise self.failure
        if document_id in self.missing:
            raise NotFound(f"document {document_id}")
        return SourceDocument(client_id, document_id, self.document)


@dataclass
class Renderer(DocumentRenderer):
    invalid: bool = False
    failure: Exception | None = None

    async def render(self, document: Renderable) -> RenderedDocument:
        if self.failure is not None:
            raise self.failure
        if self.invalid:
            raise InvalidDocument("not valid Peppol BIS 3", (Violation("BR-CO-15", True, "totals differ"),))
        return RenderedDocument("invoice", "INV/42", "Brasserie Dupont", b"<Invoice/>")


@dataclass
class Relay(Mailer):
    """Answers each send with the next scripted failure, then accepts."""

    script: list[Exception] = field(default_factory=list)
    sent: list[OutgoingMail] = field(default_factory=list)
    sender_domain: str = "octobridge.example"

    async def send(self, mail: OutgoingMail) -> str:
        if self.script:
            raise self.script.pop(0)
        self.sent.append(mail)
        return "250 2.0.0 queued as 1234"


@dataclass
class World:
    units: InMemoryUnitOfWorkFactory
    clock: FixedClock
    banqup: Banqup = field(default_factory=Banqup)
    renderer: Renderer = field(default_factory=Renderer)
    relay: Relay = field(default_factory=Relay)
    claimed: dict[str, Export] = field(default_factory=dict)

    @property
    def ledger(self) -> InMemoryDeliveryLedger:
        return InMemoryDeliveryLedger(self.units.store)

    def deliver(self) -> DeliverExport:
        return DeliverExport(
            self.ledger, self.units, self.clock, self.banqup, self.renderer, self.relay, SCHEDULE
        )

    async def queue(self, document: str = "doc-1") -> str:
        outcome = await ReceiveDocumentMessage(UnitOfWorkRunner(self.units), self.clock)(
            a_message(self.clock.now(), document=document)
        )
        assert outcome.export_id is not None
        return outcome.export_id

    async def due(self) -> list[str]:
        """Claims what is due; the ids, each export kept in `claimed` for `attempt`."""
        claimed = await ClaimDueExports(self.ledger, self.clock)(100)
        self.claimed = {export.id: export for export in claimed}
        return list(self.claimed)

    async def attempt(self, export_id: str, deliver: DeliverExport | None = None) -> ExportStatus | None:
        """The export's status after an attempt (`attempt_in_full`)."""
        return (await self.attempt_in_full(export_id, deliver)).status

    async def attempt_in_full(self, export_id: str, deliver: DeliverExport | None = None) -> DeliveryResult:
        """Delivers the export as claimed, claiming what is due first when it was not yet."""
        if export_id not in self.claimed:
            await self.due()
        return await (deliver or self.deliver())(self.claimed.pop(export_id))

    async def export(self, export_id: str):  # type: ignore[no-untyped-def]
        async with self.units() as uow:
            return await uow.exports.get(export_id)


@pytest.fixture
def world(units: InMemoryUnitOfWorkFactory, clock: FixedClock) -> World:
    clock.advance(minutes=1)
    return World(units, clock)


async def test_a_delivered_export_has_its_message_id_and_leaves_the_outbox(world: World) -> None:
    export_id = await world.queue()
    assert await world.due() == [export_id]
    assert await world.attempt(export_id) is ExportStatus.DELIVERED
    (mail,) = world.relay.sent
    assert (mail.to, mail.subject) == (MAILBOX, "Invoice INV/42 — Brasserie Dupont")
    assert mail.message_id == f"<export-{export_id}@octobridge.example>"
    assert mail.attachment_name == "INV_42.xml"
    export = await world.export(export_id)
    assert (export.status, export.message_id, export.delivered_at) == (
        "delivered",
        mail.message_id,
        world.clock.now(),
    )
    async with world.units() as uow:
        assert await uow.outbox.depth() == 0


async def test_temporary_failures_come_back_by_the_schedule_then_deliver(world: World) -> None:
    world.relay.script = [Unavailable("421 4.7.0 try again later"), Unavailable("451 4.3.0 local error")]
    export_id = await world.queue()
    deliver = world.deliver()
    for failures in (1, 2):
        assert await world.due() == [export_id]
        assert await world.attempt(export_id, deliver) is ExportStatus.QUEUED
        assert await world.due() == []  # not before its time
        world.clock.advance(seconds=SCHEDULE.delay(failures, 0.0).total_seconds())
    assert await world.due() == [export_id]
    assert await world.attempt(export_id, deliver) is ExportStatus.DELIVERED
    export = await world.export(export_id)
    assert [a.outcome for a in export.attempts] == ["deferred", "deferred", "delivered"]
    assert export.attempts[0].detail == "421 4.7.0 try again later"


async def test_past_the_horizon_a_temporary_failure_becomes_final(world: World) -> None:
    world.relay.script = [Unavailable("connection refused")] * 50
    export_id = await world.queue()
    deliver, rounds = world.deliver(), 0
    while (await world.export(export_id)).status is ExportStatus.QUEUED:
        world.clock.at = world.units.store.outbox[
            export_id
        ].available_at  # the worker comes exactly when it is due
        assert await world.due() == [export_id]
        await world.attempt(export_id, deliver)
        rounds += 1
    export = await world.export(export_id)
    assert export.status is ExportStatus.FAILED and export.last_error.startswith(
        f"gave up after {rounds} attempts"
    )
    assert export.attempts[-1].at - export.attempts[0].at <= SCHEDULE.horizon
    elapsed, expected = (
        timedelta(0),
        1,
    )  # the schedule, replayed: the attempt that would pass the horizon is not made
    while elapsed + SCHEDULE.delay(expected, 0.0) <= SCHEDULE.horizon:
        elapsed += SCHEDULE.delay(expected, 0.0)
        expected += 1
    assert rounds == expected


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (
            lambda w: w.relay.script.append(
                Invalid("550 5.1.1 <uid-008352-24@import.octopus.be>: no such user")
            ),
            "550 5.1.1",
        ),
        (lambda w: w.banqup.missing.add("doc-1"), "Banqup no longer has the document"),
    ],
)
async def test_permanent_failures_fail_at_once_with_the_answer(world: World, setup, error: str) -> None:  # type: ignore[no-untyped-def]
    setup(world)
    export_id = await world.queue()
    assert await world.attempt(export_id) is ExportStatus.FAILED
    export = await world.export(export_id)
    assert error in export.last_error and export.delivery_attempts == 1
    async with world.units() as uow:
        assert await uow.outbox.depth() == 0


async def test_an_invalid_document_sends_nothing_and_names_the_rules_then_can_be_retried(
    world: World,
) -> None:
    world.renderer.invalid = True
    export_id = await world.queue()
    assert await world.attempt(export_id) is ExportStatus.FAILED
    assert world.relay.sent == []
    export = await world.export(export_id)
    assert [v.rule_id for v in export.violations] == ["BR-CO-15"]
    world.renderer.invalid = False
    retried = await RetryExport(world.units, world.clock)(Retry(export_id, partner_id="p1"))
    assert retried.status == "queued" and retried.violations == []
    assert await world.due() == [export_id]
    assert await world.attempt(export_id) is ExportStatus.DELIVERED


async def taken_meanwhile(world: World, outcome: str) -> ExportStatus | None:
    """Delivers an export that another worker attempted, with `outcome`, after it was claimed."""
    export_id = await world.queue()
    await world.due()
    async with world.units() as uow:
        other = await uow.exports.get(export_id)
        if outcome == "delivered":
            other.delivered(world.clock.now(), "<other@octobridge.example>", "250 ok")
        else:
            other.deferred(world.clock.now(), "451 try later")
        await uow.commit()
    return await world.attempt(export_id)  # its record finds the export changed since it was claimed


async def test_an_export_another_worker_delivered_meanwhile_is_left_as_it_is(world: World) -> None:
    assert await taken_meanwhile(world, "delivered") is None
    (export,) = world.units.store.exports.values()
    assert [a.detail for a in export.attempts] == ["250 ok"]


async def test_an_export_still_queued_after_another_workers_attempt_gets_this_outcome(world: World) -> None:
    assert await taken_meanwhile(world, "deferred") is ExportStatus.DELIVERED
    (export,) = world.units.store.exports.values()
    assert [a.detail for a in export.attempts] == ["451 try later", "250 2.0.0 queued as 1234"]


async def test_an_export_no_longer_queued_is_dropped_from_the_outbox(world: World) -> None:
    export_id = await world.queue()
    async with world.units() as uow:
        export = await uow.exports.get(export_id)
        export.failed(world.clock.now(), "failed by hand")
        await uow.commit()
    assert await world.due() == []  # claiming drops it
    assert world.relay.sent == []
    async with world.units() as uow:
        assert await uow.outbox.depth() == 0


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("INV-2026-0042", "INV-2026-0042.xml"),
        ("../../etc/passwd", "etc_passwd.xml"),
        ("F 12/3\r\n", "F_12_3.xml"),
        ("///", "document.xml"),
    ],
)
def test_attachment_names_are_file_name_safe(number: str, name: str) -> None:
    assert attachment_name(number) == name


async def test_a_status_report_that_cannot_reach_banqup_changes_nothing(world: World) -> None:
    class Unreachable:
        calls = 0

        async def report(self, client_id: str, document_id: str, status: str, detail: str) -> None:
            Unreachable.calls += 1
            raise Unavailable("Banqup is down")

    export_id = await world.queue()
    deliver = DeliverExport(
        world.ledger,
        world.units,
        world.clock,
        world.banqup,
        world.renderer,
        world.relay,
        SCHEDULE,
        Unreachable(),
    )
    assert await world.attempt(export_id, deliver) is ExportStatus.DELIVERED
    assert Unreachable.calls == 1
    assert (await world.export(export_id)).status is ExportStatus.DELIVERED


async def test_a_surprise_while_rendering_fails_the_export_at_once_as_a_defect(world: World) -> None:
    class Broken(Renderer):
        async def render(self, document: Renderable) -> RenderedDocument:
            raise KeyError("vatRate")

    export_id = await world.queue()
    deliver = DeliverExport(
        world.ledger, world.units, world.clock, world.banqup, Broken(), world.relay, SCHEDULE
    )
    result = await world.attempt_in_full(export_id, deliver)
    assert (result.status, result.outcome, result.reason) == ("failed", "failed", "document")
    export = await world.export(export_id)
    assert export.last_error == result.detail
    assert "defect to report" in result.detail and "KeyError: 'vatRate'" in result.detail
    async with world.units() as uow:
        assert await uow.outbox.depth() == 0  # never tried again on its own


@pytest.mark.parametrize(
    ("where", "error", "status", "outcome", "reason"),
    [
        ("banqup", Unavailable("Banqup answered 503"), "queued", "deferred", "banqup"),
        ("banqup", NotFound("no document doc-1"), "failed", "failed", "document"),
        (
            "banqup",
            Invalid("Banqup's answer is larger than the 2 MB octobridge takes"),
            "failed",
            "failed",
            "document",
        ),
        ("banqup", RuntimeError("a surprise"), "queued", "deferred", "unexpected"),
        ("renderer", InvalidDocument("not valid Peppol BIS 3"), "failed", "failed", "document"),
        ("renderer", Invalid("the root element is not UBL"), "failed", "failed", "document"),
        ("renderer", Unavailable("nothing to reach while rendering"), "failed", "failed", "document"),
        ("renderer", RecursionError("maximum recursion depth exceeded"), "failed", "failed", "document"),
        ("renderer", ValueError("All strings must be XML compatible"), "failed", "failed", "document"),
        ("relay", Unavailable("451 4.3.0 Local error"), "queued", "deferred", "relay"),
        ("relay", Invalid("554 5.7.1 Rejected"), "failed", "failed", "relay"),
        ("relay", RecipientRefused("550 5.1.1 no such user"), "failed", "failed", "recipient"),
        ("relay", ConnectionResetError("reset by peer"), "queued", "deferred", "unexpected"),
    ],
)
async def test_only_io_is_temporary_and_each_failure_says_whose_it_is(
    world: World, where: str, error: Exception, status: str, outcome: str, reason: str
) -> None:
    if where == "banqup":
        world.banqup.failure = error
    elif where == "renderer":
        world.renderer.failure = error
    else:
        world.relay.script.append(error)
    export_id = await world.queue()
    result = await world.attempt_in_full(export_id)
    assert (result.status, result.outcome, result.reason) == (status, outcome, reason)
    export = await world.export(export_id)
    assert (export.status, export.attempts[-1].outcome, export.attempts[-1].detail) == (
        status,
        outcome,
        result.detail,
    )
    assert str(error) in result.detail
    assert result.message_id == f"<export-{export_id}@octobridge.example>"


async def test_a_delivered_attempt_carries_the_relays_reply_and_no_reason(world: World) -> None:
    export_id = await world.queue()
    result = await world.attempt_in_full(export_id)
    assert (result.status, result.outcome, result.reason, result.detail) == (
        "delivered",
        "delivered",
        None,
        "250 2.0.0 queued as 1234",
    )


async def test_a_temporary_failure_past_the_horizon_is_told_as_failed(world: World) -> None:
    world.relay.script = [Unavailable("connection refused")] * 50
    export_id = await world.queue()
    deliver = world.deliver()
    while True:
        world.clock.at = world.units.store.outbox[export_id].available_at
        result = await world.attempt_in_full(export_id, deliver)
        if result.status is not ExportStatus.QUEUED:
            break
        assert (result.outcome, result.reason) == ("deferred", "relay")
    assert (result.status, result.outcome, result.reason) == ("failed", "failed", "relay")
    assert result.detail.startswith("gave up after") and result.detail.endswith("connection refused")


class DownLedger(InMemoryDeliveryLedger):
    """A ledger whose attempts cannot be recorded: the database went away after the claim."""

    async def record(self, export: Export, due_again: datetime | None) -> None:
        raise Unavailable("the database cannot be reached")


async def test_an_attempt_that_cannot_be_recorded_is_told_as_deferred_by_the_database(world: World) -> None:
    export_id = await world.queue()
    await world.due()
    down = DeliverExport(
        DownLedger(world.units.store),
        world.units,
        world.clock,
        world.banqup,
        world.renderer,
        world.relay,
        SCHEDULE,
    )
    result = await world.attempt_in_full(export_id, down)
    assert (result.status, result.outcome, result.reason) == ("queued", "deferred", "database")
    assert "the database cannot be reached" in result.detail


@pytest.fixture(scope="module")
def toolkit() -> PeppolUblToolkit:
    return PeppolUblToolkit()


NESTED = b"[" * 10_000 + b"]" * 10_000


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (encode(dict(_sample(), number="INV\x00-42")), "number: holds a control character"),
        (encode(_sample())[:-1] + b', "extra": ' + NESTED + b"}", "nested too deeply"),
        (encode(_sample()).replace(b'"allowances": []', b'"allowances": ' + NESTED), "not a Banqup document"),
    ],
)
async def test_a_poison_document_fails_at_once_through_the_real_renderer(
    world: World, toolkit: PeppolUblToolkit, document: bytes, said: str
) -> None:
    world.banqup.document = document
    export_id = await world.queue()
    deliver = DeliverExport(
        world.ledger, world.units, world.clock, world.banqup, toolkit, world.relay, SCHEDULE
    )
    result = await world.attempt_in_full(export_id, deliver)
    assert (result.status, result.outcome, result.reason) == ("failed", "failed", "document")
    assert said in result.detail and world.relay.sent == []
    async with world.units() as uow:
        assert await uow.outbox.depth() == 0


async def test_a_control_character_in_a_name_is_made_safe_and_the_document_goes(
    world: World, toolkit: PeppolUblToolkit
) -> None:
    seller = dict(_sample()["seller"], name="Brasserie\x00Dupont\x1bSRL")
    world.banqup.document = encode(dict(_sample(), seller=seller))
    export_id = await world.queue()
    deliver = DeliverExport(
        world.ledger, world.units, world.clock, world.banqup, toolkit, world.relay, SCHEDULE
    )
    assert await world.attempt(export_id, deliver) is ExportStatus.DELIVERED
    (mail,) = world.relay.sent
    assert mail.subject == "Invoice INV-2026-0042 — Brasserie Dupont SRL"
    assert b"<cbc:RegistrationName>Brasserie Dupont SRL</cbc:RegistrationName>" in mail.attachment


ERRORS = st.sampled_from(
    [
        Unavailable,
        NotFound,
        Invalid,
        InvalidDocument,
        RecipientRefused,
        Conflict,
        RuntimeError,
        KeyError,
        ValueError,
    ]
)


@given(step=st.sampled_from(Step), kind=ERRORS, words=st.text(max_size=30))
def test_only_io_is_ever_tried_again_and_rendering_never_is(
    step: Step, kind: type[Exception], words: str
) -> None:
    verdict = judge(step, kind(words))
    assert verdict.outcome in (AttemptOutcome.DEFERRED, AttemptOutcome.FAILED)
    if step is Step.RENDER or kind in (InvalidDocument, RecipientRefused):
        assert verdict.outcome is AttemptOutcome.FAILED
    if step is Step.RENDER:
        assert verdict.reason is AttemptReason.DOCUMENT
    if kind is Unavailable and step is not Step.RENDER:
        assert verdict.outcome is AttemptOutcome.DEFERRED
        assert verdict.reason in (AttemptReason.BANQUP, AttemptReason.RELAY, AttemptReason.DATABASE)
