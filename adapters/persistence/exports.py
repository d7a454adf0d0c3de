"""The SQLAlchemy repository of exports."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, insert, or_, select

from adapters.persistence import tables
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.ports.repositories import ExportKey, ExportQuery, ExportsInContext, export_key
from domain.client_integration import ClientIntegration
from domain.export import Export, ExportStatus
from domain.extension import Extension


# Built once rather than for each batch of messages: building it cost about as much as executing it.
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


class SqlAlchemyExportRepository:
    def __init__(self, session: RepositorySession) -> None:
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
