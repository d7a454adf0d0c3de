"""Reading a client's integration."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.integrations import load_integration
from application.views import ClientIntegrationView, Struct


class IntegrationOf(Struct):
    partner_id: str
    client_id: str


class GetClientIntegration:
    """The client's integration; `NotFound` when the partner has none for it."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: IntegrationOf) -> ClientIntegrationView:
        async with self._uow() as uow:
            return ClientIntegrationView.of(
                await load_integration(uow, command.partner_id, command.client_id)
            )
