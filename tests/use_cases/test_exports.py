"""Looking at exports and retrying them (R17), scoped to one partner (R19)."""

from __future__ import annotations

import base64

import pytest

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.errors import Conflict, Invalid, NotFound
from application.services.export_pages import ListExports
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.export_history import ExportHistory
from application.use_cases.get_export import ExportOf, GetExport
from application.use_cases.receive_message import ReceiveDocumentMessage
from application.use_cases.retry_export import Retry, RetryExport
from domain.export import ExportOrigin, ExportStatus
from tests.builders import a_message, an_export
from tests.conftest import FixedClock

pytestmark = pytest.mark.usefixtures("active_client")


async def queue(units: InMemoryUnitOfWorkFactory, clock: FixedClock, count: int) -> list[str]:
    receive, ids = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock), []
    for n in range(count):
        outcome = await receive(a_message(clock.advance(minutes=1), document=f"doc-{n}"))
        assert outcome.export_id is not None
        ids.append(outcome.export_id)
    return ids


async def test_pages_walk_the_history_newest_first(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    ids = await queue(units, clock, 7)
    history, seen, cursor = ExportHistory(units), [], None
    while True:
        page = await history(ListExports(partner_id="p1", client_id="c1", limit=3, cursor=cursor))
        seen += [item.id for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(ids))
    assert (await history(ListExports(partner_id="p2"))).items == []
    assert (await history(ListExports(partner_id="p1", status="failed"))).items == []


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (ListExports(partner_id="p1", limit=0), "limit"),
        (ListExports(partner_id="p1", limit=101), "limit"),
        (ListExports(partner_id="p1", status="lost"), "status"),
        (ListExports(partner_id="p1", cursor="not a cursor"), "cursor"),
        (
            ListExports(partner_id="p1", cursor=base64.urlsafe_b64encode(b"2026-11-20T09:00:00|x").decode()),
            "cursor",
        ),
    ],
)
async def test_bad_queries_name_the_field(
    units: InMemoryUnitOfWorkFactory, command: ListExports, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        await ExportHistory(units)(command)
    assert caught.value.field == field


async def test_another_partners_export_is_not_found(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    (export_id,) = await queue(units, clock, 1)
    assert (await GetExport(units)(ExportOf(export_id, partner_id="p1"))).id == export_id
    with pytest.raises(NotFound):
        await GetExport(units)(ExportOf(export_id, partner_id="p2"))
    with pytest.raises(NotFound):
        await RetryExport(units, clock)(Retry(export_id, partner_id="p2"))


async def test_a_client_page_retries_only_that_clients_exports(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    (export_id,) = await queue(units, clock, 1)
    async with units() as uow:
        export = await uow.exports.get(export_id)
        assert export is not None and export.client_id == "c1"
        export.failed(clock.now(), "550 5.1.1 mailbox unknown")
        await uow.commit()
    with pytest.raises(NotFound):
        await RetryExport(units, clock)(Retry(export_id, partner_id="p1", client_id="c2"))
    retried = await RetryExport(units, clock)(Retry(export_id, partner_id="p1", client_id="c1"))
    assert retried.status == "queued"


async def test_only_a_failed_export_can_be_retried(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    (export_id,) = await queue(units, clock, 1)
    with pytest.raises(Conflict, match="only a failed export"):
        await RetryExport(units, clock)(Retry(export_id))


async def test_a_retried_backfill_export_goes_back_behind_the_documents_own(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    event, backfilled = (an_export(clock.now(), status=ExportStatus.FAILED) for _ in range(2))
    backfilled.origin = ExportOrigin.BACKFILL
    async with units() as uow:
        await uow.exports.add_many([event, backfilled])
        await uow.commit()
    retry = RetryExport(units, clock)
    for export in (backfilled, event):  # the backfill's first: due longer, it still goes second
        await retry(Retry(export.id))
        clock.advance(minutes=1)
    async with units() as uow:
        claimed = await uow.outbox.claim(clock.now(), clock.now(), limit=1)
    assert claimed == [event.id]
