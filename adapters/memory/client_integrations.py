"""The fake repository of client integrations."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from adapters.memory.store import Entities
from application.errors import Conflict
from application.ports.repositories import ClientIntegrationRepository
from domain.client_integration import ClientIntegration, NewClientIntegration


class InMemoryClientIntegrationRepository(ClientIntegrationRepository):
    def __init__(self, integrations: Entities[tuple[str, str], ClientIntegration]) -> None:
        self._items = integrations

    async def get(self, partner_id: str, client_id: str) -> ClientIntegration | None:
        return self._items.get((partner_id, client_id))

    async def add(self, integration: ClientIntegration) -> None:
        key = (integration.partner_id, integration.client_id)
        if key in self._items:
            raise Conflict("this client has an integration already")
        self._items.add(key, integration)

    async def add_many(self, integrations: Sequence[NewClientIntegration]) -> None:
        for new in integrations:
            await self.add(
                ClientIntegration(
                    partner_id=new.partner_id,
                    client_id=new.client_id,
                    mailboxes=new.mailboxes,
                    activation=new.activation,
                    vat_number=new.vat_number,
                )
            )

    async def list(self, partner_id: str | None = None) -> Sequence[ClientIntegration]:
        keys = sorted(k for k in self._items if partner_id is None or k[0] == partner_id)
        return [i for k in keys if (i := self._items.get(k)) is not None]

    async def get_many(
        self, keys: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], ClientIntegration]:
        return {k: i for k in keys if (i := self._items.get(k)) is not None}
