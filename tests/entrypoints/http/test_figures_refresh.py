"""The figures /metrics shows are read in the background: on an interval, and a failed read leaves
the last figures shown and says so in the log, without stopping the refreshes."""

from __future__ import annotations

import asyncio
import logging

import pytest

from application.errors import Unavailable
from application.use_cases.read_operational_figures import OperationalFigures
from entrypoints.http.metrics import FiguresRefresh, HttpMetrics


def figures(queued: int, attention: dict[str, int]) -> OperationalFigures:
    return OperationalFigures(
        exports_by_status={"queued": queued, "failed": 0},
        queue_depth=queued,
        delivery_latency={},
        attempts=[],
        attention=attention,
    )


class Reads:
    """Figures read in turn: a number of queued exports, or an error to raise; every read with the
    attention counts `every`."""

    def __init__(self, *results: int | Exception, every: dict[str, int] | None = None) -> None:
        self._results = list(results)
        self._attention = every or {}

    async def __call__(self) -> OperationalFigures:
        result = self._results.pop(0) if len(self._results) > 1 else self._results[0]
        if isinstance(result, Exception):
            raise result
        return figures(result, self._attention)


async def test_a_failed_read_keeps_the_last_figures_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    metrics = HttpMetrics()
    refresh = FiguresRefresh(metrics, Reads(4, Unavailable("the database is down")))
    await refresh()
    await refresh()
    assert b'octobridge_exports{status="queued"} 4.0' in metrics.exposition()
    assert [r.message for r in caplog.records if r.levelno == logging.ERROR] == [
        "operational figures not refreshed"
    ]


async def test_refreshes_go_on_at_their_interval_after_a_failure_until_cancelled() -> None:
    metrics = HttpMetrics()
    running = asyncio.create_task(FiguresRefresh(metrics, Reads(Unavailable("down"), 7), every=0.01).run())
    try:
        async with asyncio.timeout(5):
            while b"octobridge_queue_depth 7.0" not in metrics.exposition():
                await asyncio.sleep(0.01)
    finally:
        running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running


async def test_the_attention_gauge_shows_each_reason_as_read() -> None:
    metrics = HttpMetrics()
    counts = {"mailboxRefused": 2, "needsReconnect": 0, "failedExports": 5, "dossierWithoutVat": 1}
    await FiguresRefresh(metrics, Reads(0, every=counts))()
    shown = metrics.exposition()
    for reason, count in counts.items():
        assert f'octobridge_attention{{reason="{reason}"}} {count}.0'.encode() in shown
