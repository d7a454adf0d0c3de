"""Banqup's document listing over HTTP (CONTRACTS §4): what the stand-in refuses, what
`HttpBanqupDocuments` asks and refuses to take, and the history the stand-in can be filled with."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from adapters.banqup.document_json import decode_banqup
from adapters.banqup.documents import HttpBanqupDocuments
from adapters.http_client import outbound_transport
from application.errors import Invalid, NotFound
from sandbox.banqup import BanqupStandIn, StoredDocument, create_banqup_app
from sandbox.banqup_history import hold_history

DAY = date(2026, 11, 20)
LISTING = "/documents/v1/spaces/space-1/documents"
ITEM = {
    "id": "d1",
    "folder": "PURCHASES",
    "documentCategory": "INVOICE",
    "status": "APPROVED",
    "approvedOrSentAt": "2026-11-20T10:15:00Z",
}


def held_at(at: datetime, status: str = "APPROVED") -> StoredDocument:
    body = {"folder": "PURCHASES", "documentCategory": "INVOICE"}
    return StoredDocument(json.dumps(body).encode(), status=status, approved_or_sent_at=at)


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[BanqupStandIn, AsyncTestClient[Any]]]:
    """The stand-in with a document in space-1, and a client that has a token."""
    banqup = BanqupStandIn()
    banqup.put("space-1", "d1", held_at(datetime(2026, 11, 20, 10, 15, tzinfo=UTC)))
    async with AsyncTestClient(create_banqup_app(banqup)) as client:
        answer = await client.post(
            "/oauth2/client_credential/gettoken",
            data={"client_id": banqup.client_id, "client_secret": banqup.client_secret},
        )
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        yield banqup, client


DAYS = {"approvedOrSentFrom": "2026-11-20", "approvedOrSentTo": "2026-11-20"}


async def test_the_stand_in_lists_as_the_contract_shows(
    stand_in: tuple[BanqupStandIn, AsyncTestClient[Any]],
) -> None:
    _, client = stand_in
    answer = await client.get(LISTING, params=DAYS)
    assert answer.status_code == 200
    assert answer.json() == {"items": [ITEM], "nextCursor": None}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"approvedOrSentTo": "2026-11-20"}, "approvedOrSentFrom is required"),
        ({"approvedOrSentFrom": "2026-11-20"}, "approvedOrSentTo is required"),
        ({**DAYS, "approvedOrSentFrom": "2026-11-2"}, "YYYY-MM-DD"),
        ({**DAYS, "approvedOrSentFrom": "20261120"}, "YYYY-MM-DD"),
        ({**DAYS, "approvedOrSentTo": "2026-02-30"}, "not a day of the calendar"),
        ({**DAYS, "approvedOrSentFrom": "2026-11-21"}, "after approvedOrSentTo"),
        ({**DAYS, "limit": "0"}, "1 to 100"),
        ({**DAYS, "limit": "101"}, "1 to 100"),
        ({**DAYS, "limit": "ten"}, "1 to 100"),
        ({**DAYS, "limit": "-1"}, "1 to 100"),
        ({"cursor": "garbage"}, "not one this API gave"),
    ],
)
async def test_the_stand_in_answers_400_to_a_query_it_cannot_use(
    stand_in: tuple[BanqupStandIn, AsyncTestClient[Any]], params: dict[str, str], says: str
) -> None:
    _, client = stand_in
    answer = await client.get(LISTING, params=params)
    assert answer.status_code == 400
    assert says in answer.text


async def test_a_next_page_is_asked_with_its_cursor_alone(
    stand_in: tuple[BanqupStandIn, AsyncTestClient[Any]],
) -> None:
    banqup, client = stand_in
    banqup.put("space-1", "d2", held_at(datetime(2026, 11, 20, 11, tzinfo=UTC)))
    cursor = (await client.get(LISTING, params={**DAYS, "limit": "1"})).json()["nextCursor"]
    answer = await client.get(LISTING, params={**DAYS, "cursor": cursor})
    assert answer.status_code == 400
    assert "cursor alone" in answer.text
    assert [i["id"] for i in (await client.get(LISTING, params={"cursor": cursor})).json()["items"]] == ["d2"]


async def test_the_stand_in_pages_by_100_when_no_limit_is_asked(
    stand_in: tuple[BanqupStandIn, AsyncTestClient[Any]],
) -> None:
    banqup, client = stand_in
    for n in range(100):
        banqup.put("space-1", f"e{n:03d}", held_at(datetime(2026, 11, 20, 12, tzinfo=UTC)))
    page = (await client.get(LISTING, params=DAYS)).json()
    assert len(page["items"]) == 100
    assert [
        i["id"] for i in (await client.get(LISTING, params={"cursor": page["nextCursor"]})).json()["items"]
    ] == ["e099"]


async def test_the_stand_in_wants_a_token_and_a_space_it_knows(
    stand_in: tuple[BanqupStandIn, AsyncTestClient[Any]],
) -> None:
    _, client = stand_in
    assert (await client.get("/documents/v1/spaces/space-2/documents", params=DAYS)).status_code == 404
    del client.headers["Authorization"]
    assert (await client.get(LISTING, params=DAYS)).status_code == 401


async def test_documents_without_a_status_or_a_time_are_not_listed_and_a_document_put_again_moves(
    stand_in: tuple[BanqupStandIn, AsyncTestClient[Any]],
) -> None:
    banqup, client = stand_in
    banqup.put("space-1", "plain", StoredDocument(b"{}"))
    banqup.put(
        "space-1", "no-status", StoredDocument(b"{}", approved_or_sent_at=datetime(2026, 11, 20, tzinfo=UTC))
    )
    banqup.put("space-1", "d1", held_at(datetime(2026, 11, 21, 9, tzinfo=UTC), "PAID"))  # moved a day on
    assert (await client.get(LISTING, params=DAYS)).json()["items"] == []
    next_day = {"approvedOrSentFrom": "2026-11-21", "approvedOrSentTo": "2026-11-21"}
    [item] = (await client.get(LISTING, params=next_day)).json()["items"]
    assert (item["id"], item["status"], item["approvedOrSentAt"]) == ("d1", "PAID", "2026-11-21T09:00:00Z")


def test_the_stand_in_refuses_a_time_without_its_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        BanqupStandIn().put("space-1", "d1", held_at(datetime(2026, 11, 20, 10)))


def answering(*bodies: bytes, status: int = 200) -> tuple[httpx.MockTransport, list[dict[str, list[str]]]]:
    """A Banqup that answers listing calls with `bodies` in turn; the queries it was asked, in order."""
    remaining, asked = list(bodies), []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/gettoken"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 300})
        asked.append(parse_qs(urlsplit(str(request.url)).query))
        return httpx.Response(status, content=remaining.pop(0) if remaining else b"")

    return httpx.MockTransport(handle), asked


def page(*items: dict[str, Any], next_cursor: str | None = None) -> bytes:
    return json.dumps({"items": list(items), "nextCursor": next_cursor}).encode()


async def test_the_adapter_asks_days_first_then_its_cursor_alone() -> None:
    transport, asked = answering(page(ITEM, next_cursor="c/1+"), page())
    async with transport:
        listing = HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0)
        first = await listing.list_approved_or_sent("space 1", DAY, DAY + timedelta(days=2), limit=7)
        assert first.next_cursor == "c/1+"
        await listing.list_approved_or_sent("space 1", DAY, DAY, first.next_cursor, 7)
    assert asked == [
        {"approvedOrSentFrom": ["2026-11-20"], "approvedOrSentTo": ["2026-11-22"], "limit": ["7"]},
        {"cursor": ["c/1+"], "limit": ["7"]},
    ]


@pytest.mark.parametrize(
    ("item", "names"),
    [
        ({k: v for k, v in ITEM.items() if k != "folder"}, "folder"),
        ({**ITEM, "folder": "INBOX"}, "$.items[1].folder"),
        ({**ITEM, "documentCategory": None}, "$.items[1].documentCategory"),
        ({**ITEM, "status": "DRAFT"}, "$.items[1].status"),
        ({**ITEM, "approvedOrSentAt": "2026-11-20T10:15:00"}, "$.items[1].approvedOrSentAt"),
        ({**ITEM, "approvedOrSentAt": "yesterday"}, "$.items[1].approvedOrSentAt"),
        ({**ITEM, "id": ""}, "$.items[1].id"),
        ({**ITEM, "id": "x" * 201}, "$.items[1].id"),
    ],
)
async def test_an_item_octobridge_cannot_use_is_unavailable_naming_its_field(
    item: dict[str, Any], names: str
) -> None:
    transport, _ = answering(page(ITEM, item))
    async with transport:
        listing = HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0)
        with pytest.raises(Invalid, match="space space-1 cannot be used") as caught:
            await listing.list_approved_or_sent("space-1", DAY, DAY)
    assert names in caught.value.message


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (b'{"items": []}', "nextCursor"),
        (b'{"items": [], "nextCursor": ""}', "nextCursor"),
        (b'{"nextCursor": null}', "items"),
        (b"<html>busy</html>", "malformed"),
    ],
)
async def test_a_page_octobridge_cannot_use_is_invalid(body: bytes, names: str) -> None:
    transport, _ = answering(body)
    async with transport:
        listing = HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0)
        with pytest.raises(Invalid) as caught:
            await listing.list_approved_or_sent("space-1", DAY, DAY)
    assert names in caught.value.message


@pytest.mark.parametrize("status", [400, 403, 422])
async def test_a_refused_query_is_invalid_at_once_and_an_unknown_space_not_found(status: int) -> None:
    transport, asked = answering(status=status)
    async with transport:
        with pytest.raises(Invalid, match=f"answered {status}"):
            await HttpBanqupDocuments("http://banqup", "id", "secret", transport).list_approved_or_sent(
                "space-1", DAY, DAY
            )
    assert len(asked) == 1  # not retried: asking again gets the same answer
    transport, _ = answering(status=404)
    async with transport:
        with pytest.raises(NotFound, match="space-1"):
            await HttpBanqupDocuments("http://banqup", "id", "secret", transport).list_approved_or_sent(
                "space-1", DAY, DAY
            )


async def test_a_page_larger_than_a_megabyte_is_invalid() -> None:
    transport, _ = answering(page(*[ITEM] * 10_000))
    async with transport:
        listing = HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0)
        with pytest.raises(Invalid, match="larger than the 1 MB"):
            await listing.list_approved_or_sent("space-1", DAY, DAY)


async def test_the_history_held_is_what_the_listing_gives_day_by_day(
    banqup: tuple[BanqupStandIn, str],
) -> None:
    stand_in, url = banqup
    held = hold_history(stand_in, "space-1", 40, 8, DAY)
    assert {d.approved_or_sent_at.date() for d in held} == {DAY - timedelta(days=n) for n in range(8)}
    assert {d.status for d in held} == {"APPROVED", "SENT", "PAID", "REJECTED"}
    async with outbound_transport() as transport:
        listing = HttpBanqupDocuments(url, stand_in.client_id, stand_in.client_secret, transport)
        listed = []
        for n in range(8):
            day = DAY - timedelta(days=n)
            items = (await listing.list_approved_or_sent("space-1", day, day)).items
            assert len(items) == 5
            listed.extend(items)
        fetched = await listing.fetch("space-1", held[3].document_id)
    assert sorted(listed, key=lambda d: d.document_id) == held
    document = decode_banqup(fetched.json)  # a whole document, ready to be exported
    assert (document.folder, document.document_category) == ("SALES", "INVOICE")
