"""`HttpBanqupDocuments` against the stand-in Banqup and against scripted failures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from adapters.banqup.documents import HttpBanqupDocuments
from adapters.http_client import outbound_transport
from application.errors import Invalid, NotFound, Unavailable
from sandbox.banqup import BanqupStandIn, StoredDocument, create_banqup_app
from sandbox.server import free_port, serving

Handler = Callable[[httpx.Request], httpx.Response]


async def test_reads_the_document_its_pdf_and_its_ubl(banqup: tuple[BanqupStandIn, str]) -> None:
    stand_in, url = banqup
    stand_in.put("space-1", "doc-1", StoredDocument(b'{"id": "doc-1"}', pdf=b"%PDF-1.4"))
    async with outbound_transport() as transport:
        documents = HttpBanqupDocuments(url, stand_in.client_id, stand_in.client_secret, transport)
        fetched = await documents.fetch("space-1", "doc-1")
        assert (fetched.json, fetched.pdf, fetched.ubl) == (b'{"id": "doc-1"}', b"%PDF-1.4", None)
        with pytest.raises(NotFound):
            await documents.fetch("space-1", "doc-2")
        assert len(stand_in.tokens) == 1  # one token, reused across calls


async def test_wrong_credentials_are_unavailable_not_a_crash(banqup: tuple[BanqupStandIn, str]) -> None:
    _, url = banqup
    async with outbound_transport() as transport:
        with pytest.raises(Unavailable, match="refused a token"):
            await HttpBanqupDocuments(url, "someone", "wrong", transport).fetch("s", "d")


def scripted(*statuses: int) -> tuple[Handler, list[str]]:
    """Answers document calls with `statuses` in turn, then 200; counts token requests."""
    remaining, log = list(statuses), []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/gettoken"):
            log.append("token")
            return httpx.Response(200, json={"access_token": f"t{len(log)}", "expires_in": 300})
        log.append(request.headers["authorization"])
        if request.url.path.endswith(("/pdf", "/ubl")):
            return httpx.Response(404)
        status = remaining.pop(0) if remaining else 200
        return httpx.Response(status, content=b"{}" if status == 200 else b"")

    return handle, log


def sixty_four_megabytes(served: list[int]) -> httpx.Response:
    """A 200 whose body comes a megabyte at a time; `served` counts the megabytes sent."""

    async def body():  # type: ignore[no-untyped-def]
        for _ in range(64):
            served.append(1)
            yield b" " * (1024 * 1024)

    return httpx.Response(200, content=body())


async def test_a_401_renews_the_token_once() -> None:
    handle, log = scripted(401)
    async with httpx.MockTransport(handle) as transport:
        await HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0).fetch("s", "d")
    assert log[:4] == ["token", "Bearer t1", "token", "Bearer t3"]


async def test_busy_answers_are_retried_then_given_up() -> None:
    handle, _ = scripted(503, 429)
    async with httpx.MockTransport(handle) as transport:
        documents = HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0)
        assert (await documents.fetch("s", "d")).json == b"{}"
    handle, _ = scripted(503, 503, 503)
    async with httpx.MockTransport(handle) as transport:
        with pytest.raises(Unavailable, match="503"):
            await HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0).fetch("s", "d")


async def test_a_banqup_that_cannot_be_reached_is_unavailable() -> None:
    """The production client's own errors, not a scripted one, become `Unavailable`."""
    async with outbound_transport() as transport:
        documents = HttpBanqupDocuments(
            f"http://127.0.0.1:{free_port()}", "id", "secret", transport, backoff=0
        )
        with pytest.raises(Unavailable, match="cannot be reached"):
            await documents.fetch("s", "d")


async def test_network_errors_are_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.MockTransport(refuse) as transport:
        with pytest.raises(Unavailable, match="cannot be reached"):
            await HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0).fetch("s", "d")


async def test_a_document_larger_than_allowed_is_refused_without_being_read_whole() -> None:
    served: list[int] = []

    def huge(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/gettoken"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 300})
        return sixty_four_megabytes(served)

    async with httpx.MockTransport(huge) as transport:
        with pytest.raises(Invalid, match="larger than the 2 MB"):
            await HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0).fetch("s", "d")
    assert len(served) < 64


async def test_answers_without_a_body_wanted_leave_the_connection_open_for_the_next_request() -> None:
    """A document without PDF or UBL answers two 404s per fetch; each must not cost a new connection."""
    stand_in, connections = BanqupStandIn(), set()
    app = create_banqup_app(stand_in)

    async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            connections.add(scope["client"])  # (host, port): one per TCP connection
        await app(scope, receive, send)

    with serving(counted) as url:
        async with outbound_transport() as transport:
            documents = HttpBanqupDocuments(url, stand_in.client_id, stand_in.client_secret, transport)
            for n in range(5):
                stand_in.put("space-1", f"doc-{n}", StoredDocument(b"{}"))
                assert (await documents.fetch("space-1", f"doc-{n}")).pdf is None
    assert len(connections) <= 2  # the PDF and UBL requests of a fetch go side by side


async def test_an_oversized_token_answer_is_unavailable_not_read_whole() -> None:
    served: list[int] = []

    async with httpx.MockTransport(lambda request: sixty_four_megabytes(served)) as transport:
        with pytest.raises(Unavailable, match="token answer is larger"):
            await HttpBanqupDocuments("http://banqup", "id", "secret", transport, backoff=0).fetch("s", "d")
    assert len(served) < 64


async def test_a_banqup_that_never_answers_times_out_as_unavailable() -> None:
    """Requests go to the transport, not through a client: the timeout must travel with each one."""

    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        await done.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with outbound_transport() as transport:
            documents = HttpBanqupDocuments(
                f"http://127.0.0.1:{port}", "id", "secret", transport, attempts=1, timeout=httpx.Timeout(0.3)
            )
            started = time.monotonic()
            with pytest.raises(Unavailable, match="cannot be reached: ReadTimeout"):
                await documents.fetch("s", "d")
            assert time.monotonic() - started < 5
    finally:
        done.set()
        server.close()
        await server.wait_closed()
