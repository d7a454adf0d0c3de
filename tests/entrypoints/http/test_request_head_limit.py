"""`octobridge serve`'s HTTP protocol bounds a request's head while it arrives: a real uvicorn server
on a socket of its own, spoken to in raw HTTP/1.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn

from entrypoints.cli.serve import HTTP_PROTOCOL
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.protocol import MAX_HEAD
from entrypoints.settings import Settings

Address = tuple[str, int]


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[Address]:
    """octobridge under uvicorn with `serve`'s protocol, in this test's event loop."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(settings, build_container(settings)), http=HTTP_PROTOCOL, log_level="warning"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    while not server.started:
        assert not serving.done(), serving.exception()
        await asyncio.sleep(0.01)
    yield listening.getsockname()
    server.should_exit = True
    await serving
    listening.close()


async def exchange(address: Address, request: bytes) -> bytes:
    """Sends `request` (as much of it as the server takes before closing) and reads the answer."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(request)
        await writer.drain()
    except ConnectionError:
        pass  # the server answered and closed before taking it all
    answer = await reader.read()
    writer.close()
    return answer


def get(path: str, *headers: bytes) -> bytes:
    lines = [f"GET {path} HTTP/1.1".encode(), b"Host: octobridge.test", b"Connection: close", *headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def test_a_header_of_a_megabyte_is_refused_with_431_and_the_server_goes_on(served: Address) -> None:
    answer = await exchange(served, get("/healthz", b"X-Filler: " + b"a" * 1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"connection: close" in answer.lower()
    assert (await exchange(served, get("/healthz"))).startswith(b"HTTP/1.1 200 ")


async def test_many_small_headers_are_counted_together(served: Address) -> None:
    many = [f"X-Filler-{n}: {'a' * 100}".encode() for n in range(MAX_HEAD // 100)]
    assert (await exchange(served, get("/healthz", *many))).startswith(b"HTTP/1.1 431 ")


async def test_a_head_within_the_limit_is_served(served: Address) -> None:
    near = b"X-Filler: " + b"a" * (MAX_HEAD - 200)
    answer = await exchange(served, get("/healthz", near))
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b'{"status":"ok"}')


async def test_a_body_does_not_count_as_head(served: Address) -> None:
    body = b'{"pad": "' + b"a" * (MAX_HEAD + MAX_HEAD // 2) + b'"}'
    head = [b"POST /v1/messages HTTP/1.1", b"Host: octobridge.test", b"Connection: close"]
    head.append(b"Content-Length: %d" % len(body))
    answer = await exchange(served, b"\r\n".join(head) + b"\r\n\r\n" + body)
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]  # read, and refused for its missing signature
