"""Looking at dead-lettered messages, and putting them back on the exchange once the cause is fixed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from aio_pika.exceptions import AMQPConnectionError

from application.errors import Unavailable
from entrypoints.consumer.topology import REASON_HEADER, ROUTING_KEY_HEADER, declare, persistent

PREVIEW = 200


@dataclass(frozen=True)
class DeadLetter:
    routing_key: str
    reason: str
    body: bytes

    @property
    def preview(self) -> str:
        return self.body[:PREVIEW].decode("utf-8", errors="replace")


def _reason(headers: Mapping[str, object]) -> str:
    if REASON_HEADER in headers:
        return str(headers[REASON_HEADER])
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return f"dead-lettered by the broker: {deaths[0].get('reason', 'unknown')}"
    return "unknown"


async def _connect(url: str) -> AbstractConnection:
    try:
        return await aio_pika.connect(url)
    except (AMQPConnectionError, OSError) as exc:
        raise Unavailable(f"the broker cannot be reached: {exc}") from exc


async def list_dead_letters(url: str, delivery_limit: int, limit: int) -> list[DeadLetter]:
    """Up to `limit` dead letters, oldest first, left where they are."""
    connection = await _connect(url)
    try:
        channel = await connection.channel()
        topology = await declare(channel, delivery_limit)
        seen: list[AbstractIncomingMessage] = []
        letters: list[DeadLetter] = []
        while len(letters) < limit and (message := await topology.dead_queue.get(no_ack=False, fail=False)):
            seen.append(message)
            headers = dict(message.headers or {})
            routing_key = str(headers.get(ROUTING_KEY_HEADER) or message.routing_key or "")
            letters.append(DeadLetter(routing_key, _reason(headers), message.body))
        for message in seen:
            await message.nack(requeue=True)
        return letters
    finally:
        await connection.close()


async def requeue_dead_letters(url: str, delivery_limit: int, limit: int) -> int:
    """Publishes up to `limit` dead letters to `banqup.messages` again, each removed from the
    dead-letter queue only once the broker confirmed the new copy."""
    connection = await _connect(url)
    moved = 0
    try:
        channel = await connection.channel(publisher_confirms=True)
        topology = await declare(channel, delivery_limit)
        while moved < limit and (message := await topology.dead_queue.get(no_ack=False, fail=False)):
            headers = dict(message.headers or {})
            routing_key = str(headers.get(ROUTING_KEY_HEADER) or message.routing_key or "")
            await topology.exchange.publish(persistent(message.body), routing_key=routing_key)
            await message.ack()
            moved += 1
        return moved
    finally:
        await connection.close()
