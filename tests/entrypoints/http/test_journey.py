"""R1–R11 and R17 end to end, through HTTP only: install, connect with a stand-in Octopus,
activate two clients, send signed Banqup messages, and read the exports back."""

from __future__ import annotations

from typing import Any

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

P1 = "partner-1"


async def send(client: AsyncTestClient[Any], clock: FixedClock, body: bytes) -> dict[str, Any]:
    clock.advance(minutes=1)  # each message is recorded at its own moment, so the history order is known
    response = await client.post("/v1/messages", content=body, headers=signed(body))
    assert response.status_code == 202, response.text
    outcome: dict[str, Any] = response.json()
    return outcome


async def test_documents_flow_to_exactly_the_right_exports(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    headers = as_partner(P1)
    assert await install_and_connect(client, world, P1) == f"{RETURN_URL}?octopus=connected"
    extension = (await client.get("/v1/extension", headers=headers)).json()
    assert extension["state"] == "connected" and extension["active"] is True
    assert extension["activatedAt"].startswith("2026-11-20T09:00")

    dossiers = (await client.get("/v1/octopus/dossiers", headers=headers)).json()
    assert dossiers == [
        {"id": 11, "name": "Brasserie Dupont", "vatNumber": "BE0123456749", "mailbox": IMPORT_MAILBOX},
        {"id": 12, "name": "Atelier sans TVA", "vatNumber": None, "mailbox": None},
    ]

    clock.advance(hours=1)  # 10:00
    brasserie = await client.put(
        "/v1/clients/space-brasserie/octopus",
        json={"mailbox": IMPORT_MAILBOX, "vatNumber": "BE0123456749", "dossierId": 11},
        headers=headers,
    )
    assert brasserie.status_code == 201, brasserie.text
    assert brasserie.json()["warnings"] == []
    atelier = await client.put(
        "/v1/clients/space-atelier/octopus",
        json={"mailbox": "compta@atelier.be", "vatNumber": "BE0123456749", "dossierId": 12},
        headers=headers,
    )
    assert atelier.status_code == 201
    assert [w["code"] for w in atelier.json()["warnings"]] == [
        "mailbox-not-octopus-import",
        "dossier-without-vat-number",
    ]
    again = await client.put(
        "/v1/clients/space-brasserie/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=headers
    )
    assert again.status_code == 200

    historical = await send(
        client, clock, message("m1", P1, "space-brasserie", "doc-old", "2026-11-20T08:00:00Z")
    )
    assert (historical["outcome"], historical["reason"]) == ("skipped", "before-activation")
    approved = await send(
        client, clock, message("m2", P1, "space-brasserie", "doc-1", "2026-11-20T10:30:00Z")
    )
    assert approved["outcome"] == "exported"
    sent = await send(
        client, clock, message("m3", P1, "space-atelier", "doc-2", "2026-11-20T10:31:00Z", type="sent")
    )
    assert sent["outcome"] == "exported"
    paid = await send(
        client, clock, message("m4", P1, "space-brasserie", "doc-1", "2026-11-20T10:32:00Z", type="paid")
    )
    assert (paid["outcome"], paid["reason"]) == ("ignored", "not-approval-or-sending")
    repeat = await send(client, clock, message("m2", P1, "space-brasserie", "doc-1", "2026-11-20T10:30:00Z"))
    assert (repeat["outcome"], repeat["reason"]) == ("ignored", "repeat")

    clock.at = clock.at.replace(hour=11)
    refused = await client.patch("/v1/extension", json={"active": False}, headers=headers)
    assert refused.status_code == 409 and "confirm" in refused.json()["detail"]
    off = await client.patch("/v1/extension", json={"active": False, "confirm": True}, headers=headers)
    assert off.status_code == 200 and off.json()["active"] is False

    after = await send(client, clock, message("m5", P1, "space-brasserie", "doc-4", "2026-11-20T11:30:00Z"))
    assert (after["outcome"], after["reason"]) == ("skipped", "extension-inactive")
    late = await send(
        client, clock, message("m6", P1, "space-atelier", "doc-5", "2026-11-20T10:45:00Z", type="sent")
    )
    assert late["outcome"] == "exported", "judged by when it was sent, not when the message came"

    page = (await client.get("/v1/clients/space-brasserie/exports", headers=headers)).json()
    assert [(e["documentId"], e["status"], e["skipReason"]) for e in page["items"]] == [
        ("doc-4", "skipped", "extension-inactive"),
        ("doc-1", "queued", None),
        ("doc-old", "skipped", "before-activation"),
    ]
    assert page["nextCursor"] is None
    exported = page["items"][1]
    assert (exported["kind"], exported["direction"], exported["mailbox"]) == (
        "invoice",
        "purchase",
        IMPORT_MAILBOX,
    )

    atelier_exports = (await client.get("/v1/clients/space-atelier/exports", headers=headers)).json()["items"]
    assert [(e["documentId"], e["direction"], e["mailbox"]) for e in atelier_exports] == [
        ("doc-5", "sales", "compta@atelier.be"),
        ("doc-2", "sales", "compta@atelier.be"),
    ]

    one = await client.get(f"/v1/exports/{exported['id']}", headers=headers)
    assert one.status_code == 200 and one.json()["id"] == exported["id"]
    not_failed = await client.post(f"/v1/exports/{exported['id']}/retry", headers=headers)
    assert not_failed.status_code == 409


async def test_export_history_pages_and_filters(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    headers = as_partner(P1)
    await install_and_connect(client, world, P1)
    await client.put("/v1/clients/c1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=headers)
    for n in range(5):
        await send(client, clock, message(f"m{n}", P1, "c1", f"doc-{n}", clock.at.isoformat()))
    await send(client, clock, message("old", P1, "c1", "doc-old", "2026-11-19T00:00:00Z"))

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, "status": "queued"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/clients/c1/exports", params=params, headers=headers)).json()
        seen += [e["documentId"] for e in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == ["doc-4", "doc-3", "doc-2", "doc-1", "doc-0"]


async def test_deactivating_a_client_stops_its_exports_and_keeps_its_history(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    headers = as_partner(P1)
    await install_and_connect(client, world, P1)
    await client.put("/v1/clients/c1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=headers)
    assert (await client.delete("/v1/clients/c1/octopus", headers=headers)).status_code == 204
    outcome = await send(client, clock, message("m1", P1, "c1", "doc-1", clock.at.isoformat()))
    assert (outcome["outcome"], outcome["reason"]) == ("skipped", "client-inactive")
    shown = (await client.get("/v1/clients/c1/octopus", headers=headers)).json()
    assert shown["active"] is False and [h["mailbox"] for h in shown["history"]] == [IMPORT_MAILBOX]
    assert (await client.delete("/v1/extension", headers=headers)).status_code == 204
    assert (await client.get("/v1/extension", headers=headers)).status_code == 404
