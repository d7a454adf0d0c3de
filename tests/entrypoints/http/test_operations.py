"""Probes and Prometheus figures."""

from __future__ import annotations

import socket
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import IMPORT_MAILBOX, as_partner, install_and_connect, message, signed


async def test_liveness_and_readiness(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"database": "ok", "broker": "not configured"}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_readiness_fails_while_the_broker_cannot_be_reached(
    settings: Settings, container: Container
) -> None:
    with_broker = msgspec.structs.replace(
        settings, broker_url=f"amqp://guest:guest@127.0.0.1:{closed_port()}/"
    )
    async with AsyncTestClient(app=create_app(with_broker, container)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503 and "broker" in response.json()["detail"]

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        reachable = msgspec.structs.replace(
            settings, broker_url=f"amqp://127.0.0.1:{listening.getsockname()[1]}/"
        )
        async with AsyncTestClient(app=create_app(reachable, container)) as client:
            assert (await client.get("/readyz")).json() == {"database": "ok", "broker": "ok"}


async def test_metrics_count_requests_exports_and_the_queue(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    await install_and_connect(client, world, "p1")
    await client.put("/v1/clients/c1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner("p1"))
    clock.advance(minutes=1)
    for n in range(3):
        body = message(f"m{n}", "p1", "c1", f"doc-{n}", clock.at.isoformat())
        await client.post("/v1/messages", content=body, headers=signed(body))
    forged = await client.post("/v1/messages", content=body, headers={"Banqup-Signature": "t=1,v1=00"})
    assert forged.status_code == 401
    await client.get("/v1/clients/c1/octopus", headers=as_partner("p2"))

    assert 'octobridge_exports{status="queued"} 0.0' in (await client.get("/metrics")).text
    await client.app.state.refresh_figures()  # as the app does every 30 s, not at each scrape
    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'octobridge_exports{status="queued"} 3.0' in text
    assert 'octobridge_exports{status="failed"} 0.0' in text
    assert "octobridge_queue_depth 3.0" in text
    assert "octobridge_delivery_latency_seconds{" not in text, "no delivery yet, no latency"
    assert 'octobridge_http_requests_total{method="POST",route="/v1/messages",status="202"} 3.0' in text
    assert 'octobridge_http_requests_total{method="POST",route="/v1/messages",status="401"} 1.0' in text
    assert 'octobridge_http_request_duration_seconds_count{method="POST",route="/v1/messages"} 4.0' in text
    assert 'route="/v1/clients/{clientId}/octopus",status="404"' in text, "routes, not raw paths"
