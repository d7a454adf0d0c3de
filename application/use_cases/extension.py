"""Use cases of the extension's lifecycle (R1, R3, R4)."""

from __future__ import annotations

from application.errors import Conflict, NotFound
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.views import ExtensionView, Struct
from domain.extension import Extension


class InstallResult(Struct):
    extension: ExtensionView
    created: bool


async def load_installed(uow: UnitOfWork, partner_id: str) -> Extension:
    """The partner's installed extension, or `NotFound`."""
    extension = await uow.extensions.get(partner_id)
    if extension is None or not extension.is_installed:
        raise NotFound("the extension is not installed for this partner")
    return extension


class InstallExtension:
    """Banqup installs the extension for a partner; installing twice is harmless (R1)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, partner_id: str) -> InstallResult:
        async with self._uow() as uow:
            extension = await uow.extensions.get(partner_id)
            if extension is None:
                extension = Extension(partner_id=partner_id, installed_at=self._clock.now())
                await uow.extensions.add(extension)
                created = True
            else:
                created = extension.reinstall(self._clock.now())
            await uow.commit()
            return InstallResult(extension=ExtensionView.of(extension), created=created)


class GetExtension:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, partner_id: str) -> ExtensionView:
        async with self._uow() as uow:
            return ExtensionView.of(await load_installed(uow, partner_id))


class SetExtensionActive:
    """The "Active" switch: off stops exports for every client and must be confirmed (R3)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, partner_id: str, active: bool, confirm: bool) -> ExtensionView:
        if not active and not confirm:
            raise Conflict(
                'switching the extension off stops exports for all clients; send "confirm": true to confirm'
            )
        async with self._uow() as uow:
            extension = await load_installed(uow, partner_id)
            if extension.switch(active, self._clock.now()):
                await uow.commit()
            return ExtensionView.of(extension)


class UninstallExtension:
    """Uninstalling forgets the Octopus tokens and the dossier list at once and switches every client
    of the partner off, so that installing again starts afresh; the export history stays for audit
    (R4)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, partner_id: str) -> None:
        async with self._uow() as uow:
            extension = await load_installed(uow, partner_id)
            now = self._clock.now()
            extension.uninstall(now)
            for integration in await uow.integrations.list(partner_id):
                integration.deactivate(now)
            await uow.octopus.forget(partner_id)
            await uow.dossier_lists.forget(partner_id)
            await uow.commit()


class ListExtensions:
    """Every extension, installed or not, for operators."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self) -> list[ExtensionView]:
        async with self._uow() as uow:
            return [ExtensionView.of(e) for e in await uow.extensions.list()]
