"""The Litestar app, made from settings and the container (CONTRACTS §3)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from entrypoints.container import Container, build_container
from entrypoints.http import operations, pages, v1
from entrypoints.http.auth import PartnerTokens, WebhookSignature
from entrypoints.http.dependencies import PARTNER_SCHEME
from entrypoints.http.inputs import BoundedRequest, refuse_unstorable
from entrypoints.http.metrics import FiguresRefresh, HttpMetrics, RequestMetrics
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.request_log import RequestLog
from entrypoints.settings import Settings

MAX_BODY = 64 * 1024


def create_app(settings: Settings, container: Container | None = None) -> Litestar:
    """The API; its lifespan starts and stops the container's resources (the database engine…)."""
    container = container or build_container(settings)
    http_metrics = HttpMetrics()

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        await container.init_resources()  # type: ignore[misc]
        try:
            # The process's one group-committing receiver (a Singleton), resolved once, not per message.
            app.state.receive_message = await container.use_cases.receive_message()
            app.state.refresh_figures = refresh = FiguresRefresh(
                http_metrics, await container.use_cases.read_operational_figures()
            )
            await refresh()  # the first scrape already shows figures
            refreshing = asyncio.create_task(refresh.run())
            try:
                yield
            finally:
                refreshing.cancel()
                with suppress(asyncio.CancelledError):
                    await refreshing
        finally:
            await container.shutdown_resources()  # type: ignore[misc]

    app = Litestar(
        route_handlers=[
            v1.router(),
            *operations.ROUTES,
            *pages.routers(settings),
        ],
        template_config=pages.TEMPLATES,
        state=State(
            {
                "container": container,
                "settings": settings,
                "partner_tokens": PartnerTokens(settings.api_token_secret),
                "webhook_signature": WebhookSignature(settings.webhook_secret),
                "metrics": http_metrics,
            }
        ),
        lifespan=[resources],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[RequestMetrics(http_metrics)],
        request_max_body_size=MAX_BODY,
        request_class=BoundedRequest,
        before_request=refuse_unstorable,
        openapi_config=OpenAPIConfig(
            title="octobridge",
            version="1",
            description="Banqup documents, delivered to Octopus as Peppol BIS 3.0 UBL.",
            path="/schema",
            components=Components(
                security_schemes={
                    PARTNER_SCHEME: SecurityScheme(
                        type="http",
                        scheme="bearer",
                        bearer_format="JWT",
                        description="HS256, iss=banqup, aud=octobridge, sub=<partnerId>, exp ≤ 10 minutes",
                    )
                }
            ),
        ),
        debug=False,
        logging_config=None,  # the process's logging is `entrypoints.logs`'s, not Litestar's own
    )
    # Around Litestar's router, not among its middleware, so that unknown paths get an id and a line too.
    app.asgi_handler = RequestLog(app.asgi_handler)
    return app


def app_from_environ() -> Litestar:
    """The app for `octobridge serve`: settings read once from the environment."""
    return create_app(Settings.from_environ())
