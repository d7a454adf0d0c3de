"""What the fakes have committed, and a unit of work's changes to it, kept as the databases keep them:
each unit of work reads its own writes and nobody else's until it commits, and a change to an entity
lands only if nobody changed the entity since it was read (`Conflict`)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, NamedTuple, Protocol, TypeVar

from application.errors import Conflict
from application.ports.attempt_counts import AttemptKind
from application.ports.octopus import ConnectAttempt, OctopusTokens
from domain.backfill import Backfill
from domain.client_integration import ClientIntegration
from domain.dossier import DossierList
from domain.export import Export
from domain.extension import Extension

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
E = TypeVar("E")

# Where an entity carries the version it was read at, as the ORM's mapper keeps its own counter on
# the instance: an entity read in one unit of work and updated in another is checked against it.
_VERSION = "_memory_version"


class OutboxRow(NamedTuple):
    """An outbox row: its lane first, so rows sort as a claim takes them (lane 0 before lane 1)."""

    lane: int
    available_at: datetime


@dataclass
class MemoryStore:
    """What is committed."""

    extensions: dict[str, Extension] = field(default_factory=dict)
    integrations: dict[tuple[str, str], ClientIntegration] = field(default_factory=dict)
    exports: dict[str, Export] = field(default_factory=dict)
    messages: dict[str, datetime] = field(default_factory=dict)
    outbox: dict[str, OutboxRow] = field(default_factory=dict)
    tokens: dict[str, OctopusTokens] = field(default_factory=dict)
    attempts: dict[str, ConnectAttempt] = field(default_factory=dict)
    dossier_lists: dict[str, DossierList] = field(default_factory=dict)
    attempt_counts: dict[AttemptKind, int] = field(default_factory=dict)
    backfills: dict[str, Backfill] = field(default_factory=dict)
    # (export id, action, status, recipient): when the report was received
    delivery_reports: dict[tuple[str, str, str, str], datetime] = field(default_factory=dict)
    commits: int = 0


class Pending(Protocol):
    """A unit of work's changes to one part of the store."""

    def check(self) -> None:
        """Raises `Conflict` when another transaction committed something that these changes clash with."""

    def write(self) -> None:
        """Lands the changes in the store; called only once every part of the unit of work is checked."""


class Staged(Generic[K, V]):
    """A unit of work's writes to one table of values over what is committed. With `unique`, a key
    written that was not there when read is an insert, a `Conflict` if another transaction inserted
    it first."""

    def __init__(self, committed: dict[K, V], *, unique: bool = False) -> None:
        self._committed = committed
        self._written: dict[K, V | None] = {}  # None: removed
        self._inserted: set[K] = set()
        self._unique = unique

    def get(self, key: K) -> V | None:
        return self._written[key] if key in self._written else self._committed.get(key)

    def __contains__(self, key: K) -> bool:
        return self.get(key) is not None

    def items(self) -> Iterator[tuple[K, V]]:
        for key in self._committed.keys() | self._written.keys():
            if (value := self.get(key)) is not None:
                yield key, value

    def put(self, key: K, value: V) -> None:
        if key not in self:
            self._inserted.add(key)
        self._written[key] = value

    def remove(self, key: K) -> None:
        self._written[key] = None

    def check(self) -> None:
        if self._unique and self._inserted & self._committed.keys():
            raise Conflict("another transaction wrote the same key first")

    def write(self) -> None:
        for key, value in self._written.items():
            if value is None:
                self._committed.pop(key, None)
            else:
                self._committed[key] = value
        self._written.clear()
        self._inserted.clear()


def version_of(entity: object) -> int:
    """The version `entity` was read (or last written) at; 0 for one the store never saw."""
    version: int = vars(entity).get(_VERSION, 0)
    return version


def _set_version(entity: object, version: int) -> None:
    vars(entity)[_VERSION] = version


def write_back(committed: dict[K, E], key: K, entity: E) -> None:
    """`entity` committed under `key` at its next version, which it carries from now on."""
    _set_version(entity, version_of(entity) + 1)
    committed[key] = copy.deepcopy(entity)


class Entities(Generic[K, E]):
    """A unit of work's view of a table of versioned entities, as the ORM's session keeps one: each
    read hands out a copy of its own, the same one for the same key; at commit, those changed since
    read, added or updated are written back, each only if its version is still the one it was read
    at (else `Conflict`), and their version moves on. `unique` is a second key of theirs, which
    another transaction may have taken first (`Conflict`)."""

    def __init__(self, committed: dict[K, E], unique: Callable[[E], Hashable] | None = None) -> None:
        self._committed = committed
        self._unique = unique
        self._read: dict[K, tuple[E, E | None]] = {}  # the copy handed out, and as it was read
        self._added: dict[K, E] = {}
        self._removed: set[K] = set()

    def get(self, key: K) -> E | None:
        if key in self._removed:
            return None
        if key in self._added:
            return self._added[key]
        if key in self._read:
            return self._read[key][0]
        stored = self._committed.get(key)
        if stored is None:
            return None
        entity = copy.deepcopy(stored)
        self._read[key] = (entity, copy.deepcopy(stored))
        return entity

    def peek(self, key: K) -> E | None:
        """A copy, as this unit of work sees it, whose changes are not kept."""
        if key in self._removed:
            return None
        if key in self._added:
            return copy.deepcopy(self._added[key])
        return copy.deepcopy(self._read[key][0] if key in self._read else self._committed.get(key))

    def __contains__(self, key: K) -> bool:
        return key in self.keys()

    def __iter__(self) -> Iterator[K]:
        return iter(self.keys())

    def keys(self) -> set[K]:
        return (self._committed.keys() | self._added.keys()) - self._removed

    def values(self) -> Iterator[E]:
        for key in self.keys():
            if (entity := self.get(key)) is not None:
                yield entity

    def add(self, key: K, entity: E) -> None:
        _set_version(entity, 0)
        self._added[key] = entity

    def update(self, key: K, entity: E) -> None:
        """`entity` written at commit, whether read here or elsewhere; `Conflict` at once if it changed
        since it was read."""
        self._check(key, entity)
        self._read[key] = (entity, None)

    def remove(self, key: K) -> None:
        """`key`'s entity deleted at commit, whatever another transaction did to it meanwhile."""
        self._added.pop(key, None)
        self._read.pop(key, None)
        self._removed.add(key)

    def check(self) -> None:
        for key in self._added:
            if key in self._committed:
                raise Conflict("another transaction added the same thing first")
        if self._unique is not None and self._added:
            taken = {self._unique(e): k for k, e in self._committed.items()}
            if any(taken.get(self._unique(e), k) != k for k, e in self._added.items()):
                raise Conflict("another transaction added the same thing first")
        for key, entity in self._changed():
            self._check(key, entity)

    def write(self) -> None:
        """Written, the entities stay in the unit of work, as committed."""
        for key, entity in [*self._added.items(), *self._changed()]:
            write_back(self._committed, key, entity)
            self._read[key] = (entity, copy.deepcopy(entity))
        for key in self._removed:
            self._committed.pop(key, None)
        self._added.clear()
        self._removed.clear()

    def _changed(self) -> list[tuple[K, E]]:
        return [(key, entity) for key, (entity, read) in self._read.items() if entity != read]

    def _check(self, key: K, entity: E) -> None:
        stored = self._committed.get(key)
        if stored is None or version_of(stored) != version_of(entity):
            raise Conflict("another transaction changed it since it was read")
