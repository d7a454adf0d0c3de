"""Nothing lost when the mail relay is down, nor when workers are killed (R16, R24). PostgreSQL, real SMTP."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from domain.export import AttemptOutcome, ExportStatus
from sandbox.banqup import BanqupStandIn
from sandbox.smtp_inbox import RunningSmtp
from sandbox.world import environment_for, rig, settings_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OUTAGE_SECONDS = 30


async def test_a_relay_down_for_30_seconds_loses_nothing_and_keeps_to_the_schedule(
    postgres_url: str, smtp: RunningSmtp, banqup: tuple[BanqupStandIn, str], tmp_path: Path
) -> None:
    stand_in, banqup_url = banqup
    settings = settings_for(
        postgres_url, smtp.url, banqup_url, tmp_path, retry_base_seconds="1", retry_max_seconds="8"
    )
    async with rig(settings, stand_in) as world:
        smtp.stop()
        ids = await world.queue(200)
        delivering = asyncio.create_task(world.deliver_all(within=OUTAGE_SECONDS + 90))
        await asyncio.sleep(OUTAGE_SECONDS)
        smtp.start()
        await delivering
        exports = await world.exports()
        schedule = world.container.infrastructure.retry_schedule()
    assert Counter(e.status for e in exports) == {ExportStatus.DELIVERED: 200}
    assert sorted(smtp.sink.message_ids()) == sorted(f"<export-{i}@octobridge.example>" for i in ids)
    for export in exports:
        attempts = [a for a in export.attempts if a.outcome is not AttemptOutcome.RETRIED]
        for n, (before, after) in enumerate(pairwise(attempts), start=1):
            # never sooner than the shortest wait the schedule allows (jitter at its lowest)
            assert after.at - before.at >= schedule.delay(n, 0.0) - timedelta(milliseconds=50)
        assert attempts[-1].outcome is AttemptOutcome.DELIVERED


def _worker(settings_env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from entrypoints.cli.main import main; main()",
            "worker",
            "--concurrency",
            "4",
        ],
        env={**os.environ, **settings_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_workers_killed_ten_times_still_deliver_every_export(
    postgres_url: str,
    smtp: RunningSmtp,
    banqup: tuple[BanqupStandIn, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stand_in, banqup_url = banqup
    settings = settings_for(postgres_url, smtp.url, banqup_url, tmp_path, lease_seconds="3")
    env = environment_for(postgres_url, smtp.url, banqup_url, tmp_path, lease_seconds="3")
    async with rig(settings, stand_in) as world:
        ids = await world.queue(1000)
        workers = [_worker(env), _worker(env)]
        kills, rng = 0, random.Random(20261125)
        try:
            deadline = time.monotonic() + 600
            while kills < 10:
                await asyncio.sleep(rng.uniform(1.0, 2.5))
                victim = rng.randrange(2)
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait()
                kills += 1
                workers[victim] = _worker(env)
            while any(e.status is ExportStatus.QUEUED for e in await world.exports()):
                assert time.monotonic() < deadline, "exports still queued at the deadline"
                await asyncio.sleep(0.5)
        finally:
            for process in workers:
                process.send_signal(signal.SIGTERM)
            for process in workers:
                process.wait(timeout=60)
        exports = await world.exports()
    assert Counter(e.status for e in exports) == {ExportStatus.DELIVERED: 1000}
    sent = Counter(smtp.sink.message_ids())
    assert set(sent) == {f"<export-{i}@octobridge.example>" for i in ids}
    assert {e.message_id for e in exports} == set(sent)
    copies = sum(n - 1 for n in sent.values())
    # A second copy only when a kill fell between the relay's acceptance and the commit: at most the
    # deliveries a killed worker had in flight.
    assert copies <= kills * 4
    with capsys.disabled():
        print(f"\n[kill -9] {kills} kills, 1000 exports delivered, {copies} second copies (same Message-ID)")
