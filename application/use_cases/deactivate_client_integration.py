"""Deactivating a client (R7)."""

from __future__ import annotations

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.integrations import load_integration
from application.views import Struct


class DeactivateClient(Struct):
    partner_id: str
    client_id: str


class DeactivateClientIntegration:
    """Switches a client off; it can be activated again later (R7)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: DeactivateClient) -> None:
        async with self._uow() as uow:
            integration = await load_integration(uow, command.partner_id, command.client_id)
            if integration.deactivate(self._clock.now()):
                await uow.commit()
