"""The fake reads of what waits for a person, over the fake repositories' tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.memory.store import Entities, Staged
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
from domain.dossier import DossierList
from domain.export import Export, ExportStatus
from domain.extension import ConnectionState, Extension


class InMemoryAttentionReads(AttentionReads):
    def __init__(
        self,
        extensions: Entities[str, Extension],
        integrations: Entities[tuple[str, str], ClientIntegration],
        exports: Entities[str, Export],
        dossier_lists: Staged[str, DossierList],
    ) -> None:
        self._extensions = extensions
        self._integrations = integrations
        self._exports = exports
        self._dossier_lists = dossier_lists

    async def list(self, partner_id: str | None = None) -> Sequence[AttentionItem]:
        def mine(partner: str) -> bool:
            return partner_id is None or partner == partner_id

        integrations = [i for i in self._integrations.values() if mine(i.partner_id)]
        refused_at = {
            (i.partner_id, i.client_id): i.mailbox_refusal.at for i in integrations if i.mailbox_refusal
        }
        held: dict[Client, list[datetime]] = {}
        failed: dict[Client, list[datetime]] = {}
        for export in self._exports.values():
            client = (export.partner_id, export.client_id)
            if not mine(export.partner_id):
                continue
            if export.held is not None:
                held.setdefault(client, []).append(export.created_at)
            elif export.status is ExportStatus.FAILED:
                failed.setdefault(client, []).append(export.created_at)
        without_vat = {p: dossiers_without_vat(d) for p, d in self._dossier_lists.items() if mine(p)}
        return [
            *mailbox_refused(refused_at, _waiting(held)),
            *failed_exports(_waiting(failed)),
            *dossier_without_vat(integrations, without_vat),
            *(
                needs_reconnect(e.partner_id)
                for e in self._extensions.values()
                if mine(e.partner_id) and e.is_installed and e.state is ConnectionState.NEEDS_RECONNECT
            ),
        ]


def _waiting(created: dict[Client, list[datetime]]) -> dict[Client, Waiting]:
    return {client: Waiting(len(times), min(times)) for client, times in created.items()}
