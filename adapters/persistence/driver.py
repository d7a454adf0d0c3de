"""Statements compiled once per dialect and handed to the database driver with plain values.

Intake runs a few small statements per batch of messages, and SQLAlchemy's work for each execution
(the session's, the compiled statement's parameters and results, one processor call per value
through its type machinery) cost more than SQLite's own (docs/decisions/0003). `DriverWrite` and
`DriverRead` do that work once: the SQL text in the driver's parameter style, and the columns' own
bind and result processors, so values are stored and read exactly as a Core statement would."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, Dialect, Insert, Select
from sqlalchemy.orm import Session

from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession

Processor = Callable[[Any], Any] | None


def _processed(processors: tuple[Processor, ...], values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value if p is None else p(value) for p, value in zip(processors, values, strict=True))


@dataclass(frozen=True, slots=True)
class DriverWrite:
    sql: str
    processors: tuple[Processor, ...]  # one per value of a row, in the row's order

    @classmethod
    def of(cls, statement: Insert, parameters: Sequence[str], dialect: Dialect) -> DriverWrite:
        """`statement` for rows of values of the columns `parameters`, in that order. When it inserts
        several rows at once (a multi-row VALUES), their values are bound as one flat row."""
        columns = [name for name in parameters if name in statement.table.c]
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        order = tuple(compiled.positiontup or ())
        names = [_parameter_of(name, parameters) for name in order]
        if names != list(parameters) * max(1, len(order) // len(parameters)):
            raise RuntimeError(f"{dialect.name} orders the statement's parameters otherwise: {order}")
        processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
        )
        return cls(compiled.string, processors)

    async def one(self, session: RepositorySession, row: Iterable[Any]) -> CursorResult[*tuple[Any, ...]]:
        """One execution: its rows, or its count of rows changed."""
        with translated_errors():
            return await session.run_sync(_executed, self.sql, _processed(self.processors, row))

    async def many(
        self, session: RepositorySession, rows: Sequence[Iterable[Any]], *, stored: bool = False
    ) -> None:
        """The driver's executemany. `stored`: the caller made the values what is stored already
        (a history shared by many rows, encoded once), so the processors are skipped."""
        parameters = rows if stored else [_processed(self.processors, row) for row in rows]
        with translated_errors():
            await session.run_sync(_executed, self.sql, parameters)


@dataclass(frozen=True, slots=True)
class DriverRead:
    sql: str
    parameters: tuple[str, ...]  # the bound parameters' names, in the driver's order
    bind: tuple[Processor, ...]  # one per parameter
    result: tuple[Processor, ...]  # one per selected column

    @classmethod
    def of(cls, statement: Select[Any], dialect: Dialect) -> DriverRead:
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        return cls(
            compiled.string,
            names,
            tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names),
            tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, None)
                for c in statement.selected_columns
            ),
        )

    def parameters_of(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The driver's parameters, in its order, for `values` by name."""
        return _processed(self.bind, (values[name] for name in self.parameters))

    def result_of(self, row: Iterable[Any]) -> tuple[Any, ...]:
        """A row the driver returned, as the selected columns' types read it."""
        return _processed(self.result, row)

    async def rows(self, session: RepositorySession, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        with translated_errors():
            result = await session.run_sync(_executed, self.sql, self.parameters_of(values))
        return [self.result_of(row) for row in result]


def _executed(session: Session, sql: str, parameters: Any) -> CursorResult[*tuple[Any, ...]]:
    """In one call on the session's side: through `AsyncSession.run_sync`, one hop to its greenlet
    where asking for the connection, then executing, would take two."""
    return session.connection().exec_driver_sql(sql, parameters)


def _parameter_of(compiled: str, parameters: Sequence[str]) -> str:
    """Which of `parameters` a compiled one is: `message_id`, or `message_id_m1` in a multi-row VALUES."""
    if compiled in parameters:
        return compiled
    stem, _, row = compiled.rpartition("_m")
    if stem in parameters and row.isdigit():
        return stem
    raise RuntimeError(f"parameter {compiled} is none of {parameters}")
