"""The secret that ties an Octopus login to the browser that began it: kept in a cookie that the
browser sends only to the callback, and given to the connect use cases, which bind the login's
`state` to it. A callback from another browser (no cookie, or another) is refused."""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from application.services.octopus_login import LOGIN_TIME
from entrypoints.settings import Settings

COOKIE = "octobridge_login"
CALLBACK = "/v1/octopus/callback"
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")


def browser_secret(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The secret the browser's cookie holds, when it holds a well-formed one."""
    value = connection.cookies.get(COOKIE, "")
    return value if _SECRET.fullmatch(value) else None


def login_cookie(connection: ASGIConnection[Any, Any, Any, Any]) -> Cookie:
    """The cookie to set when a login begins: the browser's secret, or a new one."""
    settings: Settings = connection.app.state.settings
    return cookie_for(browser_secret(connection) or secrets.token_urlsafe(32), settings)


def cookie_for(secret: str, settings: Settings) -> Cookie:
    """HttpOnly; outside development Secure and SameSite=None, as the pages' session cookie: the
    login may begin inside Banqup's frame, where a browser refuses to set a SameSite=Lax cookie.
    The binding, not SameSite, is what stops another site's callback."""
    secure = settings.env != "development"
    return Cookie(
        key=COOKIE,
        value=secret,
        path=CALLBACK,
        max_age=int(LOGIN_TIME.total_seconds()),
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
    )
