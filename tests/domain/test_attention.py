"""The order of what waits for a person: by reason, then the longest waiting first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from domain.attention import AttentionItem, AttentionReason, most_urgent_first

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def item(reason: AttentionReason, hours: int | None, client: str | None = "c1") -> AttentionItem:
    return AttentionItem("p1", client, reason, None if hours is None else T0 + timedelta(hours=hours), 1)


def test_a_refusal_first_then_a_lost_connection_then_failures_then_dossiers_without_vat() -> None:
    dossier = item(AttentionReason.DOSSIER_WITHOUT_VAT, 0, "c4")
    failed_later, failed_earlier = (
        item(AttentionReason.FAILED_EXPORTS, 5, "c2"),
        item(AttentionReason.FAILED_EXPORTS, 1, "c3"),
    )
    reconnect = item(AttentionReason.NEEDS_RECONNECT, None, None)
    refused = item(AttentionReason.MAILBOX_REFUSED, 9)
    assert most_urgent_first([dossier, failed_later, reconnect, failed_earlier, refused]) == [
        refused,
        reconnect,
        failed_earlier,
        failed_later,
        dossier,
    ]


@given(
    st.lists(
        st.builds(
            item,
            st.sampled_from(AttentionReason),
            st.none() | st.integers(-1000, 1000),
            st.none() | st.sampled_from(["c1", "c2", "c3"]),
        )
    )
)
def test_the_order_is_by_reason_then_time_whatever_came_first(items: list[AttentionItem]) -> None:
    ordered = most_urgent_first(items)
    assert sorted(ordered, key=repr) == sorted(items, key=repr)
    ranks = list(AttentionReason)
    for before, after in pairwise(ordered):
        assert ranks.index(before.reason) <= ranks.index(after.reason)
        if before.reason is after.reason and before.since and after.since:
            assert before.since <= after.since
