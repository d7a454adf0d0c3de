"""The common way to run a transaction: here, in a unit of work of any factory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from application.ports.transaction_runner import TransactionRunner
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")


class UnitOfWorkRunner(TransactionRunner):
    """Runs each body on the caller's event loop, in a unit of work of `units`."""

    def __init__(self, units: UnitOfWorkFactory) -> None:
        self._units = units

    async def run(self, body: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        async with self._units() as uow:
            return await body(uow)
