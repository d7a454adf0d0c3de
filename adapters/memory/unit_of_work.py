"""In-memory repositories and unit of work, for use-case tests. They keep the real ones' promises:
the same contract tests run against both (`tests/persistence/test_repository_contract.py`)."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Self

from application.errors import Conflict, NotStored
from application.ports.attempt_counts import AttemptKind
from application.ports.octopus import ConnectAttempt, OctopusTokens
from application.ports.repositories import ExportKey, ExportQuery, ExportsInContext, export_key
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.client_integration import ClientIntegration, NewClientIntegration
from domain.dossier import DossierList
from domain.export import Export, ExportStatus
from domain.extension import Extension


@dataclass
class MemoryStore:
    """What is committed; each unit of work works on copies and writes them back on commit."""

    extensions: dict[str, Extension] = field(default_factory=dict)
    integrations: dict[tuple[str, str], ClientIntegration] = field(default_factory=dict)
    exports: dict[str, Export] = field(default_factory=dict)
    messages: dict[str, datetime] = field(default_factory=dict)
    outbox: dict[str, datetime] = field(default_factory=dict)
    tokens: dict[str, OctopusTokens] = field(default_factory=dict)
    attempts: dict[str, ConnectAttempt] = field(default_factory=dict)
    dossier_lists: dict[str, DossierList] = field(default_factory=dict)
    attempt_counts: dict[AttemptKind, int] = field(default_factory=dict)
    commits: int = 0


class _Staged:
    """A unit of work's own copy of the store."""

    def __init__(self, store: MemoryStore) -> None:
        self.data = copy.deepcopy(store)


class InMemoryExtensionRepository:
    def __init__(self, staged: _Staged) -> None:
        self._items = staged.data.extensions

    async def get(self, partner_id: str) -> Extension | None:
        return self._items.get(partner_id)

    async def add(self, extension: Extension) -> None:
        if extension.partner_id in self._items:
            raise Conflict("this partner has an extension already")
        self._items[extension.partner_id] = extension

    async def list(self) -> Sequence[Extension]:
        return [self._items[k] for k in sorted(self._items)]

    async def get_many(self, partner_ids: Collection[str]) -> Mapping[str, Extension]:
        return {p: self._items[p] for p in partner_ids if p in self._items}


class InMemoryClientIntegrationRepository:
    def __init__(self, staged: _Staged) -> None:
        self._items = staged.data.integrations

    async def get(self, partner_id: str, client_id: str) -> ClientIntegration | None:
        return self._items.get((partner_id, client_id))

    async def add(self, integration: ClientIntegration) -> None:
        key = (integration.partner_id, integration.client_id)
        if key in self._items:
            raise Conflict("this client has an integration already")
        self._items[key] = integration

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
        return [v for k, v in sorted(self._items.items()) if partner_id is None or k[0] == partner_id]

    async def get_many(
        self, keys: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], ClientIntegration]:
        return {k: self._items[k] for k in keys if k in self._items}


class InMemoryExportRepository:
    def __init__(self, staged: _Staged) -> None:
        self._items = staged.data.exports
        self._extensions = staged.data.extensions
        self._integrations = staged.data.integrations

    async def get(self, export_id: str, partner_id: str | None = None) -> Export | None:
        export = self._items.get(export_id)
        if export is None or (partner_id is not None and export.partner_id != partner_id):
            return None
        return export

    async def get_many(self, export_ids: Collection[str]) -> Mapping[str, Export]:
        return {e: self._items[e] for e in export_ids if e in self._items}

    async def add(self, export: Export) -> None:
        """As the database's keys: an export id taken is `NotStored`; the export's key taken is a
        `Conflict` (the same document recorded first)."""
        if export.id in self._items:
            raise NotStored("an export with this id exists already")
        if any(export_key(e) == export_key(export) for e in self._items.values()):
            raise Conflict("this document has an export for this direction already")
        self._items[export.id] = export

    async def add_many(self, exports: Sequence[Export]) -> None:
        for export in exports:
            await self.add(copy.deepcopy(export))  # as they stand now: later changes are not kept

    async def find_many_in_context(self, keys: Collection[ExportKey]) -> ExportsInContext:
        extensions = {k[0]: self._extensions[k[0]] for k in keys if k[0] in self._extensions}
        integrations = {
            k[:2]: self._integrations[k[:2]]
            for k in keys
            if k[:2] in self._integrations and k[0] in extensions
        }
        wanted = {k for k in keys if k[:2] in integrations}
        exports = {key: e for e in self._items.values() if (key := export_key(e)) in wanted}
        return ExportsInContext(exports, extensions, integrations)

    async def update(self, export: Export) -> None:
        """Unlike the real ones, the fake does not notice a change made by another transaction since."""
        self._items[export.id] = export

    async def list(self, query: ExportQuery) -> Sequence[Export]:
        def wanted(e: Export) -> bool:
            return (
                (query.partner_id is None or e.partner_id == query.partner_id)
                and (query.client_id is None or e.client_id == query.client_id)
                and (query.status is None or e.status is query.status)
                and (query.created_from is None or e.created_at >= query.created_from)
                and (query.created_until is None or e.created_at < query.created_until)
                and (query.after is None or (e.created_at, e.id) < query.after)
            )

        found = sorted(filter(wanted, self._items.values()), key=lambda e: (e.created_at, e.id), reverse=True)
        return found[: query.limit]

    async def delivery_times(self, since: datetime, limit: int) -> Sequence[tuple[datetime, datetime]]:
        delivered = [
            (e.created_at, e.delivered_at)
            for e in self._items.values()
            if e.status is ExportStatus.DELIVERED and e.delivered_at is not None and e.delivered_at >= since
        ]
        return sorted(delivered, key=lambda times: times[1], reverse=True)[:limit]

    async def count_by_status(self) -> dict[ExportStatus, int]:
        counts = dict.fromkeys(ExportStatus, 0)
        for export in self._items.values():
            counts[export.status] += 1
        return counts


class InMemoryReceivedMessages:
    def __init__(self, staged: _Staged) -> None:
        self._items = staged.data.messages

    async def record(self, message_ids: Collection[str], received_at: datetime) -> set[str]:
        new = set(message_ids) - self._items.keys()
        self._items.update(dict.fromkeys(new, received_at))
        return new

    async def forget_received_before(self, moment: datetime, limit: int) -> int:
        old = sorted((at, m) for m, at in self._items.items() if at < moment)[:limit]
        for _, message_id in old:
            del self._items[message_id]
        return len(old)


class InMemoryOutbox:
    def __init__(self, staged: _Staged) -> None:
        self._items = staged.data.outbox
        self._exports = staged.data.exports

    async def put(self, export_id: str, available_at: datetime) -> None:
        await self.put_many([export_id], available_at)

    async def put_many(self, export_ids: Sequence[str], available_at: datetime) -> None:
        """As the database's foreign key: a row for an export that does not exist is `NotStored`."""
        if missing := [e for e in export_ids if e not in self._exports]:
            raise NotStored(f"the outbox names exports that do not exist: {missing}")
        self._items.update(dict.fromkeys(export_ids, available_at))

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> Sequence[str]:
        due = sorted((at, export_id) for export_id, at in self._items.items() if at <= now)[:limit]
        for _, export_id in due:
            self._items[export_id] = lease_until
        return [export_id for _, export_id in due]

    async def reschedule(self, export_id: str, available_at: datetime) -> None:
        if export_id in self._items:
            self._items[export_id] = available_at

    async def remove(self, export_id: str) -> None:
        self._items.pop(export_id, None)

    async def depth(self) -> int:
        return len(self._items)


class InMemoryOctopusConnections:
    def __init__(self, staged: _Staged) -> None:
        self._tokens = staged.data.tokens
        self._attempts = staged.data.attempts

    async def tokens(self, partner_id: str) -> OctopusTokens | None:
        return self._tokens.get(partner_id)

    async def save_tokens(self, partner_id: str, tokens: OctopusTokens) -> None:
        self._tokens[partner_id] = tokens

    async def forget(self, partner_id: str) -> None:
        self._tokens.pop(partner_id, None)
        for state in [s for s, a in self._attempts.items() if a.partner_id == partner_id]:
            del self._attempts[state]

    async def begin(self, attempt: ConnectAttempt) -> None:
        self._attempts[attempt.state] = attempt

    async def take(self, state: str) -> ConnectAttempt | None:
        return self._attempts.pop(state, None)


class InMemoryOctopusDossierLists:
    def __init__(self, staged: _Staged) -> None:
        self._items = staged.data.dossier_lists

    async def lock(self, partner_id: str) -> DossierList:
        return copy.deepcopy(self._items.get(partner_id, DossierList(partner_id)))

    async def save(self, dossier_list: DossierList) -> None:
        self._items[dossier_list.partner_id] = copy.deepcopy(dossier_list)

    async def forget(self, partner_id: str) -> None:
        self._items.pop(partner_id, None)


class InMemoryAttemptCounts:
    def __init__(self, staged: _Staged) -> None:
        self._totals = staged.data.attempt_counts

    async def add(self, counts: Mapping[AttemptKind, int]) -> None:
        for kind, count in counts.items():
            if count:
                self._totals[kind] = self._totals.get(kind, 0) + count

    async def totals(self) -> dict[AttemptKind, int]:
        return dict(self._totals)


class InMemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._open()
        return self

    def _open(self) -> None:
        self._staged = _Staged(self._store)
        self._received_before = set(self._store.messages)
        self.extensions = InMemoryExtensionRepository(self._staged)
        self.integrations = InMemoryClientIntegrationRepository(self._staged)
        self.exports = InMemoryExportRepository(self._staged)
        self.messages = InMemoryReceivedMessages(self._staged)
        self.outbox = InMemoryOutbox(self._staged)
        self.octopus = InMemoryOctopusConnections(self._staged)
        self.dossier_lists = InMemoryOctopusDossierLists(self._staged)
        self.attempt_counts = InMemoryAttemptCounts(self._staged)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        del self._staged

    async def commit(self) -> None:
        staged = self._staged.data
        store = self._store
        if (staged.messages.keys() - self._received_before) & store.messages.keys():
            raise Conflict("another transaction received this message first")
        keys = {export_key(e): e.id for e in store.exports.values()}
        for export in staged.exports.values():
            if keys.get(export_key(export), export.id) != export.id:
                raise Conflict("another transaction exported this document first")
        staged.commits = store.commits + 1
        for name in (
            "extensions",
            "integrations",
            "exports",
            "messages",
            "outbox",
            "tokens",
            "attempts",
            "dossier_lists",
            "attempt_counts",
            "commits",
        ):
            setattr(store, name, copy.deepcopy(getattr(staged, name)))
        self._received_before = set(store.messages)


class InMemoryUnitOfWorkFactory(UnitOfWorkFactory):
    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store or MemoryStore()

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)
