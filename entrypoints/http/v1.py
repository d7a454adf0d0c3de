"""The API under `/v1` (CONTRACTS §3): the partner's routes behind the partner guard, given once
here with the partner it lets through; beside them the two callers without a partner token, the
browser back from Octopus and Banqup's signed messages."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from entrypoints.http import attention, backfills, clients, exports, extension, messages
from entrypoints.http.dependencies import PARTNER_SCHEME, authenticate, authenticated_partner


def router() -> Router:
    """A fresh `/v1` router for one app."""
    partner = Router(
        "/",
        route_handlers=[
            *extension.ROUTES,
            *clients.ROUTES,
            *backfills.ROUTES,
            *exports.ROUTES,
            *attention.ROUTES,
        ],
        guards=[authenticate],
        dependencies={"partner_id": Provide(authenticated_partner, sync_to_thread=False)},
        security=[{PARTNER_SCHEME: []}],
    )
    return Router("/v1", route_handlers=[partner, *extension.BROWSER_ROUTES, *messages.ROUTES])
