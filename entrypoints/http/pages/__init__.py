"""Pages an accountant uses inside Banqup's Partner Space (R22): server-rendered HTML in French, Dutch
and English, on the same use cases as the API, scoped by the session's partner."""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from entrypoints.http.auth import PartnerTokens
from entrypoints.http.pages import clients, extension
from entrypoints.http.pages.render import STATIC_DIR, TEMPLATES, Anything, page_error
from entrypoints.http.pages.session import PageSession, PageSessions, TokenSwap
from entrypoints.settings import Settings

__all__ = ["TEMPLATES", "routers"]


def session_partner(request: Anything) -> str:
    """The partner the session speaks for, as the guard found it."""
    session: PageSession = request.state.page_session
    return session.partner_id


def _headers(settings: Settings) -> list[ResponseHeader]:
    """Banqup frames the pages; only its origins (the allowed return origins) may."""
    ancestors = " ".join(["'self'", *settings.allowed_return_origins])
    policy = f"default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors {ancestors}"
    return [
        ResponseHeader(name="Content-Security-Policy", value=policy),
        ResponseHeader(name="Cache-Control", value="no-store"),
        ResponseHeader(name="Referrer-Policy", value="same-origin"),
        ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ]


def routers(settings: Settings) -> list[Router]:
    """The pages under `/pages`, and their stylesheet under `/pages/static`."""
    sessions = PageSessions(settings, PartnerTokens(settings.api_token_secret))
    pages = Router(
        "/pages",
        route_handlers=[*extension.ROUTES, *clients.ROUTES],
        guards=[sessions.guard],
        middleware=[TokenSwap(sessions)],
        dependencies={"partner_id": Provide(session_partner, sync_to_thread=False)},
        exception_handlers={Exception: page_error},
        response_headers=_headers(settings),
        include_in_schema=False,
    )
    static = create_static_files_router("/pages/static", directories=[STATIC_DIR], name="page_assets")
    return [pages, static]
