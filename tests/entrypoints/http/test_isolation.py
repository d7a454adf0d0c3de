"""R19: a partner never sees or touches another partner's data; another partner's ids answer 404."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import (
    IMPORT_MAILBOX,
    RETURN_URL,
    as_partner,
    install_and_connect,
    message,
    signed,
)

OWNER, INTRUDER = "partner-owner", "partner-intruder"


@pytest.fixture
async def owned(client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld) -> dict[str, str]:
    """The owner, connected, with client `space-1` and one queued export; returns the export id."""
    await install_and_connect(client, world, OWNER)
    put = await client.put(
        "/v1/clients/space-1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(OWNER)
    )
    assert put.status_code == 201
    clock.advance(minutes=5)
    body = message("m-owner", OWNER, "space-1", "doc-1", clock.at.isoformat())
    outcome = (await client.post("/v1/messages", content=body, headers=signed(body))).json()
    return {"client": "space-1", "export": outcome["exportId"]}


def requests_for(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    client, export = ids["client"], ids["export"]
    return [
        ("GET", "/v1/extension", {}),
        ("PATCH", "/v1/extension", {"json": {"active": False, "confirm": True}}),
        ("DELETE", "/v1/extension", {}),
        ("GET", "/v1/extension/octopus/connect", {"params": {"returnUrl": RETURN_URL}}),
        ("GET", "/v1/octopus/dossiers", {}),
        ("GET", f"/v1/clients/{client}/octopus", {}),
        ("DELETE", f"/v1/clients/{client}/octopus", {}),
        ("GET", f"/v1/clients/{client}/exports", {}),
        ("GET", f"/v1/exports/{export}", {}),
        ("POST", f"/v1/exports/{export}/retry", {}),
    ]


@pytest.mark.parametrize("intruder_installed", [False, True], ids=["not-installed", "installed"])
async def test_every_endpoint_answers_404_for_another_partners_ids(
    client: AsyncTestClient[Any], owned: dict[str, str], intruder_installed: bool
) -> None:
    intruder = as_partner(INTRUDER)
    if intruder_installed:
        assert (await client.put("/v1/extension", headers=intruder)).status_code == 201
    answers = {}
    for method, path, extra in requests_for(owned):
        if intruder_installed and (path.startswith("/v1/extension") or path == "/v1/octopus/dossiers"):
            continue  # the caller's own extension, which exists: nothing of the owner's is named
        response = await client.request(method, path, headers=intruder, follow_redirects=False, **extra)
        answers[f"{method} {path}"] = response.status_code
    assert set(answers.values()) == {404}, answers

    owner = as_partner(OWNER)
    extension = (await client.get("/v1/extension", headers=owner)).json()
    assert extension["active"] is True and extension["state"] == "connected"
    integration = (await client.get("/v1/clients/space-1/octopus", headers=owner)).json()
    assert integration["active"] is True
    export = await client.get(f"/v1/exports/{owned['export']}", headers=owner)
    assert export.status_code == 200 and export.json()["status"] == "queued"


async def test_a_client_id_used_by_another_partner_stays_apart(
    client: AsyncTestClient[Any], owned: dict[str, str]
) -> None:
    """Activating the same space id makes the intruder's own integration; the owner's is untouched."""
    intruder = as_partner(INTRUDER)
    await client.put("/v1/extension", headers=intruder)
    put = await client.put(
        "/v1/clients/space-1/octopus", json={"mailbox": "thief@evil.example"}, headers=intruder
    )
    assert put.status_code == 201 and put.json()["partnerId"] == INTRUDER
    intruder_exports = (await client.get("/v1/clients/space-1/exports", headers=intruder)).json()
    assert intruder_exports["items"] == []
    owner = (await client.get("/v1/clients/space-1/octopus", headers=as_partner(OWNER))).json()
    assert owner["mailbox"] == IMPORT_MAILBOX and [h["mailbox"] for h in owner["history"]] == [IMPORT_MAILBOX]
