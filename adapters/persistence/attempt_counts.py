"""The SQLAlchemy totals of export attempts by outcome and reason class."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from adapters.persistence import tables
from adapters.persistence.dialects import upsert_for
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.ports.attempt_counts import AttemptCounts, AttemptKind


class SqlAlchemyAttemptCounts(AttemptCounts):
    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def add(self, counts: Mapping[AttemptKind, int]) -> None:
        """INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count, a kind at a time."""
        table = tables.attempt_counts
        for (outcome, reason), count in sorted(counts.items()):  # one order: no deadlock between workers
            if not count:
                continue
            insert = upsert_for(self._session)(table).values(outcome=outcome, reason=reason, count=count)
            added = insert.on_conflict_do_update(
                index_elements=[table.c.outcome, table.c.reason],
                set_={"count": table.c.count + insert.excluded["count"]},
            )
            with translated_errors():
                await self._session.execute(added)

    async def totals(self) -> dict[AttemptKind, int]:
        c = tables.attempt_counts.c
        with translated_errors():
            rows = await self._session.execute(select(c.outcome, c.reason, c.count))
        return {(outcome, reason): int(count) for outcome, reason, count in rows}
