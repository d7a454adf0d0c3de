"""What route handlers are given: the calling partner and use cases from the container in
`app.state`, resolved per request."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from entrypoints.container import Container
from entrypoints.http.auth import PartnerTokens

Anything = Request[Any, Any, Any]


def container_of(state: State) -> Container:
    container: Container = state.container
    return container


async def authenticated_partner(request: Anything) -> str:
    """The partner id the Bearer token speaks for; 401 without a valid one."""
    tokens: PartnerTokens = request.app.state.partner_tokens
    return tokens.partner(request.headers.get("Authorization"))


def use_case(name: str) -> Provide:
    """Provides the use case `name` of the container, made fresh for the request."""

    async def resolve(state: State) -> Any:
        return await getattr(container_of(state).use_cases, name)()

    return Provide(resolve)


PARTNER_SCHEME = "partnerToken"
PARTNER = {"partner_id": Provide(authenticated_partner)}
SECURED: list[dict[str, list[str]]] = [{PARTNER_SCHEME: []}]
