"""What waits for a person, for one partner (R26, CONTRACTS §3)."""

from __future__ import annotations

from datetime import datetime

from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import Struct
from domain.attention import AttentionItem, most_urgent_first


class AttentionOf(Struct):
    """One partner's, or every partner's when `partner_id` is None (for operators)."""

    partner_id: str | None = None


class AttentionItemView(Struct):
    partner_id: str
    client_id: str | None  # None for `needsReconnect`: the connection is the partner's
    reason: str
    since: datetime | None  # None for `needsReconnect`: not recorded
    count: int

    @classmethod
    def of(cls, item: AttentionItem) -> AttentionItemView:
        return cls(
            partner_id=item.partner_id,
            client_id=item.client_id,
            reason=str(item.reason),
            since=item.since,
            count=item.count,
        )


class Attention(Struct):
    items: list[AttentionItemView]


class ListAttention:
    """The partner's clients that need a person, one item per client and reason, most urgent first:
    a refused mailbox, a lost Octopus connection, failed exports, a dossier without a VAT number;
    within a reason, the longest waiting first. Every partner's, by partner, for operators."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: AttentionOf) -> Attention:
        async with self._uow() as uow:
            items = await uow.attention.list(command.partner_id)
        ordered = sorted(most_urgent_first(items), key=lambda i: i.partner_id)  # stable: urgency within
        return Attention(items=[AttentionItemView.of(i) for i in ordered])
