"""What use cases hand back to entrypoints: msgspec structs, camelCase on the wire."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from domain.backfill import Backfill
from domain.client_integration import ClientIntegration
from domain.export import Export
from domain.extension import Extension


class Struct(msgspec.Struct, rename="camel", kw_only=True):
    """The one base of every boundary struct."""


class ExtensionView(Struct):
    partner_id: str
    state: str
    active: bool
    activated_at: datetime | None
    installed: bool = True

    @classmethod
    def of(cls, extension: Extension) -> ExtensionView:
        return cls(
            partner_id=extension.partner_id,
            state=str(extension.state),
            active=extension.active,
            activated_at=extension.activation.active_since,
            installed=extension.is_installed,
        )


class PeriodView(Struct):
    start: datetime
    end: datetime | None


class MailboxChangeView(Struct):
    mailbox: str
    since: datetime


class WarningView(Struct):
    """Something the accountant should look at; the request was carried out all the same."""

    code: str
    message: str


class MailboxRefusalView(Struct):
    """Why the mailbox is refused (CONTRACTS §8): when, the server's words, and for which export."""

    at: datetime
    reply: str
    export_id: str


class ClientIntegrationView(Struct):
    partner_id: str
    client_id: str
    mailbox: str | None
    active: bool
    vat_number: str | None
    dossier_id: int | None
    history: list[MailboxChangeView]
    periods: list[PeriodView]
    mailbox_status: str
    mailbox_refusal: MailboxRefusalView | None
    warnings: list[WarningView] = msgspec.field(default_factory=list)

    @classmethod
    def of(
        cls, integration: ClientIntegration, warnings: list[WarningView] | None = None
    ) -> ClientIntegrationView:
        return cls(
            partner_id=integration.partner_id,
            client_id=integration.client_id,
            mailbox=str(integration.mailbox) if integration.mailbox else None,
            active=integration.active,
            vat_number=integration.vat_number,
            dossier_id=integration.dossier_id,
            history=[MailboxChangeView(mailbox=str(a.mailbox), since=a.since) for a in integration.mailboxes],
            periods=[PeriodView(start=p.start, end=p.end) for p in integration.activation.periods],
            mailbox_status=str(integration.mailbox_status),
            mailbox_refusal=None
            if (refusal := integration.mailbox_refusal) is None
            else MailboxRefusalView(at=refusal.at, reply=refusal.reply, export_id=refusal.export_id),
            warnings=warnings or [],
        )


class AttemptView(Struct):
    at: datetime
    outcome: str
    detail: str


class ViolationView(Struct):
    rule_id: str
    fatal: bool
    message: str
    location: str


class ExportView(Struct):
    id: str
    partner_id: str
    document_id: str
    client_id: str
    kind: str
    direction: str
    status: str
    mailbox: str | None
    occurred_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    attempts: list[AttemptView]
    last_error: str | None
    message_id: str | None
    skip_reason: str | None
    violations: list[ViolationView]
    held: str | None
    origin: str

    @classmethod
    def of(cls, export: Export) -> ExportView:
        return cls(
            id=export.id,
            partner_id=export.partner_id,
            document_id=export.document_id,
            client_id=export.client_id,
            kind=str(export.kind),
            direction=str(export.direction),
            status=str(export.status),
            mailbox=str(export.mailbox) if export.mailbox else None,
            occurred_at=export.occurred_at,
            created_at=export.created_at,
            delivered_at=export.delivered_at,
            attempts=[AttemptView(at=a.at, outcome=str(a.outcome), detail=a.detail) for a in export.attempts],
            last_error=export.last_error,
            message_id=export.message_id,
            skip_reason=str(export.skip_reason) if export.skip_reason else None,
            violations=[
                ViolationView(rule_id=v.rule_id, fatal=v.fatal, message=v.message, location=v.location)
                for v in export.violations
            ],
            held=str(export.held) if export.held else None,
            origin=str(export.origin),
        )


class ExportPage(Struct):
    items: list[ExportView]
    next_cursor: str | None


class BackfillView(Struct):
    """A backfill as CONTRACTS §9 reads it: `listed = queued + alreadyExported + ignored`."""

    id: str
    client_id: str
    from_: date = msgspec.field(name="from")
    to: date
    state: str
    listed: int
    queued: int
    already_exported: int
    ignored: int
    error: str | None

    @classmethod
    def of(cls, backfill: Backfill) -> BackfillView:
        return cls(
            id=backfill.id,
            client_id=backfill.client_id,
            from_=backfill.first_day,
            to=backfill.last_day,
            state=str(backfill.state),
            listed=backfill.listed,
            queued=backfill.queued,
            already_exported=backfill.already_exported,
            ignored=backfill.ignored,
            error=backfill.error,
        )
