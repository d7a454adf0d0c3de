"""The extension's page: what needs attention (R26), the Octopus connection (R2) and the "Active"
switch with its confirmation (R3)."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from application.errors import NotFound
from application.use_cases.begin_connect import BeginConnect, StartLogin
from application.use_cases.get_extension import ExtensionOf, GetExtension
from application.use_cases.list_attention import AttentionOf, ListAttention
from application.use_cases.set_extension_active import SetExtensionActive, SwitchExtension
from entrypoints.http.browser import login_cookie
from entrypoints.http.dependencies import use_case
from entrypoints.http.pages.render import Anything, page

PAGE = "/pages/extension"
CANCELLED = "access_denied"  # OAuth 2.0's error when the person declines at Octopus


@get(
    "/extension",
    dependencies={"get_extension": use_case("get_extension"), "list_attention": use_case("list_attention")},
)
async def extension_page(
    request: Anything,
    partner_id: NamedDependency[str],
    get_extension: NamedDependency[GetExtension],
    list_attention: NamedDependency[ListAttention],
    octopus: Annotated[Literal["connected", "error"] | None, QueryParameter()] = None,
    reason: Annotated[str | None, QueryParameter(max_length=300)] = None,
    switched: Annotated[Literal["on", "off"] | None, QueryParameter()] = None,
    confirm: Annotated[Literal["off"] | None, QueryParameter()] = None,
) -> Template:
    try:
        extension = await get_extension(ExtensionOf(partner_id=partner_id))
    except NotFound:
        extension = None
    attention = [] if extension is None else (await list_attention(AttentionOf(partner_id=partner_id))).items
    return page(
        request,
        "extension.html",
        extension=extension,
        attention=attention,
        outcome=octopus,
        cancelled=reason == CANCELLED,
        reason=reason if reason != CANCELLED else None,
        switched=switched,
        confirming=confirm == "off",
    )


@post("/extension/connect", dependencies={"begin": use_case("begin_connect")})
async def connect(
    request: Anything, state: State, partner_id: NamedDependency[str], begin: NamedDependency[BeginConnect]
) -> Redirect:
    """To Octopus's login, bound to this browser; Octopus sends it back to this page with the outcome."""
    return_url = state.settings.public_url.rstrip("/") + PAGE
    cookie = login_cookie(request)
    started = await begin(StartLogin(partner_id=partner_id, return_url=return_url, browser=str(cookie.value)))
    return Redirect(started.authorize_url, status_code=303, cookies=[cookie])


@post("/extension/active", dependencies={"switch": use_case("set_extension_active")})
async def switch_active(
    request: Anything, partner_id: NamedDependency[str], switch: NamedDependency[SetExtensionActive]
) -> Redirect:
    """The switch on, or off once confirmed; unchecked without confirmation asks for it first."""
    form = await request.form()
    if form.get("active") == "on":
        await switch(SwitchExtension(partner_id=partner_id, active=True))
        return Redirect(f"{PAGE}?switched=on", status_code=303)
    if form.get("confirm") == "yes":
        await switch(SwitchExtension(partner_id=partner_id, active=False, confirm=True))
        return Redirect(f"{PAGE}?switched=off", status_code=303)
    return Redirect(f"{PAGE}?confirm=off", status_code=303)


ROUTES = [extension_page, connect, switch_active]
