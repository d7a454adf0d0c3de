"""The extension's "Active" switch (R3)."""

from __future__ import annotations

from application.errors import Conflict
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.extensions import load_installed
from application.views import ExtensionView, Struct


class SwitchExtension(Struct):
    partner_id: str
    active: bool
    confirm: bool = False


class SetExtensionActive:
    """The "Active" switch: off stops exports for every client and must be confirmed (R3)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: SwitchExtension) -> ExtensionView:
        if not command.active and not command.confirm:
            raise Conflict(
                'switching the extension off stops exports for all clients; send "confirm": true to confirm'
            )
        async with self._uow() as uow:
            extension = await load_installed(uow, command.partner_id)
            if extension.switch(command.active, self._clock.now()):
                await uow.commit()
            return ExtensionView.of(extension)
