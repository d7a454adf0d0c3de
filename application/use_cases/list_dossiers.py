"""Listing the dossiers of the connected Octopus account (R8)."""

from __future__ import annotations

from application.services.dossiers import DossierCatalogue
from application.views import Struct


class DossiersOf(Struct):
    partner_id: str


class DossierView(Struct):
    id: int
    name: str
    vat_number: str | None
    mailbox: str | None


class Dossiers(Struct):
    items: list[DossierView]


class ListDossiers:
    """The dossiers of the connected Octopus account, for the accountant to pick from (R8), within
    Octopus's daily budget of calls (see `DossierCatalogue`)."""

    def __init__(self, catalogue: DossierCatalogue) -> None:
        self._catalogue = catalogue

    async def __call__(self, command: DossiersOf) -> Dossiers:
        found = await self._catalogue.dossiers(command.partner_id)
        return Dossiers(
            [DossierView(id=d.id, name=d.name, vat_number=d.vat_number, mailbox=d.mailbox) for d in found]
        )
