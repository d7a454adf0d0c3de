"""Listing clients' integrations."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import ClientIntegrationView, Struct


class IntegrationsOf(Struct):
    """One partner's, or every partner's when `partner_id` is None."""

    partner_id: str | None = None


class ClientIntegrations(Struct):
    items: list[ClientIntegrationView]


class ListClientIntegrations:
    """The integrations of one partner's clients, or of every partner's (for operators)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: IntegrationsOf) -> ClientIntegrations:
        async with self._uow() as uow:
            found = await uow.integrations.list(command.partner_id)
            return ClientIntegrations([ClientIntegrationView.of(i) for i in found])
