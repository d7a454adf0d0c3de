"""Banqup's document API over HTTP (CONTRACTS §4), behind an OAuth 2.0 client-credentials token."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from adapters.banqup.document_list import decode_document_list
from adapters.bounded_body import body_within
from adapters.http_client import TIMEOUT
from application.errors import Invalid, NotFound, Unavailable
from application.ports.documents import (
    DocumentListing,
    DocumentListPage,
    DocumentSource,
    ExportStatusReports,
    SourceDocument,
)

MAX_JSON = 2 * 1024 * 1024
MAX_LIST = 1024 * 1024  # a page of 100 items is some 20 kB
MAX_FILE = 25 * 1024 * 1024
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# What Banqup answers a list request it will never grant: a backfill asking it ends failed.
REFUSED = frozenset({400, 403, 422})
RENEW_BEFORE = 30.0
MAX_ERROR_BODY = 64 * 1024


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


async def _bounded(response: httpx.Response, limit: int, path: str) -> bytes:
    """The body, read only as far as `limit`: a larger document is refused before it fills memory."""
    body = await body_within(response, limit)
    if body is None:
        raise Invalid(
            f"Banqup's answer for {path} is larger than the {limit // (1024 * 1024)} MB octobridge takes"
        )
    return body


async def _drain(response: httpx.Response) -> None:
    """Reads a short answer that is not wanted (a 404, an error page) to its end: httpx closes a
    connection left with part of an answer unread, and the next request would pay for a new one."""
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > MAX_ERROR_BODY:
            return


def _documents_path(client_id: str) -> str:
    return f"/documents/v1/spaces/{quote(client_id, safe='')}/documents"


def _document_path(client_id: str, document_id: str) -> str:
    return f"{_documents_path(client_id)}/{quote(document_id, safe='')}"


class HttpBanqupDocuments(DocumentSource, DocumentListing, ExportStatusReports):
    """Reads a client's document, its PDF and its original UBL, and lists the documents approved or
    sent on a range of days; it has no way to change them. It can report an export's outcome, which
    sets only the document's accounting status for Octopus (R18).

    The token is cached and renewed shortly before it expires, and once more when Banqup answers
    401; 429 and 5xx answers and network errors are retried with backoff, then `Unavailable`.

    Requests go to an httpx transport, not through a client: the client's cookies, redirects, auth
    flows and hooks, which this API has no use for, cost as much CPU as the request itself, and the
    worker makes three for every export (docs/decisions/0004).
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        transport: httpx.AsyncBaseTransport,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._transport = transport
        self._extensions = {"timeout": timeout.as_dict()}
        self._attempts = attempts
        self._backoff = backoff
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()

    async def fetch(self, client_id: str, document_id: str) -> SourceDocument:
        path = _document_path(client_id, document_id)
        document = await self._call("GET", path, MAX_JSON)
        if document is None:
            raise NotFound(f"Banqup has no document {document_id} in space {client_id}")
        pdf, ubl = await asyncio.gather(
            self._call("GET", path + "/pdf", MAX_FILE), self._call("GET", path + "/ubl", MAX_FILE)
        )
        return SourceDocument(client_id, document_id, document, pdf, ubl)

    async def list_approved_or_sent(
        self, client_id: str, first_day: date, last_day: date, cursor: str | None = None, limit: int = 100
    ) -> DocumentListPage:
        days = {"approvedOrSentFrom": first_day.isoformat(), "approvedOrSentTo": last_day.isoformat()}
        query = urlencode({**({"cursor": cursor} if cursor is not None else days), "limit": limit})
        body = await self._call("GET", f"{_documents_path(client_id)}?{query}", MAX_LIST, refused=REFUSED)
        if body is None:
            raise NotFound(f"Banqup does not know space {client_id}")
        return decode_document_list(body, client_id)

    async def report(self, client_id: str, document_id: str, status: str, detail: str) -> None:
        """Sets the document's Octopus accounting status (ours: Banqup does not publish this call)."""
        body = {"system": "octopus", "status": status, "detail": detail[:500]}
        path = _document_path(client_id, document_id) + "/accounting-status"
        if await self._call("PUT", path, MAX_JSON, body) is None:
            raise NotFound(f"Banqup has no document {document_id} in space {client_id}")

    async def _call(
        self,
        method: str,
        path: str,
        limit: int,
        body: dict[str, str] | None = None,
        *,
        refused: frozenset[int] = frozenset(),
    ) -> bytes | None:
        """The answer's body, or None on 404; `Invalid` on a status of `refused` (asking again gets the
        same answer), `Unavailable` on any other failure."""
        renewed, failure = False, f"Banqup kept refusing the token for {path}"
        for attempt in range(1, self._attempts + 1):
            try:
                headers = {"Authorization": f"Bearer {await self._bearer()}"}
                async with self._sent(method, path, headers, json=body) as response:
                    status, content = response.status_code, b""
                    if status in (200, 204):
                        content = await _bounded(response, limit, path)
                    else:
                        await _drain(response)
            except httpx.TransportError as exc:
                failure = f"Banqup cannot be reached: {type(exc).__name__}"
            else:
                if status == 401 and not renewed:
                    self._token, renewed = None, True
                    continue
                if status == 404:
                    return None
                if status in (200, 204):
                    return content
                failure = f"Banqup answered {status} for {path}"
                if status in refused:
                    raise Invalid(failure)
                if status not in RETRIED_STATUSES:
                    raise Unavailable(failure)
            if attempt < self._attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1) * (0.5 + random.random() / 2))  # noqa: S311
        raise Unavailable(failure)

    @asynccontextmanager
    async def _sent(
        self, method: str, path: str, headers: dict[str, str], **body: Any
    ) -> AsyncIterator[httpx.Response]:
        """The answer to one request, its body still to be read."""
        request = httpx.Request(
            method, self._base + path, headers=headers, extensions=self._extensions, **body
        )
        response = await self._transport.handle_async_request(request)
        try:
            yield response
        finally:
            await response.aclose()

    async def _bearer(self) -> str:
        async with self._token_lock:
            if self._token is None or self._token.expires_at - RENEW_BEFORE <= time.monotonic():
                self._token = await self._new_token()
            return self._token.value

    async def _new_token(self) -> _Token:
        path, form = "/oauth2/client_credential/gettoken", {"grant_type": "client_credentials"}
        try:
            async with self._sent("POST", path, {"Authorization": self._basic}, data=form) as response:
                status = response.status_code
                content = await body_within(response, MAX_JSON) if status == 200 else b""
        except httpx.TransportError as exc:
            raise Unavailable(f"Banqup's token endpoint cannot be reached: {type(exc).__name__}") from exc
        if status != 200:
            raise Unavailable(f"Banqup refused a token: {status}")
        if content is None:
            raise Unavailable("Banqup's token answer is larger than octobridge takes")
        try:
            body = json.loads(content)
            return _Token(str(body["access_token"]), time.monotonic() + float(body.get("expires_in", 300)))
        except (ValueError, KeyError, TypeError) as exc:
            raise Unavailable("Banqup's token answer is not understood") from exc
