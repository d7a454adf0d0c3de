"""The `DocumentListing` contract (CONTRACTS §4), run over every implementation: Banqup's API over HTTP
(against the stand-in Banqup, served locally) and the in-memory fake."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.banqup.documents import HttpBanqupDocuments
from adapters.http_client import outbound_transport
from adapters.memory.documents import InMemoryDocumentListing
from application.errors import Invalid, NotFound
from application.ports.documents import DocumentListing, ListedDocument
from domain.events import Direction, DocumentKind
from sandbox.banqup import BanqupStandIn, StoredDocument

DAY = date(2026, 11, 20)
NIGHT = timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999)
MAX_PAGES = 100  # more than any test here needs


@dataclass
class ListingUnderTest:
    listing: DocumentListing
    holds: Callable[[str, ListedDocument], None]  # Banqup holds this document in this space from now on
    opens: Callable[[str], None]  # Banqup knows this space, which holds no document yet

    async def every_page(
        self, space: str, first: date, last: date, limit: int = 100
    ) -> list[tuple[ListedDocument, ...]]:
        page = await self.listing.list_approved_or_sent(space, first, last, limit=limit)
        pages = [page.items]
        while page.next_cursor is not None:
            assert len(pages) < MAX_PAGES, "the cursor does not move on"
            page = await self.listing.list_approved_or_sent(space, first, last, page.next_cursor, limit)
            pages.append(page.items)
        return pages


def a_document(
    document_id: str,
    at: datetime,
    status: str = "APPROVED",
    direction: Direction = Direction.PURCHASE,
    kind: DocumentKind = DocumentKind.INVOICE,
) -> ListedDocument:
    return ListedDocument(document_id, direction, kind, status, at)


def _stored(document: ListedDocument) -> StoredDocument:
    """The document as the stand-in holds it: its JSON says its folder and category."""
    folder = "PURCHASES" if document.direction is Direction.PURCHASE else "SALES"
    category = "INVOICE" if document.kind is DocumentKind.INVOICE else "CREDIT_NOTE"
    body = json.dumps({"id": document.document_id, "folder": folder, "documentCategory": category})
    return StoredDocument(
        body.encode(), status=document.status, approved_or_sent_at=document.approved_or_sent_at
    )


MakeUnderTest = Callable[[], AbstractAsyncContextManager[ListingUnderTest]]


@pytest.fixture(params=["http", "in-memory"])
def make_under_test(request: pytest.FixtureRequest) -> MakeUnderTest:
    if request.param == "in-memory":

        @asynccontextmanager
        async def fake() -> AsyncIterator[ListingUnderTest]:
            listing = InMemoryDocumentListing()
            yield ListingUnderTest(listing, listing.hold, listing.open_space)

        return fake
    stand_in, url = request.getfixturevalue("banqup")
    assert isinstance(stand_in, BanqupStandIn)

    def holds(space: str, document: ListedDocument) -> None:
        stand_in.put(space, document.document_id, _stored(document))

    @asynccontextmanager
    async def http() -> AsyncIterator[ListingUnderTest]:
        async with outbound_transport() as transport:
            listing = HttpBanqupDocuments(url, stand_in.client_id, stand_in.client_secret, transport)
            yield ListingUnderTest(listing, holds, stand_in.open_space)

    return http


@pytest.fixture
async def under_test(make_under_test: MakeUnderTest) -> AsyncIterator[ListingUnderTest]:
    async with make_under_test() as made:
        yield made


def at(day: date, hours: float = 12) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hours)


async def test_days_are_inclusive_and_compared_with_the_utc_date(under_test: ListingUnderTest) -> None:
    last = DAY + timedelta(days=1)
    minus_two, plus_two = timezone(timedelta(hours=-2)), timezone(timedelta(hours=2))
    held = {
        "eve": at(DAY, 0) - timedelta(microseconds=1),
        "first-instant": at(DAY, 0),
        "last-instant": at(last, 0) + NIGHT,
        "after": at(last + timedelta(days=1), 0),
        # the 19th where it was approved, the 20th in UTC
        "west": datetime(2026, 11, 19, 23, 30, tzinfo=minus_two),
        # the 22nd where it was sent, the 21st in UTC
        "east": datetime(2026, 11, 22, 1, 0, tzinfo=plus_two),
    }
    for document_id, moment in held.items():
        under_test.holds("space-1", a_document(document_id, moment))
    page = await under_test.listing.list_approved_or_sent("space-1", DAY, last)
    assert [d.document_id for d in page.items] == ["first-instant", "west", "east", "last-instant"]
    assert page.next_cursor is None
    assert page.items[1].approved_or_sent_at == held["west"]
    assert page.items[1].approved_or_sent_at.utcoffset() == timedelta(0)  # as Banqup sends it


async def test_one_day_lists_that_day_only(under_test: ListingUnderTest) -> None:
    for n in range(3):
        under_test.holds("space-1", a_document(f"d{n}", at(DAY + timedelta(days=n))))
    page = await under_test.listing.list_approved_or_sent(
        "space-1", DAY + timedelta(days=1), DAY + timedelta(days=1)
    )
    assert [d.document_id for d in page.items] == ["d1"]


async def test_documents_come_in_time_order_then_by_id(under_test: ListingUnderTest) -> None:
    for document_id, hours in [("b", 9), ("c", 8), ("a", 9), ("d", 10)]:
        under_test.holds("space-1", a_document(document_id, at(DAY, hours)))
    page = await under_test.listing.list_approved_or_sent("space-1", DAY, DAY)
    assert [d.document_id for d in page.items] == ["c", "a", "b", "d"]


async def test_pages_hold_at_most_the_limit_and_together_every_document_once(
    under_test: ListingUnderTest,
) -> None:
    for n in range(7):
        under_test.holds("space-1", a_document(f"d{n}", at(DAY, n)))
    pages = await under_test.every_page("space-1", DAY, DAY, limit=3)
    assert [[d.document_id for d in page] for page in pages] == [
        ["d0", "d1", "d2"],
        ["d3", "d4", "d5"],
        ["d6"],
    ]


async def test_a_next_page_keeps_the_first_pages_days_whatever_days_come_with_its_cursor(
    under_test: ListingUnderTest,
) -> None:
    for n in range(4):
        under_test.holds("space-1", a_document(f"d{n}", at(DAY + timedelta(days=n))))
    first = await under_test.listing.list_approved_or_sent("space-1", DAY, DAY + timedelta(days=1), limit=1)
    assert first.next_cursor is not None
    wide = date(2026, 1, 1), date(2026, 12, 31)
    second = await under_test.listing.list_approved_or_sent("space-1", *wide, first.next_cursor, limit=5)
    assert [d.document_id for d in first.items + second.items] == ["d0", "d1"]
    assert second.next_cursor is None


async def test_documents_rejected_or_paid_since_are_listed_with_their_status_now(
    under_test: ListingUnderTest,
) -> None:
    held = [
        a_document("approved", at(DAY, 1)),
        a_document("sent", at(DAY, 2), "SENT", Direction.SALES, DocumentKind.CREDIT_NOTE),
        a_document("paid", at(DAY, 3), "PAID", Direction.SALES),
        a_document("rejected", at(DAY, 4), "REJECTED", kind=DocumentKind.CREDIT_NOTE),
    ]
    for document in held:
        under_test.holds("space-1", document)
    page = await under_test.listing.list_approved_or_sent("space-1", DAY, DAY)
    assert page.items == tuple(held)


async def test_a_space_banqup_does_not_know_is_not_found_and_an_empty_one_lists_nothing(
    under_test: ListingUnderTest,
) -> None:
    under_test.holds("space-1", a_document("d1", at(DAY)))
    under_test.opens("space-2")
    with pytest.raises(NotFound):
        await under_test.listing.list_approved_or_sent("space-3", DAY, DAY)
    empty = await under_test.listing.list_approved_or_sent("space-2", DAY, DAY)
    assert (empty.items, empty.next_cursor) == ((), None)


@pytest.mark.parametrize("limit", [0, 101])
async def test_a_limit_outside_1_to_100_is_refused(under_test: ListingUnderTest, limit: int) -> None:
    under_test.holds("space-1", a_document("d1", at(DAY)))
    with pytest.raises(Invalid):
        await under_test.listing.list_approved_or_sent("space-1", DAY, DAY, limit=limit)


async def test_a_cursor_banqup_did_not_give_for_this_space_is_refused(under_test: ListingUnderTest) -> None:
    for space in ("space-1", "space-2"):
        for n in range(2):
            under_test.holds(space, a_document(f"d{n}", at(DAY, n)))
    page = await under_test.listing.list_approved_or_sent("space-1", DAY, DAY, limit=1)
    assert page.next_cursor is not None
    with pytest.raises(Invalid):
        await under_test.listing.list_approved_or_sent("space-2", DAY, DAY, page.next_cursor)
    with pytest.raises(Invalid):
        await under_test.listing.list_approved_or_sent("space-1", DAY, DAY, "not-a-cursor")


_spaces = itertools.count()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(
    held=st.lists(
        st.tuples(
            st.integers(0, 9), st.integers(0, 24 * 3600 - 1), st.sampled_from(["APPROVED", "REJECTED"])
        ),
        max_size=30,
    ),
    first=st.integers(0, 5),
    span=st.integers(0, 5),
    limit=st.integers(1, 6),
)
def test_the_pages_together_are_exactly_the_documents_of_the_days_each_once(
    make_under_test: MakeUnderTest, held: list[tuple[int, int, str]], first: int, span: int, limit: int
) -> None:
    """Whatever the documents, days and page size; several documents may share an instant."""
    space = f"space-{next(_spaces)}"  # the served stand-in lives across examples
    documents = [
        a_document(f"d{n}", at(DAY + timedelta(days=day), 0) + timedelta(seconds=second // 600 * 600), status)
        for n, (day, second, status) in enumerate(held)
    ]
    first_day = DAY + timedelta(days=first)
    last_day = first_day + timedelta(days=span)

    async def listed() -> list[tuple[ListedDocument, ...]]:
        async with make_under_test() as under_test:
            under_test.opens(space)
            for document in documents:
                under_test.holds(space, document)
            return await under_test.every_page(space, first_day, last_day, limit)

    pages = asyncio.run(listed())
    assert all(len(page) <= limit for page in pages)
    ids = [d.document_id for page in pages for d in page]
    in_range = {d.document_id for d in documents if first_day <= d.approved_or_sent_at.date() <= last_day}
    assert len(ids) == len(set(ids))
    assert set(ids) == in_range
