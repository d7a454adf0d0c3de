"""Where a transaction runs: wherever the database wants it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from application.ports.unit_of_work import UnitOfWork

T = TypeVar("T")


class TransactionRunner(Protocol):
    async def run(self, body: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Runs `body` in a unit of work of its own and returns what it returns; the unit of work
        rolls back unless `body` commits. It may run elsewhere than the caller (a thread of the
        database's own), so `body` touches nothing but the unit of work and what it was given.
        Raises what `body` raises, and the unit of work's errors: `Conflict`, `NotStored`,
        `Unavailable`."""
        ...
