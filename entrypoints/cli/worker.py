"""`octobridge worker`: delivers queued exports until SIGTERM or Ctrl-C."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from entrypoints.container import Container


@click.command()
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="Deliveries in flight."
)
def worker(concurrency: int) -> None:
    """Deliver queued exports; on SIGTERM, finish the exports in hand, then stop."""
    from entrypoints.cli.runtime import run

    async def work(container: Container) -> None:
        import asyncio
        import signal

        from entrypoints.worker.delivery import DeliveryLoop

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        use = container.use_cases
        delivery = DeliveryLoop(
            await use.claim_due_exports(), await use.deliver_export(), concurrency=concurrency
        )
        click.echo("octobridge worker: delivering queued exports (SIGTERM to stop)", err=True)
        await delivery.run(stop)
        click.echo(f"octobridge worker: stopped after {delivery.delivered} deliveries", err=True)

    run(work)
