"""Issue 19's journey through HTTP only (R25, R26, CONTRACTS §3 and §8): Octopus's server refuses the
client's mailbox at `RCPT TO`, octobridge holds the next document and lists the client under
attention, the partner gives the new address, the worker delivers both documents to it once, and
attention is empty again. Banqup's signed messages and the partner's API calls are the only inputs;
the worker runs beside the API with its own container, as `octobridge worker` does in its own
process, against a real SMTP server; on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest
from anyio.from_thread import start_blocking_portal
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from entrypoints.container import build_container
from entrypoints.settings import Settings
from sandbox.banqup import BanqupStandIn, StoredDocument
from sandbox.documents import banqup_document, encoded
from sandbox.octopus import OctopusWorld
from sandbox.smtp_inbox import RunningSmtp, SmtpSink
from sandbox.world import empty_database
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import (
    IMPORT_MAILBOX,
    as_partner,
    http_settings,
    install_and_connect,
    message,
    signed,
)
from tests.entrypoints.worker.running import Condition, running_worker, until

PARTNER, CLIENT = "partner-journey", "space-brasserie"
NEW_MAILBOX = "uid-008352-25@import.octopus.be"
REPLY = f"550 5.1.1 <{IMPORT_MAILBOX}>: Recipient address rejected: User unknown"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def settings(
    request: pytest.FixtureRequest,
    sqlite_url: str,
    smtp: RunningSmtp[SmtpSink],
    banqup: tuple[BanqupStandIn, str],
    tmp_path: Path,
) -> Settings:
    """The HTTP tests' settings with the SMTP server and the stand-in Banqup, on SQLite or on this
    run's PostgreSQL database emptied (the worker would take other tests' queued exports)."""
    url = sqlite_url
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        await empty_database(url)
    return msgspec.structs.replace(http_settings(url, tmp_path), smtp_url=smtp.url, banqup_api_url=banqup[1])


@asynccontextmanager
async def worker_process(settings: Settings, clock: FixedClock) -> AsyncIterator[asyncio.Task[None]]:
    """The worker's delivery loop on a container of its own, with the test's clock."""
    container = build_container(settings)
    container.infrastructure.clock.override(providers.Object(clock))
    await container.init_resources()  # type: ignore[misc]
    try:
        async with running_worker(container) as running:
            yield running
    finally:
        await container.shutdown_resources()  # type: ignore[misc]


@pytest.fixture
def worker(settings: Settings, clock: FixedClock) -> Iterator[Callable[[Condition], Awaitable[None]]]:
    """The worker, on a thread and event loop of its own as in a process of its own: the test client's
    calls, which hold the test's loop while the app answers, never stop it in the middle of a
    transaction (on SQLite the app would wait for its lock). Yields `until(condition)`."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(worker_process(settings, clock)) as running,
    ):

        async def worker_until(condition: Condition) -> None:
            await until(condition, running)

        yield worker_until


async def approve(
    client: AsyncTestClient[Any], clock: FixedClock, banqup: BanqupStandIn, document: str
) -> str:
    """The document is put in Banqup and approved there: Banqup's signed message; the export's id."""
    banqup.put(CLIENT, document, StoredDocument(encoded(banqup_document(document, CLIENT, number=document))))
    body = message(f"m-{document}", PARTNER, CLIENT, document, clock.advance(minutes=1).isoformat())
    response = await client.post("/v1/messages", content=body, headers=signed(body))
    assert response.status_code == 202, response.text
    outcome = response.json()
    assert outcome["outcome"] == "exported", outcome
    export_id: str = outcome["exportId"]
    return export_id


async def exports(client: AsyncTestClient[Any]) -> dict[str, dict[str, Any]]:
    answer = await client.get(f"/v1/clients/{CLIENT}/exports", headers=as_partner(PARTNER))
    assert answer.status_code == 200, answer.text
    return {e["id"]: e for e in answer.json()["items"]}


async def attention(client: AsyncTestClient[Any]) -> list[dict[str, Any]]:
    answer = await client.get("/v1/attention", headers=as_partner(PARTNER))
    assert answer.status_code == 200, answer.text
    return [item for item in answer.json()["items"] if item["clientId"] == CLIENT]


def iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


async def test_a_refused_mailbox_is_seen_and_a_new_address_delivers_every_document_once(
    client: AsyncTestClient[Any],
    clock: FixedClock,
    world: OctopusWorld,
    smtp: RunningSmtp[SmtpSink],
    banqup: tuple[BanqupStandIn, str],
    worker: Callable[[Condition], Awaitable[None]],
) -> None:
    await install_and_connect(client, world, PARTNER)
    put = await client.put(
        f"/v1/clients/{CLIENT}/octopus",
        json={"mailbox": IMPORT_MAILBOX, "vatNumber": "BE0123456749", "dossierId": 11},
        headers=as_partner(PARTNER),
    )
    assert put.status_code == 201, put.text
    assert await attention(client) == []
    smtp.sink.refuse_recipients.add(IMPORT_MAILBOX)  # the dossier's structure changed in Octopus

    first = await approve(client, clock, banqup[0], "INV-0001")

    async def first_failed() -> bool:
        return (await exports(client))[first]["status"] == "failed"

    await worker(first_failed)
    refused = (await client.get(f"/v1/exports/{first}", headers=as_partner(PARTNER))).json()
    assert (refused["lastError"], refused["held"]) == (REPLY, "mailboxRefused")
    assert [(a["outcome"], a["detail"]) for a in refused["attempts"]] == [("failed", REPLY)]
    integration = (await client.get(f"/v1/clients/{CLIENT}/octopus", headers=as_partner(PARTNER))).json()
    assert integration["mailboxStatus"] == "refused"
    assert integration["mailboxRefusal"] == {"at": iso(clock.at), "reply": REPLY, "exportId": first}

    second = await approve(client, clock, banqup[0], "INV-0002")
    await asyncio.sleep(1.5)  # longer than the worker's idle wait: it has claimed again since
    held = (await exports(client))[second]
    assert (held["status"], held["held"], held["mailbox"], held["attempts"]) == (
        "queued",
        "mailboxRefused",
        IMPORT_MAILBOX,
        [],
    )
    assert smtp.sink.recipients == [IMPORT_MAILBOX] and smtp.sink.messages == []
    assert await attention(client) == [
        {
            "partnerId": PARTNER,
            "clientId": CLIENT,
            "reason": "mailboxRefused",
            "since": refused["createdAt"],
            "count": 2,
        }
    ]

    changed = await client.put(
        f"/v1/clients/{CLIENT}/octopus", json={"mailbox": NEW_MAILBOX}, headers=as_partner(PARTNER)
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["mailboxStatus"], changed.json()["mailboxRefusal"]) == ("ok", None)

    async def both_delivered() -> bool:
        return {e["status"] for e in (await exports(client)).values()} == {"delivered"}

    await worker(both_delivered)
    delivered = await exports(client)
    assert set(delivered) == {first, second}
    assert {(e["mailbox"], e["held"]) for e in delivered.values()} == {(NEW_MAILBOX, None)}
    assert smtp.sink.recipients == [IMPORT_MAILBOX, NEW_MAILBOX, NEW_MAILBOX]
    assert [str(m["To"]) for m in smtp.sink.messages] == [NEW_MAILBOX, NEW_MAILBOX]
    assert sorted(smtp.sink.message_ids()) == sorted(e["messageId"] for e in delivered.values())
    shown = (await client.get(f"/v1/clients/{CLIENT}/octopus", headers=as_partner(PARTNER))).json()
    assert (shown["mailbox"], shown["mailboxStatus"], shown["mailboxRefusal"]) == (NEW_MAILBOX, "ok", None)
    assert await attention(client) == []
