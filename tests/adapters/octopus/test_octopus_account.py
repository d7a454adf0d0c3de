"""The `OctopusAccount` contract, run over every implementation (Octopus over HTTP against the
stand-in Octopus, and the in-memory one); and the HTTP adapter reads Octopus's answers no further
than its limit."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.octopus.account import MAX_BODY, HttpOctopusAccount
from application.errors import Forbidden, Unavailable
from application.ports.octopus import OctopusAccount
from domain.dossier import Dossier
from sandbox.octopus import API_URL, CLIENT_SECRET, OAUTH_URL, SOFTWARE_HOUSE_ID, OctopusWorld, standin_app
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


DOSSIERS = [
    Dossier(7, "Brasserie Dupont", "BE0123456749", "uid-008352-24@import.octopus.be"),
    Dossier(8, "Atelier Martin", None, None),
]


@dataclass
class AccountUnderTest:
    account: OctopusAccount
    consent: Callable[[str], Awaitable[str]]  # the accountant logs in at this URL: the code given back
    shows: Callable[[list[Dossier]], None]  # Octopus holds these dossiers from now on
    revoke: Callable[[str], None]  # Octopus no longer takes this refresh token


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(params=["http", "in-memory"])
async def under_test(request: pytest.FixtureRequest, clock: FixedClock) -> AsyncIterator[AccountUnderTest]:
    if request.param == "in-memory":
        fake = InMemoryOctopusAccount(clock)

        async def any_login(url: str) -> str:
            return "granted"

        yield AccountUnderTest(
            fake, any_login, lambda dossiers: setattr(fake, "dossier_list", dossiers), fake.revoked.add
        )
        return
    world = OctopusWorld()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=standin_app(world))) as network:
        account = HttpOctopusAccount(
            oauth_url=OAUTH_URL,
            api_url=API_URL,
            client_id=SOFTWARE_HOUSE_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri="http://octobridge/v1/octopus/callback",
            clock=clock,
            http=network,
        )

        async def log_in(url: str) -> str:
            back = await network.get(url)
            return _query(back.headers["location"])["code"]

        def shows(dossiers: list[Dossier]) -> None:
            world.dossiers = [
                {
                    "dossierKey": {"id": d.id},
                    "dossierDescription": d.name,
                    "vatNr": d.vat_number,
                    "email": d.mailbox,
                }
                for d in dossiers
            ]

        yield AccountUnderTest(account, log_in, shows, world.refresh_tokens.discard)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def test_a_login_gives_a_code_that_buys_tokens_for_a_while(
    under_test: AccountUnderTest, clock: FixedClock
) -> None:
    verifier, challenge = _pkce()
    url = under_test.account.authorize_url("state-1", challenge)
    assert _query(url)["state"] == "state-1"
    tokens = await under_test.account.exchange_code(await under_test.consent(url), verifier)
    assert tokens.access_token and tokens.refresh_token and tokens.access_token != tokens.refresh_token
    assert tokens.expires_at > clock.now()


async def test_a_code_octopus_did_not_give_is_forbidden(under_test: AccountUnderTest) -> None:
    with pytest.raises(Forbidden):
        await under_test.account.exchange_code("refused", _pkce()[0])


async def test_a_refresh_token_buys_new_tokens_until_it_is_revoked(under_test: AccountUnderTest) -> None:
    verifier, challenge = _pkce()
    code = await under_test.consent(under_test.account.authorize_url("state-1", challenge))
    tokens = await under_test.account.exchange_code(code, verifier)
    renewed = await under_test.account.refresh(tokens.refresh_token)
    assert renewed.access_token != tokens.access_token
    under_test.revoke(renewed.refresh_token)
    with pytest.raises(Forbidden):
        await under_test.account.refresh(renewed.refresh_token)


async def test_the_dossiers_are_the_ones_octopus_holds(under_test: AccountUnderTest) -> None:
    verifier, challenge = _pkce()
    code = await under_test.consent(under_test.account.authorize_url("state-1", challenge))
    tokens = await under_test.account.exchange_code(code, verifier)
    assert await under_test.account.dossiers("p1", tokens.access_token) == []
    under_test.shows(DOSSIERS)
    assert await under_test.account.dossiers("p1", tokens.access_token) == DOSSIERS
