"""Prometheus figures: requests as they happen, and exports, the queue and what waits for a person
read every half minute in the background, so that a scrape costs the same whatever the size of the
exports table."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from application.use_cases.read_operational_figures import AttemptCount, OperationalFigures

REFRESH_EVERY = 30.0  # seconds; the figures a scrape shows are at most this old

logger = logging.getLogger(__name__)


class AttemptTotals(Collector):
    """`octobridge_export_attempts_total{outcome,reason}`: the totals every worker adds to, as read at
    the scrape. A counter kept elsewhere, so it is exposed as read rather than counted here."""

    def __init__(self) -> None:
        self.read: list[AttemptCount] = []

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "octobridge_export_attempts",
            "Export attempts by outcome (delivered, deferred, failed) and reason class",
            labels=["outcome", "reason"],
        )
        for attempt in self.read:
            family.add_metric([attempt.outcome, attempt.reason], attempt.count)
        yield family


class HttpMetrics:
    """One registry per app, so that several apps in one process (tests) do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "octobridge_http_requests",
            "HTTP requests answered, by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "octobridge_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=self.registry,
        )
        self.exports = Gauge(
            "octobridge_exports",
            "Open exports by status (queued, failed)",
            ["status"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "octobridge_queue_depth", "Exports waiting in the outbox for a worker", registry=self.registry
        )
        self.delivery_latency = Gauge(
            "octobridge_delivery_latency_seconds",
            "Queue-to-relay time of the exports delivered in the last hour, by quantile",
            ["quantile"],
            registry=self.registry,
        )
        self.attention = Gauge(
            "octobridge_attention",
            "Clients that need a person, over all partners, by reason (needsReconnect: partners)",
            ["reason"],
            registry=self.registry,
        )
        self.attempts = AttemptTotals()
        self.registry.register(self.attempts)

    def show(self, figures: OperationalFigures) -> None:
        """Sets the gauges and the attempt totals the next scrapes expose."""
        for status, count in figures.exports_by_status.items():
            self.exports.labels(status=status).set(count)
        self.queue_depth.set(figures.queue_depth)
        self.delivery_latency.clear()  # no delivery in the last hour: no figure, rather than a stale one
        for quantile, seconds in figures.delivery_latency.items():
            self.delivery_latency.labels(quantile=quantile).set(seconds)
        self.attempts.read = figures.attempts
        for reason, count in figures.attention.items():
            self.attention.labels(reason=reason).set(count)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class FiguresRefresh:
    """Reads the operational figures into the metrics now and then every `every` seconds, so that
    scrapes never query the database. A failed read is logged and the last figures stay shown."""

    def __init__(
        self,
        metrics: HttpMetrics,
        read: Callable[[], Awaitable[OperationalFigures]],
        every: float = REFRESH_EVERY,
    ) -> None:
        self._metrics = metrics
        self._read = read
        self._every = every

    async def __call__(self) -> None:
        try:
            figures = await self._read()
        except Exception:  # a loop that stops would leave the figures stale without a word
            logger.exception("operational figures not refreshed")
        else:
            self._metrics.show(figures)

    async def run(self) -> None:
        """Refreshes until cancelled (the app's lifespan ends)."""
        while True:
            await asyncio.sleep(self._every)
            await self()


class RequestMetrics(ASGIMiddleware):
    """Counts and times each request by its route template, never by its raw path."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, metrics: HttpMetrics) -> None:
        self._metrics = metrics
        self._known: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await next_app(scope, receive, sending)
        finally:
            route = scope.get("path_template") or "unmatched"
            counted, timed = self._series(str(scope.get("method", "?")), route, status)
            counted.inc()
            timed.observe(time.perf_counter() - started)

    def _series(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        """The request's counter and histogram, looked up by their labels once: `labels` checks and
        locks each time, a tenth of the middleware's cost. Routes are templates, so they are few."""
        key = (method, route, status)
        if (series := self._known.get(key)) is None:
            series = self._known[key] = (
                self._metrics.requests.labels(method=method, route=route, status=str(status)),
                self._metrics.latency.labels(method=method, route=route),
            )
        return series
