"""The SQLAlchemy repositories of partners' extensions and their clients' integrations."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import cache

from sqlalchemy import Dialect, and_, insert, or_, select

from adapters.persistence import tables
from adapters.persistence.dialects import dialect_of
from adapters.persistence.driver import DriverWrite
from adapters.persistence.session import RepositorySession
from adapters.persistence.types import ActivationHistoryType, MailboxHistoryType
from application.ports.repositories import ClientIntegrationRepository, ExtensionRepository
from domain.client_integration import ClientIntegration, NewClientIntegration
from domain.extension import Extension


class SqlAlchemyExtensionRepository(ExtensionRepository):
    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def get(self, partner_id: str) -> Extension | None:
        return await self._session.get(Extension, partner_id)

    async def add(self, extension: Extension) -> None:
        self._session.add(extension)

    async def list(self) -> Sequence[Extension]:
        return (await self._session.scalars(select(Extension).order_by(tables.extensions.c.partner_id))).all()

    async def get_many(self, partner_ids: Collection[str]) -> Mapping[str, Extension]:
        if not partner_ids:
            return {}
        query = select(Extension).where(tables.extensions.c.partner_id.in_(partner_ids))
        return {e.partner_id: e for e in await self._session.scalars(query)}


PARTNERS_A_LOOKUP = 100
_NEW_INTEGRATION_COLUMNS = ("partner_id", "client_id", "mailboxes", "activation", "vat_number", "version")


@cache
def _new_integrations(dialect: Dialect) -> DriverWrite:
    return DriverWrite.of(insert(tables.client_integrations), _NEW_INTEGRATION_COLUMNS, dialect)


class SqlAlchemyClientIntegrationRepository(ClientIntegrationRepository):
    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def get(self, partner_id: str, client_id: str) -> ClientIntegration | None:
        return await self._session.get(ClientIntegration, (partner_id, client_id))

    async def add(self, integration: ClientIntegration) -> None:
        self._session.add(integration)

    async def add_many(self, integrations: Sequence[NewClientIntegration]) -> None:
        """One executemany of the driver, the histories encoded here (each once however many rows
        share it): the ORM's unit of work, and even Core's processing of each row's parameters,
        cost more than the insert itself."""
        if not integrations:
            return
        activations: dict[int, str] = {}  # by identity: clients opened together share one history
        rows = [
            (
                i.partner_id,
                i.client_id,
                MailboxHistoryType.text(i.mailboxes),
                activations.get(id(i.activation))
                or activations.setdefault(id(i.activation), ActivationHistoryType.text(i.activation)),
                i.vat_number,
                1,  # the mapper's version counter starts at 1
            )
            for i in integrations
        ]
        await _new_integrations(dialect_of(self._session)).many(self._session, rows, stored=True)

    async def list(self, partner_id: str | None = None) -> Sequence[ClientIntegration]:
        c = tables.client_integrations.c
        query = select(ClientIntegration).order_by(c.partner_id, c.client_id)
        if partner_id is not None:
            query = query.where(c.partner_id == partner_id)
        return (await self._session.scalars(query)).all()

    async def get_many(
        self, keys: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], ClientIntegration]:
        """One `partner_id = ? AND client_id IN (…)` per partner, joined by OR: each key is one probe
        of the primary key. (A row-value IN makes SQLite scan the table; a partner IN list times a
        client IN list probes every pairing.) `PARTNERS_A_LOOKUP` partners a query at most, as
        SQLite refuses an expression more than 1,000 deep."""
        clients_of: dict[str, list[str]] = {}
        for partner_id, client_id in keys:
            clients_of.setdefault(partner_id, []).append(client_id)
        c = tables.client_integrations.c
        partners = list(clients_of.items())
        found: dict[tuple[str, str], ClientIntegration] = {}
        for start in range(0, len(partners), PARTNERS_A_LOOKUP):
            wanted = (
                and_(c.partner_id == p, c.client_id.in_(ids))
                for p, ids in partners[start : start + PARTNERS_A_LOOKUP]
            )
            for i in await self._session.scalars(select(ClientIntegration).where(or_(*wanted))):
                found[i.partner_id, i.client_id] = i
        return found
