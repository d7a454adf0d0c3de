"""The HTTP client the Banqup and Octopus adapters share."""

from __future__ import annotations

import httpx
from httpx_aiohttp import AiohttpTransport


def outbound_client() -> httpx.AsyncClient:
    """httpx's interface on aiohttp's connections: a request costs a third of the CPU it does on
    httpx's own transport, and the worker makes three to Banqup for every export
    (docs/decisions/0004). No redirects are followed; a connection gets 5 s, an answer 20 s."""
    return httpx.AsyncClient(
        transport=AiohttpTransport(), timeout=httpx.Timeout(20.0, connect=5.0), follow_redirects=False
    )
