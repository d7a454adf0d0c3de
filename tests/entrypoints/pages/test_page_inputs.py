"""The pages refuse text PostgreSQL or XML cannot hold with a 4xx page, as the API does."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from sandbox.octopus import OctopusWorld
from tests.entrypoints.http.conftest import as_partner, install_and_connect
from tests.entrypoints.pages.test_pages import BRASSERIE, P1, csrf_of, session_page


@pytest.mark.parametrize(
    "path",
    ["/pages/clients/a%00b", f"/pages/clients/{BRASSERIE}?cursor=a%00b", "/pages/extension?reason=%1b%5b31m"],
)
async def test_nul_or_a_control_character_in_a_page_address_answers_400(
    client: AsyncTestClient[Any], world: OctopusWorld, path: str
) -> None:
    await install_and_connect(client, world, P1)
    await session_page(client, "/pages/extension", P1)
    response = await client.get(path)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "form",
    [
        {"mailbox": "uid-1\x00@import.octopus.be"},
        {"mailbox": "uid-008352-24@import.octopus.be", "vatNumber": "BE0123\x00456749"},
        {"mailbox": "", "dossier": "1\x00"},
    ],
)
async def test_nul_in_a_page_form_is_refused_and_nothing_is_saved(
    client: AsyncTestClient[Any], world: OctopusWorld, form: dict[str, str]
) -> None:
    await install_and_connect(client, world, P1)
    html = await session_page(client, f"/pages/clients/{BRASSERIE}", P1)
    response = await client.post(
        f"/pages/clients/{BRASSERIE}/integration", data={"csrf": csrf_of(html), **form}
    )
    assert 400 <= response.status_code < 500, response.text
    assert (await client.get(f"/v1/clients/{BRASSERIE}/octopus", headers=as_partner(P1))).status_code == 404
