"""`octobridge messages …`: a Banqup message by hand, and the dead-letter queue."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, BinaryIO

import click

if TYPE_CHECKING:
    from entrypoints.container import Container


@click.group()
def messages() -> None:
    """Banqup messages: receive one by hand, look at and replay dead-lettered ones."""


@messages.command()
@click.argument("source", type=click.File("rb"))
def receive(source: BinaryIO) -> None:
    """Receive one Banqup message (a JSON file, or - for stdin) through the same use case as HTTP."""
    from application.messages import MAX_MESSAGE_BYTES, decode_message
    from entrypoints.cli.runtime import run

    body = source.read(MAX_MESSAGE_BYTES + 1)

    async def work(container: Container) -> str:
        outcome = await (await container.use_cases.receive_message())(decode_message(body))
        return f"{outcome.outcome}: {outcome.reason or outcome.export_id}"

    click.echo(run(work))


@messages.group()
def dead() -> None:
    """Messages that could never be processed (RabbitMQ's octobridge.documents.dead)."""


def _broker() -> tuple[str, int]:
    """The broker's address and delivery limit, with logging set up for aio-pika's lines."""
    from entrypoints.logs import configure_logging
    from entrypoints.settings import Settings, SettingsError

    settings = Settings.from_environ()
    configure_logging(settings)
    if not settings.broker_url:
        raise SettingsError(
            "OCTOBRIDGE_BROKER_URL is not set: without a broker there is no dead-letter queue"
        )
    return settings.broker_url, settings.broker_delivery_limit


@dead.command("list")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
def list_dead(limit: int, as_json: bool) -> None:
    """Show dead-lettered messages with their reason; they stay in the queue."""
    import asyncio

    from entrypoints.consumer.dead_letters import list_dead_letters

    url, delivery_limit = _broker()
    letters = asyncio.run(list_dead_letters(url, delivery_limit, limit))
    if as_json:
        rows = [{"routingKey": d.routing_key, "reason": d.reason, "body": d.preview} for d in letters]
        json.dump(rows, sys.stdout, indent=2)
        click.echo()
        return
    for letter in letters:
        click.echo(f"{letter.routing_key}\t{letter.reason}\t{letter.preview!r}")
    click.echo(f"{len(letters)} dead-lettered message(s)", err=True)


@dead.command()
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
def requeue(limit: int) -> None:
    """Publish dead-lettered messages to banqup.messages again (after fixing what made them fail)."""
    import asyncio

    from entrypoints.consumer.dead_letters import requeue_dead_letters

    url, delivery_limit = _broker()
    moved = asyncio.run(requeue_dead_letters(url, delivery_limit, limit))
    click.echo(f"{moved} message(s) published again")
