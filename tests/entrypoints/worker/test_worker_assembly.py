"""The container assembles the worker's jobs from the settings; the worker command only starts them."""

from __future__ import annotations

from pathlib import Path

from entrypoints.consumer.consumer import DocumentConsumer
from entrypoints.container import build_container
from entrypoints.settings import Settings
from entrypoints.worker.backfills import BackfillRunner
from entrypoints.worker.delivery import DeliveryLoop
from entrypoints.worker.housekeeping import Housekeeping
from tests.entrypoints.cli.test_production import resolved


async def test_the_container_builds_the_delivery_loop_the_backfills_the_consumer_and_the_housekeeping(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=sqlite_url, var_dir=str(tmp_path), broker_url="amqp://guest:guest@127.0.0.1:5672/"
    )
    container = build_container(settings)
    workers = container.workers
    try:
        loop = await resolved(lambda: workers.delivery_loop(concurrency=3))
        assert isinstance(loop, DeliveryLoop)
        assert type(await resolved(workers.document_consumer)) is DocumentConsumer
        assert type(await resolved(workers.housekeeping)) is Housekeeping
        assert type(await resolved(workers.backfill_runner)) is BackfillRunner
    finally:
        closing = container.shutdown_resources()
        if closing is not None:
            await closing
