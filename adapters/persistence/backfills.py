"""The SQLAlchemy repository of backfills."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Update, bindparam, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from adapters.persistence import tables
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.errors import Conflict
from application.ports.repositories import BackfillRepository
from domain.backfill import Backfill, BackfillState

# What a backfill's run changes; the rest is fixed when it is asked for.
CHANGING = ("state", "listed", "queued", "already_exported", "ignored", "error", "cursor", "finished_at")


@cache
def _update_if_unchanged() -> Update:
    c = tables.backfills.c
    return update(tables.backfills).where(
        c.id == bindparam("backfill_id"), c.version == bindparam("read_version")
    )


class SqlAlchemyBackfillRepository(BackfillRepository):
    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def get(self, partner_id: str, client_id: str, backfill_id: str) -> Backfill | None:
        backfill = await self._session.get(Backfill, backfill_id)
        if backfill is None or (backfill.partner_id, backfill.client_id) != (partner_id, client_id):
            return None
        return backfill

    async def add(self, backfill: Backfill) -> None:
        self._session.add(backfill)

    async def list_running(self) -> Sequence[Backfill]:
        c = tables.backfills.c
        query = select(Backfill).where(c.state == BackfillState.RUNNING).order_by(c.requested_at, c.id)
        return (await self._session.scalars(query)).all()

    async def latest(self, partner_id: str, client_id: str) -> Backfill | None:
        """Through the index on (partner_id, client_id, requested_at), read backwards."""
        c = tables.backfills.c
        query = (
            select(Backfill)
            .where(c.partner_id == partner_id, c.client_id == client_id)
            .order_by(c.requested_at.desc(), c.id.desc())
            .limit(1)
        )
        found: Backfill | None = await self._session.scalar(query)
        return found

    async def update(self, backfill: Backfill) -> None:
        """One UPDATE if the version is still the one read (the mapper's counter, kept on the
        backfill however long ago it was read), as exports are written (exports.py)."""
        read_version: int = inspect(backfill).dict["version"]
        parameters: dict[str, Any] = {name: getattr(backfill, name) for name in CHANGING}
        parameters |= {"version": read_version + 1, "backfill_id": backfill.id, "read_version": read_version}
        with translated_errors():
            result = await self._session.execute(_update_if_unchanged(), parameters)
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise Conflict("another transaction changed the backfill since it was read")
        set_committed_value(backfill, "version", read_version + 1)
