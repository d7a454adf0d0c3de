"""Bulk activation of clients from an operator's file, one batch of rows at a time (R21)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.refusals import release_held
from application.views import Struct
from domain.client_integration import ClientIntegration, NewClientIntegration
from domain.errors import DomainError, InvalidValue
from domain.events import MAX_ID
from domain.identifiers import normalize_vat_number
from domain.mailbox import Mailbox


class ClientRow(Struct):
    """One client of the file as written there; `line` is its line number in the file."""

    line: int
    partner_id: str
    client_id: str
    mailbox: str
    vat_number: str = ""


class RejectedRow(Struct):
    line: int
    reason: str


class ImportBatch(Struct):
    rows: list[ClientRow]
    dry_run: bool = False


class BatchReport(Struct):
    """What became of a batch. `unusual_mailboxes` lists the lines whose address was accepted with
    the warning that it is not an Octopus dossier import address (R5: never silently)."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = msgspec.field(default_factory=list)
    unusual_mailboxes: list[int] = msgspec.field(default_factory=list)


class _Valid(msgspec.Struct, frozen=True):
    line: int
    key: tuple[str, str]
    mailbox: Mailbox
    vat_number: str | None


class ImportClients:
    """Activates every usable row of a batch in one transaction, as the API would one by one.

    A new client is imported; a known one is updated through the same `activate`, so a changed
    address starts a new entry in its history from now on and earlier documents keep theirs (R6);
    a client already active with that address and VAT number is unchanged, which makes running the
    same file twice harmless. A row is rejected, with its reason, when a value is wrong or its
    partner has not installed the extension. A dry run decides all the same and writes nothing.

    A new address for a client whose mailbox is refused ends the refusal and sends the exports that
    waited for it to that address, in the same transaction, as the API would (CONTRACTS §8). The same
    address does not: a file that lists every client again is no one saying the address works again.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, batch: ImportBatch) -> BatchReport:
        report = BatchReport()
        valid = [v for v in (_validated(row, report) for row in batch.rows) if v is not None]
        if not valid:
            return report
        now = self._clock.now()
        async with self._uow() as uow:
            extensions = await uow.extensions.get_many({v.key[0] for v in valid})
            installed = {partner for partner, extension in extensions.items() if extension.is_installed}
            known: dict[tuple[str, str], ClientIntegration | NewClientIntegration] = {}
            known.update(await uow.integrations.get_many({v.key for v in valid}))
            new: list[NewClientIntegration] = []
            released: list[ClientIntegration] = []  # whose refused mailbox a new address replaced
            for row in valid:
                if row.key[0] not in installed:
                    reason = f"partner {row.key[0]!r} has not installed the extension"
                    report.rejected.append(RejectedRow(line=row.line, reason=reason))
                    continue
                if (unrefused := _apply(known, new, row, now, report)) is not None:
                    released.append(unrefused)
            if (report.imported or report.updated) and not batch.dry_run:
                await uow.integrations.add_many(new)
                for integration in released:
                    await release_held(uow, integration, now)
                await uow.commit()
        return report


def _validated(row: ClientRow, report: BatchReport) -> _Valid | None:
    try:
        _check_id("partnerId", row.partner_id)
        _check_id("clientId", row.client_id)
        mailbox = Mailbox.parse(row.mailbox)
        vat_number = normalize_vat_number(row.vat_number) if row.vat_number else None
    except InvalidValue as exc:
        report.rejected.append(RejectedRow(line=row.line, reason=str(exc)))
        return None
    return _Valid(row.line, (row.partner_id, row.client_id), mailbox, vat_number)


def _check_id(name: str, value: str) -> None:
    """Banqup ids are opaque: any printable text the database can hold."""
    if not value or len(value) > MAX_ID or not value.isprintable():
        raise InvalidValue(name, f"must be 1 to {MAX_ID} printable characters")


def _apply(
    known: dict[tuple[str, str], ClientIntegration | NewClientIntegration],
    new: list[NewClientIntegration],
    row: _Valid,
    now: datetime,
    report: BatchReport,
) -> ClientIntegration | None:
    """The row applied to its client; the client's integration when a new address ended its refused
    mailbox."""
    integration = known.get(row.key)
    created: NewClientIntegration | None = None
    if integration is None:
        integration = created = NewClientIntegration(partner_id=row.key[0], client_id=row.key[1])
    refused = (
        integration if isinstance(integration, ClientIntegration) and integration.holds_new_exports else None
    )
    try:
        changed = integration.activate(row.mailbox, now)
    except DomainError as exc:
        report.rejected.append(RejectedRow(line=row.line, reason=str(exc)))
        return None
    if row.vat_number is not None and row.vat_number != integration.vat_number:
        integration.vat_number = row.vat_number
        changed = True
    if created is not None:
        new.append(created)
        known[row.key] = created
        report.imported += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
    if row.mailbox.warnings():
        report.unusual_mailboxes.append(row.line)
    return refused if refused is not None and not refused.holds_new_exports else None
