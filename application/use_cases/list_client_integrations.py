"""Listing clients' integrations."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import ClientIntegrationView


class ListClientIntegrations:
    """The integrations of one partner's clients, or of every partner's (for operators)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, partner_id: str | None = None) -> list[ClientIntegrationView]:
        async with self._uow() as uow:
            return [ClientIntegrationView.of(i) for i in await uow.integrations.list(partner_id)]
