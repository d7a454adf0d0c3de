"""The HTTP connections the Banqup and Octopus adapters use."""

from __future__ import annotations

import httpx
from httpx_aiohttp import AiohttpTransport

# A connection gets 5 s, an answer 20 s.
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


def outbound_transport() -> httpx.AsyncBaseTransport:
    """httpx's transport interface on aiohttp's connections: a request costs a third of the CPU it
    does on httpx's own transport, and the worker makes three to Banqup for every export
    (docs/decisions/0004)."""
    return AiohttpTransport()


def outbound_client() -> httpx.AsyncClient:
    """A client on `outbound_transport` that follows no redirects."""
    return httpx.AsyncClient(transport=outbound_transport(), timeout=TIMEOUT, follow_redirects=False)
