"""The HTTP entrypoint's one table from errors to RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap

from application.errors import (
    Conflict,
    Forbidden,
    Invalid,
    InvalidDocument,
    NotFound,
    NotStored,
    Unavailable,
)
from application.views import Struct
from domain.errors import InvalidValue, NotAllowed

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 30
MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")

logger = logging.getLogger(__name__)


class Problem(Struct, kw_only=True):
    """RFC 9457 problem details; `field` names the part of the request to blame, when one is."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None


class Unauthenticated(Exception):
    """No credentials, or credentials that do not hold; `challenge` goes in `WWW-Authenticate`."""

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message)
        self.message = message
        self.challenge = challenge


STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (Unauthenticated, 401),
    (InvalidDocument, 422),
    (Invalid, 400),
    (InvalidValue, 422),
    (NotFound, 404),
    (Conflict, 409),
    (NotAllowed, 409),
    (Forbidden, 403),
    (Unavailable, 503),
    (NotStored, 500),  # logged for operators; the caller hears nothing of the database's words
)


def status_of(error: Exception) -> int:
    if isinstance(error, HTTPException):
        return error.status_code
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 500)


def problem_response(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    """The problem details for any error raised while handling a request."""
    status = status_of(error)
    headers: dict[str, str] = {}
    if status == 500:
        logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        detail, field = "something went wrong on our side; it has been logged", None
    elif isinstance(error, HTTPException):
        detail, field = _framework_detail(error)
        headers.update(error.headers or {})
    else:
        detail = str(getattr(error, "message", error))
        field = getattr(error, "field", None)
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = error.challenge
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    problem = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, field=field)
    return Response(problem, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _framework_detail(error: HTTPException) -> tuple[str, str | None]:
    """Litestar's own errors (bad parameters or bodies, unknown routes, body too large)."""
    if isinstance(error, ValidationException) and isinstance(error.extra, list) and error.extra:
        first = error.extra[0]
        if isinstance(first, Mapping):
            message = str(first.get("message") or error.detail)
            key = first.get("key")
            if key == "data":  # the body as a whole: the message names the field, if any
                missing = MISSING_FIELD.search(message)
                key = missing.group(1) if missing else None
            return (f"{key}: {message}" if key else message), (str(key) if key else None)
    return str(error.detail), None


# What any route behind the partner token may answer: no or a bad token, or the database away.
AUTHENTICATED = (401, 503)


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI description of the problem answers a route may give."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=HTTPStatus(status).phrase,
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in statuses
    }


EXCEPTION_HANDLERS: ExceptionHandlersMap = {Exception: problem_response}
