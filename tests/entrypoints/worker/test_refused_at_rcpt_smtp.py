"""Issue 19's first Show, end to end on PostgreSQL against a real SMTP server: a `550 5.1.1` at
`RCPT TO` fails the export and refuses the integration; the next documents are held and never sent
to the old address; a new address sends every one of them, once (R25, CONTRACTS §8)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import msgspec
import pytest

from application.use_cases.activate_client_integration import ActivateClient
from application.use_cases.get_client_integration import IntegrationOf
from domain.export import Export, ExportStatus
from entrypoints.worker.delivery import DeliveryLoop
from sandbox.banqup import BanqupStandIn
from sandbox.smtp_inbox import RunningSmtp
from sandbox.world import MAILBOX, Rig, rig, settings_for

pytestmark = pytest.mark.postgres
NEW_MAILBOX = "uid-008352-25@import.octopus.be"


@pytest.fixture
async def world(
    postgres_url: str, smtp: RunningSmtp, banqup: tuple[BanqupStandIn, str], tmp_path: Path
) -> AsyncIterator[Rig]:
    stand_in, banqup_url = banqup
    async with rig(settings_for(postgres_url, smtp.url, banqup_url, tmp_path), stand_in) as running:
        yield running


async def run_worker_until(world: Rig, settled: Callable[[list[Export]], bool], within: float = 30.0) -> None:
    """Runs the delivery loop until `settled` holds of every export (held ones stay queued, so
    `Rig.deliver_all` would wait for them for ever)."""
    loop = DeliveryLoop(
        await world.container.use_cases.claim_due_exports(),
        await world.container.use_cases.deliver_export(),
        idle_wait=0.05,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(loop.run(stop))
    deadline = time.monotonic() + within
    try:
        while not settled(await world.exports()):
            assert time.monotonic() < deadline, [(e.status, e.held) for e in await world.exports()]
            assert not running.done(), running
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await running


def _no_export_is_due(exports: list[Export]) -> bool:
    return all(e.status is not ExportStatus.QUEUED or e.held is not None for e in exports)


async def integration_as_the_api_shows_it(world: Rig) -> dict[str, object]:
    view = await (await world.container.use_cases.get_client())(IntegrationOf("p1", "c1"))
    shown: dict[str, object] = msgspec.json.decode(msgspec.json.encode(view))
    return shown


async def test_a_mailbox_refused_at_rcpt_holds_the_next_documents_until_a_new_address(
    world: Rig, smtp: RunningSmtp
) -> None:
    smtp.sink.refuse_recipients.add(MAILBOX)
    (first,) = await world.queue(1)
    await run_worker_until(world, _no_export_is_due)
    (refused,) = await world.exports()
    reply = f"550 5.1.1 <{MAILBOX}>: Recipient address rejected: User unknown"
    assert (refused.status, refused.last_error, refused.held) == (
        ExportStatus.FAILED,
        reply,
        "mailboxRefused",
    )
    shown = await integration_as_the_api_shows_it(world)
    assert shown["mailboxStatus"] == "refused"
    assert isinstance(shown["mailboxRefusal"], dict)
    assert (shown["mailboxRefusal"]["reply"], shown["mailboxRefusal"]["exportId"]) == (reply, first)

    later = await world.queue(2)
    await run_worker_until(world, _no_export_is_due)
    await asyncio.sleep(0.3)  # a worker that would send them has had its chance
    await run_worker_until(world, _no_export_is_due)
    held = {e.id: e for e in await world.exports() if e.id in later}
    assert {(e.status, e.held, str(e.mailbox), e.attempts) for e in held.values()} == {
        (ExportStatus.QUEUED, "mailboxRefused", MAILBOX, ())
    }
    assert smtp.sink.messages == []  # nothing reached the old address, nor any other

    activate = await world.container.use_cases.activate_client()
    await activate(ActivateClient(partner_id="p1", client_id="c1", mailbox=NEW_MAILBOX))
    await run_worker_until(world, lambda exports: {e.status for e in exports} == {ExportStatus.DELIVERED})
    exports = await world.exports()
    assert {str(e.mailbox) for e in exports} == {NEW_MAILBOX} and {e.held for e in exports} == {None}
    assert [m["To"] for m in smtp.sink.messages] == [NEW_MAILBOX] * 3
    assert sorted(smtp.sink.message_ids()) == sorted(str(e.message_id) for e in exports)  # each once
    shown = await integration_as_the_api_shows_it(world)
    assert (shown["mailbox"], shown["mailboxStatus"], shown["mailboxRefusal"]) == (NEW_MAILBOX, "ok", None)
