"""The real container on SQLite, the HTTP app in front of it, and a stand-in Octopus behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from sandbox import banqup_calls
from sandbox.banqup_calls import document_message, signature_headers
from sandbox.octopus import (
    API_URL,
    CLIENT_SECRET,
    OAUTH_URL,
    SOFTWARE_HOUSE_ID,
    OctopusWorld,
    standin_app,
)
from tests.conftest import FixedClock

API_TOKEN_SECRET = "api-token-secret-for-the-http-tests"
WEBHOOK_SECRET = "webhook-secret-for-tests"
PUBLIC_URL = "http://octobridge.test"
RETURN_URL = "https://partner.banqup.example/extensions/octopus"
IMPORT_MAILBOX = "uid-008352-24@import.octopus.be"


def partner_token(partner: str, *, secret: str = API_TOKEN_SECRET, lifetime: int = 300, **claims: Any) -> str:
    return banqup_calls.partner_token(partner, secret, lifetime=lifetime, **claims)


def as_partner(partner: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {partner_token(partner)}"}


def signed(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    return signature_headers(body, secret, at=at)


def message(
    message_id: str, partner: str, client: str, document: str, occurred_at: str, *, type: str = "approved"
) -> bytes:
    return document_message(message_id, partner, client, document, occurred_at, type=type)


@pytest.fixture
def world() -> OctopusWorld:
    return OctopusWorld(
        dossiers=[
            {
                "dossierKey": {"id": 11},
                "dossierDescription": "Brasserie Dupont",
                "vatNr": "BE0123456749",
                "email": IMPORT_MAILBOX,
            },
            {
                "dossierKey": {"id": 12},
                "dossierDescription": "Atelier sans TVA",
                "vatNr": None,
                "email": None,
            },
        ]
    )


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return http_settings(sqlite_url, tmp_path)


def http_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        webhook_secret=WEBHOOK_SECRET,
        api_token_secret=API_TOKEN_SECRET,
        secret_key="secret-key-for-tests",
        public_url=PUBLIC_URL,
        allowed_return_origins=("https://partner.banqup.example",),
        octopus_oauth_url=OAUTH_URL,
        octopus_api_url=API_URL,
        octopus_software_house_id=SOFTWARE_HOUSE_ID,
        octopus_client_secret=CLIENT_SECRET,
        var_dir=str(tmp_path / "var"),
    )


@pytest.fixture
def container(settings: Settings, clock: FixedClock, world: OctopusWorld) -> Container:
    """The real container; only the clock and the network under Octopus's address are the test's."""
    container = build_container(settings)
    container.infrastructure.clock.override(providers.Object(clock))
    octopus_network = httpx.AsyncClient(transport=httpx.ASGITransport(app=standin_app(world)))
    container.infrastructure.http_client.override(providers.Object(octopus_network))
    return container


@pytest.fixture
async def client(settings: Settings, container: Container) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(settings, container), base_url=PUBLIC_URL) as client:
        yield client


async def install_and_connect(client: AsyncTestClient[Any], world: OctopusWorld, partner: str) -> str:
    """Installs, logs in at the stand-in Octopus and comes back; returns where the browser lands."""
    headers = as_partner(partner)
    assert (await client.put("/v1/extension", headers=headers)).status_code in (200, 201)
    start = await client.get(
        "/v1/extension/octopus/connect",
        params={"returnUrl": RETURN_URL},
        headers=headers,
        follow_redirects=False,
    )
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=standin_app(world))) as browser:
        login = await browser.get(start.headers["location"])
    assert login.status_code == 302, login.text
    back = urlsplit(login.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{PUBLIC_URL}/v1/octopus/callback"
    done = await client.get(
        "/v1/octopus/callback",
        params={k: v[0] for k, v in parse_qs(back.query).items()},
        follow_redirects=False,
    )
    assert done.status_code == 302, done.text
    return done.headers["location"]
