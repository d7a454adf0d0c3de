"""Rendering the pages: the Jinja templates in `entrypoints/http/templates/`, the partner's language,
and errors as short pages in that language (statuses from the one table in `problems.py`)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Request, Response
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

from entrypoints.http.pages.session import CSRF_FIELD, PageSession
from entrypoints.http.pages.words import WORDS, negotiate
from entrypoints.http.problems import Unauthenticated, status_of

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
BRUSSELS = ZoneInfo("Europe/Brussels")
ERROR_WORDS = {401: "no_session", 403: "forbidden", 404: "not_found", 409: "conflict", 503: "unavailable"}

logger = logging.getLogger(__name__)
Anything = Request[Any, Any, Any]


def local_time(moment: datetime | None) -> str:
    """A moment as Belgian accountants read it: day/month/year hours:minutes, Brussels time."""
    return moment.astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M") if moment else ""


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined, auto_reload=False
    )
    environment.filters["local_time"] = local_time
    return environment


TEMPLATES = TemplateConfig(engine=JinjaTemplateEngine.from_environment(_environment()))


def session_of(request: Anything) -> PageSession | None:
    session: PageSession | None = request.state.get("page_session")
    return session


def language_of(request: Anything) -> str:
    """The token's `lang` claim, else the browser's `Accept-Language`, else French."""
    session = session_of(request)
    return (session.lang if session else None) or negotiate(request.headers.get("Accept-Language"))


def page(request: Anything, template: str, status_code: int = 200, **context: Any) -> Template:
    """`template` with the partner's words (`t`), its language and the form's CSRF field."""
    session = session_of(request)
    language = language_of(request)
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "lang": language,
            "t": WORDS[language],
            "csrf_field": CSRF_FIELD,
            "csrf": session.csrf if session else "",
            **context,
        },
    )


def page_error(request: Anything, error: Exception) -> Response[Any]:
    """Any error on a page, as a short page in the partner's language."""
    status = status_of(error)
    if status == 500:
        logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    words = WORDS[language_of(request)]
    headers = {"WWW-Authenticate": error.challenge} if isinstance(error, Unauthenticated) else {}
    response = page(request, "error.html", status, message=words[ERROR_WORDS.get(status, "failure")])
    response.headers.update(headers)
    return response
