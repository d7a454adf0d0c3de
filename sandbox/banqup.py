"""A stand-in Banqup: the document API of CONTRACTS §4 behind a client-credentials token."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, get, post, put
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath

from sandbox.documents import banqup_document, encoded

TOKEN_LIFE = 300


@dataclass
class StoredDocument:
    json: bytes
    pdf: bytes | None = None
    ubl: bytes | None = None


@dataclass
class BanqupStandIn:
    """Documents by (space, document); tokens handed out to the one known client; calls counted."""

    client_id: str = "octobridge"
    client_secret: str = "stand-in-secret"  # noqa: S105 - the stand-in's own, public by design
    documents: dict[tuple[str, str], StoredDocument] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    calls: int = 0
    invent: bool = False  # answer any unknown document with a valid invoice made from its id
    accounting_statuses: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def put(self, space_id: str, document_id: str, document: StoredDocument) -> None:
        self.documents[(space_id, document_id)] = document

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
    return Litestar([token, document, pdf, ubl, accounting_status], openapi_config=None, logging_config=None)


def main() -> None:
    """`python -m sandbox.banqup PORT`: a stand-in that invents every document asked for."""
    import sys

    import uvicorn

    app = create_banqup_app(BanqupStandIn(invent=True))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
