"""The one place the HTTP entrypoint checks what a request brings, before any handler runs: path and
query values (`refuse_unstorable`, a `before_request` hook) and JSON bodies (`BoundedRequest`)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from application.inputs import check_storable, decode_json


async def refuse_unstorable(request: Request[Any, Any, Any]) -> None:
    """400 naming the parameter whose name or value holds text PostgreSQL or XML cannot store."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_storable(name, value)
    for name, value in request.query_params.multi_items():
        check_storable(name, name)
        check_storable(name, value)


class BoundedRequest(Request[Any, Any, Any]):
    """A request whose JSON body is decoded strictly as the handler's `data` type, its nesting bounded
    first, before Litestar converts it leniently (which would take `"false"` for `False`)."""

    async def json(self) -> Any:
        data = self.route_handler.parsed_fn_signature.parameters.get("data")
        return decode_json(await self.body() or b"null", data.annotation if data else Any)
