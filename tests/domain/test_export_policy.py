"""`ExportPolicy` against a reference model of R9 written independently, over random histories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.client_integration import ClientIntegration
from domain.events import Direction, DocumentEvent, DocumentKind
from domain.export import Export, ExportStatus, SkipReason
from domain.extension import ConnectionState, Extension
from domain.mailbox import Mailbox
from domain.policy import ExportPolicy, IntakeAction

START = datetime(2026, 1, 1, tzinfo=UTC)
MAILBOXES = [Mailbox(f"uid-{n:06d}-01@import.octopus.be") for n in range(3)]


@dataclass(frozen=True)
class Switch:
    """At `at`, switch on (with a mailbox, for a client) or off."""

    at: datetime
    on: bool
    mailbox: Mailbox | None = None


def timeline(with_mailbox: bool) -> st.SearchStrategy[list[Switch]]:
    step = st.tuples(
        st.integers(min_value=0, max_value=72 * 60),  # minutes after the previous switch, 0 included
        st.booleans(),
        st.sampled_from(MAILBOXES),
    )

    def build(steps: list[tuple[int, bool, Mailbox]]) -> list[Switch]:
        at, switches = START, []
        for minutes, on, mailbox in steps:
            at += timedelta(minutes=minutes)
            switches.append(Switch(at, on, mailbox if with_mailbox and on else None))
        return switches

    return st.lists(step, max_size=8).map(build)


def state_at(switches: list[Switch], moment: datetime) -> Switch | None:
    """The reference: whatever the last switch at or before `moment` said."""
    current = None
    for switch in switches:
        if switch.at <= moment:
            current = switch
    return current


def mailbox_at(switches: list[Switch], moment: datetime) -> Mailbox | None:
    current = None
    for switch in switches:
        if switch.at <= moment and switch.mailbox is not None:
            current = switch.mailbox
    return current


def build_extension(switches: list[Switch]) -> Extension:
    extension = Extension(partner_id="p", installed_at=START)
    for switch in switches:
        if switch.on and extension.state is ConnectionState.INSTALLED:
            extension.connected(switch.at)  # connecting is what first switches the extension on
        else:
            extension.switch(switch.on, switch.at)
    return extension


def build_integration(switches: list[Switch]) -> ClientIntegration:
    integration = ClientIntegration(partner_id="p", client_id="c")
    for switch in switches:
        if switch.on:
            assert switch.mailbox is not None
            integration.activate(switch.mailbox, switch.at)
        else:
            integration.deactivate(switch.at)
    return integration


KINDS = st.sampled_from(
    [
        ("approved", "PURCHASES"),
        ("sent", "SALES"),
        ("approved", "SALES"),
        ("paid", "PURCHASES"),
        ("sent", "PURCHASES"),
    ]
)
ANY_MOMENT = st.integers(min_value=-60, max_value=8 * 73 * 60).map(lambda m: START + timedelta(minutes=m))


TRIGGERS = {("approved", "PURCHASES"), ("sent", "SALES")}
EARLIER = st.sampled_from([None, *ExportStatus])  # the export of the same document's approval or sending


def an_export(status: ExportStatus) -> Export:
    return Export(
        id="e",
        partner_id="p",
        client_id="c",
        document_id="d",
        direction=Direction.PURCHASE,
        kind=DocumentKind.INVOICE,
        occurred_at=START,
        created_at=START,
        status=status,
        skip_reason=SkipReason.CLIENT_INACTIVE if status is ExportStatus.SKIPPED else None,
    )


@settings(max_examples=400)
@given(
    extension_switches=timeline(with_mailbox=False),
    client_switches=timeline(with_mailbox=True),
    kind_and_folder=KINDS,
    data=st.data(),
    seen=st.booleans(),
    earlier_status=EARLIER,
    installed=st.booleans(),
    integrated=st.booleans(),
)
def test_the_policy_decides_as_r9_to_r11_say(
    extension_switches: list[Switch],
    client_switches: list[Switch],
    kind_and_folder: tuple[str, str],
    data: st.DataObject,
    seen: bool,
    earlier_status: ExportStatus | None,
    installed: bool,
    integrated: bool,
) -> None:
    kind, folder = kind_and_folder
    switch_moments = sorted({s.at for s in extension_switches + client_switches})
    # Often exactly at a switch, where an off-by-one in the periods would show.
    moments = st.one_of(ANY_MOMENT, st.sampled_from(switch_moments)) if switch_moments else ANY_MOMENT
    occurred_at = data.draw(moments, label="occurred_at")
    extension = build_extension(extension_switches) if installed else None
    integration = build_integration(client_switches) if integrated else None
    document_event = DocumentEvent("m", "p", "c", "d", "document", kind, folder, "INVOICE", occurred_at)
    earlier = an_export(earlier_status) if earlier_status is not None else None

    decision = ExportPolicy().decide(
        document_event, seen=seen, earlier=earlier, extension=extension, integration=integration
    )

    def on(switches: list[Switch], present: bool) -> bool:
        state = state_at(switches, occurred_at)
        return present and state is not None and state.on

    def why_not() -> SkipReason:
        first_on = [s.at for s in (extension_switches if installed else []) if s.on]
        if not on(extension_switches, installed):
            before = bool(first_on) and occurred_at < first_on[0]
            return SkipReason.BEFORE_ACTIVATION if before else SkipReason.EXTENSION_INACTIVE
        first_client = [s.at for s in (client_switches if integrated else []) if s.on]
        before = bool(first_client) and occurred_at < first_client[0]
        return SkipReason.BEFORE_ACTIVATION if before else SkipReason.CLIENT_INACTIVE

    # R9 in one line: approved purchase or sent sale, both switched on at that moment, never twice.
    may_go = on(extension_switches, installed) and on(client_switches, integrated)
    mailbox = mailbox_at(client_switches, occurred_at)
    expected: tuple[IntakeAction, SkipReason | None, Mailbox | None]
    if seen:  # the message id was recorded before (R11)
        expected = (IntakeAction.REPEAT, SkipReason.REPEAT, None)
    elif (kind, folder) not in TRIGGERS:  # R10
        expected = (IntakeAction.IGNORE, SkipReason.NOT_APPROVAL_OR_SENDING, None)
    elif earlier_status not in (None, ExportStatus.SKIPPED):  # the document went already (R11)
        expected = (IntakeAction.REPEAT, SkipReason.REPEAT, None)
    elif earlier_status is ExportStatus.SKIPPED:
        expected = (
            (IntakeAction.REQUEUE, None, mailbox) if may_go else (IntakeAction.LEAVE_SKIPPED, why_not(), None)
        )
    elif may_go:
        expected = (IntakeAction.QUEUE, None, mailbox)
    elif installed and integrated:  # a skip worth showing in the client's history
        expected = (IntakeAction.SKIP, why_not(), None)
    else:
        expected = (IntakeAction.IGNORE, why_not(), None)
    assert (decision.action, decision.reason, decision.mailbox) == expected


@given(
    category=st.sampled_from(["document", "space", "Document", ""]) | st.text(max_size=8),
    message_type=st.sampled_from(["approved", "sent", "paid", "created", "Approved"]) | st.text(max_size=8),
)
def test_a_message_is_ignored_by_its_category_and_type_unless_it_may_tell_of_an_approval_or_sending(
    category: str, message_type: str
) -> None:
    screened = ExportPolicy().screen(category, message_type)
    if category == "document" and message_type in {"approved", "sent"}:
        assert screened is None
    else:
        assert screened is not None
        assert (screened.action, screened.reason) == (
            IntakeAction.IGNORE,
            SkipReason.NOT_APPROVAL_OR_SENDING,
        )


def test_a_late_message_is_judged_by_when_the_document_was_approved() -> None:
    extension = Extension(partner_id="p", installed_at=START)
    extension.connected(START)
    integration = ClientIntegration(partner_id="p", client_id="c")
    integration.activate(MAILBOXES[0], START)
    integration.activate(MAILBOXES[1], START + timedelta(days=2))
    extension.switch(False, START + timedelta(days=3))
    approved_on_day_one = DocumentEvent(
        "m", "p", "c", "d", "document", "approved", "PURCHASES", "INVOICE", START + timedelta(days=1)
    )
    decision = ExportPolicy().decide(
        approved_on_day_one, seen=False, earlier=None, extension=extension, integration=integration
    )
    assert decision.action is IntakeAction.QUEUE
    assert decision.mailbox == MAILBOXES[0]  # the address in force then, not the one changed since (R6)
