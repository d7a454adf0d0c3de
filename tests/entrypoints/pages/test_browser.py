"""R22 in a real browser: Debian's Chromium, driven by Playwright, walks the pages of the served app
(uvicorn, SQLite, the in-memory Octopus) the way an accountant would, and every page passes the
accessibility check. Screenshots of each step go to var/screenshots/."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from dependency_injector import providers
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from adapters.clock import SystemClock
from adapters.memory.octopus import InMemoryOctopusAccount
from application.use_cases.get_extension import ExtensionOf
from application.use_cases.install_extension import Install
from domain.dossier import Dossier
from domain.validation import Violation
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from sandbox.server import free_port, serving
from tests.builders import a_message
from tests.conftest import IN_CI
from tests.entrypoints.pages.accessibility import audit

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
API_TOKEN_SECRET = "api-token-secret-for-the-browser"
PARTNER = "partner-browser"
BRASSERIE, ATELIER = "space-brasserie", "space-atelier"
IMPORT_MAILBOX = "uid-008352-24@import.octopus.be"
DOSSIERS = [
    Dossier(id=11, name="Brasserie Dupont", vat_number="BE0123456749", mailbox=IMPORT_MAILBOX),
    Dossier(id=12, name="Atelier sans TVA", vat_number=None, mailbox=None),
]
VIOLATIONS = (
    Violation(
        "BR-CO-15", True, "Invoice total amount with VAT = total without VAT + total VAT amount.", "/Invoice"
    ),
    Violation("PEPPOL-EN16931-R008", True, "Document MUST not contain empty elements.", "/Invoice/cbc:Note"),
)
T = TypeVar("T")


def require_chromium() -> None:
    """Skips with the reason when Debian's Chromium is not installed; under CI=true, fails instead."""
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if IN_CI:
        pytest.fail(f"{reason}; CI must run the browser tests")
    pytest.skip(reason)


class Site:
    """The served app, and the use cases behind it for making data as Banqup and the worker would."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.settings = settings

    def open_url(self, path: str, lang: str | None = None) -> str:
        """The address Banqup opens: the page with a fresh partner token."""
        claims: dict[str, Any] = {"iss": "banqup", "aud": "octobridge", "sub": PARTNER}
        claims["exp"] = int(time.time()) + 300
        if lang:
            claims["lang"] = lang
        token = jwt.encode(claims, API_TOKEN_SECRET, algorithm="HS256")
        return f"{self.url}{path}?{urlencode({'token': token})}"

    def run(self, work: Callable[[Container], Awaitable[T]]) -> T:
        async def with_container() -> T:
            container = build_container(self.settings)
            await container.init_resources()  # type: ignore[misc]
            try:
                return await work(container)
            finally:
                await container.shutdown_resources()  # type: ignore[misc]

        with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API holds this thread's loop
            return pool.submit(asyncio.run, with_container()).result()


@pytest.fixture
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def serving_site(database_url: str, var: Path, **more: str) -> Iterator[Site]:
    """The app served on a free port with the in-memory Octopus; `more` settings (an SMTP relay, a
    Banqup) for the pages whose story needs the worker."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=database_url,
        webhook_secret="webhook-secret-for-the-browser",
        api_token_secret=API_TOKEN_SECRET,
        secret_key="secret-key-for-the-browser",
        public_url=url,
        allowed_return_origins=(url,),
        var_dir=str(var / "var"),
        **more,
    )
    container = build_container(settings)
    octopus = InMemoryOctopusAccount(SystemClock(), dossier_list=DOSSIERS)
    container.infrastructure.octopus_account.override(providers.Object(octopus))
    with serving(create_app(settings, container), port) as served:
        yield Site(served, settings)


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Iterator[Site]:
    with serving_site(sqlite_url, tmp_path) as served:
        yield served


def octopus_login(site: Site, answers: list[str]) -> Callable[[Route], None]:
    """Stands in for the Octopus login page: sends the browser back to the callback, each time with
    the next of `answers` (`code=…` for a login, `error=access_denied` for a cancel)."""

    def answer(route: Route) -> None:
        state = parse_qs(urlsplit(route.request.url).query)["state"][0]
        location = f"{site.url}/v1/octopus/callback?state={state}&{answers.pop(0)}"
        route.fulfill(status=302, headers={"Location": location})

    return answer


def shoot(page: Page, name: str) -> None:
    """A screenshot for people to look at, and the accessibility check the test asserts."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert audit(page) == [], name


async def install(container: Container) -> None:
    await (await container.use_cases.install_extension())(Install(partner_id=PARTNER))


async def documents(container: Container) -> None:
    """Banqup tells of three documents of the brasserie; the worker delivers one and finds one invalid."""
    receive = await container.use_cases.receive_message()
    now = datetime.now(UTC)
    old = await receive(
        a_message(now - timedelta(days=3), partner=PARTNER, client=BRASSERIE, document="INV-OLD")
    )
    assert old.outcome == "skipped", old
    ids = []
    for number in ("INV-0001", "INV-0002"):
        outcome = await receive(a_message(now, partner=PARTNER, client=BRASSERIE, document=number))
        assert outcome.export_id is not None, outcome
        ids.append(outcome.export_id)
    units = await container.infrastructure.units_of_work()
    async with units() as uow:
        delivered = await uow.exports.get(ids[0], PARTNER)
        failed = await uow.exports.get(ids[1], PARTNER)
        assert delivered is not None and failed is not None
        delivered.delivered(now, f"<export-{ids[0]}@octobridge.test>", "250 2.0.0 Ok: queued")
        failed.failed(now, "the document is not valid Peppol BIS 3", VIOLATIONS)
        await uow.commit()


def test_an_accountant_connects_activates_retries_and_switches_off(browser: Browser, site: Site) -> None:
    site.run(install)
    page = browser.new_page(locale="fr-BE")
    page.route("http://octopus.invalid/**", octopus_login(site, ["error=access_denied", "code=granted"]))

    # Connect: cancelled at Octopus first, then logged in.
    page.goto(site.open_url("/pages/extension"))
    assert "token=" not in page.url
    expect(page.get_by_text("Pas encore connecté à Octopus.")).to_be_visible()
    shoot(page, "01-extension-not-connected")
    page.get_by_role("button", name="Se connecter avec Octopus").click()
    expect(page.get_by_role("alert")).to_contain_text("La connexion a été annulée chez Octopus.")
    shoot(page, "02-extension-connect-cancelled")
    page.get_by_role("button", name="Se connecter avec Octopus").click()
    expect(page.get_by_role("status")).to_have_text("L’installation est réussie : Octopus est connecté.")
    expect(page.get_by_text("Connecté à Octopus.", exact=True)).to_be_visible()
    expect(page.get_by_role("switch", name="Actif")).to_be_checked()
    shoot(page, "03-extension-connected")

    # Activate two clients by picking their dossiers; the second one draws the R8 warnings.
    page.goto(site.open_url(f"/pages/clients/{BRASSERIE}"))
    expect(page.get_by_role("heading", name="Ajouter une intégration")).to_be_visible()
    shoot(page, "04-client-add-integration")
    page.get_by_label("Dossier Octopus", exact=True).select_option(
        label="Brasserie Dupont — BE0123456749 — " + IMPORT_MAILBOX
    )
    page.get_by_label("Numéro de TVA du client").fill("BE 0123.456.749")
    page.get_by_role("button", name="Enregistrer la configuration").click()
    expect(page.get_by_role("status").first).to_have_text("Configuration enregistrée.")
    expect(
        page.get_by_text(f"Active : les documents de ce client sont exportés vers {IMPORT_MAILBOX}")
    ).to_be_visible()
    expect(page.locator("#mailbox-warnings")).to_have_count(0)

    page.goto(f"{site.url}/pages/clients/{ATELIER}")
    page.get_by_label("Dossier Octopus", exact=True).select_option(value="12")
    page.get_by_label("Adresse e-mail du dossier Octopus").fill("compta@atelier.be")
    page.get_by_role("button", name="Enregistrer la configuration").click()
    warnings = page.locator("#mailbox-warnings li")
    expect(warnings).to_have_count(2)
    expect(warnings.nth(0)).to_contain_text("uid-…@import.octopus.be")
    expect(warnings.nth(1)).to_contain_text("Le dossier Octopus n’a pas de numéro de TVA")
    expect(page.get_by_label("Adresse e-mail du dossier Octopus")).to_have_attribute(
        "aria-describedby", "mailbox-hint mailbox-warnings"
    )
    shoot(page, "05-client-warnings")

    # The export history: one delivered, one failed for invalid UBL, one historical document skipped.
    site.run(documents)
    page.goto(f"{site.url}/pages/clients/{BRASSERIE}")
    rows = page.locator("table.exports tbody tr")
    expect(rows).to_have_count(3)
    delivered, failed = rows.filter(has_text="INV-0001"), rows.filter(has_text="INV-0002")
    expect(delivered.locator(".badge")).to_have_text("Livré")
    expect(delivered).to_contain_text("Message-ID :")
    expect(failed.locator(".badge")).to_have_text("Échec")
    expect(failed).to_contain_text("ne respecte pas les règles Peppol BIS 3")
    expect(failed.locator("code")).to_have_text(["BR-CO-15", "PEPPOL-EN16931-R008"])
    expect(rows.filter(has_text="INV-OLD")).to_contain_text("les documents historiques ne sont pas exportés")
    expect(page.locator("ol.history li")).to_have_count(1)
    shoot(page, "06-client-exports")

    failed.get_by_role("button", name="Réessayer").click()
    expect(page.get_by_text("L’export est remis en file d’attente.")).to_be_visible()
    expect(rows.filter(has_text="INV-0002").locator(".badge")).to_have_text("En attente")
    expect(page.get_by_role("button", name="Réessayer")).to_have_count(0)
    shoot(page, "07-client-export-retried")

    # Manage: switching Active off asks for a confirmation that names all clients.
    page.goto(f"{site.url}/pages/extension")
    page.get_by_role("switch", name="Actif").uncheck()
    page.get_by_role("button", name="Enregistrer").click()
    dialog = page.get_by_role("alertdialog", name="Confirmez votre choix")
    expect(dialog).to_contain_text("arrête les exportations vers Octopus pour tous vos clients")
    shoot(page, "08-extension-confirm-off")
    dialog.get_by_role("button", name="Désactiver pour tous les clients").click()
    expect(page.get_by_role("status")).to_have_text(
        "L’extension est désactivée : plus aucun document n’est exporté."
    )
    expect(page.get_by_role("switch", name="Actif")).not_to_be_checked()
    shoot(page, "09-extension-off")

    async def extension_active(container: Container) -> bool:
        return (await (await container.use_cases.get_extension())(ExtensionOf(partner_id=PARTNER))).active

    assert site.run(extension_active) is False


def test_pages_speak_the_token_language_and_refuse_without_a_session(browser: Browser, site: Site) -> None:
    site.run(install)
    page = browser.new_page(locale="fr-BE")
    answer = page.goto(f"{site.url}/pages/extension")
    assert answer is not None and answer.status == 401
    expect(page.get_by_role("alert")).to_contain_text("Cette page s’ouvre depuis Banqup.")
    shoot(page, "10-no-session")

    page.goto(site.open_url("/pages/extension", lang="nl"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Verbinden met Octopus")).to_be_visible()
    shoot(page, "11-extension-dutch")
    english = browser.new_page(locale="en-GB")
    english.goto(site.open_url(f"/pages/clients/{BRASSERIE}"))
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.get_by_role("heading", name="Add integration")).to_be_visible()
    shoot(english, "12-client-english")
