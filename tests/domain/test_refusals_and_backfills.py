"""A refused mailbox on the integration and its exports (CONTRACTS §8), and a backfill's days and
counts (CONTRACTS §9), as the domain keeps them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.backfill import FURTHEST_BACK, Backfill, BackfillState, day_of
from domain.client_integration import ClientIntegration, MailboxStatus
from domain.errors import InvalidValue, NotAllowed
from domain.events import Direction, DocumentKind
from domain.export import AttemptOutcome, Export, ExportStatus, HoldReason
from domain.mailbox import Mailbox

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
OLD, NEW = Mailbox("uid-1@import.octopus.be"), Mailbox("uid-2@import.octopus.be")


def _export() -> Export:
    return Export(
        id="e1",
        partner_id="p",
        client_id="c",
        document_id="d1",
        direction=Direction.PURCHASE,
        kind=DocumentKind.INVOICE,
        occurred_at=T0,
        created_at=T0,
        status=ExportStatus.QUEUED,
        mailbox=OLD,
    )


def _integration() -> ClientIntegration:
    integration = ClientIntegration(partner_id="p", client_id="c")
    integration.activate(OLD, T0)
    return integration


def test_only_a_refusal_of_the_address_in_force_refuses_the_mailbox_and_the_first_one_is_kept() -> None:
    integration = _integration()
    assert integration.mailbox_status is MailboxStatus.OK and not integration.holds_new_exports
    assert not integration.refuse_mailbox(NEW, T0, "550 5.1.1 unknown", "e0")  # not its address
    assert integration.refuse_mailbox(OLD, T0 + HOUR, "550 5.1.1 unknown", "e1")
    assert not integration.refuse_mailbox(OLD, T0 + 2 * HOUR, "550 5.1.1 again", "e2")
    refusal = integration.mailbox_refusal
    assert refusal is not None and (refusal.export_id, refusal.at, refusal.reply) == (
        "e1",
        T0 + HOUR,
        "550 5.1.1 unknown",
    )
    assert integration.mailbox_status is MailboxStatus.REFUSED and integration.holds_new_exports


def test_the_same_address_again_keeps_the_refusal_until_confirmed_and_a_new_one_ends_it() -> None:
    integration = _integration()
    integration.refuse_mailbox(OLD, T0, "550 5.1.1", "e1")
    integration.activate(OLD, T0 + HOUR)  # a CSV import of the same row is no confirmation
    assert integration.mailbox_status is MailboxStatus.REFUSED
    assert integration.confirm_mailbox() and not integration.confirm_mailbox()
    integration.refuse_mailbox(OLD, T0 + 2 * HOUR, "550 5.1.1", "e2")
    assert integration.activate(NEW, T0 + 3 * HOUR)
    assert integration.mailbox_status is MailboxStatus.OK and integration.mailbox == NEW
    assert not integration.refuse_mailbox(OLD, T0 + 4 * HOUR, "late bounce for the old address", "e1")


def test_an_export_refused_waits_and_is_released_to_the_new_address_queued_again() -> None:
    export = _export()
    export.refused(T0, "550 5.1.1 unknown")
    assert export.status is ExportStatus.FAILED and export.held is HoldReason.MAILBOX_REFUSED
    assert export.waits_for_mailbox and export.last_error == "550 5.1.1 unknown"
    export.released(T0 + HOUR, NEW)
    assert export.status is ExportStatus.QUEUED and export.held is None and export.mailbox == NEW
    assert export.attempts[-1].outcome is AttemptOutcome.RETRIED and str(NEW) in export.attempts[-1].detail
    assert export.first_attempt_at is None  # its retry schedule starts again
    with pytest.raises(NotAllowed):
        export.released(T0 + 2 * HOUR, NEW)  # nothing waits any more


def test_a_held_export_is_released_without_an_attempt_and_only_queued_ones_are_held() -> None:
    export = _export()
    export.hold()
    assert export.status is ExportStatus.QUEUED and export.waits_for_mailbox
    export.released(T0, NEW)
    assert export.attempts == () and export.mailbox == NEW
    export.delivered(T0 + HOUR, "<m>", "250 ok")
    with pytest.raises(NotAllowed):
        export.hold()


def test_a_bounce_fails_a_delivered_export_and_reports_do_not_count_as_attempts() -> None:
    export = _export()
    export.delivered(T0, "<m>", "250 ok")
    export.noted(T0 + HOUR, AttemptOutcome.DELAYED, "4.4.7 delayed")
    assert export.status is ExportStatus.DELIVERED and export.delivery_attempts == 1
    export.bounced(T0 + 2 * HOUR, "5.1.1 user unknown", mailbox_refused=True)
    assert export.status is ExportStatus.FAILED and export.held is HoldReason.MAILBOX_REFUSED
    assert export.delivery_attempts == 2 and export.last_error == "5.1.1 user unknown"
    other = _export()
    other.delivered(T0, "<m>", "250 ok")
    other.bounced(T0 + HOUR, "5.3.4 message too big", mailbox_refused=False)
    assert other.status is ExportStatus.FAILED and other.held is None
    with pytest.raises(NotAllowed):
        other.bounced(T0 + 2 * HOUR, "again", mailbox_refused=False)


TODAY = date(2026, 12, 6)
NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_backfill_takes_days_within_400_days_up_to_today_and_to_defaults_to_today() -> None:
    backfill = Backfill.asked("b1", "p", "c", TODAY - FURTHEST_BACK, None, NOON)
    assert (backfill.first_day, backfill.last_day, backfill.state) == (
        TODAY - FURTHEST_BACK,
        TODAY,
        BackfillState.RUNNING,
    )
    for first, last, field in [
        (TODAY - FURTHEST_BACK - timedelta(days=1), None, "from"),
        (TODAY, TODAY + timedelta(days=1), "to"),
        (TODAY, TODAY - timedelta(days=1), "from"),
    ]:
        with pytest.raises(InvalidValue) as refused:
            Backfill.asked("b1", "p", "c", first, last, NOON)
        assert refused.value.field == field


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)), max_size=20))
def test_a_backfill_counts_add_up_page_after_page(pages: list[tuple[int, int, int]]) -> None:
    backfill = Backfill.asked("b1", "p", "c", TODAY - timedelta(days=30), None, NOON)
    for n, (queued, already, ignored) in enumerate(pages):
        backfill.page_done(f"cursor-{n}", queued=queued, already_exported=already, ignored=ignored)
    assert backfill.listed == backfill.queued + backfill.already_exported + backfill.ignored
    assert backfill.queued == sum(p[0] for p in pages)
    backfill.done(NOON + HOUR)
    assert backfill.state is BackfillState.DONE and backfill.cursor is None
    with pytest.raises(NotAllowed):
        backfill.page_done(None, queued=1, already_exported=0, ignored=0)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-09-01", date(2026, 9, 1)),
        ("2026-02-30", None),
        ("20260901", None),
        ("2026-9-1", None),
        ("", None),
    ],
)
def test_a_day_is_written_yyyy_mm_dd_and_nothing_else(text: str, day: date | None) -> None:
    assert day_of(text) == day
