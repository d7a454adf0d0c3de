"""R26 in a real browser: the extension page shows what needs attention, and its link leads to the
client's page telling the refusal above the address form (fixtures of `test_browser`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, expect

from application.use_cases.activate_client_integration import ActivateClient
from application.use_cases.install_extension import Install
from entrypoints.container import Container
from tests.builders import a_message
from tests.entrypoints.pages.test_browser import (
    BRASSERIE,
    IMPORT_MAILBOX,
    PARTNER,
    Site,
    browser,
    shoot,
    site,
)

__all__ = ["browser", "site"]

pytestmark = pytest.mark.browser

REPLY = "550 5.1.1 <uid-008352-24@import.octopus.be>: Recipient address rejected"


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


async def refused(container: Container) -> None:
    """The brasserie active, and its two documents: the first refused by Octopus's server, which
    refuses the mailbox, the second held since."""
    await active_brasserie(container)
    units = await container.infrastructure.units_of_work()
    receive = await container.use_cases.receive_message()
    ids = []
    for number in ("INV-0001", "INV-0002"):
        outcome = await receive(
            a_message(datetime.now(UTC), partner=PARTNER, client=BRASSERIE, document=number)
        )
        assert outcome.export_id is not None, outcome
        ids.append(outcome.export_id)
    async with units() as uow:
        first, second = await uow.exports.get(ids[0]), await uow.exports.get(ids[1])
        integration = await uow.integrations.get(PARTNER, BRASSERIE)
        assert first is not None and second is not None and integration is not None
        assert first.mailbox is not None
        now = datetime.now(UTC)
        first.refused(now, REPLY)
        second.hold()
        assert integration.refuse_mailbox(first.mailbox, now, REPLY, first.id)
        await uow.commit()


def test_the_attention_item_leads_to_the_client_page_telling_the_refusal(
    browser: Browser, site: Site
) -> None:
    site.run(refused)
    page = browser.new_page(locale="en-GB")
    page.goto(site.open_url("/pages/extension", lang="en"))
    attention = page.get_by_role("region", name="Needs attention")
    expect(attention).to_contain_text("Octopus refuses this client's address: 2 documents wait")
    shoot(page, "30-extension-needs-attention")

    attention.get_by_role("link", name=f"Client {BRASSERIE}").click()
    expect(page).to_have_url(f"{site.url}/pages/clients/{BRASSERIE}")
    refusal = page.get_by_role("alert").filter(has_text="Octopus refuses this client's address")
    expect(refusal).to_contain_text(REPLY)
    expect(refusal).to_contain_text(f"refused the mailbox {IMPORT_MAILBOX}")
    expect(refusal.get_by_role("link", name="INV-0001")).to_be_visible()
    expect(page.get_by_label("E-mail address of the Octopus dossier")).to_be_visible()
    shoot(page, "31-client-mailbox-refused")
