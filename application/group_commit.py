"""Group commit: callers who arrive together share one transaction, each answered as if alone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from application.errors import Conflict, Unavailable

Item = TypeVar("Item")
Result = TypeVar("Result")

Write = Callable[[Sequence[Item]], Awaitable[Sequence[Result]]]


class GroupCommit(Generic[Item, Result]):
    """Items that arrive while a batch is being written wait, and go together into the next one
    (up to `limit`), through `write`: one transaction for the batch, returning one result per item
    in order. Nobody waits for company: an item that finds no batch in progress starts one at once.
    Each caller is answered only once the batch holding its item has committed; a caller that gave
    up before its batch began is left out. One instance per process, so that its callers share the
    batches.

    A batch that fails for one item's sake goes again item by item, so that one item's failure is no
    other's. Alone, an item whose transaction lost to another (`Conflict`) is written once more,
    against what the other committed. A database that cannot be reached (`Unavailable`) fails the
    whole batch at once, with no retry."""

    def __init__(self, write: Write[Item, Result], *, limit: int = 100) -> None:
        self._write = write
        self._limit = limit
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    def __call__(self, item: Item) -> asyncio.Future[Result]:
        """`item`'s result, once written, or what writing it raised. A future rather than a coroutine,
        so that the caller awaits it without a frame in between; cancelling it gives up."""
        answer: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answer))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_while_waited_for())
        return answer

    async def _write_while_waited_for(self) -> None:
        """Writes batches until nobody waits."""
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while self._waiting:
                batch = [entry for entry in self._waiting[: self._limit] if not entry[1].done()]
                del self._waiting[: self._limit]
                results = await self._written([item for item, _ in batch])
                for (_, answer), result in zip(batch, results, strict=True):
                    if answer.done():
                        continue
                    if isinstance(result, Exception):
                        answer.set_exception(result)
                    else:
                        answer.set_result(result)
        finally:
            self._writer = None
            for _, answer in batch + self._waiting:  # only when cancelled: the loop is closing
                answer.cancel()
            self._waiting.clear()

    async def _written(
        self, items: Sequence[Item], *, written_before: bool = False
    ) -> list[Result | Exception]:
        try:
            return list(await self._write(items))
        except Unavailable as exc:
            return [exc] * len(items)
        except Exception as exc:
            if len(items) > 1:
                return [(await self._written([item]))[0] for item in items]
            if isinstance(exc, Conflict) and not written_before:
                return await self._written(items, written_before=True)
            return [exc]
