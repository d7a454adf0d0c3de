"""The RabbitMQ on this machine, in a virtual host of this test run's own when `rabbitmqctl` may make
one (the contract's queue names are fixed, so two runs side by side would share them otherwise), with
octobridge's queues removed before each test."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import aio_pika
import pytest

from entrypoints.consumer.topology import DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE, EXCHANGE, QUEUE
from tests.conftest import require_service

BROKER = os.environ.get("OCTOBRIDGE_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _rabbitmqctl(*args: str) -> bool:
    if shutil.which("rabbitmqctl") is None:
        return False
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, timeout=60, check=False)
    return done.returncode == 0


@pytest.fixture(scope="session")
def broker_url() -> Iterator[str]:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    vhost = f"octobridge-test-{os.getpid()}"
    if "OCTOBRIDGE_TEST_BROKER_URL" in os.environ or not _rabbitmqctl("add_vhost", vhost):
        yield BROKER
        return
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"{BROKER.rstrip('/')}/{vhost}"
    _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
async def rabbitmq_url(broker_url: str) -> str:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        for queue in (QUEUE, DEAD_LETTER_QUEUE):
            await channel.queue_delete(queue)
        for exchange in (EXCHANGE, DEAD_LETTER_EXCHANGE):
            await channel.exchange_delete(exchange)
    return broker_url


async def publish(url: str, messages: list[tuple[str, bytes]]) -> None:
    """Publishes (routing key, body) pairs to `banqup.messages`, persistent and confirmed."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        for routing_key, body in messages:
            await exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=routing_key,
            )


async def queue_depths(url: str) -> tuple[int, int]:
    """Messages ready in octobridge.documents and in the dead-letter queue."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        live = await channel.declare_queue(QUEUE, passive=True)
        dead = await channel.declare_queue(DEAD_LETTER_QUEUE, passive=True)
        return live.declaration_result.message_count or 0, dead.declaration_result.message_count or 0
