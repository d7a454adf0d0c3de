"""Delivering one claimed export: fetch, render, send, record (R13, R15, R16)."""

from __future__ import annotations

import contextlib
from datetime import datetime

from application.attempts import AttemptReason, Step, Verdict, judge
from application.errors import ApplicationError, Conflict, Unavailable
from application.outbox_rows import take_off_or_put_back
from application.ports.clock import Clock
from application.ports.delivery_ledger import DeliveryLedger
from application.ports.documents import (
    DocumentRenderer,
    DocumentSource,
    ExportStatusReports,
    RenderedDocument,
)
from application.ports.mailer import Mailer, OutgoingMail
from application.ports.unit_of_work import UnitOfWorkFactory
from application.rendering import original_ubl_first
from application.services.bounce_addresses import BounceAddresses
from application.services.refusals import mailbox_refused
from application.views import Struct
from domain.export import AttemptOutcome, Export, ExportStatus
from domain.file_names import file_name_stem
from domain.retry import RetrySchedule

_REFUSAL_TRIES = 3
SUBJECTS = {"invoice": "Invoice", "creditNote": "Credit note"}


def attachment_name(number: str) -> str:
    """The document number as a file name: letters, digits, dot, dash and underscore only."""
    return f"{file_name_stem(number)}.xml"


def compose(
    export: Export, document: RenderedDocument, message_id: str, bounces: BounceAddresses | None = None
) -> OutgoingMail:
    """The mail of CONTRACTS §7: one document, one message; with `bounces`, its envelope sender names
    the export."""
    title = f"{SUBJECTS[document.kind]} {document.number}"
    return OutgoingMail(
        to=str(export.mailbox),
        subject=f"{title} — {document.seller_name}",
        message_id=message_id,
        body=(
            f"{title} from {document.seller_name}, as Peppol BIS Billing 3.0 UBL.\n"
            "Sent by octobridge for Banqup; the original stays in Banqup.\n"
        ),
        attachment_name=attachment_name(document.number),
        attachment=document.xml,
        envelope_sender=bounces.address_of(export.id) if bounces is not None else None,
    )


class DeliveryResult(Struct):
    """What one attempt did: `status` is the export's afterwards, or None when it is no longer to be
    delivered (changed since it was claimed); `reason` is None when delivered; `detail` is the
    relay's reply when delivered, else what went wrong."""

    status: ExportStatus | None
    outcome: AttemptOutcome
    reason: AttemptReason | None
    detail: str
    message_id: str


class DeliverExport:
    """Sends one queued export, records the attempt and says what happened; it logs nothing. No
    transaction stays open while Banqup or the mail relay is being talked to. What a failure means
    is `judge`'s to say: temporary failures (I/O) come back later by the `RetrySchedule`, and become
    final past its horizon with the last answer; anything about the document fails it at once."""

    def __init__(
        self,
        ledger: DeliveryLedger,
        uow: UnitOfWorkFactory,
        clock: Clock,
        documents: DocumentSource,
        renderer: DocumentRenderer,
        mailer: Mailer,
        schedule: RetrySchedule,
        reports: ExportStatusReports | None = None,
        *,
        bounces: BounceAddresses | None = None,
    ) -> None:
        self._ledger = ledger
        self._uow = uow
        self._reports = reports
        self._clock = clock
        self._documents = documents
        self._renderer = renderer
        self._mailer = mailer
        self._schedule = schedule
        self._bounces = bounces

    async def __call__(self, claimed: Export) -> DeliveryResult:
        """Delivers an export as `ClaimDueExports` read it, and says what happened."""
        message_id = claimed.mail_message_id(self._mailer.sender_domain)
        verdict = await self._attempt(claimed, message_id)
        try:
            export = await self._record(claimed, verdict, message_id)
        except Unavailable as exc:  # the export stays leased, and is taken again when its lease ends
            unrecorded = judge(Step.RECORD, exc)
            return DeliveryResult(
                status=ExportStatus.QUEUED,
                outcome=unrecorded.outcome,
                reason=unrecorded.reason,
                detail=f"{verdict.detail} (not recorded: {exc.message})",
                message_id=message_id,
            )
        if export is None:
            return DeliveryResult(
                status=None,
                outcome=verdict.outcome,
                reason=verdict.reason,
                detail=verdict.detail,
                message_id=message_id,
            )
        await self._report(export)
        recorded = export.attempts[-1]  # past the schedule's horizon, a temporary failure is final
        return DeliveryResult(
            status=export.status,
            outcome=recorded.outcome,
            reason=verdict.reason,
            detail=recorded.detail,
            message_id=message_id,
        )

    async def _record(self, claimed: Export, verdict: Verdict, message_id: str) -> Export | None:
        """The export with the attempt recorded, or None when it is no longer to be delivered."""
        if verdict.reason is AttemptReason.MAILBOX:
            return await self._record_refusal(claimed, verdict.detail)
        try:
            await self._ledger.record(claimed, self._judged(claimed, verdict, message_id))
        except Conflict:  # its lease ran out and another worker took it, or it was held, meanwhile
            return await self._record_on_current(claimed, verdict, message_id)
        return claimed

    async def _record_on_current(self, claimed: Export, verdict: Verdict, message_id: str) -> Export | None:
        """The outcome recorded on the export as it is now, if it is still queued: a delivery always,
        with the address the mail went to; anything else only if it was neither held nor given
        another address meanwhile (it waits for a new address, or goes to the one it was given)."""
        async with self._uow() as uow:
            export = await uow.exports.get(claimed.id)
            if export is None or export.status is not ExportStatus.QUEUED:
                return None
            if verdict.outcome is AttemptOutcome.DELIVERED:
                export.delivered(self._clock.now(), message_id, verdict.detail, to=claimed.mailbox)
                due_again = None
            elif export.held is None and export.mailbox == claimed.mailbox:
                due_again = self._judged(export, verdict, message_id)
            else:
                return None
            await take_off_or_put_back(uow.outbox, export.id, due_again)
            await uow.commit()
        return export

    async def _record_refusal(self, claimed: Export, reply: str) -> Export | None:
        """Its mailbox refused at `RCPT TO` (CONTRACTS §8): the export fails, waiting for a new address,
        and its client's mailbox is refused with the client's other queued exports held, all in one
        transaction; rare, so through a unit of work rather than the ledger's single statement. The
        export is read afresh: settled, held, or given another address since it was claimed, it is
        left as it is (it waits for, or goes to, the new address). A transaction that meets another
        changing the same rows runs again on what that one left; after `_REFUSAL_TRIES` the refusal
        is not recorded, and the export is taken again when its lease ends.

        The races that remain: an export of the client claimed before the refusal committed is still
        attempted once at the refused address (refused again, it is left held), and so is one that
        intake queued from an integration read before the refusal committed (refused in its turn, it
        fails and waits with the others)."""
        for _ in range(_REFUSAL_TRIES):
            with contextlib.suppress(Conflict):
                return await self._refuse(claimed, reply)
        raise Unavailable(
            "another transaction changed the client's exports each time its refusal was recorded"
        )

    async def _refuse(self, claimed: Export, reply: str) -> Export | None:
        now = self._clock.now()
        async with self._uow() as uow:
            export = await uow.exports.get(claimed.id)
            if (
                export is None
                or export.status is not ExportStatus.QUEUED
                or export.held is not None
                or export.mailbox != claimed.mailbox
            ):
                return None
            export.refused(now, reply)
            await uow.outbox.remove(export.id)
            await mailbox_refused(uow, export, now, reply)
            await uow.commit()
        return export

    async def _report(self, export: Export) -> None:
        """Banqup hears of the final outcome; if it cannot be told now, the export is no worse for it."""
        if self._reports is None or export.status is ExportStatus.QUEUED:
            return
        status = "delivered" if export.status is ExportStatus.DELIVERED else "error"
        detail = export.message_id if status == "delivered" else export.last_error
        with contextlib.suppress(ApplicationError):
            await self._reports.report(export.client_id, export.document_id, status, detail or "")

    async def _attempt(self, export: Export, message_id: str) -> Verdict:
        step = Step.FETCH
        try:
            source = await self._documents.fetch(export.client_id, export.document_id)
            step = Step.RENDER
            document = await self._renderer.render(original_ubl_first(source))
            step = Step.SEND
            reply = await self._mailer.send(compose(export, document, message_id, self._bounces))
        except Exception as exc:  # `judge` says what each failure means
            return judge(step, exc)
        return Verdict(AttemptOutcome.DELIVERED, None, reply)

    def _judged(self, export: Export, verdict: Verdict, message_id: str) -> datetime | None:
        """The attempt recorded on `export`; when it is next due, or None when it is settled."""
        now = self._clock.now()
        if verdict.outcome is AttemptOutcome.DELIVERED:
            export.delivered(now, message_id, verdict.detail)
        elif verdict.outcome is AttemptOutcome.FAILED:
            export.failed(now, verdict.detail, verdict.violations)
        else:
            retry_at = self._schedule.next_attempt(
                export.first_attempt_at or now, now, _deferrals(export) + 1, self._clock.jitter()
            )
            if retry_at is not None:
                export.deferred(now, verdict.detail)
                return retry_at
            export.failed(now, f"gave up after {export.delivery_attempts + 1} attempts: {verdict.detail}")
        return None


def _deferrals(export: Export) -> int:
    """Temporary failures since the export was last put back in the queue."""
    count = 0
    for attempt in reversed(export.attempts):
        if attempt.outcome is not AttemptOutcome.DEFERRED:
            break
        count += 1
    return count
