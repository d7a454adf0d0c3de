"""The consumer against the real RabbitMQ: acknowledgement, dead letters, the delivery limit."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
import pytest

from application.errors import Unavailable
from application.messages import BanqupMessage
from application.use_cases.receive_message import MessageOutcome
from entrypoints.consumer.consumer import DocumentConsumer
from entrypoints.consumer.dead_letters import list_dead_letters, requeue_dead_letters
from entrypoints.consumer.topology import DEAD_LETTER_QUEUE, REASON_HEADER, ROUTING_KEY_HEADER, declare
from sandbox.banqup import BanqupStandIn
from sandbox.world import Rig, rig, settings_for
from tests.adapters.persistence.lost_exports import exports_lost
from tests.entrypoints.consumer.conftest import publish, queue_depths

pytestmark = pytest.mark.rabbitmq


class Recorder:
    """A stand-in for the use case: records what it was given, or fails as told."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.received: list[str] = []
        self.failure = failure

    async def __call__(self, message: BanqupMessage) -> MessageOutcome:
        if self.failure is not None:
            raise self.failure
        self.received.append(message.id)
        return MessageOutcome(message_id=message.id, outcome="ignored")


async def consume_until(consumer: DocumentConsumer, seconds: float) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await running


def body(message_id: str, **data: str) -> bytes:
    return json.dumps(
        {
            "id": message_id,
            "category": "document",
            "type": "approved",
            "data": {"documentId": "d", "spaceId": "s", "partnerId": "p", "folder": "PURCHASES",
                     "documentCategory": "INVOICE", "occurredAt": datetime.now(UTC).isoformat(), **data},
        }
    ).encode()  # fmt: skip


async def consume_until_true(
    consumer: DocumentConsumer, condition: Callable[[], Awaitable[bool]], within: float = 60
) -> None:
    """Consumes until `condition` holds (asked every tenth of a second), then stops."""
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    try:
        deadline = time.monotonic() + within
        while not await condition():
            assert time.monotonic() < deadline, "the condition did not come true in time"
            assert not running.done(), running
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await running


async def dead_letters(url: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(DEAD_LETTER_QUEUE, passive=True)
        letters = []
        while message := await queue.get(no_ack=True, fail=False):
            letters.append(message)
        return letters


async def test_good_messages_are_handled_and_malformed_ones_dead_lettered_with_a_reason(
    rabbitmq_url: str,
) -> None:
    recorder = Recorder()
    consumer = DocumentConsumer(rabbitmq_url, recorder)
    await consume_until(consumer, seconds=0.5)  # declares the queues
    await publish(
        rabbitmq_url,
        [
            ("document.approved", body("m-1")),
            ("document.approved", b"not json at all"),
            ("document.sent", b'{"id": 5}'),
            ("document.approved", body("m-2")),
            ("invoice.paid", body("m-3")),  # not bound: never reaches octobridge
        ],
    )
    await consume_until(consumer, seconds=1.5)
    assert recorder.received == ["m-1", "m-2"]
    letters = await dead_letters(rabbitmq_url)
    assert sorted((m.headers[ROUTING_KEY_HEADER], m.headers[REASON_HEADER]) for m in letters) == [
        ("document.approved", "malformed: malformed message: not JSON"),
        ("document.sent", "malformed: malformed message: Expected `str`, got `int` - at `$.id`"),
    ]
    assert await queue_depths(rabbitmq_url) == (0, 0)


async def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(rabbitmq_url: str) -> None:
    failing = DocumentConsumer(
        rabbitmq_url, Recorder(Unavailable("the database is down")), delivery_limit=3, retry_pause=0.05
    )
    await consume_until(failing, seconds=0.3)
    await publish(rabbitmq_url, [("document.approved", body("m-1"))])
    await consume_until(failing, seconds=2)
    (letter,) = await dead_letters(rabbitmq_url)
    assert letter.headers[REASON_HEADER] == "failed 3 times: the database is down"
    assert await queue_depths(rabbitmq_url) == (0, 0)


async def test_dead_letters_can_be_listed_and_requeued_from_the_cli(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    consumer = DocumentConsumer(rabbitmq_url, Recorder())
    await consume_until(consumer, seconds=0.3)
    await publish(rabbitmq_url, [("document.approved", b"{broken"), ("document.sent", b"[]")])
    await consume_until(consumer, seconds=1)
    env = {**os.environ, "OCTOBRIDGE_BROKER_URL": rabbitmq_url, "OCTOBRIDGE_VAR_DIR": str(tmp_path)}
    cli = [sys.executable, "-c", "from entrypoints.cli.main import main; main()", "messages", "dead"]
    listed = await asyncio.to_thread(
        subprocess.run, [*cli, "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    rows = json.loads(listed.stdout)
    assert [(r["routingKey"], r["body"]) for r in rows] == [
        ("document.approved", "{broken"),
        ("document.sent", "[]"),
    ]
    assert all(r["reason"].startswith("malformed:") for r in rows)
    assert await queue_depths(rabbitmq_url) == (0, 2)  # listing leaves them where they are
    moved = await asyncio.to_thread(
        subprocess.run, [*cli, "requeue"], env=env, capture_output=True, text=True, check=True
    )
    assert moved.stdout.strip() == "2 message(s) published again"
    assert await queue_depths(rabbitmq_url) == (2, 0)


def test_without_a_broker_the_dead_letter_commands_say_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCTOBRIDGE_")} | {
        "OCTOBRIDGE_VAR_DIR": str(tmp_path)
    }
    result = subprocess.run(
        [sys.executable, "-c", "from entrypoints.cli.main import main; main()", "messages", "dead", "list"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "octobridge: OCTOBRIDGE_BROKER_URL is not set: without a broker there is no dead-letter queue"
    )


async def test_a_consumer_started_while_the_broker_is_away_waits_for_it() -> None:
    """Nothing listens on the port: the consumer keeps trying instead of dying, until stopped."""
    from sandbox.server import free_port

    consumer = DocumentConsumer(f"amqp://guest:guest@127.0.0.1:{free_port()}/", Recorder())
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    await asyncio.sleep(1.5)
    assert not running.done()
    stop.set()
    await asyncio.wait_for(running, 5)


async def _documents(world: Rig) -> list[str]:
    return sorted(e.document_id for e in await world.exports())


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_message_the_database_refuses_is_requeued_then_dead_lettered_never_acked_as_done(
    rabbitmq_url: str, database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A foreign key violated while recording the message: put back on the queue, dead-lettered with
    the reason past the delivery limit, and recorded once the cause is removed and it is sent again."""
    url = request.getfixturevalue(f"{database}_url")
    settings = settings_for(url, "", "http://127.0.0.1:9", tmp_path, broker_url=rabbitmq_url)
    async with rig(settings, BanqupStandIn()) as world:
        consumer = DocumentConsumer(
            rabbitmq_url,
            await world.container.use_cases.receive_message(),
            delivery_limit=3,
            retry_pause=0.05,
        )
        connection = await aio_pika.connect(rabbitmq_url)
        async with connection:
            await declare(await connection.channel(), 3)
        bad = body("m-bad", documentId="doc-bad", spaceId="c1", partnerId="p1")
        good = body("m-good", documentId="doc-good", spaceId="c1", partnerId="p1")

        async def settled() -> bool:
            return await queue_depths(rabbitmq_url) == (0, 1) and await _documents(world) == ["doc-good"]

        async with exports_lost(url, "doc-bad") as cause:
            await publish(rabbitmq_url, [("document.approved", bad), ("document.approved", good)])
            await consume_until_true(consumer, settled)
            (letter,) = await list_dead_letters(rabbitmq_url, 3, 10)
            assert letter.body == bad and letter.routing_key == "document.approved"
            assert letter.reason.startswith("failed 3 times: the database refused the write"), letter.reason
            await cause.remove()

        async def recorded() -> bool:
            return await queue_depths(rabbitmq_url) == (0, 0) and await _documents(world) == [
                "doc-bad",
                "doc-good",
            ]

        assert await requeue_dead_letters(rabbitmq_url, 3, 10) == 1
        await consume_until_true(consumer, recorded)
        handled = consumer.handled
        await publish(rabbitmq_url, [("document.approved", bad)])  # Banqup's redelivery: a repeat
        await consume_until_true(consumer, lambda: _handled_more_than(consumer, handled))
        assert await _documents(world) == ["doc-bad", "doc-good"]
        assert await queue_depths(rabbitmq_url) == (0, 0)


async def _handled_more_than(consumer: DocumentConsumer, count: int) -> bool:
    return consumer.handled > count
