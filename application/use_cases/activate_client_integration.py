"""Activating a client, or changing its mailbox (R5, R6, R8)."""

from __future__ import annotations

from application.errors import ApplicationError, Conflict, Invalid
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.dossiers import DossierCatalogue
from application.services.refusals import release_held
from application.views import ClientIntegrationView, Struct, WarningView
from domain.client_integration import ClientIntegration
from domain.dossier import Dossier
from domain.identifiers import normalize_vat_number
from domain.mailbox import NOT_OCTOPUS_IMPORT, Mailbox

WARNINGS = {
    NOT_OCTOPUS_IMPORT: "this is not an Octopus dossier import address (uid-…@import.octopus.be); "
    "check it is the dossier's e-mail address",
    "dossier-without-vat-number": "the Octopus dossier has no VAT number: Octopus processes nothing for it",
    "dossier-vat-mismatch": "the Octopus dossier's VAT number differs from the client's",
    "dossier-not-checked": "the Octopus dossier could not be checked now",
}


def warning(code: str) -> WarningView:
    return WarningView(code=code, message=WARNINGS[code])


class ActivateClient(Struct):
    partner_id: str
    client_id: str
    mailbox: str
    vat_number: str | None = None
    dossier_id: int | None = None


class ActivationResult(Struct):
    integration: ClientIntegrationView
    created: bool


class ActivateClientIntegration:
    """Switches a client on with its dossier mailbox, or changes the mailbox (R5, R6).

    A change applies to documents approved or sent from now on; earlier ones keep their address.
    Anything unusual is accepted with a warning, never silently (R5, R8). While the mailbox is
    refused, a new address, or the same one (the accountant says it works again), makes it ok and
    sends the exports that waited for it to the address now in force, in the same transaction
    (CONTRACTS §8).
    """

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, dossiers: DossierCatalogue | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._dossiers = dossiers

    async def __call__(self, command: ActivateClient) -> ActivationResult:
        mailbox = Mailbox.parse(command.mailbox)
        vat_number = normalize_vat_number(command.vat_number) if command.vat_number else None
        codes = list(mailbox.warnings())
        dossier = None
        if command.dossier_id is not None:  # asked before the transaction: Octopus may be slow
            dossier = await self._dossier(command.partner_id, command.dossier_id)
            if dossier is None:
                codes.append("dossier-not-checked")
        async with self._uow() as uow:
            extension = await uow.extensions.get(command.partner_id)
            if extension is None or not extension.is_installed:
                raise Conflict("install the extension before activating a client")
            integration = await uow.integrations.get(command.partner_id, command.client_id)
            created = integration is None
            if integration is None:
                integration = ClientIntegration(partner_id=command.partner_id, client_id=command.client_id)
                await uow.integrations.add(integration)
            now = self._clock.now()
            changed = integration.activate(mailbox, now)
            # A new address ended a refusal; the same one is the accountant confirming it. Whatever
            # waits is released, also what an intake that read the refusal held as this request
            # committed the last release: asking again sends it.
            changed |= integration.confirm_mailbox()
            changed |= bool(await release_held(uow, integration, now))
            if vat_number is not None and vat_number != integration.vat_number:
                integration.vat_number = vat_number
                changed = True
            if command.dossier_id is not None and command.dossier_id != integration.dossier_id:
                integration.dossier_id = command.dossier_id
                changed = True
            if changed:
                await uow.commit()
            if dossier is not None:  # against the client's VAT number, given now or known before
                codes += _compare_vat(dossier, integration.vat_number)
            view = ClientIntegrationView.of(integration, [warning(c) for c in codes])
            return ActivationResult(integration=view, created=created)

    async def _dossier(self, partner_id: str, dossier_id: int) -> Dossier | None:
        """The picked dossier, or None when Octopus cannot tell now; `Invalid` when it has no such dossier."""
        if self._dossiers is None:
            return None
        try:
            dossiers = await self._dossiers.dossiers(partner_id)
        except ApplicationError:
            return None
        dossier = next((d for d in dossiers if d.id == dossier_id), None)
        if dossier is None:
            raise Invalid("no such dossier in the connected Octopus account", field="dossierId")
        return dossier


def _compare_vat(dossier: Dossier, vat_number: str | None) -> list[str]:
    if not dossier.vat_number:
        return ["dossier-without-vat-number"]
    if vat_number is not None and normalize_vat_number(dossier.vat_number) != vat_number:
        return ["dossier-vat-mismatch"]
    return []
