"""`GET /v1/attention` (CONTRACTS §3): the partner's clients that need a person, most urgent first."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import IMPORT_MAILBOX, as_partner, install_and_connect, message, signed

PARTNER, OTHER = "partner-attention", "partner-other"
REPLY = "550 5.1.1 <uid-008352-24@import.octopus.be>: Recipient address rejected"


async def _export(client: AsyncTestClient[Any], clock: FixedClock, client_id: str, document: str) -> str:
    body = message(f"m-{document}", PARTNER, client_id, document, clock.at.isoformat())
    outcome = (await client.post("/v1/messages", content=body, headers=signed(body))).json()
    export_id: str = outcome["exportId"]
    return export_id


async def test_a_refused_mailbox_comes_first_and_a_dossier_without_vat_number_after(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld, container: Container
) -> None:
    await install_and_connect(client, world, PARTNER)
    await install_and_connect(client, world, OTHER)
    headers = as_partner(PARTNER)
    for space, dossier in (("space-1", 11), ("space-2", 12)):
        put = await client.put(
            f"/v1/clients/{space}/octopus",
            json={"mailbox": IMPORT_MAILBOX, "dossierId": dossier},
            headers=headers,
        )
        assert put.status_code == 201, put.text
    activated = clock.at
    assert (await client.get("/v1/attention", headers=headers)).json() == {
        "items": [
            {
                "partnerId": PARTNER,
                "clientId": "space-2",
                "reason": "dossierWithoutVat",
                "since": _iso(activated),
                "count": 1,
            }
        ]
    }

    refused_at = clock.advance(minutes=5)
    refused_id = await _export(client, clock, "space-1", "doc-1")
    clock.advance(minutes=5)
    held_id = await _export(client, clock, "space-1", "doc-2")
    units = await container.infrastructure.units_of_work()
    async with units() as uow:
        refused, held = await uow.exports.get(refused_id), await uow.exports.get(held_id)
        integration = await uow.integrations.get(PARTNER, "space-1")
        assert refused is not None and held is not None and integration is not None
        refused.refused(clock.now(), REPLY)
        held.hold()
        assert refused.mailbox is not None
        assert integration.refuse_mailbox(refused.mailbox, clock.now(), REPLY, refused_id)
        await uow.commit()

    answer = await client.get("/v1/attention", headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {
        "items": [
            {
                "partnerId": PARTNER,
                "clientId": "space-1",
                "reason": "mailboxRefused",
                "since": _iso(refused_at),
                "count": 2,
            },
            {
                "partnerId": PARTNER,
                "clientId": "space-2",
                "reason": "dossierWithoutVat",
                "since": _iso(activated),
                "count": 1,
            },
        ]
    }
    assert (await client.get("/v1/attention", headers=as_partner(OTHER))).json() == {"items": []}


async def test_without_a_partner_token_it_is_a_problem(client: AsyncTestClient[Any]) -> None:
    answer = await client.get("/v1/attention")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))
