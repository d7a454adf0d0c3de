"""A message the database refuses to store (not a repeat) is never acknowledged: `POST /v1/messages`
answers 500 without internals, records nothing, and the same message goes through once the cause is
removed, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.settings import Settings
from sandbox.octopus import OctopusWorld
from sandbox.world import empty_database
from tests.adapters.persistence.lost_exports import exports_lost
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import IMPORT_MAILBOX, as_partner, install_and_connect, message, signed

P1 = "partner-1"
INTERNALS = ("outbox", "exports", "constraint", "foreign", "insert", "sql", "doc-bad")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("postgres_url")
    await empty_database(url)
    return url


@pytest.fixture
def settings(settings: Settings, database_url: str) -> Settings:
    return msgspec.structs.replace(settings, database_url=database_url)


async def exports(client: AsyncTestClient[Any]) -> list[str]:
    page = (await client.get("/v1/clients/c1/exports", headers=as_partner(P1))).json()
    return sorted(e["documentId"] for e in page["items"])


async def test_a_message_the_database_refuses_answers_500_and_goes_through_once_the_cause_is_removed(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld, database_url: str
) -> None:
    await install_and_connect(client, world, P1)
    await client.put("/v1/clients/c1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(P1))
    body = message("m-bad", P1, "c1", "doc-bad", clock.advance(minutes=5).isoformat())
    async with exports_lost(database_url, "doc-bad") as cause:
        for _ in range(2):  # not recorded, so not taken for a repeat the second time
            refused = await client.post("/v1/messages", content=body, headers=signed(body))
            assert refused.status_code == 500, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["status"] == 500
            assert not [word for word in INTERNALS if word in refused.text.lower()], refused.text
        assert await exports(client) == []
        await cause.remove()
        accepted = await client.post("/v1/messages", content=body, headers=signed(body))
        assert accepted.status_code == 202 and accepted.json()["outcome"] == "exported"
    same_document = message("m-again", P1, "c1", "doc-bad", clock.now().isoformat())
    for repeat in (body, same_document):
        again = await client.post("/v1/messages", content=repeat, headers=signed(repeat))
        assert again.status_code == 202 and again.json()["reason"] == "repeat"
    assert await exports(client) == ["doc-bad"]
