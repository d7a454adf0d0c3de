"""A delivery status notification about an export's mail, read by `octobridge bounces` (CONTRACTS §8)."""

from __future__ import annotations

from enum import StrEnum

from application.mail_status import is_mailbox_status
from application.ports.clock import Clock
from application.ports.delivery_reports import DeliveryReportReader, RecipientReport
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.services.bounce_addresses import BounceAddresses
from application.services.refusals import mailbox_refused
from application.views import Struct
from domain.export import AttemptOutcome, Export, ExportStatus


class ReportedMail(Struct):
    """A mail that came to `recipient`, an address of `octobridge bounces`, its bytes as received."""

    recipient: str
    content: bytes


class ReportOutcome(StrEnum):
    """What one recipient's report did to the export."""

    REFUSED = "refused"  # the mailbox was refused: the export failed, and waits for a new address
    FAILED = "failed"  # another permanent failure: the export failed
    NOTED = "noted"  # added to the export's attempts only: a delay, or a failure of an earlier mail
    REPEATED = "repeated"  # recorded before: nothing done
    IGNORED = "ignored"  # a report of success (delivered, relayed, expanded): nothing done


class RecordedReport(Struct):
    """The export the mail's recipient names (None for any other recipient, such as `postmaster@`),
    and the outcome of each recipient's report in order: none when the mail was not a delivery
    status notification (it is ignored), or when the export is no longer known."""

    export_id: str | None
    outcomes: tuple[ReportOutcome, ...]


class RecordDeliveryReport:
    """A report on an export's mail, to the bounce address naming it (any other recipient is
    ignored), each (export, action, status, recipient) once however often it arrives, in one
    transaction. `failed` for the address the export was delivered to fails it: with a mailbox
    status, as a refusal of the mailbox (the client's next exports are held); `failed` for another
    address (the export was sent again elsewhere since) or for an export not delivered, and
    `delayed`, are only added to its attempts. The detail carries the report's status and diagnostic."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, reader: DeliveryReportReader, bounces: BounceAddresses
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._reader = reader
        self._bounces = bounces

    async def __call__(self, mail: ReportedMail) -> RecordedReport:
        export_id = self._bounces.export_of(mail.recipient)
        if export_id is None:
            return RecordedReport(export_id=None, outcomes=())
        reports = self._reader.read(mail.content)
        if not reports:
            return RecordedReport(export_id=export_id, outcomes=())
        async with self._uow() as uow:
            export = await uow.exports.get(export_id)
            if export is None:  # forgotten since its mail went
                return RecordedReport(export_id=export_id, outcomes=())
            outcomes = tuple([await self._record(uow, export, report) for report in reports])
            await uow.commit()
        return RecordedReport(export_id=export.id, outcomes=outcomes)

    async def _record(self, uow: UnitOfWork, export: Export, report: RecipientReport) -> ReportOutcome:
        if report.action not in ("failed", "delayed"):
            return ReportOutcome.IGNORED
        now = self._clock.now()
        recipient = report.recipient.lower()
        if not await uow.delivery_reports.record(export.id, report.action, report.status, now, recipient):
            return ReportOutcome.REPEATED
        detail = f"delivery report: {report.action} {report.status}" + (
            f" — {report.diagnostic}" if report.diagnostic else ""
        )
        if report.action == "delayed":
            export.noted(now, AttemptOutcome.DELAYED, detail)
            return ReportOutcome.NOTED
        if export.status is not ExportStatus.DELIVERED or not _about(export, report):
            export.noted(now, AttemptOutcome.FAILED, detail)
            return ReportOutcome.NOTED
        if not is_mailbox_status(report.status):
            export.bounced(now, detail, mailbox_refused=False)
            return ReportOutcome.FAILED
        export.bounced(now, detail, mailbox_refused=True)
        await mailbox_refused(uow, export, now, detail)
        return ReportOutcome.REFUSED


def _about(export: Export, report: RecipientReport) -> bool:
    """Whether the report is about the address the export was delivered to; one that names no
    address is not taken as being about it."""
    return export.mailbox is not None and report.recipient.lower() == str(export.mailbox).lower()
