"""A stand-in Octopus for the demo and the end-to-end tests: the OAuth authorization-code flow with PKCE
(with a real login form when asked), and `GET /dossiers`, counting calls and refusing past 150 a day."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.datastructures import State
from litestar.response import Redirect

DAILY_DOSSIER_CALLS = 150  # what Octopus allows (CONTRACTS §6)
SOFTWARE_HOUSE_ID = "software-house-7"
CLIENT_SECRET = "octopus-client-secret"  # noqa: S105 - the stand-in's own, public by design
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
    # With credentials set, /authorize shows a login form instead of consenting at once.
    credentials: tuple[str, str] | None = None
    daily_limit: int | None = None  # Octopus's is DAILY_DOSSIER_CALLS; tests that move time leave it off
    calls_by_day: Counter[date] = field(default_factory=Counter)

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


def _back_with_code(world: OctopusWorld, query: dict[str, str]) -> Redirect:
    code = secrets.token_hex(8)
    world.codes[code] = Login(query["redirect_uri"], query["code_challenge"])
    return Redirect(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")


_LOGIN_FIELDS = ("client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope")


def _login_form(query: dict[str, str], failed: bool) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(query.get(name, ""))}">' for name in _LOGIN_FIELDS
    )
    warning = '<p role="alert">Identifiants incorrects.</p>' if failed else ""
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Octopus — connexion</title></head>'
        f'<body><h1>Octopus</h1>{warning}<form method="post" action="authorize">{hidden}'
        '<label for="username">Utilisateur</label> '
        '<input id="username" name="username" autocomplete="username"> '
        '<label for="password">Mot de passe</label> '
        '<input id="password" name="password" type="password" autocomplete="current-password"> '
        '<button type="submit">Se connecter</button></form></body></html>'
    )


@get("/oauth/authorize", status_code=200)
async def authorize(request: Request[Any, Any, Any], state: State) -> Response[str] | Redirect:
    """Without credentials set, the accountant consents at once; with them, a login form first."""
    query = dict(request.query_params)
    world = _world(state)
    world.authorize_queries.append(query)
    if world.credentials is None:
        return _back_with_code(world, query)
    return Response(_login_form(query, failed=False), media_type=MediaType.HTML)


@post("/oauth/authorize", status_code=200)
async def log_in(request: Request[Any, Any, Any], state: State) -> Response[str] | Redirect:
    form = {k: str(v) for k, v in (await request.form()).items()}
    world = _world(state)
    if (form.get("username"), form.get("password")) != world.credentials:
        return Response(_login_form(form, failed=True), media_type=MediaType.HTML, status_code=401)
    return _back_with_code(world, form)


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
    world.calls_by_day[date.today()] += 1
    if world.daily_limit is not None and world.calls_by_day[date.today()] > world.daily_limit:
        return Response(
            {"errorCode": 429, "errorMessage": "daily limit reached", "technicalInfo": "150 calls a day"},
            status_code=429,
        )
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
    # logging_config=None: Litestar's own would take over the root logger of the process serving it
    return Litestar([authorize, log_in, token, dossiers], state=State({"world": world}), logging_config=None)
