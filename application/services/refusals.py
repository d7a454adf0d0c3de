"""A refused mailbox and its release (CONTRACTS §8): what the client's exports go through, in the
transaction that refuses or releases the mailbox."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from application.ports.unit_of_work import UnitOfWork
from domain.client_integration import ClientIntegration
from domain.export import Export, ExportOrigin, ExportStatus


def held_while_refused(export: Export, integration: ClientIntegration | None) -> bool:
    """A queued export of a client whose mailbox is refused waits, held, with no outbox row (§8);
    True when it was held, False when it is to be put in the outbox."""
    if integration is None or not integration.holds_new_exports:
        return False
    export.hold()
    return True


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


async def mailbox_refused(uow: UnitOfWork, export: Export, at: datetime, reply: str) -> list[Export]:
    """`export` failed by a refusal of the mailbox it went to (`Export.refused`, or `Export.bounced`
    refusing the mailbox): its client's mailbox is refused (`refuse_mailbox`), unless it was already.
    When the client has a working address other than the refused one (it changed since the mail was
    sent), the export goes to that address at once, as a new address would have sent it: nothing
    waits unseen for a refusal nobody is shown. The released exports are returned; the caller
    commits."""
    if await refuse_mailbox(uow, export, at, reply):
        return []
    integration = await uow.integrations.get(export.partner_id, export.client_id)
    if integration is None or integration.holds_new_exports:
        return []
    return await release_held(uow, integration, at)


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
