"""The fake unit of work, over the fake repositories: it keeps the real ones' promises, and the same
contract suite runs against both (`tests/adapters/persistence/test_repository_contract.py`)."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from adapters.memory.attempt_counts import InMemoryAttemptCounts
from adapters.memory.attention import InMemoryAttentionReads
from adapters.memory.backfills import InMemoryBackfillRepository, running_key
from adapters.memory.client_integrations import InMemoryClientIntegrationRepository
from adapters.memory.delivery_reports import InMemoryDeliveryReports
from adapters.memory.dossier_lists import InMemoryOctopusDossierLists
from adapters.memory.exports import InMemoryExportRepository
from adapters.memory.extensions import InMemoryExtensionRepository
from adapters.memory.octopus_connections import InMemoryOctopusConnections
from adapters.memory.outbox import InMemoryOutbox
from adapters.memory.received_messages import InMemoryReceivedMessages
from adapters.memory.store import Entities, MemoryStore, Pending, Staged
from application.ports.repositories import export_key
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class InMemoryUnitOfWork(UnitOfWork):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        store = self._store
        extensions = Entities(store.extensions)
        integrations = Entities(store.integrations)
        exports = Entities(store.exports, unique=export_key)
        messages = Staged(store.messages, unique=True)
        outbox = Staged(store.outbox)
        tokens = Staged(store.tokens)
        attempts = Staged(store.attempts)
        dossier_lists = Staged(store.dossier_lists)
        backfills = Entities(store.backfills, unique=running_key)
        reports = Staged(store.delivery_reports, unique=True)
        self.extensions = InMemoryExtensionRepository(extensions)
        self.integrations = InMemoryClientIntegrationRepository(integrations)
        self.exports = InMemoryExportRepository(exports, extensions, integrations)
        self.messages = InMemoryReceivedMessages(messages)
        self.outbox = InMemoryOutbox(outbox, exports)
        self.octopus = InMemoryOctopusConnections(tokens, attempts)
        self.dossier_lists = InMemoryOctopusDossierLists(dossier_lists)
        self.attempt_counts = InMemoryAttemptCounts(store.attempt_counts)
        self.attention = InMemoryAttentionReads(extensions, integrations, exports, dossier_lists)
        self.backfills = InMemoryBackfillRepository(backfills)
        self.delivery_reports = InMemoryDeliveryReports(reports, exports)
        self._pending: tuple[Pending, ...] = (
            extensions,
            integrations,
            exports,
            messages,
            outbox,
            tokens,
            attempts,
            dossier_lists,
            reports,
            self.attempt_counts,
            backfills,
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._pending = ()

    async def commit(self) -> None:
        """Everything checked first, then everything written: all of it lands, or none."""
        for part in self._pending:
            part.check()
        for part in self._pending:
            part.write()
        self._store.commits += 1


class InMemoryUnitOfWorkFactory(UnitOfWorkFactory):
    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store or MemoryStore()

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)
