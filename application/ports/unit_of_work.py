"""One transaction per use case, over every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from application.ports.attempt_counts import AttemptCounts
from application.ports.attention import AttentionReads
from application.ports.delivery_reports import DeliveryReports
from application.ports.octopus import OctopusConnections, OctopusDossierLists
from application.ports.repositories import (
    BackfillRepository,
    ClientIntegrationRepository,
    ExportRepository,
    ExtensionRepository,
    Outbox,
    ReceivedMessages,
)


class UnitOfWork(Protocol):
    """Everything done through its repositories lands together at `commit`, or not at all.

    Leaving the block without committing rolls back. `commit` (and any write) raises `Conflict`
    when another transaction changed or added the same thing first, `NotStored` when the database
    refuses the write for any other reason (a foreign key, NOT NULL…), `Unavailable` when the
    database is down.
    """

    # Each unit of work sets these to its own repositories when it is made.
    extensions: ExtensionRepository
    integrations: ClientIntegrationRepository
    exports: ExportRepository
    messages: ReceivedMessages
    outbox: Outbox
    octopus: OctopusConnections
    dossier_lists: OctopusDossierLists
    attempt_counts: AttemptCounts
    attention: AttentionReads
    backfills: BackfillRepository
    delivery_reports: DeliveryReports

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork:
        """A fresh unit of work, for one use case call; nothing is open until its block begins."""
        ...
