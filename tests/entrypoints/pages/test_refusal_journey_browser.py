"""Issue 19's journey through the pages in a real browser (R25, R26): Octopus's server refuses the
brasserie's mailbox at `RCPT TO`, the extension page lists the client under "Needs attention", its
link opens the client page telling the refusal with the server's reply, the accountant enters the
new address there, the worker delivers both documents to it, and nothing needs attention any more.
The worker runs as `octobridge worker` assembles it, against a real SMTP server and the stand-in
Banqup (fixtures of `test_browser`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from application.ports.repositories import ExportQuery
from application.use_cases.activate_client_integration import ActivateClient
from application.use_cases.install_extension import Install
from domain.export import Export, ExportStatus
from entrypoints.container import Container
from sandbox.banqup import BanqupStandIn, StoredDocument
from sandbox.documents import banqup_document, encoded
from sandbox.smtp_inbox import RunningSmtp, SmtpSink
from tests.builders import a_message
from tests.entrypoints.pages.test_browser import (
    BRASSERIE,
    IMPORT_MAILBOX,
    PARTNER,
    Site,
    browser,
    serving_site,
    shoot,
)
from tests.entrypoints.worker.running import running_worker, until

__all__ = ["browser"]

pytestmark = pytest.mark.browser

NEW_MAILBOX = "uid-008352-25@import.octopus.be"
REPLY = f"550 5.1.1 <{IMPORT_MAILBOX}>: Recipient address rejected: User unknown"
DOCUMENTS = ("INV-0001", "INV-0002")


async def active_brasserie(container: Container) -> None:
    """The partner connected to Octopus, and the brasserie active at its dossier's import address."""
    await (await container.use_cases.install_extension())(Install(partner_id=PARTNER))
    units = await container.infrastructure.units_of_work()
    async with units() as uow:
        extension = await uow.extensions.get(PARTNER)
        assert extension is not None
        extension.connected(datetime.now(UTC))
        await uow.commit()
    await (await container.use_cases.activate_client())(
        ActivateClient(partner_id=PARTNER, client_id=BRASSERIE, mailbox=IMPORT_MAILBOX)
    )


@pytest.fixture
def site(
    sqlite_url: str, tmp_path: Path, smtp: RunningSmtp[SmtpSink], banqup: tuple[BanqupStandIn, str]
) -> Iterator[Site]:
    with serving_site(sqlite_url, tmp_path, smtp_url=smtp.url, banqup_api_url=banqup[1]) as served:
        yield served


def approved(number: str) -> Callable[[Container], Awaitable[None]]:
    """Banqup tells octobridge that the brasserie approved document `number`."""

    async def receive(container: Container) -> None:
        outcome = await (await container.use_cases.receive_message())(
            a_message(datetime.now(UTC), partner=PARTNER, client=BRASSERIE, document=number)
        )
        assert outcome.export_id is not None, outcome

    return receive


def worker_until(settled: Callable[[list[Export]], bool]) -> Callable[[Container], Awaitable[list[Export]]]:
    """The worker runs until `settled` holds of the partner's exports, which it returns."""

    async def work(container: Container) -> list[Export]:
        units = await container.infrastructure.units_of_work()

        async def exports() -> list[Export]:
            async with units() as uow:
                return list(await uow.exports.list(ExportQuery(partner_id=PARTNER)))

        async def done() -> bool:
            return settled(await exports())

        async with running_worker(container) as running:
            await until(done, running)
        return await exports()

    return work


def test_the_accountant_sees_the_refusal_enters_the_new_address_and_both_documents_arrive(
    browser: Browser, site: Site, smtp: RunningSmtp[SmtpSink], banqup: tuple[BanqupStandIn, str]
) -> None:
    for number in DOCUMENTS:
        banqup[0].put(
            BRASSERIE, number, StoredDocument(encoded(banqup_document(number, BRASSERIE, number=number)))
        )
    smtp.sink.refuse_recipients.add(IMPORT_MAILBOX)  # the dossier's structure changed in Octopus
    site.run(active_brasserie)
    site.run(approved(DOCUMENTS[0]))
    site.run(worker_until(lambda exports: exports[0].status is ExportStatus.FAILED))
    site.run(approved(DOCUMENTS[1]))  # held: the mailbox is known to be refused

    page = browser.new_page(locale="en-GB")
    page.goto(site.open_url("/pages/extension", lang="en"))
    attention = page.get_by_role("region", name="Needs attention")
    expect(attention).to_contain_text("Octopus refuses this client's address: 2 documents wait")
    shoot(page, "32-journey-needs-attention")

    attention.get_by_role("link", name=f"Client {BRASSERIE}").click()
    expect(page).to_have_url(f"{site.url}/pages/clients/{BRASSERIE}")
    refusal = page.get_by_role("alert").filter(has_text="Octopus refuses this client's address")
    expect(refusal).to_contain_text(REPLY)
    expect(refusal).to_contain_text(f"refused the mailbox {IMPORT_MAILBOX}")
    expect(refusal.get_by_role("link", name=DOCUMENTS[0])).to_be_visible()
    rows = page.locator("table.exports tbody tr")
    refused, held = rows.filter(has_text=DOCUMENTS[0]), rows.filter(has_text=DOCUMENTS[1])
    expect(refused.locator(".badge")).to_have_text("Failed")
    expect(held.locator(".badge")).to_have_text("Queued")
    expect(held).to_contain_text("Waits for this client's new address: nothing is sent to the refused one.")
    shoot(page, "33-journey-client-refused")

    page.get_by_label("E-mail address of the Octopus dossier").fill(NEW_MAILBOX)
    page.get_by_role("button", name="Save configuration").click()
    expect(page.get_by_role("status").first).to_have_text("Configuration saved.")
    expect(page.get_by_text(f"Active: this client's documents are exported to {NEW_MAILBOX}")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    site.run(worker_until(lambda exports: {e.status for e in exports} == {ExportStatus.DELIVERED}))
    page.reload()
    expect(rows).to_have_count(2)
    expect(rows.locator(".badge")).to_have_text(["Delivered", "Delivered"])
    expect(page.locator("ol.history li")).to_have_count(2)
    shoot(page, "34-journey-client-delivered")
    assert smtp.sink.recipients == [IMPORT_MAILBOX, NEW_MAILBOX, NEW_MAILBOX]

    page.goto(f"{site.url}/pages/extension")
    expect(page.get_by_text("Connected to Octopus.", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Needs attention")).to_have_count(0)
    shoot(page, "35-journey-nothing-needs-attention")
