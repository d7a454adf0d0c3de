"""The client page's "Export earlier documents" (R27, CONTRACTS §9): the form, CSRF, days refused
beside their field, a second backfill refused above the form, and the client's last backfill shown
with its counts whenever the page is opened."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from sandbox.octopus import OctopusWorld
from tests.entrypoints.http.conftest import IMPORT_MAILBOX, as_partner, install_and_connect
from tests.entrypoints.pages.test_pages import BRASSERIE, P1, P2, csrf_of, session_page

PAGE = f"/pages/clients/{BRASSERIE}"


@pytest.fixture
async def page(client: AsyncTestClient[Any], world: OctopusWorld) -> str:
    """P1 connected with the brasserie active; the client's page as P1 opens it."""
    await install_and_connect(client, world, P1)
    activated = await client.put(
        f"/v1/clients/{BRASSERIE}/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(P1)
    )
    assert activated.status_code == 201
    return await session_page(client, PAGE, P1)


async def test_the_form_starts_a_backfill_and_the_page_shows_its_counts(
    client: AsyncTestClient[Any], container: Container, page: str
) -> None:
    assert "Exporter des documents antérieurs" in unescape(page)
    started = await client.post(
        f"{PAGE}/backfills",
        data={"csrf": csrf_of(page), "from": "2026-09-01", "to": ""},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    location = started.headers["location"]
    assert location.startswith(f"{PAGE}#backfill-")
    backfill_id = location.rsplit("#backfill-", 1)[1]
    units = await container.infrastructure.units_of_work()
    async with units() as uow:  # a worker lists a first page
        backfill = await uow.backfills.get(P1, BRASSERIE, backfill_id)
        assert backfill is not None
        backfill.page_done("next", queued=41, already_exported=2, ignored=1)
        await uow.backfills.update(backfill)
        await uow.commit()
    shown = unescape(await session_page(client, PAGE, P1))  # opened again later, from Banqup
    assert "En cours" in shown and "2026-09-01 – 2026-11-20" in shown
    assert all(f"<dd>{n}</dd>" in shown for n in (44, 41, 2, 1))
    assert f'href="{location}"' in shown and f'id="backfill-{backfill_id}"' in shown  # refresh

    again = await client.post(f"{PAGE}/backfills", data={"csrf": csrf_of(shown), "from": "2026-10-01"})
    assert again.status_code == 409
    assert "running" in again.text


@pytest.mark.parametrize(
    ("days", "field", "words"),
    [
        ({"from": ""}, "from", "Indiquez le premier jour."),
        ({"from": "2026-13-01"}, "from", "Date non valable (2026-13-01)."),
        ({"from": "2025-01-01"}, "from", "more than 400 days ago"),
        ({"from": "2026-11-02", "to": "2026-11-01"}, "from", "is after to"),
        ({"from": "2026-11-01", "to": "2026-12-25"}, "to", "is after today"),
    ],
)
async def test_days_refused_are_told_beside_their_field(
    client: AsyncTestClient[Any], page: str, days: dict[str, str], field: str, words: str
) -> None:
    refused = await client.post(f"{PAGE}/backfills", data={"csrf": csrf_of(page), **days})
    assert refused.status_code == 422
    html = unescape(refused.text)
    assert f'id="backfill-{field}-error"' in html and words in html
    assert f'value="{days[field]}"' in html  # what the person typed, shown again


async def test_without_the_csrf_token_nothing_starts(client: AsyncTestClient[Any], page: str) -> None:
    forged = await client.post(f"{PAGE}/backfills", data={"from": "2026-09-01"}, follow_redirects=False)
    assert forged.status_code == 403
    started = await client.post(f"{PAGE}/backfills", data={"csrf": csrf_of(page), "from": "2026-09-01"})
    assert started.status_code == 200  # the first one, after the refusal


async def test_another_partners_backfill_is_not_shown(
    client: AsyncTestClient[Any], world: OctopusWorld, page: str
) -> None:
    started = await client.post(
        f"{PAGE}/backfills", data={"csrf": csrf_of(page), "from": "2026-09-01"}, follow_redirects=False
    )
    assert started.status_code == 303
    await install_and_connect(client, world, P2)
    await client.put(
        f"/v1/clients/{BRASSERIE}/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(P2)
    )
    theirs = unescape(await session_page(client, PAGE, P2))
    assert "En cours" not in theirs and "Exporter des documents antérieurs" in theirs
