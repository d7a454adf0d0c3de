"""A refused mailbox and its release (CONTRACTS §8): what the client's exports go through, in the
transaction that refuses or releases the mailbox."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from application.ports.unit_of_work import UnitOfWork
from domain.client_integration import ClientIntegration
from domain.export import Export, ExportOrigin, ExportStatus


async def refuse_mailbox(uow: UnitOfWork, export: Export, at: datetime, reply: str) -> bool:
    """Octopus refused the mailbox `export` went to, for good. When that is the client's address in
    force and it was not refused yet, the integration becomes refused and every queued export of the
    client is held (its outbox row dropped, so no worker attempts it), and True is returned. The
    caller has failed `export` already (`Export.refused` or `Export.bounced`) and commits."""
    integration = await uow.integrations.get(export.partner_id, export.client_id)
    if integration is None or export.mailbox is None:
        return False
    if not integration.refuse_mailbox(export.mailbox, at, reply, export.id):
        return False
    for waiting in await uow.exports.list_open_of_client(export.partner_id, export.client_id):
        if waiting.status is ExportStatus.QUEUED and waiting.held is None and waiting.id != export.id:
            waiting.hold()
            await uow.outbox.remove(waiting.id)
    return True


async def release_held(uow: UnitOfWork, integration: ClientIntegration, at: datetime) -> list[Export]:
    """A new or confirmed address: the exports that waited for it (held, or failed by the refusal) go
    to the address now in force, queued again, and are returned. The caller commits."""
    mailbox = integration.mailbox
    if mailbox is None or integration.mailbox_refusal is not None:
        return []
    released = [
        export
        for export in await uow.exports.list_open_of_client(integration.partner_id, integration.client_id)
        if export.waits_for_mailbox
    ]
    by_origin: defaultdict[ExportOrigin, list[str]] = defaultdict(list)
    for export in released:
        export.released(at, mailbox)
        by_origin[export.origin].append(export.id)
    for origin, export_ids in by_origin.items():
        await uow.outbox.put_many(export_ids, at, origin)
    return released
