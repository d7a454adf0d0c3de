"""The Octopus connection through HTTP against the stand-in: PKCE, renewal, refusals, Octopus's
errors, the 150-calls-a-day limit, and no plaintext token at rest."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.settings import Settings
from sandbox.octopus import SOFTWARE_HOUSE_ID, OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import (
    IMPORT_MAILBOX,
    PUBLIC_URL,
    as_partner,
    install_and_connect,
    message,
    signed,
)

P1 = "partner-1"


async def test_the_login_asks_octopus_for_the_webservice_scope_with_pkce(
    client: AsyncTestClient[Any], world: OctopusWorld
) -> None:
    await install_and_connect(client, world, P1)
    (query,) = world.authorize_queries
    assert query["scope"] == "webservice" and query["response_type"] == "code"
    assert query["client_id"] == SOFTWARE_HOUSE_ID
    assert query["redirect_uri"] == f"{PUBLIC_URL}/v1/octopus/callback"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(world.access_tokens) == 1  # the stand-in checked the verifier against the challenge


async def test_tokens_are_renewed_before_expiry_and_a_refused_renewal_asks_for_a_reconnect(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    headers = as_partner(P1)
    await install_and_connect(client, world, P1)
    await client.put("/v1/clients/c1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=headers)
    clock.advance(minutes=20)
    assert (await client.get("/v1/octopus/dossiers", headers=headers)).status_code == 200
    assert len(world.issued) == 4, "the expired access token was renewed with the refresh token"

    world.revoke_all()
    clock.advance(minutes=20)
    refused = await client.get("/v1/octopus/dossiers", headers=headers)
    assert refused.status_code == 409 and "connect with Octopus again" in refused.json()["detail"]
    extension = (await client.get("/v1/extension", headers=headers)).json()
    assert (extension["state"], extension["active"]) == ("needsReconnect", True)

    body = message("m1", P1, "c1", "doc-1", clock.at.isoformat())
    outcome = (await client.post("/v1/messages", content=body, headers=signed(body))).json()
    assert outcome["outcome"] == "exported", "mail delivery does not need the Octopus token"

    back = await install_and_connect(client, world, P1)
    assert parse_qs(back.split("?", 1)[1]) == {"octopus": ["connected"]}
    assert (await client.get("/v1/extension", headers=headers)).json()["state"] == "connected"


async def test_octopus_errors_become_problems(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    headers = as_partner(P1)
    await install_and_connect(client, world, P1)
    world.down = True
    down = await client.get("/v1/octopus/dossiers", headers=headers)
    assert down.status_code == 503 and "maintenance" in down.json()["detail"]
    assert down.headers["retry-after"]

    world.down = False
    world.access_tokens.clear()  # Octopus no longer takes the access token it gave out (nothing is cached)
    refused = await client.get("/v1/octopus/dossiers", headers=headers)
    assert refused.status_code == 409 and "connect with Octopus again" in refused.json()["detail"]
    extension = (await client.get("/v1/extension", headers=headers)).json()
    assert (extension["state"], extension["active"]) == ("needsReconnect", True)  # exports go on (R2)


@pytest.mark.slow
async def test_the_dossier_list_is_never_asked_more_than_150_times_a_day(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    headers = as_partner(P1)
    await install_and_connect(client, world, P1)
    burst = await asyncio.gather(*(client.get("/v1/octopus/dossiers", headers=headers) for _ in range(50)))
    assert {r.status_code for r in burst} == {200}
    assert world.dossier_calls == 1, "a burst of requests makes a single call"

    calls_at = []
    for _ in range(36 * 60 // 3):  # a request every 3 minutes for 36 hours
        clock.advance(minutes=3)
        before = world.dossier_calls
        assert (await client.get("/v1/octopus/dossiers", headers=headers)).status_code == 200
        calls_at += [clock.at] * (world.dossier_calls - before)
    busiest = max(sum(1 for t in calls_at if start <= t < start + timedelta(days=1)) for start in calls_at)
    assert 100 < busiest <= 150


async def test_the_database_holds_no_plaintext_token(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld, settings: Settings
) -> None:
    headers = as_partner(P1)
    await install_and_connect(client, world, P1)
    clock.advance(minutes=20)
    await client.get("/v1/octopus/dossiers", headers=headers)  # renews: two generations of tokens
    assert len(world.issued) == 4
    database = Path(settings.database_url.split("///", 1)[1])
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert P1.encode() in stored, "the grep reads the files the data went to"
    for token in world.issued:
        assert token.encode() not in stored
