"""A client's Octopus integration and its export history (R5–R7, R17)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Response, delete, get, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from application.inputs import Text
from application.services.export_pages import MAX_PAGE, ListExports
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.client_export_history import ClientExportHistory
from application.use_cases.deactivate_client_integration import DeactivateClient, DeactivateClientIntegration
from application.use_cases.get_client_integration import GetClientIntegration, IntegrationOf
from application.views import ClientIntegrationView, ExportPage, Struct
from entrypoints.http.dependencies import use_case
from entrypoints.http.problems import AUTHENTICATED, problems

TAGS = ["clients"]
ClientId = Annotated[
    str,
    PathParameter(name="clientId", min_length=1, max_length=200, description="the client's Banqup space id"),
]
ExportStatusName = Literal["queued", "delivered", "failed", "skipped"]


class ClientIntegrationForm(Struct):
    """The dossier mailbox, and optionally the client's VAT number and the dossier picked (R5, R8)."""

    mailbox: Annotated[Text, msgspec.Meta(max_length=320)]
    vat_number: Annotated[Text, msgspec.Meta(max_length=20)] | None = None
    dossier_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None


@put(
    "/clients/{clientId:str}/octopus",
    tags=TAGS,
    summary="Activate a client, or change its mailbox (R5, R6); warnings name anything to check",
    dependencies={"activate": use_case("activate_client")},
    responses={
        201: ResponseSpec(ClientIntegrationView, description="Activated now", generate_examples=False),
        **problems(400, *AUTHENTICATED, 409, 422),
    },
)
async def activate_client(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    data: JSONBody[ClientIntegrationForm],
    activate: NamedDependency[ActivateClientIntegration],
) -> Response[ClientIntegrationView]:
    result = await activate(
        ActivateClient(
            partner_id=partner_id,
            client_id=client_id,
            mailbox=data.mailbox,
            vat_number=data.vat_number,
            dossier_id=data.dossier_id,
        )
    )
    return Response(result.integration, status_code=201 if result.created else 200)


@get(
    "/clients/{clientId:str}/octopus",
    tags=TAGS,
    summary="A client's integration and its mailbox history",
    dependencies={"get_client": use_case("get_client")},
    responses=problems(400, *AUTHENTICATED, 404),
)
async def show_client(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    get_client: NamedDependency[GetClientIntegration],
) -> ClientIntegrationView:
    return await get_client(IntegrationOf(partner_id=partner_id, client_id=client_id))


@delete(
    "/clients/{clientId:str}/octopus",
    tags=TAGS,
    summary="Deactivate a client (R7); it can be activated again later",
    dependencies={"deactivate": use_case("deactivate_client")},
    responses=problems(400, *AUTHENTICATED, 404),
)
async def deactivate_client(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    deactivate: NamedDependency[DeactivateClientIntegration],
) -> None:
    await deactivate(DeactivateClient(partner_id=partner_id, client_id=client_id))


@get(
    "/clients/{clientId:str}/exports",
    tags=TAGS,
    summary="A client's export history, newest first (R17)",
    dependencies={"history": use_case("client_export_history")},
    responses=problems(400, *AUTHENTICATED, 404),
)
async def client_exports(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    history: NamedDependency[ClientExportHistory],
    status: Annotated[ExportStatusName | None, QueryParameter()] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, QueryParameter(max_length=500)] = None,
) -> ExportPage:
    return await history(
        ListExports(partner_id=partner_id, client_id=client_id, status=status, limit=limit, cursor=cursor)
    )


ROUTES = [activate_client, show_client, deactivate_client, client_exports]
