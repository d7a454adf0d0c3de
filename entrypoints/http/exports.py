"""One export, and retrying a failed one by hand (R17)."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from application.use_cases.get_export import ExportOf, GetExport
from application.use_cases.retry_export import Retry, RetryExport
from application.views import ExportView
from entrypoints.http.dependencies import use_case
from entrypoints.http.problems import AUTHENTICATED, problems

TAGS = ["exports"]
ExportId = Annotated[str, PathParameter(name="exportId", min_length=1, max_length=64)]


@get(
    "/exports/{exportId:str}",
    tags=TAGS,
    summary="One export: status, attempts, Message-ID, validation messages",
    dependencies={"get_export": use_case("get_export")},
    responses=problems(400, *AUTHENTICATED, 404),
)
async def show_export(
    partner_id: NamedDependency[str],
    export_id: ExportId,
    get_export: NamedDependency[GetExport],
) -> ExportView:
    return await get_export(ExportOf(export_id=export_id, partner_id=partner_id))


@post(
    "/exports/{exportId:str}/retry",
    tags=TAGS,
    summary="Put a failed export back in the queue; 409 when it has not failed",
    status_code=202,
    dependencies={"retry": use_case("retry_export")},
    responses=problems(400, *AUTHENTICATED, 404, 409),
)
async def retry_export(
    partner_id: NamedDependency[str],
    export_id: ExportId,
    retry: NamedDependency[RetryExport],
) -> ExportView:
    return await retry(Retry(export_id=export_id, partner_id=partner_id))


ROUTES = [show_export, retry_export]
