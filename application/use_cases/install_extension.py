"""Installing the extension (R1)."""

from __future__ import annotations

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import ExtensionView, Struct
from domain.extension import Extension


class Install(Struct):
    partner_id: str


class InstallResult(Struct):
    extension: ExtensionView
    created: bool


class InstallExtension:
    """Banqup installs the extension for a partner; installing twice is harmless (R1)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: Install) -> InstallResult:
        partner_id = command.partner_id
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
