"""One transaction per use case, over every repository."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from application.ports.attempt_counts import AttemptCounts
from application.ports.octopus import OctopusConnections, OctopusDossierLists
from application.ports.repositories import (
    ClientIntegrationRepository,
    ExportRepository,
    ExtensionRepository,
    Outbox,
    ReceivedMessages,
)
from domain.export import Export, ExportStatus


class UnitOfWork(Protocol):
    """Everything done through its repositories lands together at `commit`, or not at all.

    Leaving the block without committing rolls back. `commit` (and any write) raises `Conflict`
    when another transaction changed or added the same thing first, `NotStored` when the database
    refuses the write for any other reason (a foreign key, NOT NULL…), `Unavailable` when the
    database is down.
    """

    # Read-only, so that a unit of work may name its own repository classes.
    @property
    def extensions(self) -> ExtensionRepository: ...
    @property
    def integrations(self) -> ClientIntegrationRepository: ...
    @property
    def exports(self) -> ExportRepository: ...
    @property
    def messages(self) -> ReceivedMessages: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def octopus(self) -> OctopusConnections: ...
    @property
    def dossier_lists(self) -> OctopusDossierLists: ...
    @property
    def attempt_counts(self) -> AttemptCounts: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


T = TypeVar("T")


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...

    async def run(self, body: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Runs `body` in a unit of work wherever the database wants it, and returns what it returns.
        Here by default; a database may run it elsewhere (a thread of its own), so `body` should
        touch nothing but the unit of work and what it was given."""
        async with self() as uow:
            return await body(uow)

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Export]:
        """Leases up to `limit` exports due at `now` to this worker until `lease_until`, and reads
        them; outbox rows of exports no longer queued are dropped. Through a unit of work by default;
        a database may lease and read in one statement."""
        claimed = []
        async with self() as uow:
            leased = await uow.outbox.claim(now, lease_until, limit)
            exports = await uow.exports.get_many(leased)
            for export_id in leased:
                export = exports.get(export_id)
                if export is None or export.status is not ExportStatus.QUEUED:
                    await uow.outbox.remove(export_id)
                else:
                    claimed.append(export)
            await uow.commit()
        return claimed

    async def record_attempt(self, export: Export, due_again: datetime | None) -> None:
        """In a transaction of its own: `export` as its last attempt left it, taken off the outbox, or
        due again at `due_again`. Raises `Conflict`, having written nothing, when the export changed
        since it was read. Through a unit of work by default; a database may do it in one statement."""
        async with self() as uow:
            await take_off_or_put_back(uow.outbox, export.id, due_again)
            await uow.exports.update(export)
            await uow.commit()


async def take_off_or_put_back(outbox: Outbox, export_id: str, due_again: datetime | None) -> None:
    """The export's outbox row after an attempt: gone when the export is settled, else due again."""
    if due_again is None:
        await outbox.remove(export_id)
    else:
        await outbox.reschedule(export_id, due_again)
