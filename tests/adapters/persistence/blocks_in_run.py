"""The contract suite's `async with units() as uow:` blocks, each run through a `TransactionRunner`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, cast

from application.ports.transaction_runner import TransactionRunner
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class BlocksInRun(UnitOfWorkFactory):
    """Each `async with` block is one `transactions.run(body)`: the body hands its unit of work to the
    block and waits until the block ends, then ends the same way (returning, or raising what the
    block raised). The block's calls on the unit of work and its repositories are made where `run`
    put the body: on the SQLite writer's thread, the unit of work opens, commits, rolls back and
    translates errors there, as it does for the use cases."""

    def __init__(self, transactions: TransactionRunner) -> None:
        self._transactions = transactions

    def __call__(self) -> UnitOfWork:
        return cast(UnitOfWork, _Block(self._transactions))


class _Block:
    def __init__(self, transactions: TransactionRunner) -> None:
        self._transactions = transactions

    async def __aenter__(self) -> _There:
        here = asyncio.get_running_loop()
        handed: asyncio.Future[tuple[UnitOfWork, asyncio.AbstractEventLoop, asyncio.Future[None]]]
        handed = here.create_future()

        async def body(uow: UnitOfWork) -> None:
            there = asyncio.get_running_loop()
            ended = there.create_future()
            here.call_soon_threadsafe(handed.set_result, (uow, there, ended))
            await ended

        self._run = asyncio.ensure_future(self._transactions.run(body))
        await asyncio.wait([handed, self._run], return_when=asyncio.FIRST_COMPLETED)
        if not handed.done():
            await self._run  # it failed before the body began: raise why
        uow, self._there, self._ended = handed.result()
        return _There(uow, self._there)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if exc is None:
            self._there.call_soon_threadsafe(self._ended.set_result, None)
        else:
            self._there.call_soon_threadsafe(self._ended.set_exception, exc)
        try:
            await self._run
        except BaseException as raised:
            if raised is not exc:  # translated by the unit of work
                raise
        return False


class _There:
    """An object of the body's thread: its attributes wrapped likewise, its methods called there."""

    def __init__(self, target: object, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._target, name)
        if not callable(found):
            return _There(found, self._loop)
        method = cast(Callable[..., Coroutine[Any, Any, Any]], found)

        async def called_there(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(method(*args, **kwargs), self._loop)
            )

        return called_there
