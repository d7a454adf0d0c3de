"""An outage shows within one scrape: /metrics (served by `serve`) counts the workers' attempts by
outcome and reason class, as they add them (R28). SQLite and PostgreSQL, a real SMTP server."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from entrypoints.worker.attempt_counts import AttemptCounter
from entrypoints.worker.delivery import DeliveryLoop
from sandbox.banqup import BanqupStandIn
from sandbox.smtp_inbox import RunningSmtp
from sandbox.world import Rig, rig, settings_for

SERIES = re.compile(r'^octobridge_export_attempts_total\{outcome="(\w+)",reason="(\w*)"\} ([0-9.e+]+)$', re.M)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def attempt_each_once(world: Rig) -> None:
    """Runs a worker's delivery loop until every export was attempted at least once, then stops it:
    what it counted is added to the totals when it stops."""
    use = world.container.use_cases
    counter = AttemptCounter(await use.add_attempt_counts(), every=3600.0)  # no flush but the last
    loop = DeliveryLoop(
        await use.claim_due_exports(), await use.deliver_export(), idle_wait=0.05, counter=counter
    )
    stop = asyncio.Event()
    running = asyncio.create_task(loop.run(stop))
    deadline = time.monotonic() + 60
    try:
        while not all(export.attempts for export in await world.exports()):
            assert time.monotonic() < deadline, "exports still unattempted at the deadline"
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running


async def scraped(world: Rig) -> dict[tuple[str, str], float]:
    """The attempt totals as `serve`, a process of its own (a container of its own), shows them."""
    async with AsyncTestClient(app=create_app(world.container.settings())) as client:
        text = (await client.get("/metrics")).text
    assert "# TYPE octobridge_export_attempts_total counter" in text
    return {(outcome, reason): float(value) for outcome, reason, value in SERIES.findall(text)}


async def test_a_relay_outage_shows_in_metrics_after_one_flush_and_so_does_the_recovery(
    database_url: str, smtp: RunningSmtp, banqup: tuple[BanqupStandIn, str], tmp_path: Path
) -> None:
    stand_in, banqup_url = banqup
    async with rig(settings_for(database_url, smtp.url, banqup_url, tmp_path), stand_in) as world:
        assert await scraped(world) == {}
        smtp.stop()
        await world.queue(20)
        await attempt_each_once(world)
        recorded = Counter(a.outcome for e in await world.exports() for a in e.attempts)
        assert set(recorded) == {"deferred"} and recorded["deferred"] >= 20
        assert await scraped(world) == {("deferred", "relay"): recorded["deferred"]}

        smtp.start()
        await world.deliver_all()
        recorded = Counter(a.outcome for e in await world.exports() for a in e.attempts)
        assert await scraped(world) == {("deferred", "relay"): recorded["deferred"], ("delivered", ""): 20}
