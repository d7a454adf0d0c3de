"""`ExportPolicy` against a reference model of R9 written independently, over random histories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.client_integration import ClientIntegration
from domain.events import DocumentEvent
from domain.export import SkipReason
from domain.extension import ConnectionState, Extension
from domain.mailbox import Mailbox
from domain.policy import ExportPolicy

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


@settings(max_examples=400)
@given(
    extension_switches=timeline(with_mailbox=False),
    client_switches=timeline(with_mailbox=True),
    kind_and_folder=KINDS,
    data=st.data(),
    repeat=st.booleans(),
    installed=st.booleans(),
    integrated=st.booleans(),
)
def test_the_policy_decides_as_r9_says(
    extension_switches: list[Switch],
    client_switches: list[Switch],
    kind_and_folder: tuple[str, str],
    data: st.DataObject,
    repeat: bool,
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

    decision = ExportPolicy().decide(document_event, extension, integration, repeat=repeat)

    def on(switches: list[Switch], present: bool) -> bool:
        state = state_at(switches, occurred_at)
        return present and state is not None and state.on

    # R9 in one line: approved purchase or sent sale, both switched on at that moment, never twice.
    expected = (
        not repeat
        and (kind, folder) in {("approved", "PURCHASES"), ("sent", "SALES")}
        and on(extension_switches, installed)
        and on(client_switches, integrated)
    )
    assert decision.export == expected
    if expected:
        assert decision.mailbox == mailbox_at(client_switches, occurred_at)
        return
    assert decision.mailbox is None
    if repeat:
        assert decision.reason is SkipReason.REPEAT
    elif (kind, folder) not in {("approved", "PURCHASES"), ("sent", "SALES")}:
        assert decision.reason is SkipReason.NOT_APPROVAL_OR_SENDING
    else:
        first_on = [s.at for s in (extension_switches if installed else []) if s.on]
        if not on(extension_switches, installed):
            before = bool(first_on) and occurred_at < first_on[0]
            assert decision.reason is (
                SkipReason.BEFORE_ACTIVATION if before else SkipReason.EXTENSION_INACTIVE
            )
        else:
            first_client = [s.at for s in (client_switches if integrated else []) if s.on]
            before = bool(first_client) and occurred_at < first_client[0]
            assert decision.reason is (SkipReason.BEFORE_ACTIVATION if before else SkipReason.CLIENT_INACTIVE)


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
    decision = ExportPolicy().decide(approved_on_day_one, extension, integration, repeat=False)
    assert decision.export
    assert decision.mailbox == MAILBOXES[0]  # the address in force then, not the one changed since (R6)
