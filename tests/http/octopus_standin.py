"""A stand-in Octopus for end-to-end tests: the OAuth authorization-code flow with PKCE and
`GET /dossiers`, served as an ASGI app and counting every call."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.response import Redirect

SOFTWARE_HOUSE_ID = "software-house-7"
CLIENT_SECRET = "octopus-client-secret"
OAUTH_URL = "http://octopus.test/oauth"
API_URL = "http://octopus.test/octopus-rest-api/v1"


@dataclass
class Login:
    redirect_uri: str
    code_challenge: str


@dataclass
class OctopusWorld:
    """What the stand-in knows: pending codes, live tokens, the dossiers, and how often it was called."""

    dossiers: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, Login] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)  # every token ever handed out
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    dossier_calls: int = 0
    down: bool = False

    def issue(self) -> dict[str, Any]:
        access, refresh = "oct-access-" + secrets.token_hex(12), "oct-refresh-" + secrets.token_hex(12)
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        self.issued += [access, refresh]
        return {"access_token": access, "refresh_token": refresh, "expires_in": 600, "token_type": "bearer"}

    def revoke_all(self) -> None:
        self.access_tokens.clear()
        self.refresh_tokens.clear()


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _world(state: State) -> OctopusWorld:
    world: OctopusWorld = state.world
    return world


@get("/oauth/authorize", status_code=302)
async def authorize(request: Request[Any, Any, Any], state: State) -> Redirect:
    """The accountant logs in and consents at once; the browser goes back with a code."""
    query = dict(request.query_params)
    _world(state).authorize_queries.append(query)
    code = secrets.token_hex(8)
    _world(state).codes[code] = Login(query["redirect_uri"], query["code_challenge"])
    return Redirect(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")


@post("/oauth/token", status_code=200)
async def token(request: Request[Any, Any, Any], state: State) -> Response[dict[str, Any]]:
    world = _world(state)
    form = dict(await request.form())
    if (form.get("client_id"), form.get("client_secret")) != (SOFTWARE_HOUSE_ID, CLIENT_SECRET):
        return Response({"error": "invalid_client"}, status_code=401)
    if form.get("grant_type") == "authorization_code":
        login = world.codes.pop(str(form.get("code")), None)
        if login is None or login.redirect_uri != form.get("redirect_uri"):
            return Response({"error": "invalid_grant"}, status_code=400)
        if _challenge(str(form.get("code_verifier"))) != login.code_challenge:
            return Response({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        return Response(world.issue())
    if form.get("grant_type") == "refresh_token":
        if form.get("refresh_token") not in world.refresh_tokens:
            return Response({"error": "invalid_grant"}, status_code=400)
        world.refresh_tokens.discard(str(form.get("refresh_token")))
        return Response(world.issue())
    return Response({"error": "unsupported_grant_type"}, status_code=400)


@get("/octopus-rest-api/v1/dossiers")
async def dossiers(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    world = _world(state)
    world.dossier_calls += 1
    if world.down:
        return Response(
            {"errorCode": 503, "errorMessage": "maintenance", "technicalInfo": "back soon"}, status_code=503
        )
    if request.headers.get("Token") not in world.access_tokens:
        return Response(
            {"errorCode": 401, "errorMessage": "invalid token", "technicalInfo": None}, status_code=401
        )
    return Response(world.dossiers)


def standin_app(world: OctopusWorld) -> Litestar:
    return Litestar([authorize, token, dossiers], state=State({"world": world}))
