"""Loading a client's integration."""

from __future__ import annotations

from application.errors import NotFound
from application.ports.unit_of_work import UnitOfWork
from domain.client_integration import ClientIntegration


async def load_integration(uow: UnitOfWork, partner_id: str, client_id: str) -> ClientIntegration:
    """The client's integration with its partner, or `NotFound`."""
    integration = await uow.integrations.get(partner_id, client_id)
    if integration is None:
        raise NotFound("this client has no Octopus integration")
    return integration
