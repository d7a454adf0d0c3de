"""The Octopus adapter reads Octopus's answers no further than its limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.octopus.account import MAX_BODY, HttpOctopusAccount
from application.errors import Unavailable
from tests.conftest import FixedClock

MEGABYTE = 1024 * 1024


def account(handler: httpx.MockTransport, clock: FixedClock) -> HttpOctopusAccount:
    return HttpOctopusAccount(
        oauth_url="http://octopus/oauth",
        api_url="http://octopus/api",
        client_id="software-house",
        client_secret="secret",
        redirect_uri="http://octobridge/v1/octopus/callback",
        clock=clock,
        http=httpx.AsyncClient(transport=handler),
    )


async def test_an_endless_dossier_list_is_refused_before_it_fills_memory(clock: FixedClock) -> None:
    served: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        while len(served) < 64:
            served.append(MEGABYTE)
            yield b"[" + b" " * (MEGABYTE - 1)

    octopus = account(httpx.MockTransport(lambda request: httpx.Response(200, content=endless())), clock)
    with pytest.raises(Unavailable, match=f"more than {MAX_BODY} bytes"):
        await octopus.dossiers("p1", "token")
    assert sum(served) <= MAX_BODY + 2 * MEGABYTE


async def test_a_declared_length_over_the_limit_is_refused_unread(clock: FixedClock) -> None:
    def oversized(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": str(MAX_BODY + 1)}, content=b"[]")

    with pytest.raises(Unavailable, match=f"more than {MAX_BODY} bytes"):
        await account(httpx.MockTransport(oversized), clock).dossiers("p1", "token")


async def test_an_answer_within_the_limit_is_read_whole(clock: FixedClock) -> None:
    dossier = {"dossierKey": {"id": 7}, "dossierDescription": "Brasserie", "vatNr": None, "email": None}
    answer = httpx.Response(200, json=[dossier] * 20_000)  # about 1.5 MB
    octopus = account(httpx.MockTransport(lambda request: answer), clock)
    dossiers = await octopus.dossiers("p1", "token")
    assert len(dossiers) == 20_000 and dossiers[0].id == 7
