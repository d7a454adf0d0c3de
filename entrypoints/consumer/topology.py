"""The RabbitMQ names of CONTRACTS §5, declared idempotently: declaring what exists changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue, HeadersType

EXCHANGE = "banqup.messages"
QUEUE = "octobridge.documents"
BINDING = "document.*"
DEAD_LETTER_EXCHANGE = "octobridge.dlx"
DEAD_LETTER_QUEUE = "octobridge.documents.dead"
REASON_HEADER = "x-octobridge-reason"
ROUTING_KEY_HEADER = "x-octobridge-routing-key"


@dataclass(frozen=True)
class Topology:
    exchange: AbstractExchange
    queue: AbstractQueue
    dead_letters: AbstractExchange
    dead_queue: AbstractQueue


async def declare(channel: AbstractChannel, delivery_limit: int) -> Topology:
    """Declares the exchange, the durable quorum queue with its delivery limit and dead-letter
    exchange, and the dead-letter queue. Without the dead-letter exchange RabbitMQ would drop a
    message silently at the limit."""
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    dead_letters = await channel.declare_exchange(
        DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True
    )
    dead_queue = await channel.declare_queue(DEAD_LETTER_QUEUE, durable=True)
    await dead_queue.bind(dead_letters)
    queue = await channel.declare_queue(
        QUEUE,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-delivery-limit": delivery_limit,
        },
    )
    await queue.bind(exchange, routing_key=BINDING)
    return Topology(exchange, queue, dead_letters, dead_queue)


def persistent(body: bytes, headers: HeadersType | None = None) -> aio_pika.Message:
    """Whatever octobridge publishes survives a broker restart."""
    return aio_pika.Message(
        body,
        headers=headers or {},
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        content_type="application/json",
    )
