"""The SQL reads of what waits for a person: each through an index of what waits, or of a partner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, text

from adapters.persistence import tables
from adapters.persistence.dossier_lists import dossier_list_from_json
from adapters.persistence.partners import PARTNERS_A_LOOKUP
from adapters.persistence.session import RepositorySession
from application.ports.attention import AttentionReads
from domain.attention import (
    AttentionItem,
    Client,
    Waiting,
    dossier_without_vat,
    dossiers_without_vat,
    failed_exports,
    mailbox_refused,
    needs_reconnect,
)
from domain.client_integration import ClientIntegration
from domain.extension import ConnectionState


def _of(query: Select[Any], partner_id: str | None, column: Any) -> Select[Any]:
    return query if partner_id is None else query.where(column == partner_id)


class SqlAlchemyAttentionReads(AttentionReads):
    """Five statements at most: the refused integrations (`ix_client_integrations_refused`), the
    waiting exports by client (`ix_exports_waiting`, whose predicate is the query's own text so
    that SQLite uses it too), the extensions needing a reconnect and the dossier lists (a row a
    partner), and the integrations on a dossier without a VAT number (the primary key, by partner)."""

    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def list(self, partner_id: str | None = None) -> Sequence[AttentionItem]:
        held, failed = await self._waiting(partner_id)
        return [
            *mailbox_refused(await self._refused(partner_id), held),
            *failed_exports(failed),
            *await self._dossiers_without_vat(partner_id),
            *[needs_reconnect(p) for p in await self._needing_reconnect(partner_id)],
        ]

    async def _refused(self, partner_id: str | None) -> dict[Client, datetime]:
        """When each refused mailbox was refused."""
        c = tables.client_integrations.c
        query = select(c.partner_id, c.client_id, c.mailbox_refusal).where(c.mailbox_refusal.is_not(None))
        rows = await self._session.execute(_of(query, partner_id, c.partner_id))
        return {(p, client): refusal.at for p, client, refusal in rows}

    async def _waiting(self, partner_id: str | None) -> tuple[dict[Client, Waiting], dict[Client, Waiting]]:
        """The held exports and the other failed ones, by client."""
        c = tables.exports.c
        is_held = c.held.is_not(None)
        query = (
            select(c.partner_id, c.client_id, is_held, func.count(), func.min(c.created_at))
            .where(text(f"({tables.WAITING})"))  # parenthesised: a partner's is ANDed on
            .group_by(c.partner_id, c.client_id, is_held)
        )
        held: dict[Client, Waiting] = {}
        failed: dict[Client, Waiting] = {}
        for partner, client, by_refusal, count, oldest in await self._session.execute(
            _of(query, partner_id, c.partner_id)
        ):
            (held if by_refusal else failed)[partner, client] = Waiting(count, oldest)
        return held, failed

    async def _needing_reconnect(self, partner_id: str | None) -> Sequence[str]:
        c = tables.extensions.c
        query = select(c.partner_id).where(
            c.state == ConnectionState.NEEDS_RECONNECT, c.uninstalled_at.is_(None)
        )
        return (await self._session.scalars(_of(query, partner_id, c.partner_id))).all()

    async def _dossiers_without_vat(self, partner_id: str | None) -> Sequence[AttentionItem]:
        lists = tables.octopus_dossier_lists.c
        query = _of(select(lists.partner_id, lists.content), partner_id, lists.partner_id)
        without_vat = {
            partner: ids
            for partner, content in await self._session.execute(query)
            if (ids := dossiers_without_vat(dossier_list_from_json(partner, content)))
        }
        c = tables.client_integrations.c
        partners = list(without_vat.items())
        items: Sequence[AttentionItem] = []
        for start in range(0, len(partners), PARTNERS_A_LOOKUP):
            wanted = (
                and_(c.partner_id == p, c.dossier_id.in_(ids))
                for p, ids in partners[start : start + PARTNERS_A_LOOKUP]
            )
            found = await self._session.scalars(select(ClientIntegration).where(or_(*wanted)))
            items = [*items, *dossier_without_vat(found, without_vat)]
        return items
