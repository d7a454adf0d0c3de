"""Uninstalling the extension (R4)."""

from __future__ import annotations

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.extensions import load_installed
from application.views import Struct


class Uninstall(Struct):
    partner_id: str


class UninstallExtension:
    """Uninstalling forgets the Octopus tokens and the dossier list at once and switches every client
    of the partner off, so that installing again starts afresh; the export history stays for audit
    (R4)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: Uninstall) -> None:
        partner_id = command.partner_id
        async with self._uow() as uow:
            extension = await load_installed(uow, partner_id)
            now = self._clock.now()
            extension.uninstall(now)
            for integration in await uow.integrations.list(partner_id):
                integration.deactivate(now)
            await uow.octopus.forget(partner_id)
            await uow.dossier_lists.forget(partner_id)
            await uow.commit()
