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

from sqlalchemy import Dialect, Select, Table
from sqlalchemy.sql.dml import Insert

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
    def of(cls, statement: Insert, table: Table, columns: Sequence[str], dialect: Dialect) -> DriverWrite:
        """`statement` for rows of `columns`, in that order. When it inserts several rows at once (a
        multi-row VALUES), their values are bound as one flat row."""
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        order = tuple(compiled.positiontup or ())
        names = [_column_of(name, columns) for name in order]
        if names != list(columns) * max(1, len(order) // len(columns)):
            raise RuntimeError(f"{dialect.name} orders the statement's parameters otherwise: {order}")
        processors = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
        return cls(compiled.string, processors)

    async def execute(self, session: RepositorySession, rows: Sequence[Iterable[Any]]) -> list[Any]:
        """One row: one execution, and the rows it returns; several: the driver's executemany."""
        connection = await session.connection()
        with translated_errors():
            if len(rows) > 1:
                await connection.exec_driver_sql(self.sql, [_processed(self.processors, r) for r in rows])
                return []
            result = await connection.exec_driver_sql(self.sql, _processed(self.processors, rows[0]))
            return list(result) if result.returns_rows else []


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

    async def rows(self, session: RepositorySession, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        connection = await session.connection()
        parameters = _processed(self.bind, (values[name] for name in self.parameters))
        with translated_errors():
            result = await connection.exec_driver_sql(self.sql, parameters)
        return [_processed(self.result, row) for row in result]


def _column_of(parameter: str, columns: Sequence[str]) -> str:
    """The column a compiled parameter binds: `message_id`, or `message_id_m1` in a multi-row VALUES."""
    if parameter in columns:
        return parameter
    stem, _, row = parameter.rpartition("_m")
    if stem in columns and row.isdigit():
        return stem
    raise RuntimeError(f"parameter {parameter} binds none of {columns}")
