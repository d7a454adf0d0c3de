"""What the repositories and the unit of work ask of their session: `AsyncSession` offers it, and so
does `BlockingSession` (sqlite_writer), which runs a synchronous session on the SQLite writer's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Connection, Engine, Executable, Result, ScalarResult
from sqlalchemy.orm import Session

T = TypeVar("T")
P = ParamSpec("P")


class RepositorySession(Protocol):
    async def execute(self, statement: Executable, params: Any = None) -> Result[*tuple[Any, ...]]: ...

    async def scalars(self, statement: Executable, params: Any = None) -> ScalarResult[Any]: ...

    async def scalar(self, statement: Executable, params: Any = None) -> Any: ...

    async def get(self, entity: type[T], ident: Any) -> T | None: ...

    def add(self, instance: object) -> None: ...

    async def flush(self) -> None: ...

    async def run_sync(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T: ...

    def get_bind(self) -> Engine | Connection: ...

    def expunge_all(self) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def close(self) -> None: ...
