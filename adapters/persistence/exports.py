"""The SQLAlchemy repository of exports."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Delete,
    Dialect,
    Select,
    String,
    Update,
    and_,
    bindparam,
    func,
    insert,
    inspect,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value

from adapters.persistence import tables
from adapters.persistence.batch_delete import batch_deleted
from adapters.persistence.dialects import dialect_of
from adapters.persistence.driver import DriverRead, DriverWrite
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.errors import Conflict
from application.ports.repositories import (
    OPEN_STATUSES,
    ExportKey,
    ExportQuery,
    ExportRepository,
    ExportsInContext,
)
from domain.client_integration import ClientIntegration
from domain.export import Export, ExportStatus
from domain.extension import Extension

_EXTENSION = tuple(tables.extensions.c[f.name] for f in fields(Extension))
_INTEGRATION = tuple(tables.client_integrations.c[f.name] for f in fields(ClientIntegration))
_EXPORT_FIELDS = tuple(c.key for c in tables.exports.c if c.key != "version")


_KEY = ("partner_id", "client_id", "document_id", "direction")
# Keys a statement at most: SQLite takes 500 SELECTs in a compound one, 32,766 parameters.
KEYS_A_STATEMENT = 128


@lru_cache(maxsize=64)
def _in_context(dialect: Dialect, count: int) -> DriverRead:
    """For each of `count` keys (parameters partner_id0, client_id0, document_id0, direction0, …),
    its partner's extension, joined to the integration of its client and to its export's id, if
    any: one probe of each table's key per key, however many the batch's partners, clients and
    documents (probing their every pairing cost a product of them)."""
    e, i, x = tables.extensions.c, tables.client_integrations.c, tables.exports.c
    rows = [
        select(*(bindparam(f"{name}{n}", type_=String).label(name) for name in _KEY)) for n in range(count)
    ]
    keys = (union_all(*rows) if count > 1 else rows[0]).subquery("k")
    k = keys.c
    query = (
        select(*_EXTENSION, *_INTEGRATION, x.document_id, x.direction, x.id)
        .select_from(keys)
        .join(tables.extensions, e.partner_id == k.partner_id)
        .outerjoin(tables.client_integrations, and_(i.partner_id == k.partner_id, i.client_id == k.client_id))
        .outerjoin(
            tables.exports,
            and_(
                x.partner_id == k.partner_id,
                x.client_id == k.client_id,
                x.document_id == k.document_id,
                x.direction == k.direction,
            ),
        )
    )
    return DriverRead.of(query, dialect)


def _padded(keys: Sequence[ExportKey]) -> list[ExportKey]:
    """`keys`, padded to a power of two by repeating one (a repeated row is only read twice), so
    that few statements are ever compiled."""
    ordered = list(keys)
    return ordered + ordered[-1:] * ((1 << (len(ordered) - 1).bit_length()) - len(ordered))


@cache
def _new_exports(dialect: Dialect) -> DriverWrite:
    return DriverWrite.of(insert(tables.exports), (*_EXPORT_FIELDS, "version"), dialect)


# What an export's life may change; the other columns are fixed when it is made.
CHANGING = (
    "status",
    "mailbox",
    "skip_reason",
    "occurred_at",
    "attempts",
    "delivered_at",
    "message_id",
    "last_error",
    "violations",
    "held",
)


@cache
def _update_if_unchanged() -> Update:
    """The UPDATE of one export if its version is still the one read; the parameters name the
    columns it sets (`CHANGING` and the next version)."""
    c = tables.exports.c
    return update(tables.exports).where(
        c.id == bindparam("export_id"), c.version == bindparam("read_version")
    )


@dataclass(frozen=True, slots=True)
class ExportChange:
    """An export's changed columns, to be written only if its version is still the one it was read at."""

    export: Export
    read_version: int  # the mapper's counter, not the domain's

    @classmethod
    def of(cls, export: Export) -> ExportChange:
        return cls(export, inspect(export).dict["version"])

    def parameters(self) -> dict[str, Any]:
        """By name: the columns of `CHANGING`, the next `version`, `export_id` and `read_version`."""
        row = {name: getattr(self.export, name) for name in CHANGING}
        return row | {
            "version": self.read_version + 1,
            "export_id": self.export.id,
            "read_version": self.read_version,
        }

    def written(self, rows: int) -> None:
        """After the UPDATE changed `rows` rows: `Conflict` if none, else the export's next version."""
        if rows == 0:
            raise Conflict("another transaction changed the export since it was read")
        set_committed_value(self.export, "version", self.read_version + 1)


def history_page(query: ExportQuery) -> Select[Export]:
    """The exports `query` asks for, newest first. The cursor is a row comparison, so that with the
    indexes ending in (created_at, id) it bounds the index range (a page costs the same however
    deep) rather than filtering the rows walked; and every condition is an equality or a range on
    an index column, so that a generic plan (the driver's cached prepared statement) uses it too."""
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
        # The cursor's values typed as their columns (tuple_ would guess from the values, and
        # SQLite would get the instant in its own zone rather than in UTC).
        bound = tuple_(*query.after, types=[c.created_at.type, c.id.type])
        conditions.append(tuple_(c.created_at, c.id) < bound)
    return select(Export).where(*conditions).order_by(c.created_at.desc(), c.id.desc()).limit(query.limit)


class SqlAlchemyExportRepository(ExportRepository):
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
        """One executemany of the driver rather than the ORM's flush, which costs more than the insert."""
        if not exports:
            return
        write = _new_exports(dialect_of(self._session))
        # The mapper's version counter starts at 1.
        await write.many(self._session, [[*(getattr(e, c) for c in _EXPORT_FIELDS), 1] for e in exports])

    async def find_many_in_context(self, keys: Collection[ExportKey]) -> ExportsInContext:
        """One query (`_in_context`) through the driver, on the exact keys: extensions and
        integrations as read, for judging only (changes to them are not kept); exports found
        (repeats, and documents skipped before: rare) are read through the ORM, so that a change to
        one is kept."""
        exports: dict[ExportKey, Export] = {}
        extensions: dict[str, Extension] = {}
        integrations: dict[tuple[str, str], ClientIntegration] = {}
        if not keys:
            return ExportsInContext(exports, extensions, integrations)
        found: dict[ExportKey, str] = {}
        split = len(_EXTENSION) + len(_INTEGRATION)
        for row in await self._in_context_rows(sorted(keys)):
            extension, integration, (document_id, direction, export_id) = (
                row[: len(_EXTENSION)],
                row[len(_EXTENSION) : split],
                row[split:],
            )
            if extension[0] not in extensions:
                extensions[extension[0]] = Extension(*extension)
            pair = (integration[0], integration[1])
            if pair[0] is None:  # the client has no integration, hence no export either
                continue
            if pair not in integrations:
                integrations[pair] = ClientIntegration(*integration)
            if export_id is not None:
                found[(*pair, document_id, str(direction))] = export_id
        if found:
            loaded = await self.get_many(found.values())
            exports = {key: loaded[export_id] for key, export_id in found.items()}
        return ExportsInContext(exports, extensions, integrations)

    async def _in_context_rows(self, keys: Sequence[ExportKey]) -> list[tuple[Any, ...]]:
        """`_in_context`'s rows for `keys`: one statement for a batch of messages (100 at most)."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), KEYS_A_STATEMENT):
            padded = _padded(keys[start : start + KEYS_A_STATEMENT])
            values = {
                f"{name}{n}": value
                for n, key in enumerate(padded)
                for name, value in zip(_KEY, key, strict=True)
            }
            rows += await _in_context(dialect_of(self._session), len(padded)).rows(self._session, values)
        return rows

    async def update(self, export: Export) -> None:
        """One UPDATE (`_update_if_unchanged`) rather than attaching the export for the ORM to flush,
        whose bookkeeping cost more than the statement."""
        change = ExportChange.of(export)
        with translated_errors():
            result = await self._session.execute(_update_if_unchanged(), change.parameters())
        change.written(result.rowcount)  # type: ignore[attr-defined]

    async def list(self, query: ExportQuery) -> Sequence[Export]:
        return (await self._session.scalars(history_page(query))).all()

    async def list_open_of_client(self, partner_id: str, client_id: str) -> Sequence[Export]:
        c = tables.exports.c
        query = (
            select(Export)
            .where(c.partner_id == partner_id, c.client_id == client_id, c.status.in_(OPEN_STATUSES))
            .order_by(c.created_at, c.id)
        )
        return (await self._session.scalars(query)).all()

    async def delivery_times(self, since: datetime, limit: int) -> Sequence[tuple[datetime, datetime]]:
        c = tables.exports.c
        query = (
            select(c.created_at, c.delivered_at)
            .where(c.status == ExportStatus.DELIVERED, c.delivered_at >= since)
            .order_by(c.delivered_at.desc())
            .limit(limit)
        )
        return [(queued, delivered) for queued, delivered in await self._session.execute(query)]

    async def count_open(self) -> dict[ExportStatus, int]:
        c = tables.exports.c
        rows = await self._session.execute(
            select(c.status, func.count()).where(c.status.in_(OPEN_STATUSES)).group_by(c.status)
        )
        counts = dict.fromkeys(OPEN_STATUSES, 0)
        counts.update({ExportStatus(status): count for status, count in rows.all()})
        return counts

    async def forget_finished_before(self, moment: datetime, limit: int) -> int:
        """One DELETE per finished status, so that each walks its own part of the (status,
        created_at) index in order: `status IN (…)` would have PostgreSQL sort every old export."""
        statement = finished_exports_deleted(dialect_of(self._session).name)
        forgotten = 0
        for status in (ExportStatus.DELIVERED, ExportStatus.SKIPPED):
            values = {"status": status, "moment": moment, "limit": limit - forgotten}
            with translated_errors():
                result = await self._session.execute(statement, values)
            forgotten += int(result.rowcount)  # type: ignore[attr-defined]
            if forgotten == limit:
                break
        return forgotten


@cache
def finished_exports_deleted(dialect: str) -> Delete:
    """The DELETE of the `:limit` exports of `:status` created first before `:moment`."""
    c = tables.exports.c
    found = (c.status == bindparam("status")) & (c.created_at < bindparam("moment"))
    return batch_deleted(dialect, tables.exports, c.id, found, c.created_at)
