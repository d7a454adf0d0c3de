"""The pages through HTTP, without a browser: the session from the token, CSRF, isolation between
partners, paging, errors beside the field, and the three languages."""

from __future__ import annotations

import re
import time
from html import unescape
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from entrypoints.http.auth import PartnerTokens
from entrypoints.http.pages.session import COOKIE, PageSessions
from entrypoints.http.pages.words import WORDS, negotiate
from entrypoints.settings import Settings
from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import (
    API_TOKEN_SECRET,
    IMPORT_MAILBOX,
    as_partner,
    install_and_connect,
    message,
    partner_token,
    signed,
)
from tests.entrypoints.pages.conftest import open_page

P1, P2 = "partner-1", "partner-2"
BRASSERIE = "space-brasserie"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def session_page(client: AsyncTestClient[Any], path: str, partner: str, **claims: Any) -> str:
    """Opens `path` as Banqup does and returns the page's HTML."""
    response = await client.get(await open_page(client, path, partner, **claims))
    assert response.status_code == 200, response.text
    return response.text


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


async def with_exports(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock, count: int
) -> None:
    """P1 connected, the brasserie activated, and `count` approved documents exported."""
    await install_and_connect(client, world, P1)
    activated = await client.put(
        f"/v1/clients/{BRASSERIE}/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(P1)
    )
    assert activated.status_code == 201
    for number in range(count):
        clock.advance(minutes=1)
        body = message(f"m{number}", P1, BRASSERIE, f"INV-{number:04d}", clock.now().isoformat())
        assert (await client.post("/v1/messages", content=body, headers=signed(body))).status_code == 202


async def test_the_token_is_swapped_for_a_session_cookie_and_left_out_of_the_address(
    client: AsyncTestClient[Any], world: OctopusWorld
) -> None:
    await install_and_connect(client, world, P1)
    token = partner_token(P1)
    response = await client.get(f"/pages/extension?octopus=connected&token={token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/pages/extension?octopus=connected"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "Path=/pages" in cookie
    assert "SameSite=lax" in cookie and "Secure" not in cookie  # development, over plain HTTP
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert "L’installation est réussie : Octopus est connecté." in page.text
    assert token not in page.text


def test_outside_development_the_cookie_is_secure_and_cross_site(settings: Settings) -> None:
    sessions = PageSessions(
        Settings(env="production", secret_key="k", api_token_secret=API_TOKEN_SECRET),
        PartnerTokens(API_TOKEN_SECRET),
    )
    cookie = sessions.cookie(sessions.start(partner_token(P1))).to_header(header="")
    assert "Secure" in cookie and "SameSite=none" in cookie and "HttpOnly" in cookie


def test_a_session_cookie_that_is_forged_or_expired_is_no_session() -> None:
    sessions = PageSessions(
        Settings(secret_key="k", api_token_secret=API_TOKEN_SECRET), PartnerTokens(API_TOKEN_SECRET)
    )
    now = time.time()
    session = sessions.start(partner_token(P1), now=now)
    value = sessions.cookie(session).value
    assert value is not None
    assert sessions.read(value, now=now + 1) == session
    assert sessions.read(value, now=session.expires) is None
    payload, _, signature = value.partition(".")
    other = sessions.cookie(sessions.start(partner_token(P2), now=now)).value
    assert other is not None
    assert sessions.read(f"{other.partition('.')[0]}.{signature}", now=now + 1) is None
    assert sessions.read(f"{payload}.", now=now + 1) is None


@pytest.mark.parametrize(
    ("accept_language", "words"),
    [(None, "Cette page s’ouvre depuis Banqup"), ("nl-BE,nl;q=0.9", "Deze pagina opent u vanuit Banqup")],
)
async def test_without_a_session_a_page_answers_401_saying_to_open_it_from_banqup(
    client: AsyncTestClient[Any], accept_language: str | None, words: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    for path in ("/pages/extension", f"/pages/clients/{BRASSERIE}"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("text/html")
        assert "WWW-Authenticate" in response.headers
        assert words in response.text
    refused = await client.get(
        f"/pages/extension?token={partner_token(P1, secret='not-the-secret-but-long-enough-for-hs256')}"
    )
    assert refused.status_code == 401
    assert COOKIE not in refused.headers.get("set-cookie", "")


async def test_a_form_without_the_session_csrf_token_changes_nothing(
    client: AsyncTestClient[Any], world: OctopusWorld
) -> None:
    await install_and_connect(client, world, P1)
    html = await session_page(client, "/pages/extension", P1)
    for forged in (
        {"confirm": "yes"},
        {"confirm": "yes", "csrf": "guessed"},
        {"confirm": "yes", "csrf": "é"},
    ):
        response = await client.post("/pages/extension/active", data=forged, follow_redirects=False)
        assert response.status_code == 403
        assert "Ce formulaire a expiré" in response.text
    assert (await client.get("/v1/extension", headers=as_partner(P1))).json()["active"] is True

    asked = await client.post("/pages/extension/active", data={"csrf": csrf_of(html)}, follow_redirects=False)
    assert asked.headers["location"] == "/pages/extension?confirm=off"
    assert (await client.get("/v1/extension", headers=as_partner(P1))).json()["active"] is True
    confirmed = await client.post(
        "/pages/extension/active", data={"csrf": csrf_of(html), "confirm": "yes"}, follow_redirects=False
    )
    assert confirmed.headers["location"] == "/pages/extension?switched=off"
    assert (await client.get("/v1/extension", headers=as_partner(P1))).json()["active"] is False


async def test_another_partner_sees_and_retries_nothing_of_the_first(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock, container: Container
) -> None:
    await with_exports(client, world, clock, 1)
    export_id = (await client.get(f"/v1/clients/{BRASSERIE}/exports", headers=as_partner(P1))).json()[
        "items"
    ][0]["id"]
    units = await container.infrastructure.units_of_work()
    async with units() as uow:
        export = await uow.exports.get(export_id, P1)
        assert export is not None
        export.failed(clock.now(), "550 5.1.1 mailbox unknown")
        await uow.commit()
    mine = await session_page(client, f"/pages/clients/{BRASSERIE}", P1)
    assert "550 5.1.1 mailbox unknown" in mine and IMPORT_MAILBOX in mine

    client.cookies.clear()
    theirs = await session_page(client, f"/pages/clients/{BRASSERIE}", P2)
    assert "Ajouter une intégration" in theirs
    assert IMPORT_MAILBOX not in theirs and "INV-0000" not in theirs and export_id not in theirs
    retry = await client.post(
        f"/pages/clients/{BRASSERIE}/exports/{export_id}/retry", data={"csrf": csrf_of(theirs)}
    )
    assert retry.status_code == 404
    assert (await client.get(f"/v1/exports/{export_id}", headers=as_partner(P1))).json()["status"] == "failed"


async def test_the_export_history_pages_with_the_cursor(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock
) -> None:
    await with_exports(client, world, clock, 23)
    first = await session_page(client, f"/pages/clients/{BRASSERIE}", P1)
    assert first.count('<tr id="export-') == 20
    assert "INV-0022" in first and "INV-0002" not in first
    following = re.search(r'<a href="([^"]+)" rel="next">Page suivante</a>', first)
    assert following, first
    second = await client.get(following.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert second.text.count('<tr id="export-') == 3
    assert "INV-0002" in second.text and "INV-0003" not in second.text
    assert 'rel="next"' not in second.text and "Plus récents" in second.text
    queued = await client.get(f"/pages/clients/{BRASSERIE}?status=delivered")
    assert "Aucun document pour l’instant." in queued.text


async def test_a_bad_mailbox_is_shown_beside_the_field_and_nothing_is_saved(
    client: AsyncTestClient[Any], world: OctopusWorld
) -> None:
    await install_and_connect(client, world, P1)
    html = await session_page(client, f"/pages/clients/{BRASSERIE}", P1)
    response = await client.post(
        f"/pages/clients/{BRASSERIE}/integration",
        data={"csrf": csrf_of(html), "mailbox": "compta@@atelier", "dossier": ""},
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert 'id="mailbox-error"' in response.text and "Cette adresse e-mail n’est pas valable" in response.text
    assert 'value="compta@@atelier"' in response.text
    empty = await client.post(f"/pages/clients/{BRASSERIE}/integration", data={"csrf": csrf_of(html)})
    assert empty.status_code == 422 and "Saisissez l’adresse e-mail du dossier" in empty.text
    assert (await client.get(f"/v1/clients/{BRASSERIE}/octopus", headers=as_partner(P1))).status_code == 404


async def test_a_picked_dossier_gives_its_mailbox_and_the_page_names_the_warnings(
    client: AsyncTestClient[Any], world: OctopusWorld
) -> None:
    await install_and_connect(client, world, P1)
    html = await session_page(client, f"/pages/clients/{BRASSERIE}", P1, lang="en")
    assert 'value="11"' in html and "Brasserie Dupont — BE0123456749" in html
    saved = await client.post(
        f"/pages/clients/{BRASSERIE}/integration",
        data={"csrf": csrf_of(html), "dossier": "11", "vatNumber": "BE0999999922"},
        follow_redirects=False,
    )
    assert saved.headers["location"] == f"/pages/clients/{BRASSERIE}?saved=true&warnings=dossier-vat-mismatch"
    page = await client.get(saved.headers["location"])
    assert "The Octopus dossier's VAT number differs from the client's." in unescape(page.text)
    integration = (await client.get(f"/v1/clients/{BRASSERIE}/octopus", headers=as_partner(P1))).json()
    assert (integration["mailbox"], integration["dossierId"]) == (IMPORT_MAILBOX, 11)


def test_every_language_has_every_word_and_the_browser_language_is_honoured() -> None:
    assert set(WORDS["nl"]) == set(WORDS["fr"]) == set(WORDS["en"])
    assert negotiate(None) == "fr"
    assert negotiate("de-DE,de;q=0.9") == "fr"
    assert negotiate("de-DE,en;q=0.5,nl;q=0.8") == "nl"
    assert negotiate("en-GB,fr;q=0.9") == "en"
    assert negotiate("nl;q=0,en") == "en"


async def test_a_client_is_turned_off_and_on_again_from_its_page(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock
) -> None:
    await with_exports(client, world, clock, 0)
    html = await session_page(client, f"/pages/clients/{BRASSERIE}", P1)
    assert "Désactiver pour ce client" in html
    off = await client.post(f"/pages/clients/{BRASSERIE}/deactivate", data={"csrf": csrf_of(html)})
    assert off.status_code == 200 and "L’intégration de ce client est désactivée" in off.text
    assert "Désactiver pour ce client" not in off.text
    assert (await client.get(f"/v1/clients/{BRASSERIE}/octopus", headers=as_partner(P1))).json()[
        "active"
    ] is False

    clock.advance(hours=1)
    on = await client.post(f"/pages/clients/{BRASSERIE}/integration", data={"csrf": csrf_of(html)})
    assert on.status_code == 200 and "Configuration enregistrée." in on.text
    integration = (await client.get(f"/v1/clients/{BRASSERIE}/octopus", headers=as_partner(P1))).json()
    assert integration["active"] is True and integration["mailbox"] == IMPORT_MAILBOX
    assert len(integration["periods"]) == 2
