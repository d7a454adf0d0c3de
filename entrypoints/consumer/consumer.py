"""Consuming Banqup messages: acknowledged only once the use case has committed (R20)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import aio_pika
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection, HeadersType
from aio_pika.exceptions import AMQPConnectionError

from application.errors import Invalid
from application.messages import decode_message
from application.use_cases.receive_message import MessageOutcome
from domain.errors import InvalidValue
from entrypoints.consumer.topology import REASON_HEADER, ROUTING_KEY_HEADER, Topology, declare, persistent

log = structlog.get_logger("octobridge.consumer")

Receive = Callable[..., Awaitable[MessageOutcome]]
MAX_REASON = 500
MAX_CONNECT_PAUSE = 30.0


def delivery_count(message: AbstractIncomingMessage) -> int:
    """How many times the broker handed this message out before (quorum queues count it)."""
    count = (message.headers or {}).get("x-delivery-count", 0)
    return count if isinstance(count, int) else 0


class DocumentConsumer:
    """Takes messages from `octobridge.documents` with a bounded prefetch and handles up to
    `concurrency` at a time. The outcome of each, in one place:

    - the use case committed (exported, skipped, ignored or a repeat): acknowledge;
    - the message can never be processed (malformed): publish it to the dead-letter exchange with
      the reason in a header, then acknowledge;
    - anything else (database down, a write the database refused, a surprise): put it back after a
      pause, until the delivery limit; the last try dead-letters it with the error as its reason.
    """

    def __init__(
        self,
        url: str,
        receive: Receive,
        *,
        prefetch: int = 100,
        concurrency: int = 16,
        delivery_limit: int = 10,
        retry_pause: float = 1.0,
    ) -> None:
        self._url = url
        self._receive = receive
        self._prefetch = prefetch
        self._slots = asyncio.Semaphore(concurrency)
        self._delivery_limit = delivery_limit
        self._retry_pause = retry_pause
        self._in_flight: set[asyncio.Task[None]] = set()
        self.handled = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Consumes until `stop` is set, then finishes the messages in hand. The connection is robust:
        when the broker goes away it reconnects with backoff and resumes consuming."""
        connection = await self._connect(stop)
        if connection is None:
            return
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self._prefetch)
            topology = await declare(channel, self._delivery_limit)
            self._topology = topology
            tag = await topology.queue.consume(self._dispatch)
            log.info("consuming", queue=topology.queue.name, prefetch=self._prefetch)
            await stop.wait()
            await topology.queue.cancel(tag)
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
        finally:
            await connection.close()

    async def _connect(self, stop: asyncio.Event) -> AbstractRobustConnection | None:
        """The first connection, tried again with backoff while the broker is away (aio-pika's robust
        connection reconnects by itself only once it has connected); None when stopped meanwhile."""
        pause = 1.0
        while not stop.is_set():
            try:
                return await aio_pika.connect_robust(self._url, reconnect_interval=2)
            except (AMQPConnectionError, OSError) as exc:
                log.warning("the broker cannot be reached; trying again", error=str(exc), pause=pause)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, MAX_CONNECT_PAUSE)
        return None

    async def _dispatch(self, message: AbstractIncomingMessage) -> None:
        task = asyncio.create_task(self._handle(message, self._topology))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _handle(self, message: AbstractIncomingMessage, topology: Topology) -> None:
        async with self._slots:
            try:
                outcome = await self._receive(decode_message(message.body))
            except (Invalid, InvalidValue) as exc:
                await self._dead_letter(message, topology, f"malformed: {_reason(exc)}")
            except Exception as exc:  # whatever it is, the message must not be lost
                await self._retry_or_give_up(message, topology, exc)
            else:
                await message.ack()
                self.handled += 1
                log.debug(
                    "message handled", id=outcome.message_id, outcome=outcome.outcome, reason=outcome.reason
                )

    async def _retry_or_give_up(
        self, message: AbstractIncomingMessage, topology: Topology, error: Exception
    ) -> None:
        reason = f"failed {delivery_count(message) + 1} times: {_reason(error)}"
        if delivery_count(message) + 1 >= self._delivery_limit:
            await self._dead_letter(message, topology, reason)
            return
        log.warning("message failed; it goes back to the queue", reason=reason)
        await asyncio.sleep(self._retry_pause)
        await message.nack(requeue=True)

    async def _dead_letter(self, message: AbstractIncomingMessage, topology: Topology, reason: str) -> None:
        headers: HeadersType = {
            REASON_HEADER: reason[:MAX_REASON],
            ROUTING_KEY_HEADER: message.routing_key or "",
        }
        await topology.dead_letters.publish(
            persistent(message.body, headers), routing_key=message.routing_key or ""
        )
        await message.ack()
        log.warning("message dead-lettered", reason=reason)


def _reason(error: Exception) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return " ".join(str(text).split())
