"""Every HTTP request's id, and the access line of `serve --access-log`."""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from urllib.parse import unquote_plus

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.logs import ACCESS_LOGGER, REDACTED, names_a_credential

HEADER = b"x-request-id"
SAFE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")

_access = structlog.get_logger(ACCESS_LOGGER)
_access_on = logging.getLogger(ACCESS_LOGGER).isEnabledFor


# New ids: this process's random prefix and a serial number, unique without the cost of a random
# number per request (a fifth of the middleware's, measured).
_PREFIX = secrets.token_hex(6)
_serial = itertools.count(1)


def request_id(scope: Scope) -> str:
    """The caller's `X-Request-ID` when it is a short safe token, else a new one."""
    for name, value in scope["headers"]:
        if name == HEADER and SAFE_ID.fullmatch(value):
            return value.decode()
    return f"{_PREFIX}-{next(_serial):x}"


def redacted_query(query: bytes) -> str:
    """The query string as received, with the values of credentials (`token`, `code`, `state`…)
    replaced by `[redacted]`."""
    parts = query.decode("latin-1").split("&")
    for index, part in enumerate(parts):
        name, equals, _ = part.partition("=")
        if equals and names_a_credential(unquote_plus(name)):
            parts[index] = f"{name}={REDACTED}"
    return "&".join(parts)


class RequestLog:
    """Wraps the whole app, unknown paths included: binds the request's id in structlog's context for
    every line logged while it is handled, sends it back as `X-Request-ID`, and, when the access
    logger is on, writes one line once the request is answered."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        identifier = request_id(scope)
        header = (HEADER, identifier.encode())
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        bound = structlog.contextvars.bind_contextvars(request_id=identifier)
        try:
            await self._app(scope, receive, sending)
        finally:
            if _access_on(logging.INFO):
                _access.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    query=redacted_query(scope["query_string"]),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
            structlog.contextvars.reset_contextvars(**bound)
