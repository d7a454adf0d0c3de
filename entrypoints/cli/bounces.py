"""`octobridge bounces`: the SMTP server for `BOUNCE_DOMAIN` that reads delivery status notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from entrypoints.container import Container


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=2525, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
def bounces(host: str, port: int) -> None:
    """Read the bounces of octobridge's mails (OCTOBRIDGE_BOUNCE_DOMAIN's mail comes here): a mailbox
    refused later fails its export and waits for a new address; on SIGTERM, stop."""
    from entrypoints.cli.runtime import run

    async def listen(container: Container) -> None:
        import asyncio
        import signal

        listener = await container.workers.bounce_listener(host=host, port=port)  # none without the domain
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await listener.run(stop)

    run(listen)
