"""Where the application keeps its entities. Repositories never commit; the unit of work does."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.backfill import Backfill
from domain.client_integration import ClientIntegration, NewClientIntegration
from domain.export import Export, ExportOrigin, ExportStatus
from domain.extension import Extension

# The statuses an export leaves (a worker delivers it, a person retries it): few at any time, so
# counted on every refresh of the figures, unlike delivered and skipped, which only grow.
OPEN_STATUSES = (ExportStatus.QUEUED, ExportStatus.FAILED)


class ExtensionRepository(Protocol):
    """Extensions by partner id; uninstalled ones stay, for the audit trail."""

    async def get(self, partner_id: str) -> Extension | None: ...

    async def add(self, extension: Extension) -> None: ...

    async def list(self) -> Sequence[Extension]: ...

    async def get_many(self, partner_ids: Collection[str]) -> Mapping[str, Extension]:
        """The extensions of those partners that have one, in one round trip."""
        ...


class ClientIntegrationRepository(Protocol):
    """Client integrations by (partner id, client id)."""

    async def get(self, partner_id: str, client_id: str) -> ClientIntegration | None: ...

    async def add(self, integration: ClientIntegration) -> None: ...

    async def add_many(self, integrations: Sequence[NewClientIntegration]) -> None:
        """Adds new integrations as they stand now, in one round trip; unlike `add`, later changes to
        these values are not kept. `Conflict` when one of them exists already."""
        ...

    async def list(self, partner_id: str | None = None) -> Sequence[ClientIntegration]: ...

    async def get_many(
        self, keys: Collection[tuple[str, str]]
    ) -> Mapping[tuple[str, str], ClientIntegration]:
        """The integrations among those (partner id, client id) keys that exist, in one round trip."""
        ...


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """Which exports to list, newest first; `partner_id` None only for operators."""

    partner_id: str | None = None
    client_id: str | None = None
    status: ExportStatus | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None
    limit: int = 50
    after: tuple[datetime, str] | None = None  # (created_at, id) of the last export of the previous page


ExportKey = tuple[str, str, str, str]
"""(partner id, client id, document id, direction): what makes an export unique (R11)."""


def export_key(export: Export) -> ExportKey:
    return (export.partner_id, export.client_id, export.document_id, str(export.direction))


@dataclass(frozen=True, slots=True)
class ExportsInContext:
    """Exports found by key, with the extensions of their partners and the integrations of their
    clients (those that exist)."""

    exports: Mapping[ExportKey, Export]
    extensions: Mapping[str, Extension]
    integrations: Mapping[tuple[str, str], ClientIntegration]


class ExportRepository(Protocol):
    """Exports, at most one per (partner, client, document, direction).

    `add` raises `Conflict` when that key exists already, even when another process added it
    in a transaction that has not committed yet (R11); `NotStored` when the export's id is taken.
    """

    async def get(self, export_id: str, partner_id: str | None = None) -> Export | None: ...

    async def get_many(self, export_ids: Collection[str]) -> Mapping[str, Export]:
        """The exports among `export_ids` that exist, in one round trip."""
        ...

    async def add(self, export: Export) -> None: ...

    async def add_many(self, exports: Sequence[Export]) -> None:
        """Adds new exports as they stand now, in one round trip; unlike `add`, later changes to these
        objects are not kept. `Conflict` when one of their keys is taken already."""
        ...

    async def find_many_in_context(self, keys: Collection[ExportKey]) -> ExportsInContext:
        """The exports among those keys, with what `ExportPolicy` needs to judge them, in one round
        trip. Exports are looked for through their client's integration: every export has one
        (an export is made only for an integrated client, and integrations are never deleted)."""
        ...

    async def update(self, export: Export) -> None:
        """Writes an export read by an earlier unit of work as it stands now, without reading it
        again; `Conflict` when another transaction changed it after it was read (this unit of work
        then must not commit)."""
        ...

    async def list(self, query: ExportQuery) -> Sequence[Export]: ...

    async def list_open_of_client(self, partner_id: str, client_id: str) -> Sequence[Export]:
        """The client's queued and failed exports, held or not, oldest first: what a refused mailbox
        holds and a new address releases (CONTRACTS §8); few, and read through an index."""
        ...

    async def count_open(self) -> dict[ExportStatus, int]:
        """How many exports are queued and how many failed, by status (both always present): the
        statuses an export leaves, so their counts stay small and an index keeps this cheap at any
        size of the table. Delivered and skipped exports, which only grow, are not counted here."""
        ...

    async def delivery_times(self, since: datetime, limit: int) -> Sequence[tuple[datetime, datetime]]:
        """(queued at, delivered at) of up to `limit` exports delivered since `since`, latest first;
        read through an index on the delivery time, so its cost follows `limit`, not the table."""
        ...

    async def forget_finished_before(self, moment: datetime, limit: int) -> int:
        """Deletes up to `limit` of the delivered and skipped exports created before `moment`, with
        their attempts; returns how many. Queued and failed exports are kept, however old."""
        ...


@dataclass(frozen=True, slots=True)
class ForgottenIds:
    """How many message ids a batch forgot, and when the latest of them was received (None if none)."""

    count: int
    last_received_at: datetime | None


class ReceivedMessages(Protocol):
    """The ids of Banqup messages already handled (R11)."""

    async def record(self, message_ids: Collection[str], received_at: datetime) -> set[str]:
        """Records those of `message_ids` not recorded yet (committed or in this transaction), in one
        round trip, and returns them. An id that another transaction records at the same moment is
        either left out once that one has committed, or makes `commit` raise `Conflict`."""
        ...

    async def forget_received_before(
        self, moment: datetime, limit: int, since: datetime | None = None
    ) -> ForgottenIds:
        """Forgets up to `limit` of the ids received before `moment`, the oldest first, and none
        received before `since` (where the batch before this one ended, so that a batch does not
        walk past what earlier ones deleted and vacuum has not cleared yet)."""
        ...


class BackfillRepository(Protocol):
    """Backfills (CONTRACTS §9), at most one running per client: `add` of a second one makes the
    commit raise `Conflict`, even when another transaction added the first and has not committed yet."""

    async def get(self, partner_id: str, client_id: str, backfill_id: str) -> Backfill | None:
        """The backfill of that client of that partner; another's is not found."""
        ...

    async def add(self, backfill: Backfill) -> None: ...

    async def list_running(self) -> Sequence[Backfill]:
        """Every running backfill, the longest running first: few, one per client at most."""
        ...

    async def latest(self, partner_id: str, client_id: str) -> Backfill | None:
        """The client's backfill asked for last, running or ended; None when it has none."""
        ...

    async def update(self, backfill: Backfill) -> None:
        """Writes a backfill read by an earlier unit of work as it stands now, without reading it
        again; `Conflict` when another transaction changed it after it was read (this unit of work
        then must not commit)."""
        ...


def lane_of(origin: ExportOrigin) -> int:
    """The outbox lane of an export of `origin`: backfills' exports go behind the documents' own."""
    return 1 if origin is ExportOrigin.BACKFILL else 0


class Outbox(Protocol):
    """Exports waiting to be delivered, written in the transaction that queued them. A held export
    (CONTRACTS §8) has no row: it is not attempted until it is released.

    `claim` leases due items to one worker: items leased and not yet expired are never handed to
    another worker, so several workers never take the same export; a lease that expires (its
    worker died) makes the item due again.
    """

    async def put(self, export_id: str, available_at: datetime) -> None: ...

    async def put_many(
        self, export_ids: Sequence[str], available_at: datetime, origin: ExportOrigin = ExportOrigin.EVENT
    ) -> None:
        """`put` for several exports of one origin, in one round trip; `NotStored` when one of them
        does not exist. A backfill's exports are claimed only when no document's own export is due."""
        ...

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> Sequence[str]:
        """The ids of up to `limit` items due at `now`, the documents' own before backfills', those due
        longest chosen first, in no particular order; each is leased until `lease_until`."""
        ...

    async def reschedule(self, export_id: str, available_at: datetime) -> None: ...

    async def remove(self, export_id: str) -> None: ...

    async def depth(self) -> int: ...
