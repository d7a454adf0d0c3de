"""One transaction per use case, over every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from application.ports.octopus import OctopusConnections, OctopusDossierLists
from application.ports.repositories import (
    ClientIntegrationRepository,
    ExportRepository,
    ExtensionRepository,
    Outbox,
    ReceivedMessages,
)


class UnitOfWork(Protocol):
    """Everything done through its repositories lands together at `commit`, or not at all.

    Leaving the block without committing rolls back. `commit` raises `Conflict` when another
    transaction changed or added the same thing first, `Unavailable` when the database is down.
    """

    extensions: ExtensionRepository
    integrations: ClientIntegrationRepository
    exports: ExportRepository
    messages: ReceivedMessages
    outbox: Outbox
    octopus: OctopusConnections
    dossier_lists: OctopusDossierLists

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
