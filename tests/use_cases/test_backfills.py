"""Backfills on the fakes (R11, R27, CONTRACTS §9): exactly the documents approved or sent in the
range go, each once, behind the client's new documents; the rest are counted."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from adapters.memory.documents import InMemoryDocumentListing
from adapters.memory.exports import InMemoryExportRepository
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.errors import Conflict, Invalid, NotFound, Unavailable
from application.ports.documents import DocumentListing, DocumentListPage, ListedDocument
from application.ports.repositories import ExportQuery, ExportsInContext
from application.services.backfills import BackfillOf
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.deactivate_client_integration import DeactivateClient, DeactivateClientIntegration
from application.use_cases.get_backfill import GetBackfill
from application.use_cases.receive_message import ReceiveDocumentMessage
from application.use_cases.request_backfill import AskBackfill, RequestBackfill
from application.use_cases.run_backfill import RunBackfill, RunningBackfills
from application.use_cases.set_extension_active import SetExtensionActive, SwitchExtension
from application.views import BackfillView
from domain.errors import InvalidValue
from domain.events import Direction, DocumentKind
from domain.export import ExportOrigin, HoldReason
from domain.mailbox import Mailbox
from tests.builders import MAILBOX, a_message
from tests.conftest import FixedClock

pytestmark = pytest.mark.usefixtures("active_client")

TODAY = date(2026, 11, 20)  # the clock's day
FIRST, LAST = date(2026, 9, 1), date(2026, 9, 30)


def at(day: date, hours: float = 12) -> datetime:
    return datetime.combine(day, time.min, UTC) + timedelta(hours=hours)


def document(
    document_id: str, when: datetime, status: str = "APPROVED", direction: Direction = Direction.PURCHASE
) -> ListedDocument:
    return ListedDocument(document_id, direction, DocumentKind.INVOICE, status, when)


@pytest.fixture
def listing() -> InMemoryDocumentListing:
    """Client c1's space: documents on both sides of September and on its edges, one withdrawn since,
    one paid since, a sale."""
    banqup = InMemoryDocumentListing()
    for held in (
        document("before", at(FIRST - timedelta(days=1), 23.99)),
        document("first-day", at(FIRST, 0)),
        document("paid", at(date(2026, 9, 10)), status="PAID"),
        document("withdrawn", at(date(2026, 9, 11)), status="REJECTED"),
        document("sale", at(date(2026, 9, 12)), status="SENT", direction=Direction.SALES),
        *(document(f"mid-{n}", at(date(2026, 9, 15), n)) for n in range(5)),
        document("last-day", at(LAST, 23.99)),
        document("after", at(LAST + timedelta(days=1), 0)),
    ):
        banqup.hold("c1", held)
    banqup.open_space("c-unknown-to-octobridge")
    return banqup


IN_RANGE = {"first-day", "paid", "sale", "last-day", *(f"mid-{n}" for n in range(5))}


async def run_to_end(runner: RunBackfill, view: BackfillView, partner: str = "p1") -> BackfillView:
    for _ in range(100):
        view = await runner(BackfillOf(partner_id=partner, client_id=view.client_id, backfill_id=view.id))
        if view.state != "running":
            return view
    raise AssertionError("the backfill never ended")


async def exports_of(units: InMemoryUnitOfWorkFactory) -> dict[str, tuple[ExportOrigin, HoldReason | None]]:
    async with units() as uow:
        found = await uow.exports.list(ExportQuery(limit=1000))
    assert len({e.document_id for e in found}) == len(found)  # each document once
    return {e.document_id: (e.origin, e.held) for e in found}


async def test_exactly_the_documents_in_range_go_each_once_and_every_listed_one_is_counted(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, listing: InMemoryDocumentListing
) -> None:
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    event = await receive(a_message(clock.now(), document="mid-2"))  # approved again since: exported already
    assert event.outcome == "exported"
    asked = await RequestBackfill(units, clock)(
        AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST, last_day=LAST)
    )
    assert (asked.state, asked.listed, asked.from_, asked.to) == ("running", 0, FIRST, LAST)

    done = await run_to_end(RunBackfill(units, listing, clock, page_size=3), asked)

    exports = await exports_of(units)
    assert set(exports) == IN_RANGE
    assert exports["mid-2"][0] is ExportOrigin.EVENT  # counted, not sent again
    assert {d for d, (origin, _) in exports.items() if origin is ExportOrigin.BACKFILL} == IN_RANGE - {
        "mid-2"
    }
    assert (done.state, done.listed, done.queued, done.already_exported, done.ignored, done.error) == (
        "done",
        10,
        8,
        1,
        1,
        None,
    )
    assert done.listed == done.queued + done.already_exported + done.ignored
    lanes = {row.lane for export_id, row in units.store.outbox.items() if export_id != event.export_id}
    assert lanes == {1}  # behind the client's new documents
    assert len(units.store.outbox) == 9
    again = await GetBackfill(units)(BackfillOf(partner_id="p1", client_id="c1", backfill_id=done.id))
    assert again == done


async def test_an_event_after_the_backfill_exports_nothing_again(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, listing: InMemoryDocumentListing
) -> None:
    asked = await RequestBackfill(units, clock)(AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST))
    assert asked.to == TODAY  # left out: the day it was asked
    await run_to_end(RunBackfill(units, listing, clock), asked)
    before = await exports_of(units)
    outcome = await ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)(
        a_message(clock.advance(minutes=1), document="first-day")
    )
    assert outcome.outcome == "ignored"
    assert await exports_of(units) == before


async def test_a_second_backfill_while_one_runs_is_refused_and_allowed_once_it_ended(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, listing: InMemoryDocumentListing
) -> None:
    request = RequestBackfill(units, clock)
    ask = AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST, last_day=LAST)
    first = await request(ask)
    with pytest.raises(Conflict, match="running"):
        await request(ask)
    await run_to_end(RunBackfill(units, listing, clock), first)
    second = await run_to_end(RunBackfill(units, listing, clock), await request(ask))
    assert (second.queued, second.already_exported, second.ignored) == (0, 9, 1)
    assert len(await exports_of(units)) == 9


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (TODAY - timedelta(days=401), None, "from"),
        (TODAY, TODAY + timedelta(days=1), "to"),
        (date(2026, 10, 2), date(2026, 10, 1), "from"),
    ],
)
async def test_days_out_of_range_name_the_field_at_fault(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, first: date, last: date | None, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        await RequestBackfill(units, clock)(
            AskBackfill(partner_id="p1", client_id="c1", first_day=first, last_day=last)
        )
    assert refused.value.field == field
    async with units() as uow:
        assert await uow.backfills.list_running() == []


async def test_the_furthest_back_and_today_are_allowed(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    asked = await RequestBackfill(units, clock)(
        AskBackfill(partner_id="p1", client_id="c1", first_day=TODAY - timedelta(days=400), last_day=TODAY)
    )
    assert asked.state == "running"


async def test_a_client_not_active_or_unknown_gets_no_backfill(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    request = RequestBackfill(units, clock)
    with pytest.raises(NotFound):
        await request(AskBackfill(partner_id="p1", client_id="c2", first_day=FIRST))
    with pytest.raises(NotFound):  # another partner's client
        await request(AskBackfill(partner_id="p2", client_id="c1", first_day=FIRST))
    await DeactivateClientIntegration(units, clock)(DeactivateClient(partner_id="p1", client_id="c1"))
    with pytest.raises(Conflict, match="not active"):
        await request(AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST))


async def test_another_partners_backfill_is_not_found(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    asked = await RequestBackfill(units, clock)(AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST))
    for partner, client in (("p2", "c1"), ("p1", "c2")):
        with pytest.raises(NotFound):
            await GetBackfill(units)(BackfillOf(partner_id=partner, client_id=client, backfill_id=asked.id))


async def test_while_the_mailbox_is_refused_backfilled_exports_are_held_without_an_outbox_row(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, listing: InMemoryDocumentListing
) -> None:
    async with units() as uow:
        integration = await uow.integrations.get("p1", "c1")
        assert integration is not None
        integration.refuse_mailbox(Mailbox(MAILBOX), clock.now(), "550 5.1.1 no such mailbox", "e-before")
        await uow.commit()
    asked = await RequestBackfill(units, clock)(
        AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST, last_day=LAST)
    )
    done = await run_to_end(RunBackfill(units, listing, clock), asked)
    assert done.queued == 9
    assert set((await exports_of(units)).values()) == {(ExportOrigin.BACKFILL, HoldReason.MAILBOX_REFUSED)}
    assert units.store.outbox == {}


async def test_banqup_not_knowing_the_space_fails_the_backfill_with_the_reason(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    asked = await RequestBackfill(units, clock)(AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST))
    failed = await run_to_end(RunBackfill(units, InMemoryDocumentListing(), clock), asked)
    assert failed.state == "failed"
    assert failed.error is not None and "Banqup does not know the client's space" in failed.error
    async with units() as uow:
        assert await uow.backfills.list_running() == []


async def test_a_client_switched_off_half_way_fails_the_backfill_and_keeps_what_went(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, listing: InMemoryDocumentListing
) -> None:
    asked = await RequestBackfill(units, clock)(
        AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST, last_day=LAST)
    )
    runner, which = (
        RunBackfill(units, listing, clock, page_size=4),
        BackfillOf(partner_id="p1", client_id="c1", backfill_id=asked.id),
    )
    halfway = await runner(which)
    await DeactivateClientIntegration(units, clock)(DeactivateClient(partner_id="p1", client_id="c1"))
    failed = await runner(which)
    assert (
        failed.state == "failed" and failed.error == "the client's Octopus integration is not active any more"
    )
    assert (failed.listed, failed.queued) == (halfway.listed, halfway.queued) == (4, 3)  # one withdrawn
    assert len(await exports_of(units)) == 3


class Unreachable(DocumentListing):
    async def list_approved_or_sent(
        self, client_id: str, first_day: date, last_day: date, cursor: str | None = None, limit: int = 100
    ) -> DocumentListPage:
        raise Unavailable("Banqup cannot be reached")


async def test_banqup_unreachable_changes_nothing_and_the_backfill_goes_on_later(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, listing: InMemoryDocumentListing
) -> None:
    asked = await RequestBackfill(units, clock)(
        AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST, last_day=LAST)
    )
    which = BackfillOf(partner_id="p1", client_id="c1", backfill_id=asked.id)
    with pytest.raises(Unavailable):
        await RunBackfill(units, Unreachable(), clock)(which)
    assert await RunningBackfills(units)() == [which]
    assert (await run_to_end(RunBackfill(units, listing, clock), asked)).queued == 9
    assert await RunningBackfills(units)() == []


class Refusing(DocumentListing):
    async def list_approved_or_sent(
        self, client_id: str, first_day: date, last_day: date, cursor: str | None = None, limit: int = 100
    ) -> DocumentListPage:
        raise Invalid("Banqup answered 403 for the list")


async def test_banqup_refusing_the_list_fails_the_backfill_with_the_reason_instead_of_waiting(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    asked = await RequestBackfill(units, clock)(AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST))
    failed = await RunBackfill(units, Refusing(), clock)(
        BackfillOf(partner_id="p1", client_id="c1", backfill_id=asked.id)
    )
    assert failed.state == "failed" and failed.error is not None and "answered 403" in failed.error
    assert await RunningBackfills(units)() == []


async def test_a_client_switched_off_while_banqup_is_unreachable_fails_without_waiting_for_banqup(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    asked = await RequestBackfill(units, clock)(AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST))
    await DeactivateClientIntegration(units, clock)(DeactivateClient(partner_id="p1", client_id="c1"))
    failed = await RunBackfill(units, Unreachable(), clock)(
        BackfillOf(partner_id="p1", client_id="c1", backfill_id=asked.id)
    )
    assert (
        failed.state == "failed" and failed.error == "the client's Octopus integration is not active any more"
    )


class Interleaved(DocumentListing):
    """Banqup's list, each answer after the other callers have had their turn."""

    def __init__(self, listing: DocumentListing) -> None:
        self._listing = listing

    async def list_approved_or_sent(
        self, client_id: str, first_day: date, last_day: date, cursor: str | None = None, limit: int = 100
    ) -> DocumentListPage:
        page = await self._listing.list_approved_or_sent(client_id, first_day, last_day, cursor, limit)
        await asyncio.sleep(0)
        return page


async def test_workers_side_by_side_export_each_document_once_with_the_counts_of_one_run(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, listing: InMemoryDocumentListing
) -> None:
    asked = await RequestBackfill(units, clock)(
        AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST, last_day=LAST)
    )
    runners = [RunBackfill(units, Interleaved(listing), clock, page_size=2) for _ in range(3)]
    ends = await asyncio.gather(*(run_to_end(runner, asked) for runner in runners))
    assert {(e.state, e.listed, e.queued, e.already_exported, e.ignored) for e in ends} == {
        ("done", 10, 9, 0, 1)
    }
    assert set(await exports_of(units)) == IN_RANGE


async def test_a_message_exporting_a_document_while_its_page_is_written_leaves_it_counted_once(
    units: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    listing: InMemoryDocumentListing,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R11 whichever comes first: the message's export lands after the page looked for exports and
    before it wrote its own; the page loses, is written again, and counts the document as exported."""
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    looked_up = InMemoryExportRepository.find_many_in_context
    raced: list[str] = []

    async def message_in_between(repository: InMemoryExportRepository, keys: Any) -> ExportsInContext:
        found = await looked_up(repository, keys)
        if not raced and any(key[2] == "mid-2" for key in keys):
            raced.append("mid-2")
            assert (await receive(a_message(clock.now(), document="mid-2"))).outcome == "exported"
        return found

    monkeypatch.setattr(InMemoryExportRepository, "find_many_in_context", message_in_between)
    asked = await RequestBackfill(units, clock)(
        AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST, last_day=LAST)
    )
    done = await run_to_end(RunBackfill(units, listing, clock), asked)
    assert raced == ["mid-2"]
    assert (done.listed, done.queued, done.already_exported, done.ignored) == (10, 8, 1, 1)
    exports = await exports_of(units)
    assert set(exports) == IN_RANGE and exports["mid-2"][0] is ExportOrigin.EVENT


async def test_a_partner_whose_extension_is_off_gets_no_backfill(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    await SetExtensionActive(units, clock)(SwitchExtension(partner_id="p1", active=False, confirm=True))
    with pytest.raises(Conflict, match="extension is not active"):
        await RequestBackfill(units, clock)(AskBackfill(partner_id="p1", client_id="c1", first_day=FIRST))
