"""What waits for a person (R26, CONTRACTS §3 and §8): one item per client and reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.client_integration import ClientIntegration
from domain.dossier import DossierList


class AttentionReason(StrEnum):
    """Most urgent first: a refused mailbox holds every new document of its client; a lost
    connection leaves the dossier list stale for all clients; failed exports wait each on their
    own; a dossier without a VAT number may have Octopus ignore what it receives, and that is
    known before a document is lost."""

    MAILBOX_REFUSED = "mailboxRefused"
    NEEDS_RECONNECT = "needsReconnect"
    FAILED_EXPORTS = "failedExports"
    DOSSIER_WITHOUT_VAT = "dossierWithoutVat"


_URGENCY = {reason: rank for rank, reason in enumerate(AttentionReason)}


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """`count` exports of `client_id` wait for a person for `reason` (1 when no export is concerned),
    the oldest of them since `since`. `needsReconnect` is the partner's: no client, and no time
    known (the extension does not record when Octopus refused to renew its tokens)."""

    partner_id: str
    client_id: str | None
    reason: AttentionReason
    since: datetime | None
    count: int


def most_urgent_first(items: Iterable[AttentionItem]) -> list[AttentionItem]:
    """By reason (`AttentionReason`'s order), then the longest waiting first, then by client."""
    return sorted(
        items,
        key=lambda i: (_URGENCY[i.reason], i.since is not None, i.since or datetime.min, i.client_id or ""),
    )


@dataclass(frozen=True, slots=True)
class Waiting:
    """A client's exports that wait for a person for one reason: how many, and the oldest's creation."""

    count: int
    oldest: datetime


Client = tuple[str, str]
"""(partner id, client id)"""


def mailbox_refused(
    refused_at: Mapping[Client, datetime], held: Mapping[Client, Waiting]
) -> list[AttentionItem]:
    """A client whose mailbox is refused, or who has held exports (which a refusal alone makes, but
    nothing held may wait unseen): its held exports and their oldest, or the refusal's time."""
    items = []
    for partner_id, client_id in refused_at.keys() | held.keys():
        waiting = held.get((partner_id, client_id))
        since = waiting.oldest if waiting is not None else refused_at[partner_id, client_id]
        count = waiting.count if waiting is not None else 0
        items.append(AttentionItem(partner_id, client_id, AttentionReason.MAILBOX_REFUSED, since, count))
    return items


def failed_exports(failed: Mapping[Client, Waiting]) -> list[AttentionItem]:
    return [
        AttentionItem(partner_id, client_id, AttentionReason.FAILED_EXPORTS, waiting.oldest, waiting.count)
        for (partner_id, client_id), waiting in failed.items()
    ]


def dossiers_without_vat(dossier_list: DossierList) -> set[int]:
    """The dossiers the partner's last list names without a VAT number (none before a first list)."""
    return {d.id for d in dossier_list.dossiers or () if not d.vat_number}


def dossier_without_vat(
    integrations: Iterable[ClientIntegration], without_vat: Mapping[str, set[int]]
) -> list[AttentionItem]:
    """The active integrations among `integrations` whose dossier is one of those their partner's
    list names without a VAT number (`without_vat`, by partner): Octopus processes nothing for it
    (R8's warning at activation, which stays true until the dossier gets one)."""
    return [
        AttentionItem(
            i.partner_id, i.client_id, AttentionReason.DOSSIER_WITHOUT_VAT, i.mailboxes[-1].since, 1
        )
        for i in integrations
        if i.active and i.mailboxes and i.dossier_id in without_vat.get(i.partner_id, ())
    ]


def needs_reconnect(partner_id: str) -> AttentionItem:
    return AttentionItem(partner_id, None, AttentionReason.NEEDS_RECONNECT, None, 1)
