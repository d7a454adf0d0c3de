"""A backfill survives `kill -9` of the worker running it (CONTRACTS §9): restarted, the worker goes
on from the stored cursor and ends with every document in range exported exactly once and the
counts of one uninterrupted run. PostgreSQL, the stand-in Banqup over HTTP, real SMTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from application.messages import BanqupMessage, MessageData
from application.services.backfills import BackfillOf
from application.use_cases.request_backfill import AskBackfill
from application.views import BackfillView
from domain.events import Direction
from domain.export import ExportOrigin
from sandbox.banqup import BanqupStandIn, create_banqup_app
from sandbox.banqup_history import hold_history
from sandbox.server import serving
from sandbox.smtp_inbox import RunningSmtp
from sandbox.world import Rig, environment_for, rig, settings_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DOCUMENTS, DAYS = 600, 500
LISTING_SECONDS = 0.4  # each page of Banqup's list takes this long: time to kill a worker half-way

Asgi = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


def slow_listing(app: Asgi) -> Asgi:
    """`app`, answering its document lists `LISTING_SECONDS` late."""

    async def slowed(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/documents"):
            await asyncio.sleep(LISTING_SECONDS)
        await app(scope, receive, send)

    return slowed


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as written:
        return subprocess.Popen(
            [sys.executable, "-c", "from entrypoints.cli.main import main; main()", "worker"],
            env={**os.environ, **env},
            stdout=written,
            stderr=written,
        )


async def _progress(world: Rig, which: BackfillOf) -> BackfillView:
    return await (await world.container.use_cases.get_backfill())(which)


async def _until(
    world: Rig, which: BackfillOf, done: Callable[[BackfillView], bool], seconds: float
) -> BackfillView:
    deadline = time.monotonic() + seconds
    while not done(view := await _progress(world, which)):
        assert time.monotonic() < deadline, f"the backfill is still at {view}"
        await asyncio.sleep(0.05)
    return view


async def test_a_worker_killed_half_way_through_a_backfill_finishes_it_after_a_restart(
    postgres_url: str, smtp: RunningSmtp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stand_in = BanqupStandIn()
    today = datetime.now(UTC).date()
    held = hold_history(stand_in, "c1", DOCUMENTS, DAYS, today)
    first = today - timedelta(days=400)
    in_range = [d for d in held if d.approved_or_sent_at.date() >= first]
    exported = {d.document_id for d in in_range if d.status != "REJECTED"}
    with serving(slow_listing(create_banqup_app(stand_in))) as banqup_url:
        settings = settings_for(postgres_url, smtp.url, banqup_url, tmp_path)
        env = environment_for(postgres_url, smtp.url, banqup_url, tmp_path)
        async with rig(settings, stand_in) as world:
            # approved again since: a message exports it first
            event_first = next(
                d.document_id
                for d in reversed(in_range)
                if d.direction is Direction.PURCHASE and d.status == "APPROVED"
            )
            receive = await world.container.use_cases.receive_message()
            await receive(
                BanqupMessage(
                    id="m-again",
                    category="document",
                    type="approved",
                    data=MessageData(
                        document_id=event_first,
                        space_id="c1",
                        partner_id="p1",
                        folder="PURCHASES",
                        document_category="INVOICE",
                        occurred_at=datetime.now(UTC),
                    ),
                )
            )
            asked = await (await world.container.use_cases.request_backfill())(
                AskBackfill(partner_id="p1", client_id="c1", first_day=first)
            )
            which = BackfillOf(partner_id="p1", client_id="c1", backfill_id=asked.id)
            log = tmp_path / "worker.log"
            worker = _worker(env, log)
            try:
                halfway = await _until(world, which, lambda v: v.listed >= 100, 60)
                await asyncio.sleep(LISTING_SECONDS / 2)  # in the middle of the next page, likely
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                killed_at = await _progress(world, which)
                assert killed_at.state == "running" and killed_at.listed < len(in_range)
                worker = _worker(env, log)
                ended = await _until(world, which, lambda v: v.state != "running", 120)
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
            exports = await world.exports()
    assert (ended.state, ended.error) == ("done", None), log.read_text()[-3000:]
    assert ended.listed == len(in_range) == ended.queued + ended.already_exported + ended.ignored
    assert ended.ignored == len(in_range) - len(exported)
    assert ended.already_exported == 1  # the one a message exported first
    assert ended.queued == len(exported) - 1
    by_document = Counter(e.document_id for e in exports)
    assert set(by_document) == exported and set(by_document.values()) == {1}
    origins = Counter(e.origin for e in exports)
    assert origins == {ExportOrigin.BACKFILL: len(exported) - 1, ExportOrigin.EVENT: 1}
    with capsys.disabled():
        print(
            f"\n[backfill kill -9] {DOCUMENTS} documents over {DAYS} days, {len(in_range)} in range; "
            f"killed at {killed_at.listed} listed (first seen at {halfway.listed}); "
            f"ended {ended.listed} listed, {ended.queued} queued, "
            f"{ended.already_exported} already exported, {ended.ignored} ignored"
        )
