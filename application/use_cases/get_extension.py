"""Reading a partner's extension."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.extensions import load_installed
from application.views import ExtensionView, Struct


class ExtensionOf(Struct):
    partner_id: str


class GetExtension:
    """The partner's installed extension; `NotFound` when it is not installed."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: ExtensionOf) -> ExtensionView:
        async with self._uow() as uow:
            return ExtensionView.of(await load_installed(uow, command.partner_id))
