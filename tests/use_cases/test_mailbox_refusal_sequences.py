"""Random sequences of documents, worker runs, refusals at `RCPT TO`, late and repeated bounces,
and addresses entered or confirmed, on the fakes (R25, CONTRACTS §8). Whatever happens:

- every export is delivered, or queued with an outbox row, or waits (held, queued or failed by the
  refusal, without an outbox row) while its client's mailbox is refused, for everyone to see;
- nothing is attempted at an address whose refusal was recorded before the export was claimed (one
  claimed earlier may still be attempted once: the race `DeliverExport` names);
- after a last new address and a worker that runs until nothing is due, every document has been
  delivered exactly once to an address that took it (its mail not bounced), and its export says so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.memory.delivery_ledger import InMemoryDeliveryLedger
from adapters.memory.mailer import InMemoryMailer
from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.ports.mailer import OutgoingMail
from application.services.refusals import mailbox_refused
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.claim_due_exports import ClaimDueExports
from application.use_cases.deliver_export import DeliverExport
from application.use_cases.receive_message import ReceiveDocumentMessage
from application.use_cases.retry_export import Retry, RetryExport
from domain.client_integration import ClientIntegration
from domain.export import AttemptOutcome, Export, ExportStatus
from tests.builders import a_message
from tests.conftest import FixedClock
from tests.use_cases.conftest import connect
from tests.use_cases.test_delivery import SCHEDULE, Banqup, Renderer

ADDRESSES = [f"uid-00000{n}-01@import.octopus.be" for n in range(3)]
LAST = "uid-999999-99@import.octopus.be"  # the address that works, entered at the end


class _Relay(InMemoryMailer):
    """The fake relay, remembering every address a mail was attempted at (refused or not)."""

    def __init__(self) -> None:
        super().__init__("octobridge@octobridge.example")
        self.attempted: list[OutgoingMail] = []

    async def send(self, mail: OutgoingMail) -> str:
        self.attempted.append(mail)
        return await super().send(mail)


@dataclass
class _Mail:
    """A mail the relay took: for which export, to which address, and whether a bounce came back."""

    export_id: str
    to: str
    bounced: bool = False


@dataclass
class Play:
    units: InMemoryUnitOfWorkFactory
    clock: FixedClock
    relay: _Relay = field(default_factory=_Relay)
    documents: int = 0
    claimed: list[tuple[Export, int]] = field(default_factory=list)  # in flight, with the step claimed at
    mails: list[_Mail] = field(default_factory=list)
    refused_since: dict[str, int] = field(default_factory=dict)  # address → the step its refusal was recorded
    step: int = 0

    def deliverer(self) -> DeliverExport:
        ledger = InMemoryDeliveryLedger(self.units.store)
        return DeliverExport(ledger, self.units, self.clock, Banqup(), Renderer(), self.relay, SCHEDULE)

    async def document(self) -> None:
        self.documents += 1
        outcome = await ReceiveDocumentMessage(UnitOfWorkRunner(self.units), self.clock)(
            a_message(self.clock.now(), document=f"doc-{self.documents}")
        )
        assert outcome.outcome == "exported", outcome

    async def claim(self) -> None:
        claimed = await ClaimDueExports(InMemoryDeliveryLedger(self.units.store), self.clock)(100)
        self.claimed += [(export, self.step) for export in claimed]

    async def deliver(self, pick: int) -> None:
        """A worker finishes one of the exports it claimed."""
        if not self.claimed:
            return
        export, claimed_at = self.claimed.pop(pick % len(self.claimed))
        attempted, sent = len(self.relay.attempted), len(self.relay.sent)
        await self.deliverer()(export)
        for mail in self.relay.attempted[attempted:]:
            since = self.refused_since.get(mail.to)
            assert since is None or since >= claimed_at, f"{mail.to} attempted after its refusal"
        self.mails += [_Mail(export.id, m.to) for m in self.relay.sent[sent:]]

    def refuse_at_rcpt(self, address: str) -> None:
        self.relay.refused_mailboxes.add(address)

    async def bounce(self, pick: int) -> None:
        """A report that a mail the relay took failed for good, its mailbox refused; repeated reports
        are recorded once, as the bounce listener does. The report names the export and, in its
        recipient, the address: a report about a mail sent before the export was sent again changes
        nothing but its attempts."""
        if not self.mails:
            return
        mail = self.mails[pick % len(self.mails)]
        if mail.bounced:
            return  # the same report again
        mail.bounced = True
        at, detail = self.clock.now(), f"5.1.1 <{mail.to}>: mailbox unknown"
        async with self.units() as uow:
            export = await uow.exports.get(mail.export_id)
            assert export is not None
            if export.status is ExportStatus.DELIVERED and str(export.mailbox) == mail.to:
                export.bounced(at, detail, mailbox_refused=True)
                await mailbox_refused(uow, export, at, detail)
            else:
                export.noted(at, AttemptOutcome.FAILED, detail)
            await uow.commit()

    async def enter(self, address: str, *, works: bool) -> None:
        """A person enters `address` (new, or the one in force: a confirmation); `works` when it does."""
        if works:
            self.relay.refused_mailboxes.discard(address)
        await ActivateClientIntegration(self.units, self.clock)(
            ActivateClient(partner_id="p1", client_id="c1", mailbox=address)
        )
        self.refused_since.pop(address, None)  # a person says it works: from now on, it may be tried

    async def retry(self, pick: int) -> None:
        failed = [e for e in await self.exports() if e.status is ExportStatus.FAILED]
        if failed:
            view = await RetryExport(self.units, self.clock)(Retry(failed[pick % len(failed)].id))
            assert (view.status, view.held) == ("queued", "mailboxRefused")

    async def exports(self) -> list[Export]:
        return list(self.units.store.exports.values())

    async def integration(self) -> ClientIntegration:
        integration = self.units.store.integrations["p1", "c1"]
        assert isinstance(integration, ClientIntegration)
        return integration

    async def check(self) -> None:
        """The invariants that hold after every step."""
        integration = await self.integration()
        refusal = integration.mailbox_refusal
        if refusal is not None:
            self.refused_since.setdefault(str(refusal.mailbox), self.step)
        outbox = self.units.store.outbox
        for export in await self.exports():
            if export.status is ExportStatus.DELIVERED:
                continue
            if export.held is None:
                assert export.status is ExportStatus.QUEUED and export.id in outbox, export
            else:  # waiting, and seen: its client's mailbox is refused
                assert refusal is not None and export.id not in outbox, export
        assert self.documents == len(self.units.store.exports)  # none lost


STEPS = st.one_of(
    st.tuples(st.just("document")),
    st.tuples(st.just("claim")),
    st.tuples(st.just("deliver"), st.integers(0, 20)),
    st.tuples(st.just("refuse"), st.sampled_from(ADDRESSES)),
    st.tuples(st.just("bounce"), st.integers(0, 20)),
    st.tuples(st.just("enter"), st.sampled_from(ADDRESSES), st.booleans()),
    st.tuples(st.just("retry"), st.integers(0, 20)),
)


async def _play(steps: list[tuple[object, ...]]) -> Play:
    clock = FixedClock()
    units = InMemoryUnitOfWorkFactory()
    await connect(units, clock, InMemoryOctopusAccount(clock), "p1")
    play = Play(units, clock)
    await play.enter(ADDRESSES[0], works=True)
    for n, (name, *args) in enumerate(steps, start=1):
        play.step = n
        clock.advance(seconds=1)
        match name:
            case "document":
                await play.document()
            case "claim":
                await play.claim()
            case "deliver":
                await play.deliver(int(str(args[0])))
            case "refuse":
                play.refuse_at_rcpt(str(args[0]))
            case "bounce":
                await play.bounce(int(str(args[0])))
            case "enter":
                await play.enter(str(args[0]), works=bool(args[1]))
            case "retry":
                await play.retry(int(str(args[0])))
        await play.check()
    return play


async def _drain(play: Play) -> None:
    """The workers finish what they hold, a person enters an address that works, and a worker runs
    until nothing is due."""
    play.step += 1
    while play.claimed:
        await play.deliver(0)
    await play.enter(LAST, works=True)
    for _ in range(10):
        play.step += 1
        await play.claim()
        if not play.claimed:
            return
        while play.claimed:
            await play.deliver(0)
    raise AssertionError("exports still due after ten worker runs")


# A bounce refuses the address while a second export is on its way there, and a new address is entered
# before that mail is taken: it is recorded delivered where it went, and not sent again.
_RACE = [
    ("document",),
    ("claim",),
    ("deliver", 0),
    ("document",),
    ("claim",),
    ("bounce", 0),
    ("enter", ADDRESSES[1], True),
    ("deliver", 0),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEPS, max_size=40))
@example(_RACE)
def test_no_document_is_lost_or_sent_to_a_refused_address_and_each_arrives_once(
    steps: list[tuple[object, ...]],
) -> None:
    async def run() -> None:
        play = await _play(steps)
        await _drain(play)
        assert (await play.integration()).mailbox_refusal is None
        taken = {m.export_id: m for m in play.mails if not m.bounced}
        for export in await play.exports():
            kept = [m for m in play.mails if m.export_id == export.id and not m.bounced]
            assert len(kept) == 1, (export, kept)  # delivered exactly once to an address that took it
            assert (export.status, str(export.mailbox), export.held) == (
                "delivered",
                taken[export.id].to,
                None,
            )
        assert len(taken) == play.documents

    asyncio.run(run())
