"""What route handlers are given: the calling partner and use cases from the container in
`app.state`, resolved per request."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler

from entrypoints.container import Container
from entrypoints.http.auth import PartnerTokens

Anything = Request[Any, Any, Any]


def container_of(state: State) -> Container:
    container: Container = state.container
    return container


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: 401 unless the Bearer token holds. Guards run before any dependency is resolved."""
    tokens: PartnerTokens = connection.app.state.partner_tokens
    connection.state.partner_id = tokens.partner(connection.headers.get("Authorization"))


def authenticated_partner(request: Anything) -> str:
    """The partner id the Bearer token speaks for, as `authenticate` found it."""
    partner: str = request.state.partner_id
    return partner


def use_case(name: str) -> Provide:
    """Provides the use case `name` of the container, made fresh for the request."""

    async def resolve(state: State) -> Any:
        return await getattr(container_of(state).use_cases, name)()

    return Provide(resolve)


PARTNER_SCHEME = "partnerToken"
