"""A stand-in Banqup: the document API of CONTRACTS §4 behind a client-credentials token."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, get, post, put
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException
from litestar.params import FromPath

from sandbox.banqup_listing import ListingIndex, page_asked, utc_z
from sandbox.documents import banqup_document, encoded

TOKEN_LIFE = 300


class _Filed(msgspec.Struct, rename="camel"):
    """Where a document is filed, read from its JSON for the listing, the rest of which is skipped."""

    folder: str | None = None
    document_category: str | None = None


_filed = msgspec.json.Decoder(_Filed)


@dataclass
class StoredDocument:
    """A document, listed for backfills when it has both a `status` (`APPROVED`, `SENT`, `PAID` or
    `REJECTED`) and the time it was approved or sent."""

    json: bytes
    pdf: bytes | None = None
    ubl: bytes | None = None
    status: str | None = None
    approved_or_sent_at: datetime | None = None

    def listing_key(self, document_id: str) -> tuple[datetime, str] | None:
        if self.status is None or self.approved_or_sent_at is None:
            return None
        return (self.approved_or_sent_at.astimezone(UTC), document_id)


@dataclass
class BanqupStandIn:
    """Documents by (space, document); tokens handed out to the one known client; calls counted. It
    knows a space once it holds a document of it or the space is opened; inventing, it knows them all."""

    client_id: str = "octobridge"
    client_secret: str = "stand-in-secret"  # noqa: S105 - the stand-in's own, public by design
    documents: dict[tuple[str, str], StoredDocument] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    calls: int = 0
    invent: bool = False  # answer any unknown document with a valid invoice made from its id
    accounting_statuses: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    spaces: set[str] = field(default_factory=set)
    listing: ListingIndex = field(default_factory=ListingIndex)

    def put(self, space_id: str, document_id: str, document: StoredDocument) -> None:
        if document.approved_or_sent_at is not None and document.approved_or_sent_at.tzinfo is None:
            raise ValueError("approved_or_sent_at must say its time zone")
        replaced = self.documents.get((space_id, document_id))
        if replaced is not None and (key := replaced.listing_key(document_id)) is not None:
            self.listing.remove(space_id, key)
        self.documents[(space_id, document_id)] = document
        self.open_space(space_id)
        if (key := document.listing_key(document_id)) is not None:
            self.listing.add(space_id, key)

    def open_space(self, space_id: str) -> None:
        self.spaces.add(space_id)

    def listed(self, space_id: str, params: dict[str, str]) -> dict[str, Any]:
        """A page of the space's documents approved or sent on the days asked (CONTRACTS §4)."""
        if space_id not in self.spaces and not self.invent:
            raise NotFoundException("no such space")
        try:
            asked = page_asked(space_id, params)
        except ValueError as exc:
            raise ValidationException(str(exc)) from None
        ids, next_cursor = self.listing.page(asked)
        return {
            "items": [self._item(space_id, document_id) for document_id in ids],
            "nextCursor": next_cursor,
        }

    def _item(self, space_id: str, document_id: str) -> dict[str, Any]:
        document = self.documents[(space_id, document_id)]
        filed = _filed.decode(document.json)
        assert document.approved_or_sent_at is not None  # listed documents have one
        return {
            "id": document_id,
            "folder": filed.folder,
            "documentCategory": filed.document_category,
            "status": document.status,
            "approvedOrSentAt": utc_z(document.approved_or_sent_at),
        }

    def issue_token(self, authorization: str | None, form: dict[str, str]) -> str:
        client = (form.get("client_id"), form.get("client_secret"))
        if authorization and authorization.startswith("Basic "):
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            client = (user, password)
        if client != (self.client_id, self.client_secret):
            raise NotAuthorizedException("unknown client")
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + TOKEN_LIFE
        return token

    def check(self, authorization: str | None) -> None:
        self.calls += 1
        token = (authorization or "").removeprefix("Bearer ")
        if self.tokens.get(token, 0) < time.monotonic():
            raise NotAuthorizedException("token missing or expired")

    def find(self, space_id: str, document_id: str) -> StoredDocument:
        if (space_id, document_id) not in self.documents and self.invent:
            invented = banqup_document(document_id, space_id, number=f"INV-{document_id}"[:40])
            self.documents[(space_id, document_id)] = StoredDocument(encoded(invented))
        try:
            return self.documents[(space_id, document_id)]
        except KeyError:
            raise NotFoundException("no such document") from None


def create_banqup_app(banqup: BanqupStandIn) -> Litestar:
    @post("/oauth2/client_credential/gettoken", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> dict[str, object]:
        form = {k: str(v) for k, v in (await request.form()).items()}
        value = banqup.issue_token(request.headers.get("authorization"), form)
        return {"access_token": value, "token_type": "Bearer", "expires_in": TOKEN_LIFE}

    @get("/documents/v1/spaces/{space_id:str}/documents")
    async def listing(request: Request[Any, Any, Any], space_id: FromPath[str]) -> dict[str, Any]:
        banqup.check(request.headers.get("authorization"))
        return banqup.listed(space_id, dict(request.query_params.items()))

    base = "/documents/v1/spaces/{space_id:str}/documents/{document_id:str}"

    @get(base)
    async def document(
        request: Request[Any, Any, Any], space_id: FromPath[str], document_id: FromPath[str]
    ) -> Response[bytes]:
        banqup.check(request.headers.get("authorization"))
        return Response(banqup.find(space_id, document_id).json, media_type="application/json")

    @get(base + "/pdf")
    async def pdf(
        request: Request[Any, Any, Any], space_id: FromPath[str], document_id: FromPath[str]
    ) -> Response[bytes]:
        banqup.check(request.headers.get("authorization"))
        content = banqup.find(space_id, document_id).pdf
        if content is None:
            raise NotFoundException("no PDF")
        return Response(content, media_type="application/pdf")

    @get(base + "/ubl")
    async def ubl(
        request: Request[Any, Any, Any], space_id: FromPath[str], document_id: FromPath[str]
    ) -> Response[bytes]:
        banqup.check(request.headers.get("authorization"))
        content = banqup.find(space_id, document_id).ubl
        if content is None:
            raise NotFoundException("no UBL")
        return Response(content, media_type="application/xml")

    @put(base + "/accounting-status", status_code=204)
    async def accounting_status(
        request: Request[Any, Any, Any], space_id: FromPath[str], document_id: FromPath[str]
    ) -> None:
        banqup.check(request.headers.get("authorization"))
        banqup.find(space_id, document_id)
        banqup.accounting_statuses[(space_id, document_id)] = await request.json()

    # logging_config=None: Litestar's own would take over the root logger of the process serving it
    return Litestar(
        [token, listing, document, pdf, ubl, accounting_status], openapi_config=None, logging_config=None
    )


def main() -> None:
    """`python -m sandbox.banqup PORT`: a stand-in that invents every document asked for."""
    import sys

    import uvicorn

    app = create_banqup_app(BanqupStandIn(invent=True))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
