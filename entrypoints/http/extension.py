"""The extension's lifecycle and its Octopus connection (R1–R4, R8)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, patch, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect

from application.errors import Invalid
from application.use_cases.begin_connect import BeginConnect, StartLogin
from application.use_cases.complete_connect import CompleteConnect, FinishLogin
from application.use_cases.get_extension import ExtensionOf, GetExtension
from application.use_cases.install_extension import Install, InstallExtension
from application.use_cases.list_dossiers import DossiersOf, DossierView, ListDossiers
from application.use_cases.set_extension_active import SetExtensionActive, SwitchExtension
from application.use_cases.uninstall_extension import Uninstall, UninstallExtension
from application.views import ExtensionView, Struct
from entrypoints.http.browser import browser_secret, login_cookie
from entrypoints.http.dependencies import use_case
from entrypoints.http.pages.render import language_of, page
from entrypoints.http.pages.words import WORDS
from entrypoints.http.problems import AUTHENTICATED, problem_response, problems

TAGS = ["extension"]


class ExtensionSwitch(Struct):
    """The "Active" switch; switching off needs `confirm: true` (R3)."""

    active: bool
    confirm: bool = False


@put(
    "/extension",
    tags=TAGS,
    summary="Install the extension (R1): 201 the first time, 200 after",
    dependencies={"install": use_case("install_extension")},
    responses={
        201: ResponseSpec(ExtensionView, description="Installed now", generate_examples=False),
        **problems(*AUTHENTICATED),
    },
)
async def install_extension(
    partner_id: NamedDependency[str], install: NamedDependency[InstallExtension]
) -> Response[ExtensionView]:
    result = await install(Install(partner_id=partner_id))
    return Response(result.extension, status_code=201 if result.created else 200)


@get(
    "/extension",
    tags=TAGS,
    summary="The extension: state (installed, connected, needsReconnect) and the Active switch",
    dependencies={"get_extension": use_case("get_extension")},
    responses=problems(*AUTHENTICATED, 404),
)
async def show_extension(
    partner_id: NamedDependency[str], get_extension: NamedDependency[GetExtension]
) -> ExtensionView:
    return await get_extension(ExtensionOf(partner_id=partner_id))


@patch(
    "/extension",
    tags=TAGS,
    summary='The Active switch (R3); switching off needs "confirm": true, else 409',
    dependencies={"switch": use_case("set_extension_active")},
    responses=problems(400, *AUTHENTICATED, 404, 409),
)
async def switch_extension(
    partner_id: NamedDependency[str],
    data: JSONBody[ExtensionSwitch],
    switch: NamedDependency[SetExtensionActive],
) -> ExtensionView:
    return await switch(SwitchExtension(partner_id=partner_id, active=data.active, confirm=data.confirm))


@delete(
    "/extension",
    tags=TAGS,
    summary="Uninstall (R4): the Octopus tokens are removed at once; the export history stays",
    dependencies={"uninstall": use_case("uninstall_extension")},
    responses=problems(*AUTHENTICATED, 404),
)
async def uninstall_extension(
    partner_id: NamedDependency[str], uninstall: NamedDependency[UninstallExtension]
) -> None:
    await uninstall(Uninstall(partner_id=partner_id))


@get(
    "/extension/octopus/connect",
    tags=TAGS,
    summary="Connect with Octopus (R2): a redirect to Octopus's login, with state and PKCE",
    status_code=302,
    dependencies={"begin": use_case("begin_connect")},
    responses=problems(400, *AUTHENTICATED, 404),
)
async def connect_octopus(
    request: Request[Any, Any, Any],
    partner_id: NamedDependency[str],
    begin: NamedDependency[BeginConnect],
    return_url: Annotated[str, QueryParameter(name="returnUrl", max_length=2000)],
) -> Redirect:
    """The login is bound to the browser: the answer sets the cookie the callback checks."""
    cookie = login_cookie(request)
    started = await begin(StartLogin(partner_id=partner_id, return_url=return_url, browser=str(cookie.value)))
    return Redirect(started.authorize_url, status_code=302, cookies=[cookie])


def refused_login(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A browser sent back with a login it cannot complete sees a page saying so, in its language;
    any other client, the problem details."""
    if isinstance(error, Invalid) and "text/html" in request.headers.get("Accept", ""):
        words = WORDS[language_of(request)]
        return page(request, "error.html", 400, message=words["login_elsewhere"])
    return problem_response(request, error)


@get(
    "/octopus/callback",
    tags=TAGS,
    summary="Octopus sends the browser back here; it goes on to the return URL with the outcome. "
    "Only the browser that began the login (its cookie) may complete it",
    status_code=302,
    dependencies={"complete": use_case("complete_connect")},
    exception_handlers={Exception: refused_login},
    responses=problems(400, 503),
)
async def octopus_callback(
    request: Request[Any, Any, Any],
    complete: NamedDependency[CompleteConnect],
    login_state: Annotated[str, QueryParameter(name="state", max_length=200)],
    code: Annotated[str | None, QueryParameter(max_length=2000)] = None,
    error: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Redirect:
    finished = await complete(FinishLogin(login_state, code, error, browser=browser_secret(request)))
    return Redirect(finished.return_to, status_code=302)


@get(
    "/octopus/dossiers",
    tags=TAGS,
    summary="The dossiers of the connected Octopus account (R8); 409 when not connected",
    dependencies={"list_dossiers": use_case("list_dossiers")},
    responses=problems(*AUTHENTICATED, 403, 404, 409),
)
async def octopus_dossiers(
    partner_id: NamedDependency[str], list_dossiers: NamedDependency[ListDossiers]
) -> list[DossierView]:
    return (await list_dossiers(DossiersOf(partner_id=partner_id))).items


# the partner's, behind the partner guard of `entrypoints.http.v1`
ROUTES = [
    install_extension,
    show_extension,
    switch_extension,
    uninstall_extension,
    connect_octopus,
    octopus_dossiers,
]
# the browser's, back from Octopus: it carries no partner token, the login's state and cookie stand for it
BROWSER_ROUTES = [octopus_callback]
