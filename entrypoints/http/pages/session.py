"""The pages' session (CONTRACTS §3): Banqup opens a page with `?token=<partner JWT>`; octobridge
swaps the token for a signed session cookie and sends the browser back to the same address without
it. Every form carries the session's CSRF token, checked on POST: the cookie is SameSite=None, so
the browser sends it along with requests that other sites start."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.response.redirect import ASGIRedirectResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.auth import BEARER, PartnerTokens
from entrypoints.http.pages.words import supported
from entrypoints.http.problems import Unauthenticated
from entrypoints.settings import Settings

COOKIE = "octobridge_pages"
COOKIE_PATH = "/pages"
SESSION_LIFE = 2 * 3600  # seconds; Banqup opens the pages with a fresh token each time
CSRF_FIELD = "csrf"
TOKEN_PARAMETER = "token"  # noqa: S105 (the name of the query parameter)


class PageSession(msgspec.Struct, frozen=True):
    partner_id: str
    lang: str | None  # the token's `lang` claim, when it names a language the pages speak
    csrf: str
    expires: int


class PageSessions:
    """Starts sessions from partner tokens and reads them back from the signed cookie."""

    def __init__(self, settings: Settings, tokens: PartnerTokens) -> None:
        self._key = hmac.new(
            settings.secret_key.encode(), b"octobridge pages session", hashlib.sha256
        ).digest()
        self._tokens = tokens
        self._secure = settings.env != "development"

    def start(self, token: str, now: float | None = None) -> PageSession:
        """A new session for the partner `token` speaks for; `Unauthenticated` when it does not hold."""
        now = time.time() if now is None else now
        claims = self._tokens.read(token, now)
        return PageSession(
            partner_id=claims.partner_id,
            lang=supported(claims.lang),
            csrf=secrets.token_urlsafe(32),
            expires=int(now) + SESSION_LIFE,
        )

    def cookie(self, session: PageSession) -> Cookie:
        """HttpOnly, and SameSite=None with Secure outside development. In development (plain HTTP)
        it is SameSite=Lax: browsers drop a SameSite=None cookie that is not Secure."""
        payload = base64.urlsafe_b64encode(msgspec.json.encode(session)).decode().rstrip("=")
        return Cookie(
            key=COOKIE,
            value=f"{payload}.{self._sign(payload)}",
            path=COOKIE_PATH,
            max_age=SESSION_LIFE,
            httponly=True,
            secure=self._secure,
            samesite="none" if self._secure else "lax",
        )

    def read(self, value: str | None, now: float | None = None) -> PageSession | None:
        """The session in a cookie value, or None when it is missing, forged or expired."""
        payload, _, signature = (value or "").partition(".")
        if not payload or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return None
        try:
            session = msgspec.json.decode(
                base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)), type=PageSession
            )
        except (ValueError, msgspec.DecodeError):
            return None
        return session if session.expires > (time.time() if now is None else now) else None

    async def guard(self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        """401 without a session; 403 for a POST whose form lacks the session's CSRF token."""
        session = self.read(connection.cookies.get(COOKIE))
        if session is None:
            raise Unauthenticated("open this page from Banqup: there is no session", BEARER)
        if connection.scope.get("method") == "POST":
            form = await cast("Request[Any, Any, Any]", connection).form()
            sent = str(form.get(CSRF_FIELD) or "").encode()
            if not hmac.compare_digest(sent, session.csrf.encode()):
                raise PermissionDeniedException("the form's CSRF token does not match the session")
        connection.state.page_session = session

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class TokenSwap(ASGIMiddleware):
    """A GET with `?token=` starts a session and redirects (303) to the same address without it."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, sessions: PageSessions) -> None:
        self._sessions = sessions

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        token = next((value for name, value in query if name == TOKEN_PARAMETER), None)
        if scope.get("method") != "GET" or token is None:
            await next_app(scope, receive, send)
            return
        session = self._sessions.start(token)
        rest = urlencode([(name, value) for name, value in query if name != TOKEN_PARAMETER])
        location = scope["path"] + (f"?{rest}" if rest else "")
        redirect = ASGIRedirectResponse(
            location,
            status_code=303,
            cookies=[self._sessions.cookie(session)],
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )
        await redirect(scope, receive, send)
