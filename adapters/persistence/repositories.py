"""SQLAlchemy repositories. They flush nothing and commit nothing: the unit of work does."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence import tables
from adapters.persistence.dossier_lists import dossier_list_from_json, dossier_list_json
from adapters.persistence.errors import translated_errors
from adapters.persistence.token_cipher import TokenCipher
from application.dossier_budget import DossierList
from application.ports.octopus import ConnectAttempt, OctopusTokens
from application.ports.repositories import ExportKey, ExportQuery
from domain.client_integration import ClientIntegration, NewClientIntegration
from domain.export import Export, ExportStatus
from domain.extension import Extension


def _upsert_for(session: AsyncSession) -> Callable[[Table], SqliteInsert | PostgresqlInsert]:
    """The INSERT that knows ON CONFLICT, in the session's dialect (SQLite and PostgreSQL both have it)."""
    return sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert


class SqlAlchemyExtensionRepository:
    def __init__(self, session: AsyncSession) -> None:
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


class SqlAlchemyClientIntegrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, partner_id: str, client_id: str) -> ClientIntegration | None:
        return await self._session.get(ClientIntegration, (partner_id, client_id))

    async def add(self, integration: ClientIntegration) -> None:
        self._session.add(integration)

    async def add_many(self, integrations: Sequence[NewClientIntegration]) -> None:
        """One executemany INSERT: the ORM's unit of work costs more than the insert itself."""
        if not integrations:
            return
        rows = [
            {
                "partner_id": i.partner_id,
                "client_id": i.client_id,
                "mailboxes": i.mailboxes,
                "activation": i.activation,
                "vat_number": i.vat_number,
                "version": 1,  # the mapper's version counter starts at 1
            }
            for i in integrations
        ]
        with translated_errors():
            await self._session.execute(insert(tables.client_integrations), rows)

    async def list(self, partner_id: str | None = None) -> Sequence[ClientIntegration]:
        c = tables.client_integrations.c
        query = select(ClientIntegration).order_by(c.partner_id, c.client_id)
        if partner_id is not None:
            query = query.where(c.partner_id == partner_id)
        return (await self._session.scalars(query)).all()

    async def get_many(
        self, keys: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], ClientIntegration]:
        """Two plain IN lists rather than a row-value IN, which SQLite answers by scanning the whole
        table; the few pairs that match both lists without being asked for are left out here."""
        if not keys:
            return {}
        c = tables.client_integrations.c
        query = select(ClientIntegration).where(
            c.partner_id.in_({p for p, _ in keys}), c.client_id.in_({client for _, client in keys})
        )
        wanted = set(keys)
        found = await self._session.scalars(query)
        return {key: i for i in found if (key := (i.partner_id, i.client_id)) in wanted}


class SqlAlchemyExportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, export_id: str, partner_id: str | None = None) -> Export | None:
        export = await self._session.get(Export, export_id)
        if export is None or (partner_id is not None and export.partner_id != partner_id):
            return None
        return export

    async def get_many(self, export_ids: Collection[str]) -> Mapping[str, Export]:
        if not export_ids:
            return {}
        query = select(Export).where(tables.exports.c.id.in_(export_ids))
        return {e.id: e for e in await self._session.scalars(query)}

    async def add(self, export: Export) -> None:
        self._session.add(export)

    async def keep(self, export: Export) -> None:
        """The ORM attaches the detached export as read; its version column guards the UPDATE."""
        self._session.add(export)

    async def find_many(self, keys: Collection[ExportKey]) -> Mapping[ExportKey, Export]:
        """Plain IN lists on the leading columns of the unique index, as in
        `SqlAlchemyClientIntegrationRepository.get_many`; exact keys are picked out here."""
        if not keys:
            return {}
        c = tables.exports.c
        query = select(Export).where(
            c.partner_id.in_({k[0] for k in keys}),
            c.client_id.in_({k[1] for k in keys}),
            c.document_id.in_({k[2] for k in keys}),
        )
        wanted = set(keys)
        found = await self._session.scalars(query)
        return {
            key: e
            for e in found
            if (key := (e.partner_id, e.client_id, e.document_id, str(e.direction))) in wanted
        }

    async def list(self, query: ExportQuery) -> Sequence[Export]:
        c = tables.exports.c
        conditions = []
        for column, value in (
            (c.partner_id, query.partner_id),
            (c.client_id, query.client_id),
            (c.status, query.status),
        ):
            if value is not None:
                conditions.append(column == value)
        if query.created_from is not None:
            conditions.append(c.created_at >= query.created_from)
        if query.created_until is not None:
            conditions.append(c.created_at < query.created_until)
        if query.after is not None:
            created_at, export_id = query.after
            conditions.append(
                or_(c.created_at < created_at, and_(c.created_at == created_at, c.id < export_id))
            )
        statement = (
            select(Export).where(*conditions).order_by(c.created_at.desc(), c.id.desc()).limit(query.limit)
        )
        return (await self._session.scalars(statement)).all()

    async def delivery_times(self, since: datetime, limit: int) -> Sequence[tuple[datetime, datetime]]:
        c = tables.exports.c
        query = (
            select(c.created_at, c.delivered_at)
            .where(c.status == ExportStatus.DELIVERED, c.delivered_at >= since)
            .order_by(c.delivered_at.desc())
            .limit(limit)
        )
        return [(queued, delivered) for queued, delivered in await self._session.execute(query)]

    async def count_by_status(self) -> dict[ExportStatus, int]:
        c = tables.exports.c
        rows = await self._session.execute(select(c.status, func.count()).group_by(c.status))
        counts = dict.fromkeys(ExportStatus, 0)
        counts.update({ExportStatus(status): count for status, count in rows.all()})
        return counts


class SqlAlchemyReceivedMessages:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def known(self, message_ids: Collection[str]) -> set[str]:
        if not message_ids:
            return set()
        c = tables.received_messages.c
        return set(await self._session.scalars(select(c.message_id).where(c.message_id.in_(message_ids))))

    async def add_many(self, message_ids: Sequence[str], received_at: datetime) -> None:
        if not message_ids:
            return
        rows = [{"message_id": m, "received_at": received_at} for m in message_ids]
        with translated_errors():
            await self._session.execute(insert(tables.received_messages), rows)


class SqlAlchemyOutbox:
    """On PostgreSQL, `claim` skips rows another worker has locked; on SQLite, `BEGIN IMMEDIATE`
    already makes each claim the only writer."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, export_id: str, available_at: datetime) -> None:
        await self.put_many([export_id], available_at)

    async def put_many(self, export_ids: Sequence[str], available_at: datetime) -> None:
        if not export_ids:
            return
        with translated_errors():
            await self._session.flush()  # the exports' rows must exist before outbox rows point at them
        upsert = _upsert_for(self._session)
        statement = upsert(tables.outbox)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[tables.outbox.c.export_id],
                set_={"available_at": statement.excluded.available_at},
            ),
            [{"export_id": e, "available_at": available_at} for e in export_ids],
        )

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> Sequence[str]:
        """One statement: the due rows are picked, locked and moved to the end of the lease."""
        c = tables.outbox.c
        due = (
            select(c.export_id)
            .where(c.available_at <= now)
            .order_by(c.available_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        leased = (
            update(tables.outbox)
            .where(c.export_id.in_(due.scalar_subquery()))
            .values(available_at=lease_until)
            .returning(c.export_id)
        )
        return (await self._session.scalars(leased)).all()

    async def reschedule(self, export_id: str, available_at: datetime) -> None:
        c = tables.outbox.c
        await self._session.execute(
            update(tables.outbox).where(c.export_id == export_id).values(available_at=available_at)
        )

    async def remove(self, export_id: str) -> None:
        await self._session.execute(delete(tables.outbox).where(tables.outbox.c.export_id == export_id))

    async def depth(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(tables.outbox)) or 0)


class SqlAlchemyOctopusConnections:
    """Tokens are sealed with `TokenCipher` before they reach the database: no plaintext at rest."""

    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def tokens(self, partner_id: str) -> OctopusTokens | None:
        c = tables.octopus_tokens.c
        sealed = await self._session.scalar(select(c.sealed).where(c.partner_id == partner_id))
        return None if sealed is None else self._cipher.open(sealed)

    async def save_tokens(self, partner_id: str, tokens: OctopusTokens) -> None:
        c = tables.octopus_tokens.c
        sealed = self._cipher.seal(tokens)
        changed = await self._session.execute(
            update(tables.octopus_tokens).where(c.partner_id == partner_id).values(sealed=sealed)
        )
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(
                insert(tables.octopus_tokens).values(partner_id=partner_id, sealed=sealed)
            )

    async def forget(self, partner_id: str) -> None:
        await self._session.execute(
            delete(tables.octopus_tokens).where(tables.octopus_tokens.c.partner_id == partner_id)
        )
        await self._session.execute(
            delete(tables.connect_attempts).where(tables.connect_attempts.c.partner_id == partner_id)
        )

    async def begin(self, attempt: ConnectAttempt) -> None:
        await self._session.execute(
            insert(tables.connect_attempts).values(
                state=attempt.state,
                partner_id=attempt.partner_id,
                code_verifier=attempt.code_verifier,
                return_url=attempt.return_url,
                expires_at=attempt.expires_at,
            )
        )

    async def take(self, state: str) -> ConnectAttempt | None:
        c = tables.connect_attempts.c
        row = (
            await self._session.execute(delete(tables.connect_attempts).where(c.state == state).returning(*c))
        ).first()
        if row is None:
            return None
        return ConnectAttempt(row.state, row.partner_id, row.code_verifier, row.return_url, row.expires_at)


class SqlAlchemyOctopusDossierLists:
    """One row per partner; `lock` takes it `FOR UPDATE` on PostgreSQL (SQLite's `BEGIN IMMEDIATE`
    already keeps other writers out), creating it first if need be."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, partner_id: str) -> DossierList:
        c = tables.octopus_dossier_lists.c
        upsert = _upsert_for(self._session)
        empty = dossier_list_json(DossierList(partner_id))
        await self._session.execute(
            upsert(tables.octopus_dossier_lists)
            .values(partner_id=partner_id, content=empty)
            .on_conflict_do_nothing(index_elements=[c.partner_id])
        )
        content = await self._session.scalar(
            select(c.content).where(c.partner_id == partner_id).with_for_update()
        )
        return dossier_list_from_json(partner_id, str(content))

    async def save(self, dossier_list: DossierList) -> None:
        c = tables.octopus_dossier_lists.c
        await self._session.execute(
            update(tables.octopus_dossier_lists)
            .where(c.partner_id == dossier_list.partner_id)
            .values(content=dossier_list_json(dossier_list))
        )

    async def forget(self, partner_id: str) -> None:
        c = tables.octopus_dossier_lists.c
        await self._session.execute(delete(tables.octopus_dossier_lists).where(c.partner_id == partner_id))
