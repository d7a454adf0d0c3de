"""The message listener (CONTRACTS §5): the signature on the raw body, size, malformed bodies, repeats."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import IMPORT_MAILBOX, as_partner, install_and_connect, message, signed

P1 = "partner-1"


@pytest.fixture
async def active(client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld) -> None:
    await install_and_connect(client, world, P1)
    await client.put("/v1/clients/c1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(P1))
    clock.advance(minutes=5)


async def exports(client: AsyncTestClient[Any]) -> list[str]:
    page = (await client.get("/v1/clients/c1/exports", headers=as_partner(P1))).json()
    return [e["documentId"] for e in page["items"]]


def a_message(clock: FixedClock, message_id: str = "m1", document: str = "doc-1") -> bytes:
    return message(message_id, P1, "c1", document, clock.at.isoformat())


@pytest.mark.usefixtures("active")
@pytest.mark.parametrize(
    "headers_for",
    [
        pytest.param(lambda body: {"Content-Type": "application/json"}, id="missing header"),
        pytest.param(lambda body: signed(body, secret="not-the-webhook-secret"), id="wrong secret"),
        pytest.param(lambda body: signed(body, at=int(time.time()) - 301), id="older than 5 minutes"),
        pytest.param(lambda body: signed(body, at=int(time.time()) + 301), id="more than 5 minutes ahead"),
        pytest.param(lambda body: signed(body.replace(b"doc-1", b"doc-9")), id="signature of another body"),
        pytest.param(lambda body: {"Banqup-Signature": "v1=deadbeef"}, id="no timestamp"),
        pytest.param(
            lambda body: {"Banqup-Signature": f"t={int(time.time())},v1=é".encode("latin-1")}, id="not ascii"
        ),
        pytest.param(lambda body: {"Banqup-Signature": "t=²,v1=00".encode("latin-1")}, id="superscript time"),
        pytest.param(
            lambda body: {
                "Banqup-Signature": signed(body)["Banqup-Signature"].replace("t=", "t=¹", 1).encode("latin-1")
            },
            id="superscript digit before the time",
        ),
        pytest.param(lambda body: {"Banqup-Signature": "t=,v1=,=,,"}, id="empty parts"),
    ],
)
async def test_a_bad_signature_answers_401_and_records_nothing(
    client: AsyncTestClient[Any], clock: FixedClock, headers_for: Any
) -> None:
    body = a_message(clock)
    response = await client.post("/v1/messages", content=body, headers=headers_for(body))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Banqup-Signature"
    assert await exports(client) == []


@pytest.mark.usefixtures("active")
async def test_an_altered_body_under_a_valid_signature_is_refused(
    client: AsyncTestClient[Any], clock: FixedClock
) -> None:
    body = a_message(clock)
    headers = signed(body)
    altered = body.replace(b"doc-1", b"doc-2")
    assert (await client.post("/v1/messages", content=altered, headers=headers)).status_code == 401
    assert (await client.post("/v1/messages", content=body, headers=headers)).status_code == 202
    assert await exports(client) == ["doc-1"]


@pytest.mark.usefixtures("active")
async def test_a_replayed_message_is_acknowledged_and_does_nothing(
    client: AsyncTestClient[Any], clock: FixedClock
) -> None:
    body = a_message(clock)
    headers = signed(body)
    first = await client.post("/v1/messages", content=body, headers=headers)
    assert first.status_code == 202 and first.json()["outcome"] == "exported"
    for _ in range(3):
        again = await client.post("/v1/messages", content=body, headers=headers)
        assert again.status_code == 202
        assert (again.json()["outcome"], again.json()["reason"]) == ("ignored", "repeat")
    same_document = a_message(clock, message_id="m2")  # a new delivery of the same approval
    assert (await client.post("/v1/messages", content=same_document, headers=signed(same_document))).json()[
        "reason"
    ] == "repeat"
    assert await exports(client) == ["doc-1"]


async def test_a_rolled_secret_is_accepted_alongside_the_old_one(client: AsyncTestClient[Any]) -> None:
    body = b'{"id": "m-roll", "category": "invoice", "type": "paid"}'
    good = signed(body)["Banqup-Signature"]
    stamp, mac = good.split(",")
    header = f"{stamp},v1={'0' * 64},{mac}"
    response = await client.post("/v1/messages", content=body, headers={"Banqup-Signature": header})
    assert response.status_code == 202 and response.json()["outcome"] == "ignored"


async def test_a_body_larger_than_the_limit_answers_413(client: AsyncTestClient[Any]) -> None:
    body = b'{"id": "m-big", "category": "document", "type": "approved", "pad": "' + b"x" * 70_000 + b'"}'
    response = await client.post("/v1/messages", content=body, headers=signed(body))
    assert response.status_code == 413
    assert response.json()["status"] == 413


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"not json", "not JSON"),
        (b'{"category": "document", "type": "approved"}', "id"),
        (
            b'{"id": "m", "category": "document", "type": "approved", "data": {"spaceId": "c1"}}',
            "data.documentId",
        ),
        (
            b'{"id": "m", "category": "document", "type": "approved", "data": {"documentId": "d",'
            b' "spaceId": "c", "partnerId": "p", "folder": "SALES", "documentCategory": "INVOICE",'
            b' "occurredAt": "yesterday"}}',
            "occurredAt",
        ),
    ],
)
async def test_a_malformed_message_answers_400_naming_the_problem(
    client: AsyncTestClient[Any], body: bytes, named: str
) -> None:
    response = await client.post("/v1/messages", content=body, headers=signed(body))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["status"] == 400 and named in problem["detail"]


async def test_other_categories_and_types_are_acknowledged(client: AsyncTestClient[Any]) -> None:
    body = b'{"id": "m-other", "category": "invoice", "type": "paid", "data": {}}'
    response = await client.post("/v1/messages", content=body, headers=signed(body))
    assert response.status_code == 202
    assert response.json() == {
        "messageId": "m-other",
        "outcome": "ignored",
        "reason": "not-approval-or-sending",
        "exportId": None,
    }
