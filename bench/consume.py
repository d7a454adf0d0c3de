"""Messages per second from RabbitMQ to a committed export, against a raw aio-pika consumer that only
acknowledges the same number of messages, in the same run.

Run: `python bench/consume.py [MESSAGES]` with PostgreSQL and RabbitMQ on this machine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aio_pika
import structlog

from bench.delivery import fresh_database
from entrypoints.consumer.consumer import DocumentConsumer
from entrypoints.consumer.topology import QUEUE, declare, persistent
from sandbox.banqup import BanqupStandIn
from sandbox.world import rig, settings_for

BROKER = "amqp://guest:guest@127.0.0.1:5672/"
PREFETCH = 100


def approvals(count: int, tag: str) -> list[bytes]:
    now = datetime.now(UTC).isoformat()
    return [
        json.dumps(
            {"id": f"{tag}-{n}", "category": "document", "type": "approved",
             "data": {"documentId": f"{tag}-{n}", "spaceId": "c1", "partnerId": "p1", "folder": "PURCHASES",
                      "documentCategory": "INVOICE", "occurredAt": now}}
        ).encode()
        for n in range(count)
    ]  # fmt: skip


async def fill(bodies: list[bytes]) -> None:
    connection = await aio_pika.connect(BROKER)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        topology = await declare(channel, delivery_limit=10)
        await topology.queue.purge()
        for body in bodies:
            await topology.exchange.publish(persistent(body), routing_key="document.approved")


async def ready() -> int:
    connection = await aio_pika.connect(BROKER)
    async with connection:
        queue = await (await connection.channel()).declare_queue(QUEUE, passive=True)
        return queue.declaration_result.message_count or 0


async def raw_consumer(count: int) -> float:
    """Messages per second when each is only acknowledged."""
    await fill(approvals(count, "raw"))
    connection = await aio_pika.connect(BROKER)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.declare_queue(QUEUE, passive=True)
        done = asyncio.Event()
        seen = 0

        async def ack(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen == count:
                done.set()

        started = time.perf_counter()
        await queue.consume(ack)
        await done.wait()
        return count / (time.perf_counter() - started)


async def octobridge_consumer(count: int) -> float:
    """Messages per second through `ReceiveDocumentMessage` on PostgreSQL, each a committed export."""
    with tempfile.TemporaryDirectory() as var:
        settings = settings_for(
            await fresh_database(), "", "http://127.0.0.1:9", Path(var), broker_url=BROKER
        )
        async with rig(settings, BanqupStandIn()) as world:
            await fill(approvals(count, "doc"))
            consumer = DocumentConsumer(
                BROKER, await world.container.use_cases.receive_message(), prefetch=PREFETCH
            )
            stop = asyncio.Event()
            started = time.perf_counter()
            running = asyncio.create_task(consumer.run(stop))
            while consumer.handled < count:
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - started
            stop.set()
            await running
            assert len(await world.exports()) == count
    return count / elapsed


async def main(count: int) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    raw = await raw_consumer(count)
    ours = await octobridge_consumer(count)
    print(f"messages: {count}, prefetch {PREFETCH}")
    print(f"raw aio-pika consumer, ack only:      {raw:8.0f} messages/s")
    print(f"octobridge, committed export each:    {ours:8.0f} messages/s")
    print(f"ratio octobridge / raw:               {ours / raw:8.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
