"""`octobridge worker`: delivers queued exports and runs the backfills asked for and, with a broker,
consumes Banqup messages; it also forgets, every hour, the ids of messages handled more than 30 days
ago."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from entrypoints.container import Container


@click.command()
@click.option(
    "--concurrency", default=8, show_default=True, type=click.IntRange(1, 64), help="Deliveries in flight."
)
@click.option(
    "--no-delivery",
    is_flag=True,
    help="Only consume messages, no delivery nor backfill (needs OCTOBRIDGE_BROKER_URL).",
)
def worker(concurrency: int, no_delivery: bool) -> None:
    """Deliver queued exports and run the backfills asked for, and consume Banqup messages from
    RabbitMQ when OCTOBRIDGE_BROKER_URL is set; on SIGTERM, finish what is in hand, then stop."""
    import structlog

    from entrypoints.cli.runtime import run, settle_the_collector

    log = structlog.get_logger("octobridge.worker")

    async def work(container: Container) -> None:
        import asyncio
        import signal

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        settings = container.settings()
        workers = container.workers
        jobs = []
        if not no_delivery:  # the rules compiled before the first claim: a broken stylesheet stops here
            container.infrastructure.ubl_toolkit().warm_up()
            jobs.append((await workers.delivery_loop(concurrency=concurrency)).run(stop))
            jobs.append((await workers.backfill_runner()).run(stop))
        if settings.broker_url:
            jobs.append((await workers.document_consumer()).run(stop))
        if not jobs:
            log.warning("nothing to do: --no-delivery and no broker")
            return
        jobs.append((await workers.housekeeping()).run(stop))
        settle_the_collector()
        log.info("running (SIGTERM to stop)", delivery=not no_delivery, consuming=bool(settings.broker_url))
        await asyncio.gather(*jobs)
        log.info("stopped")

    run(work)
