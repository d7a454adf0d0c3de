"""How every export repository pages the history (fake, SQLite, PostgreSQL alike): the cursor
(created_at, id) splits exports made at the same instant by id, and names an instant in any zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from application.ports.repositories import ExportQuery
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.export import Export, ExportStatus
from tests.builders import an_export
from tests.conftest import FixedClock


async def walk(units: UnitOfWorkFactory, query: ExportQuery) -> list[str]:
    """The ids of every page of `query`, in order, each page after the last one's cursor."""
    seen: list[str] = []
    after: tuple[datetime, str] | None = None
    while True:
        async with units() as uow:
            page = await uow.exports.list(replace(query, after=after))
        seen += [e.id for e in page]
        if len(page) < query.limit:
            return seen
        after = (page[-1].created_at, page[-1].id)


def newest_first(exports: list[Export]) -> list[str]:
    return [e.id for e in sorted(exports, key=lambda e: (e.created_at, e.id), reverse=True)]


async def test_pages_split_exports_made_at_one_instant_by_id(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    start = clock.now()
    made = [an_export(start) for _ in range(5)] + [an_export(start + timedelta(minutes=i)) for i in (1, 2)]
    skipped = [an_export(start, status=ExportStatus.SKIPPED) for _ in range(2)]
    async with units() as uow:
        for export in made + skipped + [an_export(start, client="c2")]:
            await uow.exports.add(export)
        await uow.commit()
    queued = ExportQuery(partner_id="p1", client_id="c1", status=ExportStatus.QUEUED, limit=2)
    assert await walk(units, queued) == newest_first(made)
    assert await walk(units, ExportQuery(partner_id="p1", client_id="c1", limit=3)) == newest_first(
        made + skipped
    )


async def test_a_cursor_names_an_instant_whatever_its_zone(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    start = clock.now()
    made = [an_export(start + timedelta(minutes=i)) for i in range(3)]
    async with units() as uow:
        for export in made:
            await uow.exports.add(export)
        await uow.commit()
    brussels = made[1].created_at.astimezone(timezone(timedelta(hours=1)))
    async with units() as uow:
        page = await uow.exports.list(ExportQuery(partner_id="p1", after=(brussels, made[1].id)))
    assert [e.id for e in page] == [made[0].id]
