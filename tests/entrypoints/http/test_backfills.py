"""The backfill routes (CONTRACTS §3, §9): started at once, followed by id, refused with problem
details naming the field, and another partner's answering 404."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import IMPORT_MAILBOX, as_partner, install_and_connect

OWNER, INTRUDER = "partner-owner", "partner-intruder"
BACKFILLS = "/v1/clients/space-1/octopus/backfills"


@pytest.fixture
async def active(client: AsyncTestClient[Any], world: OctopusWorld) -> None:
    await install_and_connect(client, world, OWNER)
    put = await client.put(
        "/v1/clients/space-1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(OWNER)
    )
    assert put.status_code == 201


@pytest.mark.usefixtures("active")
async def test_a_backfill_starts_at_once_and_is_followed_by_its_id(
    client: AsyncTestClient[Any], clock: FixedClock
) -> None:
    started = await client.post(BACKFILLS, json={"from": "2026-09-01"}, headers=as_partner(OWNER))
    assert started.status_code == 202, started.text
    body = started.json()
    assert body == {
        "id": body["id"],
        "clientId": "space-1",
        "from": "2026-09-01",
        "to": clock.now().date().isoformat(),  # left out: the day it was asked
        "state": "running",
        "listed": 0,
        "queued": 0,
        "alreadyExported": 0,
        "ignored": 0,
        "error": None,
    }
    shown = await client.get(f"{BACKFILLS}/{body['id']}", headers=as_partner(OWNER))
    assert (shown.status_code, shown.json()) == (200, body)
    again = await client.post(
        BACKFILLS, json={"from": "2026-10-01", "to": "2026-10-31"}, headers=as_partner(OWNER)
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "running" in again.json()["detail"]


@pytest.mark.usefixtures("active")
async def test_another_partners_or_clients_backfill_answers_404(client: AsyncTestClient[Any]) -> None:
    started = (await client.post(BACKFILLS, json={"from": "2026-09-01"}, headers=as_partner(OWNER))).json()
    for partner, path in (
        (INTRUDER, f"{BACKFILLS}/{started['id']}"),
        (OWNER, f"/v1/clients/space-2/octopus/backfills/{started['id']}"),
        (OWNER, f"{BACKFILLS}/no-such-backfill"),
    ):
        assert (await client.get(path, headers=as_partner(partner))).status_code == 404
    intruding = await client.post(BACKFILLS, json={"from": "2026-09-01"}, headers=as_partner(INTRUDER))
    assert intruding.status_code == 404


@pytest.mark.usefixtures("active")
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"from": "2025-10-15"}, 422, "from"),  # more than 400 days before 2026-11-20
        ({"from": "2026-11-01", "to": "2026-11-21"}, 422, "to"),
        ({"from": "2026-11-02", "to": "2026-11-01"}, 422, "from"),
        ({"from": "01/09/2026"}, 400, "from"),
        ({"from": "2026-02-30"}, 400, "from"),
        ({"to": "2026-11-01"}, 400, "from"),
        ({"from": None}, 400, "from"),
    ],
)
async def test_bad_or_missing_days_are_refused_naming_the_field(
    client: AsyncTestClient[Any], body: dict[str, Any], status: int, field: str
) -> None:
    refused = await client.post(BACKFILLS, json=body, headers=as_partner(OWNER))
    assert refused.status_code == status, refused.text
    assert refused.json()["field"] == field
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_client_not_active_gets_409_and_one_unknown_404(
    client: AsyncTestClient[Any], world: OctopusWorld
) -> None:
    await install_and_connect(client, world, OWNER)
    unknown = await client.post(BACKFILLS, json={"from": "2026-09-01"}, headers=as_partner(OWNER))
    assert unknown.status_code == 404
    await client.put(
        "/v1/clients/space-1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(OWNER)
    )
    assert (await client.delete("/v1/clients/space-1/octopus", headers=as_partner(OWNER))).status_code == 204
    inactive = await client.post(BACKFILLS, json={"from": "2026-09-01"}, headers=as_partner(OWNER))
    assert inactive.status_code == 409
    assert "not active" in inactive.json()["detail"]
