"""A client's page: the integration form with the dossier picker (R5, R6, R8), the address history,
earlier documents on request (R27), and the export history with retries (R17)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from application.errors import ApplicationError, Conflict, Invalid, NotFound
from application.services.export_pages import ListExports
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.client_export_history import ClientExportHistory
from application.use_cases.deactivate_client_integration import DeactivateClient, DeactivateClientIntegration
from application.use_cases.get_client_integration import GetClientIntegration, IntegrationOf
from application.use_cases.latest_backfill import BackfillsOf, LatestBackfill
from application.use_cases.list_dossiers import DossiersOf, DossierView, ListDossiers
from application.use_cases.request_backfill import AskBackfill, RequestBackfill
from application.use_cases.retry_export import Retry, RetryExport
from application.views import ClientIntegrationView
from domain.backfill import day_of
from domain.errors import InvalidValue
from entrypoints.http.dependencies import use_case
from entrypoints.http.pages.render import Anything, language_of, page
from entrypoints.http.pages.words import WORDS

PAGE_SIZE = 20
MAX_DOSSIER_ID = 2**31 - 1
ClientId = Annotated[str, PathParameter(name="clientId", min_length=1, max_length=200)]
ExportId = Annotated[str, PathParameter(name="exportId", min_length=1, max_length=64)]
StatusName = Literal["queued", "delivered", "failed", "skipped"]


def client_url(client_id: str, **query: str) -> str:
    address = f"/pages/clients/{quote(client_id, safe='')}"
    return f"{address}?{urlencode(query)}" if query else address


@dataclass
class IntegrationForm:
    """What the person typed or picked, shown again beside its errors when saving failed."""

    mailbox: str = ""
    dossier: str = ""
    vat_number: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def dossier_id(self) -> int | None:
        picked = self.dossier.strip()
        return int(picked) if picked.isdigit() and 0 < int(picked) <= MAX_DOSSIER_ID else None


@dataclass
class BackfillForm:
    """The days the person typed (`from`, `to`), shown again beside their errors."""

    days: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ClientPage:
    """The use cases one client's page reads from, all scoped by the session's partner."""

    get_client: GetClientIntegration
    list_dossiers: ListDossiers
    history: ClientExportHistory
    latest_backfill: LatestBackfill

    async def integration(self, partner_id: str, client_id: str) -> ClientIntegrationView | None:
        try:
            return await self.get_client(IntegrationOf(partner_id=partner_id, client_id=client_id))
        except NotFound:
            return None

    async def dossiers(self, partner_id: str) -> list[DossierView] | None:
        """The connected account's dossiers; None when Octopus is not connected or not reachable."""
        try:
            return (await self.list_dossiers(DossiersOf(partner_id=partner_id))).items
        except ApplicationError:
            return None

    async def render(
        self,
        request: Anything,
        partner_id: str,
        client_id: str,
        form: IntegrationForm | None = None,
        *,
        status_code: int = 200,
        warnings: list[str] | None = None,
        status: str | None = None,
        cursor: str | None = None,
        saved: bool = False,
        retried: bool = False,
        deactivated: bool = False,
        backfill_form: BackfillForm | None = None,
    ) -> Template:
        integration = await self.integration(partner_id, client_id)
        if form is None:
            form = IntegrationForm(
                dossier=str(integration.dossier_id or "") if integration else "",
                vat_number=(integration.vat_number or "") if integration else "",
            )
        exports = None
        if integration is not None:
            exports = await self.history(
                ListExports(
                    partner_id=partner_id, client_id=client_id, status=status, limit=PAGE_SIZE, cursor=cursor
                )
            )
        words = WORDS[language_of(request)]
        filters = {"status": status} if status else {}
        return page(
            request,
            "client.html",
            status_code,
            client_id=client_id,
            address=client_url(client_id),
            integration=integration,
            dossiers=await self.dossiers(partner_id),
            form=form,
            warnings=[words[f"warning_{code}"] for code in warnings or [] if f"warning_{code}" in words],
            exports=exports,
            status=status,
            paged=cursor is not None,
            first_url=client_url(client_id, **filters),
            next_url=client_url(client_id, **filters, cursor=exports.next_cursor)
            if exports and exports.next_cursor
            else None,
            saved=saved,
            retried=retried,
            deactivated=deactivated,
            backfill=await self.latest_backfill(BackfillsOf(partner_id=partner_id, client_id=client_id))
            if integration is not None
            else None,
            backfill_form=backfill_form or BackfillForm(),
        )


def _client_page(
    get_client: NamedDependency[GetClientIntegration],
    list_dossiers: NamedDependency[ListDossiers],
    history: NamedDependency[ClientExportHistory],
    latest_backfill: NamedDependency[LatestBackfill],
) -> ClientPage:
    return ClientPage(get_client, list_dossiers, history, latest_backfill)


CLIENT_PAGE = {
    "client_page": Provide(_client_page, sync_to_thread=False),
    "get_client": use_case("get_client"),
    "list_dossiers": use_case("list_dossiers"),
    "history": use_case("client_export_history"),
    "latest_backfill": use_case("latest_backfill"),
}


@get("/clients/{clientId:str}", dependencies=CLIENT_PAGE)
async def show_client(
    request: Anything,
    partner_id: NamedDependency[str],
    client_id: ClientId,
    client_page: NamedDependency[ClientPage],
    status: Annotated[StatusName | None, QueryParameter()] = None,
    cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
    saved: Annotated[bool, QueryParameter()] = False,
    retried: Annotated[bool, QueryParameter()] = False,
    deactivated: Annotated[bool, QueryParameter()] = False,
    warnings: Annotated[str | None, QueryParameter(max_length=300)] = None,
) -> Template:
    return await client_page.render(
        request,
        partner_id,
        client_id,
        warnings=(warnings or "").split(",") if warnings else [],
        status=status,
        cursor=cursor,
        saved=saved,
        retried=retried,
        deactivated=deactivated,
    )


@post(
    "/clients/{clientId:str}/integration",
    dependencies={**CLIENT_PAGE, "activate": use_case("activate_client")},
)
async def save_integration(
    request: Anything,
    partner_id: NamedDependency[str],
    client_id: ClientId,
    client_page: NamedDependency[ClientPage],
    activate: NamedDependency[ActivateClientIntegration],
) -> Redirect | Template:
    """Activates the client or changes its mailbox; an empty mailbox takes the picked dossier's, or
    keeps the current one. Warnings (R5, R8) go back to the page beside the field."""
    posted = await request.form()
    form = IntegrationForm(
        mailbox=str(posted.get("mailbox") or "").strip(),
        dossier=str(posted.get("dossier") or ""),
        vat_number=str(posted.get("vatNumber") or "").strip(),
    )
    words = WORDS[language_of(request)]
    mailbox = form.mailbox or await _mailbox_of_dossier(client_page, partner_id, form.dossier_id)
    if not mailbox:
        current = await client_page.integration(partner_id, client_id)
        mailbox = (current.mailbox or "") if current else ""
    if not mailbox:
        form.errors["mailbox"] = words["mailbox_needed"]
        return await client_page.render(request, partner_id, client_id, form, status_code=422)
    try:
        result = await activate(
            ActivateClient(
                partner_id=partner_id,
                client_id=client_id,
                mailbox=mailbox,
                vat_number=form.vat_number or None,
                dossier_id=form.dossier_id,
            )
        )
    except InvalidValue as exc:
        key = "vat_invalid" if exc.field == "vatNumber" else "mailbox_invalid"
        form.errors["vatNumber" if exc.field == "vatNumber" else "mailbox"] = f"{words[key]} ({exc.message})."
        return await client_page.render(request, partner_id, client_id, form, status_code=422)
    except (Invalid, Conflict) as exc:
        form.errors["form"] = words["dossier_unknown" if isinstance(exc, Invalid) else "install_first"]
        return await client_page.render(request, partner_id, client_id, form, status_code=409)
    codes = ",".join(w.code for w in result.integration.warnings)
    query = {"saved": "true", **({"warnings": codes} if codes else {})}
    return Redirect(client_url(client_id, **query), status_code=303)


async def _mailbox_of_dossier(client_page: ClientPage, partner_id: str, dossier_id: int | None) -> str:
    if dossier_id is None:
        return ""
    dossiers = await client_page.dossiers(partner_id) or []
    return next((d.mailbox or "" for d in dossiers if d.id == dossier_id), "")


@post(
    "/clients/{clientId:str}/exports/{exportId:str}/retry", dependencies={"retry": use_case("retry_export")}
)
async def retry_export(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    export_id: ExportId,
    retry: NamedDependency[RetryExport],
) -> Redirect:
    """Puts a failed export of this client back in the queue and returns to its page."""
    export = await retry(Retry(export_id=export_id, partner_id=partner_id, client_id=client_id))
    return Redirect(client_url(export.client_id, retried="true"), status_code=303)


@post("/clients/{clientId:str}/deactivate", dependencies={"deactivate": use_case("deactivate_client")})
async def deactivate_client(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    deactivate: NamedDependency[DeactivateClientIntegration],
) -> Redirect:
    """Stops this client's exports (R7); saving the configuration again activates it anew."""
    await deactivate(DeactivateClient(partner_id=partner_id, client_id=client_id))
    return Redirect(client_url(client_id, deactivated="true"), status_code=303)


@post(
    "/clients/{clientId:str}/backfills",
    dependencies={**CLIENT_PAGE, "request_backfill": use_case("request_backfill")},
)
async def start_backfill(
    request: Anything,
    partner_id: NamedDependency[str],
    client_id: ClientId,
    client_page: NamedDependency[ClientPage],
    request_backfill: NamedDependency[RequestBackfill],
) -> Redirect | Template:
    """Starts a backfill of the days typed and shows it on the page, its counts growing as a worker
    lists Banqup; days refused are told beside their field, a backfill that cannot run above the form."""
    posted = await request.form()
    form = BackfillForm(days={name: str(posted.get(name) or "").strip() for name in ("from", "to")})
    words = WORDS[language_of(request)]
    days = {name: day_of(text) for name, text in form.days.items()}
    for name, text in form.days.items():
        if text and days[name] is None:
            form.errors[name] = f"{words['backfill_date_invalid']} ({text})."
    first = days["from"]
    if first is None and not form.errors:
        form.errors["from"] = words["backfill_date_missing"]
    if form.errors or first is None:
        return await client_page.render(request, partner_id, client_id, backfill_form=form, status_code=422)
    try:
        started = await request_backfill(
            AskBackfill(partner_id=partner_id, client_id=client_id, first_day=first, last_day=days["to"])
        )
    except InvalidValue as exc:
        form.errors[exc.field] = f"{words['backfill_date_invalid']} ({exc.message})."
        return await client_page.render(request, partner_id, client_id, backfill_form=form, status_code=422)
    except Conflict as exc:
        form.errors["form"] = f"{words['conflict']}: {exc.message}."
        return await client_page.render(request, partner_id, client_id, backfill_form=form, status_code=409)
    return Redirect(f"{client_url(client_id)}#backfill-{started.id}", status_code=303)


ROUTES = [show_client, save_integration, retry_export, deactivate_client, start_backfill]
