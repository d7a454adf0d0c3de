"""The lifecycles of the extension, a client integration and an export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activation import ActivationHistory
from domain.client_integration import ClientIntegration
from domain.errors import InvalidValue, NotAllowed
from domain.events import Direction, DocumentEvent, DocumentKind
from domain.export import AttemptOutcome, Export, ExportStatus
from domain.extension import ConnectionState, Extension
from domain.mailbox import Mailbox
from domain.retry import RetrySchedule

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_switching_twice_changes_nothing_and_periods_do_not_overlap() -> None:
    history = ActivationHistory().switched_on(T0)
    assert history.switched_on(T0 + HOUR) is history
    history = history.switched_off(T0 + 2 * HOUR).switched_on(T0 + 3 * HOUR)
    assert [(p.start, p.end) for p in history.periods] == [(T0, T0 + 2 * HOUR), (T0 + 3 * HOUR, None)]
    assert history.active_since == T0 + 3 * HOUR
    assert history.was_active_at(T0) and not history.was_active_at(T0 + 2 * HOUR)
    with pytest.raises(NotAllowed):
        history.switched_off(T0 + HOUR)
    with pytest.raises(InvalidValue):
        history.was_active_at(datetime(2026, 1, 1))


def test_the_extension_is_switched_on_by_connecting_and_off_by_the_switch_or_uninstall() -> None:
    extension = Extension(partner_id="p", installed_at=T0)
    with pytest.raises(NotAllowed, match="connect with Octopus"):
        extension.switch(True, T0)
    extension.connected(T0 + HOUR)
    assert extension.active and extension.state is ConnectionState.CONNECTED
    extension.connection_lost()
    assert extension.state is ConnectionState.NEEDS_RECONNECT and extension.active  # mail goes on (R2)
    assert extension.switch(False, T0 + 2 * HOUR)
    assert not extension.switch(False, T0 + 3 * HOUR)
    assert extension.switch(True, T0 + 4 * HOUR)
    extension.uninstall(T0 + 5 * HOUR)
    assert not extension.active and not extension.is_installed
    assert extension.activation.was_active_at(T0 + 4 * HOUR + timedelta(minutes=30))  # history stays (R4)
    with pytest.raises(NotAllowed):
        extension.switch(True, T0 + 6 * HOUR)
    assert extension.reinstall(T0 + 7 * HOUR) and not extension.reinstall(T0 + 8 * HOUR)
    assert extension.state is ConnectionState.INSTALLED


def test_a_mailbox_change_applies_from_its_moment_on() -> None:
    first, second = Mailbox("uid-1@import.octopus.be"), Mailbox("uid-2@import.octopus.be")
    integration = ClientIntegration(partner_id="p", client_id="c")
    assert integration.activate(first, T0)
    assert not integration.activate(first, T0 + HOUR)
    assert integration.activate(second, T0 + 2 * HOUR)
    assert integration.mailbox_at(T0 + HOUR) == first
    assert integration.mailbox_at(T0 + 2 * HOUR) == second
    assert integration.mailbox_at(T0 - HOUR) is None
    assert integration.deactivate(T0 + 3 * HOUR) and not integration.deactivate(T0 + 4 * HOUR)
    assert integration.activate(second, T0 + 5 * HOUR)  # on again, same address
    assert len(integration.mailboxes) == 2 and len(integration.activation.periods) == 2
    with pytest.raises(NotAllowed):
        integration.activate(first, T0)


def _export() -> Export:
    return Export(
        id="e1",
        partner_id="p",
        client_id="c",
        document_id="d",
        direction=Direction.PURCHASE,
        kind=DocumentKind.INVOICE,
        occurred_at=T0,
        created_at=T0,
        status=ExportStatus.QUEUED,
        mailbox=Mailbox("uid-1@import.octopus.be"),
    )


def test_an_export_records_every_attempt_and_can_be_retried_once_failed() -> None:
    export = _export()
    with pytest.raises(NotAllowed):
        export.retry(T0)
    export.deferred(T0 + HOUR, "451 4.3.0 try later")
    export.failed(T0 + 2 * HOUR, "550 5.1.1 no such user")
    assert (export.status, export.last_error, export.delivery_attempts) == (
        ExportStatus.FAILED,
        "550 5.1.1 no such user",
        2,
    )
    export.retry(T0 + 3 * HOUR)
    assert export.status is ExportStatus.QUEUED and export.first_attempt_at is None
    export.delivered(T0 + 4 * HOUR, export.mail_message_id("octobridge.example"), "250 ok")
    assert export.message_id == "<export-e1@octobridge.example>"
    assert [a.outcome for a in export.attempts] == [
        AttemptOutcome.DEFERRED,
        AttemptOutcome.FAILED,
        AttemptOutcome.RETRIED,
        AttemptOutcome.DELIVERED,
    ]
    with pytest.raises(NotAllowed):
        export.deferred(T0 + 5 * HOUR, "late")


@given(failures=st.integers(min_value=1, max_value=60), jitter=st.floats(min_value=0, max_value=0.999))
def test_the_backoff_doubles_stays_under_the_cap_and_is_jittered(failures: int, jitter: float) -> None:
    schedule = RetrySchedule()
    delay = schedule.delay(failures, jitter)
    full = min(schedule.base.total_seconds() * 2 ** (failures - 1), schedule.max_delay.total_seconds())
    assert full / 2 - 1e-6 <= delay.total_seconds() <= full + 1e-6


def test_the_horizon_turns_a_temporary_failure_final() -> None:
    schedule = RetrySchedule(
        base=timedelta(minutes=1), max_delay=timedelta(hours=1), horizon=timedelta(hours=5)
    )
    assert schedule.next_attempt(T0, T0 + timedelta(hours=4), 9, 0.0) is not None
    assert schedule.next_attempt(T0, T0 + timedelta(hours=5), 9, 0.0) is None
    with pytest.raises(InvalidValue):
        RetrySchedule(base=timedelta(0))


def test_a_document_event_knows_its_direction_and_refuses_bad_ids() -> None:
    def event(kind: str, folder: str, category: str = "INVOICE") -> DocumentEvent:
        return DocumentEvent("m", "p", "c", "d", "document", kind, folder, category, T0)

    assert event("approved", "PURCHASES").direction is Direction.PURCHASE
    assert event("sent", "SALES", "CREDIT_NOTE").direction is Direction.SALES
    assert event("sent", "SALES", "CREDIT_NOTE").kind is DocumentKind.CREDIT_NOTE
    assert event("approved", "SALES").direction is None
    assert event("approved", "PURCHASES", "RECEIPT").direction is None
    with pytest.raises(InvalidValue) as caught:
        DocumentEvent("m", "p", "c", "x" * 201, "document", "approved", "PURCHASES", "INVOICE", T0)
    assert caught.value.field == "data.documentId"
