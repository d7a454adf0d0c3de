"""DELETE statements of a bounded batch of rows whose cost does not grow with the table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Integer,
    String,
    Table,
    any_,
    bindparam,
    delete,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql


def batch_deleted(
    dialect: str,
    table: Table,
    key: ColumnElement[str],
    found: ColumnElement[bool],
    *order: ColumnElement[Any],
) -> Delete:
    """The DELETE of at most `:limit` rows of `table` meeting `found` (first in `order`, if given).

    `key IN (SELECT … LIMIT)` lets PostgreSQL's planner pick a hash semi join that scans the whole
    table for every batch: quadratic over a backlog. Here the subquery is an ARRAY computed once (an
    InitPlan that reads at most `:limit` entries of the index behind `found` and `order`), whose rows
    are then found by their string `key` on its unique index. SQLite deletes by rowid, which it
    looks up directly.
    """
    on_postgres = dialect == "postgresql"
    picked: ColumnElement[Any] = key if on_postgres else literal_column("rowid")
    batch = (
        select(picked)
        .select_from(table)
        .where(found)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
    )
    if on_postgres:
        return delete(table).where(
            picked == any_(func.array(batch.scalar_subquery(), type_=postgresql.ARRAY(String)))
        )
    return delete(table).where(picked.in_(batch.scalar_subquery()))
