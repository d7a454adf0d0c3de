"""SQLAlchemy repositories. They flush nothing and commit nothing: the unit of work does."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import Dialect, Select, Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from adapters.persistence import tables
from adapters.persistence.dossier_lists import dossier_list_from_json, dossier_list_json
from adapters.persistence.errors import translated_errors
from adapters.persistence.token_cipher import TokenCipher
from adapters.persistence.types import ActivationHistoryType, MailboxHistoryType
from application.dossier_budget import DossierList
from application.ports.octopus import ConnectAttempt, OctopusTokens
from application.ports.repositories import ExportKey, ExportQuery, ExportsInContext, export_key
from domain.client_integration import ClientIntegration, NewClientIntegration
from domain.export import Export, ExportStatus
from domain.extension import Extension


def _upsert_for(session: AsyncSession) -> Callable[[Table], SqliteInsert | PostgresqlInsert]:
    """The INSERT that knows ON CONFLICT, in the session's dialect (SQLite and PostgreSQL both have it)."""
    return _upsert_in(_dialect(session))


def _upsert_in(dialect: str) -> Callable[[Table], SqliteInsert | PostgresqlInsert]:
    return sqlite_insert if dialect == "sqlite" else postgresql_insert


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


# The statements of message intake, built once rather than for each batch: building them
# (ON CONFLICT clauses, joins, IN lists) cost about as much as executing them.


@cache
def _new_message_ids(dialect: str) -> ReturningInsert[str]:
    table = tables.received_messages
    return (
        _upsert_in(dialect)(table)
        .on_conflict_do_nothing(index_elements=[table.c.message_id])
        .returning(table.c.message_id)
    )


@cache
def _outbox_upsert(dialect: str) -> SqliteInsert | PostgresqlInsert:
    statement = _upsert_in(dialect)(tables.outbox)
    return statement.on_conflict_do_update(
        index_elements=[tables.outbox.c.export_id], set_={"available_at": statement.excluded.available_at}
    )


@cache
def _exports_in_context() -> Select[Extension, ClientIntegration, Export]:
    """Extensions, outer-joined to their integrations, outer-joined to their exports, on plain IN
    lists (`partners`, `clients`, `documents`): a batch of messages is small, so probing every pairing
    costs less than building a condition per key; the pairings not asked for are dropped by the caller."""
    e, i, x = tables.extensions.c, tables.client_integrations.c, tables.exports.c
    joined = tables.extensions.outerjoin(
        tables.client_integrations,
        and_(i.partner_id == e.partner_id, i.client_id.in_(bindparam("clients", expanding=True))),
    ).outerjoin(
        tables.exports,
        and_(
            x.partner_id == i.partner_id,
            x.client_id == i.client_id,
            x.document_id.in_(bindparam("documents", expanding=True)),
        ),
    )
    return (
        select(Extension, ClientIntegration, Export)
        .select_from(joined)
        .where(e.partner_id.in_(bindparam("partners", expanding=True)))
    )


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


PARTNERS_A_LOOKUP = 100
_NEW_INTEGRATION_COLUMNS = ("partner_id", "client_id", "mailboxes", "activation", "vat_number", "version")


@cache
def _new_integrations_insert(dialect: Dialect) -> str:
    """The INSERT of `_NEW_INTEGRATION_COLUMNS`, in that order, as the driver of `dialect` takes it."""
    compiled = insert(tables.client_integrations).compile(
        dialect=dialect, column_keys=list(_NEW_INTEGRATION_COLUMNS)
    )
    if tuple(compiled.positiontup or ()) != _NEW_INTEGRATION_COLUMNS:
        raise RuntimeError(f"{dialect.name} orders the INSERT's parameters otherwise: {compiled.positiontup}")
    return compiled.string


class SqlAlchemyClientIntegrationRepository:
    def __init__(self, session: AsyncSession) -> None:
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
        connection = await self._session.connection()
        with translated_errors():
            await connection.exec_driver_sql(_new_integrations_insert(connection.dialect), rows)

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

    async def add_many(self, exports: Sequence[Export]) -> None:
        """One Core executemany INSERT rather than the ORM's flush, which costs more than the insert."""
        if not exports:
            return
        columns = [c.key for c in tables.exports.c if c.key != "version"]
        rows = [{key: getattr(e, key) for key in columns} | {"version": 1} for e in exports]
        with translated_errors():
            await self._session.execute(insert(tables.exports), rows)

    async def find_many_in_context(self, keys: Collection[ExportKey]) -> ExportsInContext:
        """One query (`_exports_in_context`); exact keys are picked out here."""
        exports: dict[ExportKey, Export] = {}
        extensions: dict[str, Extension] = {}
        integrations: dict[tuple[str, str], ClientIntegration] = {}
        if keys:
            lists = {
                "partners": list({k[0] for k in keys}),
                "clients": list({k[1] for k in keys}),
                "documents": list({k[2] for k in keys}),
            }
            wanted = set(keys)
            clients = {k[:2] for k in keys}
            for extension, integration, export in await self._session.execute(_exports_in_context(), lists):
                extensions[extension.partner_id] = extension
                if (
                    integration is not None
                    and (pair := (integration.partner_id, integration.client_id)) in clients
                ):
                    integrations[pair] = integration
                if export is not None and (key := export_key(export)) in wanted:
                    exports[key] = export
        return ExportsInContext(exports, extensions, integrations)

    async def keep(self, export: Export) -> None:
        """The ORM attaches the detached export as read; its version column guards the UPDATE."""
        self._session.add(export)

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

    async def record(self, message_ids: Collection[str], received_at: datetime) -> set[str]:
        """One INSERT … ON CONFLICT DO NOTHING RETURNING: the ids it returns are the new ones. On
        PostgreSQL it waits for a transaction inserting the same id, and leaves the id out if that
        one commits."""
        if not message_ids:
            return set()
        rows = [{"message_id": m, "received_at": received_at} for m in dict.fromkeys(message_ids)]
        with translated_errors():
            return set(await self._session.scalars(_new_message_ids(_dialect(self._session)), rows))

    async def forget_received_before(self, moment: datetime, limit: int) -> int:
        c = tables.received_messages.c
        oldest = select(c.message_id).where(c.received_at < moment).order_by(c.received_at).limit(limit)
        forgotten = delete(tables.received_messages).where(c.message_id.in_(oldest.scalar_subquery()))
        with translated_errors():
            result = await self._session.execute(forgotten)
        return int(result.rowcount)  # type: ignore[attr-defined]


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
        await self._session.execute(
            _outbox_upsert(_dialect(self._session)),
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
