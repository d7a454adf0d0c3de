"""A client's earlier documents on request: start a backfill, follow it (CONTRACTS §3, §9)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter

from application.services.backfills import BackfillOf
from application.use_cases.get_backfill import GetBackfill
from application.use_cases.request_backfill import AskBackfill, RequestBackfill
from application.views import BackfillView, Struct
from entrypoints.http.clients import TAGS, ClientId
from entrypoints.http.dependencies import use_case
from entrypoints.http.problems import AUTHENTICATED, problems

BackfillId = Annotated[str, PathParameter(name="backfillId", min_length=1, max_length=64)]


class BackfillForm(Struct):
    """The days, inclusive, by the UTC date documents were approved or sent; `to` left out is today."""

    from_: date = msgspec.field(name="from")
    to: date | None = None


@post(
    "/clients/{clientId:str}/octopus/backfills",
    tags=TAGS,
    summary="Export a client's documents approved or sent between two days (at most 400 days back)",
    description="Answers at once; Banqup is listed in the background: follow the counts with GET.",
    status_code=202,
    dependencies={"request_backfill": use_case("request_backfill")},
    responses={
        202: ResponseSpec(BackfillView, description="Started", generate_examples=False),
        **problems(400, *AUTHENTICATED, 404, 409, 422),
    },
)
async def start_backfill(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    data: JSONBody[BackfillForm],
    request_backfill: NamedDependency[RequestBackfill],
) -> BackfillView:
    return await request_backfill(
        AskBackfill(partner_id=partner_id, client_id=client_id, first_day=data.from_, last_day=data.to)
    )


@get(
    "/clients/{clientId:str}/octopus/backfills/{backfillId:str}",
    tags=TAGS,
    summary="A backfill's progress: listed = queued + alreadyExported + ignored",
    dependencies={"get_backfill": use_case("get_backfill")},
    responses=problems(400, *AUTHENTICATED, 404),
)
async def show_backfill(
    partner_id: NamedDependency[str],
    client_id: ClientId,
    backfill_id: BackfillId,
    get_backfill: NamedDependency[GetBackfill],
) -> BackfillView:
    return await get_backfill(BackfillOf(partner_id=partner_id, client_id=client_id, backfill_id=backfill_id))


ROUTES = [start_backfill, show_backfill]
