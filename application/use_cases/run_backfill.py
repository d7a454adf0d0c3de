"""Running a backfill: a client's earlier documents listed from Banqup and exported once (R11, R27,
CONTRACTS §9)."""

from __future__ import annotations

from datetime import datetime

from application.errors import Conflict, Invalid, NotFound
from application.ports.clock import Clock
from application.ports.documents import DocumentListing, DocumentListPage, ListedDocument
from application.ports.repositories import ExportKey
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.services.backfills import BackfillOf, load_backfill, why_no_backfill
from application.services.refusals import held_while_refused
from application.views import BackfillView
from domain.backfill import Backfill, BackfillState
from domain.client_integration import ClientIntegration
from domain.export import Export, ExportOrigin, ExportStatus
from domain.keys import time_ordered_id
from domain.mailbox import Mailbox

PAGE_SIZE = 100  # the most Banqup lists at once (CONTRACTS §4)
WITHDRAWN = "REJECTED"
# Times in a row a page's transaction may lose the race for one of its documents' export (a Banqup
# message exporting it first) before `RunBackfill` gives up until the worker's next round.
CLASHES = 5


class RunningBackfills:
    """The running backfills, the longest running first: what the worker runs (`RunBackfill`)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self) -> list[BackfillOf]:
        async with self._uow() as uow:
            running = await uow.backfills.list_running()
        return [BackfillOf(partner_id=b.partner_id, client_id=b.client_id, backfill_id=b.id) for b in running]


class RunBackfill:
    """Takes a running backfill one page of Banqup's list further, in one transaction: each listed
    document that is not now `REJECTED` and has no export yet (R11: by partner, client, document and
    direction, whatever made it) gets one with origin `backfill`, queued to the integration's current
    address behind the client's new documents (held, without an outbox row, while that address is
    refused); the page's counts and the cursor of the next page are written with them. The last page
    ends it `done`.

    Safe beside other workers and Banqup messages: the page's transaction writes the backfill only if
    it is still as read (its version); a page that loses that race (another worker wrote it: that is
    the step) or the race for a document's export (a message exported it first: the page is listed
    and written again, the document now counted as exported already) is rolled back whole. So any
    number of workers may run the same backfill. `Unavailable` when Banqup cannot be reached now:
    nothing changed, try again later. It fails, with the reason, when Banqup does not know the
    client's space or the client's integration or its partner's extension was switched off.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, listing: DocumentListing, clock: Clock, *, page_size: int = PAGE_SIZE
    ) -> None:
        self._uow = uow
        self._listing = listing
        self._clock = clock
        self._page_size = page_size

    async def __call__(self, command: BackfillOf) -> BackfillView:
        """One page further, by this worker or another (the backfill as it stands then)."""
        tried: tuple[str | None, int] | None = None  # where the page lost began
        for _ in range(CLASHES):
            async with self._uow() as uow:
                backfill = await load_backfill(
                    uow, command.partner_id, command.client_id, command.backfill_id
                )
            if backfill.state is not BackfillState.RUNNING or tried not in (None, _place(backfill)):
                return BackfillView.of(backfill)  # ended, or another worker took the page
            tried = _place(backfill)
            page: DocumentListPage | NotFound | Invalid | None = None  # None: it cannot go on anyway
            if await self._may_go_on(backfill):
                try:
                    page = await self._listing.list_approved_or_sent(
                        backfill.client_id,
                        backfill.first_day,
                        backfill.last_day,
                        backfill.cursor,
                        self._page_size,
                    )
                except (NotFound, Invalid) as exc:
                    page = exc
            try:
                return await self._written(backfill, page)
            except Conflict:
                continue
        raise Conflict(f"backfill {command.backfill_id}: its page lost {CLASHES} races in a row; later")

    async def _may_go_on(self, backfill: Backfill) -> bool:
        """Whether the client's integration and its partner's extension are still on: Banqup is not
        asked for a backfill that would fail anyway (nor waited for, when it cannot be reached)."""
        async with self._uow() as uow:
            integration = await uow.integrations.get(backfill.partner_id, backfill.client_id)
            return why_no_backfill(await uow.extensions.get(backfill.partner_id), integration) is None

    async def _written(
        self, backfill: Backfill, page: DocumentListPage | NotFound | Invalid | None
    ) -> BackfillView:
        """The page's exports and counts in one transaction; or the backfill failed with the reason."""
        now = self._clock.now()
        async with self._uow() as uow:
            integration = await uow.integrations.get(backfill.partner_id, backfill.client_id)
            why_not = why_no_backfill(await uow.extensions.get(backfill.partner_id), integration)
            new: list[Export] = []
            if why_not is not None:
                backfill.failed(now, f"{why_not} any more")
            elif isinstance(page, NotFound):
                backfill.failed(now, f"Banqup does not know the client's space: {page.message}")
            elif isinstance(page, Invalid):
                backfill.failed(now, f"Banqup refused to list the client's documents: {page.message}")
            elif page is None:  # switched off while it was looked at, and on again since: next round
                return BackfillView.of(backfill)
            else:
                assert integration is not None and integration.mailbox is not None  # an active one has one
                wanted = [d for d in page.items if d.status != WITHDRAWN]
                found = await uow.exports.find_many_in_context({_key(backfill, d) for d in wanted})
                new = [
                    _export(backfill, d, integration.mailbox, now)
                    for d in wanted
                    if _key(backfill, d) not in found.exports
                ]
                backfill.page_done(
                    page.next_cursor,
                    queued=len(new),
                    already_exported=len(wanted) - len(new),
                    ignored=len(page.items) - len(wanted),
                )
                if page.next_cursor is None:
                    backfill.done(now)
            await uow.backfills.update(backfill)  # first: another worker on this page waits here, then loses
            if new:
                await _queued(uow, new, integration, now)
            await uow.commit()
        return BackfillView.of(backfill)


def _place(backfill: Backfill) -> tuple[str | None, int]:
    return (backfill.cursor, backfill.listed)


def _key(backfill: Backfill, document: ListedDocument) -> ExportKey:
    return (backfill.partner_id, backfill.client_id, document.document_id, str(document.direction))


def _export(backfill: Backfill, document: ListedDocument, mailbox: Mailbox, now: datetime) -> Export:
    return Export(
        id=time_ordered_id(now),
        partner_id=backfill.partner_id,
        client_id=backfill.client_id,
        document_id=document.document_id,
        direction=document.direction,
        kind=document.kind,
        occurred_at=document.approved_or_sent_at,
        created_at=now,
        status=ExportStatus.QUEUED,
        mailbox=mailbox,
        origin=ExportOrigin.BACKFILL,
    )


async def _queued(
    uow: UnitOfWork, new: list[Export], integration: ClientIntegration | None, now: datetime
) -> None:
    """Stored behind the client's new documents, or held while its mailbox is refused (§8)."""
    due = [e.id for e in new if not held_while_refused(e, integration)]
    await uow.exports.add_many(new)
    await uow.outbox.put_many(due, now, ExportOrigin.BACKFILL)
