"""Probes and figures for the people who run octobridge."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST

from application.errors import Unavailable
from application.use_cases.check_database import CheckDatabase
from application.views import Struct
from entrypoints.http.dependencies import use_case
from entrypoints.http.metrics import HttpMetrics
from entrypoints.http.problems import problems
from entrypoints.settings import Settings

TAGS = ["operations"]
BROKER_TIMEOUT = 2.0
DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}


class Health(Struct):
    status: str


class Readiness(Struct):
    database: str
    broker: str


@get("/healthz", tags=TAGS, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    tags=TAGS,
    summary="Readiness: the database answers, and the broker when one is configured",
    dependencies={"check_database": use_case("check_database")},
    responses=problems(503),
)
async def readyz(
    request: Request[Any, Any, Any], check_database: NamedDependency[CheckDatabase]
) -> Readiness:
    await check_database()
    settings: Settings = request.app.state.settings
    if not settings.broker_url:
        return Readiness(database="ok", broker="not configured")
    await _reach_broker(settings.broker_url)
    return Readiness(database="ok", broker="ok")


async def _reach_broker(url: str) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or DEFAULT_PORTS.get(parts.scheme, 5672)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), BROKER_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise Unavailable(f"the broker at {host}:{port} cannot be reached") from exc
    writer.close()
    await writer.wait_closed()


@get(
    "/metrics",
    tags=TAGS,
    summary="Prometheus figures: requests, open exports by status, queue depth (read every 30 s)",
    media_type=CONTENT_TYPE_LATEST,
)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    registry: HttpMetrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)


ROUTES = [healthz, readyz, metrics]
