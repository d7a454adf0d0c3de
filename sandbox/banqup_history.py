"""Fills a stand-in Banqup space with documents approved or sent over past days: what a backfill lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import msgspec

from application.ports.documents import ListedDocument
from domain.events import Direction, DocumentKind
from sandbox.banqup import BanqupStandIn, StoredDocument
from sandbox.documents import banqup_document

_SECONDS_A_DAY = 86_400


def hold_history(
    banqup: BanqupStandIn, space_id: str, count: int, days: int, today: date
) -> list[ListedDocument]:
    """`count` documents spread evenly over the `days` days that end `today`, the earliest first, at
    times of day that do not follow their ids; what the listing gives for them.

    The same arguments give the same documents (ids `history-000000`…, replaced when held again). Of
    every ten, one is now `REJECTED` and one `PAID`; the rest are `APPROVED` purchases and `SENT`
    sales by turns; every seventh is a credit note."""
    if days < 1:
        raise ValueError("days must be at least 1")
    held = []
    for n in range(count):
        day = today - timedelta(days=days - 1 - n * days // count)
        at = datetime.combine(day, time.min, UTC) + timedelta(seconds=n * 7919 % _SECONDS_A_DAY)
        purchase = n % 2 == 0
        status = {9: "REJECTED", 4: "PAID"}.get(n % 10, "APPROVED" if purchase else "SENT")
        credit_note = n % 7 == 6
        document_id = f"history-{n:06d}"
        made = banqup_document(
            document_id,
            space_id,
            number=f"H-{n:06d}",
            folder="PURCHASES" if purchase else "SALES",
            category="CREDIT_NOTE" if credit_note else "INVOICE",
            issue_date=day.isoformat(),
        )
        # msgspec: many times faster than json for the many documents of a benchmark
        stored = StoredDocument(msgspec.json.encode(made), status=status, approved_or_sent_at=at)
        banqup.put(space_id, document_id, stored)
        held.append(
            ListedDocument(
                document_id,
                Direction.PURCHASE if purchase else Direction.SALES,
                DocumentKind.CREDIT_NOTE if credit_note else DocumentKind.INVOICE,
                status,
                at,
            )
        )
    return held
