"""Reading another system's answer no further than a limit, whatever it claims or sends."""

from __future__ import annotations

import httpx


async def body_within(response: httpx.Response, limit: int) -> bytes | None:
    """The body of a streamed `response`, or None as soon as it is known to be larger than `limit`
    bytes: by its Content-Length before reading, or by what arrived, before it fills memory."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    received = bytearray()
    async for chunk in response.aiter_bytes():
        received += chunk
        if len(received) > limit:
            return None
    return bytes(received)
