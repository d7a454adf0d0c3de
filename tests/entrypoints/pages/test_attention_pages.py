"""What needs attention on the pages (R26): the list at the top of the extension page, linking each
client's page, and on that page the refusal in plain words above the address form."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from entrypoints.http.pages.render import local_time
from entrypoints.http.pages.words import WORDS
from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import IMPORT_MAILBOX, as_partner, install_and_connect
from tests.entrypoints.pages.test_pages import BRASSERIE, P1, P2, session_page, with_exports

REPLY = "550 5.1.1 <uid-008352-24@import.octopus.be>: Recipient address rejected"
ATELIER = "space-atelier"


async def refused_brasserie(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock, container: Container
) -> str:
    """P1's brasserie with two documents: the first refused by Octopus's server, the second held
    since; the atelier on a dossier without a VAT number. Returns the refused export's id."""
    await with_exports(client, world, clock, 2)
    put = await client.put(
        f"/v1/clients/{ATELIER}/octopus",
        json={"mailbox": IMPORT_MAILBOX, "dossierId": 12},
        headers=as_partner(P1),
    )
    assert put.status_code == 201, put.text
    listed = await client.get(f"/v1/clients/{BRASSERIE}/exports", headers=as_partner(P1))
    held_id, refused_id = (e["id"] for e in listed.json()["items"])  # newest first
    units = await container.infrastructure.units_of_work()
    async with units() as uow:
        refused, held = await uow.exports.get(refused_id), await uow.exports.get(held_id)
        integration = await uow.integrations.get(P1, BRASSERIE)
        assert refused is not None and held is not None and integration is not None
        refused.refused(clock.now(), REPLY)
        held.hold()
        assert refused.mailbox is not None
        assert integration.refuse_mailbox(refused.mailbox, clock.now(), REPLY, refused_id)
        await uow.commit()
    return refused_id


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_the_extension_page_lists_what_needs_attention_first_linking_each_client(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock, container: Container, lang: str
) -> None:
    await refused_brasserie(client, world, clock, container)
    html = unescape(await session_page(client, "/pages/extension", P1, lang=lang))
    words = WORDS[lang]
    section = html.index(words["attention_heading"])
    assert section < html.index(words["state_heading"]), "at the top, before the connection"
    refused = html.index(f'href="/pages/clients/{BRASSERIE}"')
    without_vat = html.index(f'href="/pages/clients/{ATELIER}"')
    assert section < refused < without_vat, "the refusal first"
    first = local_time(clock.now() - timedelta(minutes=1))  # the refused document came a minute earlier
    assert words["attention_mailboxRefused_many"].format(count=2, since=first) in html
    assert words["attention_dossierWithoutVat"] in html


async def test_nothing_waiting_shows_no_attention_section(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock, container: Container
) -> None:
    await refused_brasserie(client, world, clock, container)
    await install_and_connect(client, world, P2)
    html = unescape(await session_page(client, "/pages/extension", P2))
    assert WORDS["fr"]["state_connected"] in html
    assert WORDS["fr"]["attention_heading"] not in html and BRASSERIE not in html


async def test_the_client_page_tells_the_refusal_with_the_reply_above_the_address_form(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock, container: Container
) -> None:
    refused_id = await refused_brasserie(client, world, clock, container)
    html = unescape(await session_page(client, f"/pages/clients/{BRASSERIE}", P1, lang="en"))
    words = WORDS["en"]
    refusal = html.index(words["refusal_heading"])
    assert refusal < html.index('id="mailbox"'), "right above the address form"
    assert words["refusal_text"].format(at=local_time(clock.now()), mailbox=IMPORT_MAILBOX) in html
    assert f'<q class="mono">{REPLY}</q>' in html
    assert f'href="#export-{refused_id}">INV-0000</a>' in html, "the refused document, by its number"
    assert f'id="export-{refused_id}"' in html, "the link leads to the export in the history"

    other = unescape(await session_page(client, f"/pages/clients/{ATELIER}", P1, lang="en"))
    assert words["refusal_heading"] not in other


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_a_held_export_says_in_the_history_that_it_waits_for_the_new_address(
    client: AsyncTestClient[Any], world: OctopusWorld, clock: FixedClock, container: Container, lang: str
) -> None:
    refused_id = await refused_brasserie(client, world, clock, container)
    html = unescape(await session_page(client, f"/pages/clients/{BRASSERIE}", P1, lang=lang))
    words = WORDS[lang]
    rows = {row.split('"', 1)[0]: row for row in html.split('<tr id="export-')[1:]}
    (held,) = (row for export_id, row in rows.items() if export_id != refused_id)
    assert words["status_queued"] in held and words["held_mailboxRefused"] in held
    refused = rows[refused_id]
    assert words["status_failed"] in refused and words["held_mailboxRefused"] in refused, "it waits too"
    assert words["retry"] not in refused, "a retry would only hold it again: the new address sends it"


async def test_a_lost_connection_is_the_partners_item_leading_to_the_connect_button(
    client: AsyncTestClient[Any], world: OctopusWorld, container: Container
) -> None:
    await install_and_connect(client, world, P1)
    units = await container.infrastructure.units_of_work()
    async with units() as uow:
        extension = await uow.extensions.get(P1)
        assert extension is not None
        extension.connection_lost()
        await uow.commit()
    html = unescape(await session_page(client, "/pages/extension", P1, lang="en"))
    words = WORDS["en"]
    item = html.index(words["attention_needsReconnect"])
    assert html.index(words["attention_heading"]) < item < html.index(words["state_heading"])
    assert f'<a href="#connection-heading">{words["connect"]}</a>' in html[item:]
    assert "/pages/clients/" not in html
