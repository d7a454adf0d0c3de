"""Volume, a broker restart and kill -9: every message leads to exactly its export (R11, R20)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from entrypoints.consumer.consumer import DocumentConsumer
from sandbox.banqup import BanqupStandIn
from sandbox.world import Rig, rig, settings_for
from tests.entrypoints.consumer.conftest import publish, queue_depths
from tests.entrypoints.consumer.traffic import traffic

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
async def world(postgres_url: str, rabbitmq_url: str, tmp_path: Path) -> AsyncIterator[Rig]:
    settings = settings_for(postgres_url, "", "http://127.0.0.1:9", tmp_path, broker_url=rabbitmq_url)
    async with rig(settings, BanqupStandIn()) as running:
        yield running


async def exports_by_document(world: Rig) -> dict[str, str]:
    return {e.document_id: str(e.status) for e in await world.exports()}


async def drain(url: str, settle: float = 1.5, within: float = 300) -> None:
    """Waits until the queue has stayed empty for `settle` seconds."""
    deadline, quiet_since = time.monotonic() + within, None
    while True:
        assert time.monotonic() < deadline, "the queue did not empty in time"
        ready, _ = await queue_depths(url)
        if ready == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= settle:
                return
        else:
            quiet_since = None
        await asyncio.sleep(0.25)


async def consumer_task(world: Rig, url: str) -> tuple[asyncio.Event, asyncio.Task[None]]:
    consumer = DocumentConsumer(url, await world.container.use_cases.receive_message())
    stop = asyncio.Event()
    return stop, asyncio.create_task(consumer.run(stop))


async def test_ten_thousand_messages_leave_exactly_the_expected_exports(
    world: Rig, rabbitmq_url: str
) -> None:
    made = traffic(10_000, datetime.now(UTC))
    stop, running = await consumer_task(world, rabbitmq_url)
    await asyncio.sleep(0.5)  # the consumer declares the queue and its binding
    await publish(rabbitmq_url, made.messages)
    await drain(rabbitmq_url)
    stop.set()
    await running
    assert await exports_by_document(world) == made.expected
    assert await queue_depths(rabbitmq_url) == (0, made.malformed)
    assert made.kinds["repeat"] > 300 and made.kinds["other category"] > 1500 and made.malformed > 100


async def test_a_broker_restart_loses_and_doubles_nothing(world: Rig, rabbitmq_url: str) -> None:
    made = traffic(3_000, datetime.now(UTC), seed=11)
    stop, running = await consumer_task(world, rabbitmq_url)
    await asyncio.sleep(0.5)
    await publish(rabbitmq_url, made.messages)
    while len(await world.exports()) < len(made.expected) // 4:
        await asyncio.sleep(0.1)
    await asyncio.to_thread(subprocess.run, ["rabbitmqctl", "stop_app"], check=True, capture_output=True)
    await asyncio.sleep(2)
    await asyncio.to_thread(subprocess.run, ["rabbitmqctl", "start_app"], check=True, capture_output=True)
    await asyncio.to_thread(subprocess.run, ["rabbitmqctl", "await_startup"], check=True, capture_output=True)
    await drain(rabbitmq_url)
    stop.set()
    await running
    assert await exports_by_document(world) == made.expected
    assert await queue_depths(rabbitmq_url) == (0, made.malformed)


async def queue_depths_or_none(url: str) -> tuple[int, int] | None:
    """None until the consumer has declared the queues."""
    try:
        return await queue_depths(url)
    except Exception:
        return None


def _consumer_process(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from entrypoints.cli.main import main; main()", "worker", "--no-delivery"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_a_consumer_killed_ten_times_still_makes_every_export_once(
    world: Rig, rabbitmq_url: str, postgres_url: str, tmp_path: Path
) -> None:
    made = traffic(4_000, datetime.now(UTC), seed=13)
    env = {**os.environ, "OCTOBRIDGE_DATABASE_URL": postgres_url, "OCTOBRIDGE_BROKER_URL": rabbitmq_url,
           "OCTOBRIDGE_VAR_DIR": str(tmp_path)}  # fmt: skip
    process = _consumer_process(env)
    rng = random.Random(5)
    try:
        while (await queue_depths_or_none(rabbitmq_url)) is None:
            await asyncio.sleep(0.2)
        await publish(rabbitmq_url, made.messages)
        for _ in range(10):
            await asyncio.sleep(rng.uniform(0.3, 1.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            process = _consumer_process(env)
        await drain(rabbitmq_url)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert await exports_by_document(world) == made.expected
    ready, dead = await queue_depths(rabbitmq_url)
    # A malformed message is dead-lettered, then acknowledged: a kill between the two leaves a second
    # copy in the dead-letter queue (with the same reason), never a lost one.
    assert ready == 0 and made.malformed <= dead <= made.malformed + 10
