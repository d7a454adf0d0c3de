"""Banqup's message listener (CONTRACTS §5): signature first, then parsing, then the use case."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, post
from litestar.params import HeaderParameter

from application.messages import MAX_MESSAGE_BYTES, decode_message
from application.use_cases.receive_message import MessageOutcome, ReceiveDocumentMessage
from entrypoints.http.auth import SIGNATURE, WebhookSignature
from entrypoints.http.problems import problems


@post(
    "/messages",
    tags=["messages"],
    summary="Banqup's messages; 202 once recorded, also for ignored types and repeats",
    description="A 5xx answer means nothing was recorded: send the message again later.",
    status_code=202,
    request_max_body_size=MAX_MESSAGE_BYTES,
    responses=problems(400, 401, 413, 500, 503),
)
async def receive_message(
    request: Request[Any, Any, Any],
    signature: Annotated[
        str | None, HeaderParameter(name=SIGNATURE, description="t=<unix seconds>,v1=<hex HMAC-SHA256>")
    ] = None,
) -> MessageOutcome:
    """The signature is checked on the raw body before anything reads it; the outcome is
    committed before the 202, so a crash after answering loses nothing. The receiver comes from
    `app.state` (see `create_app`), not through dependency injection, which costs a resolution per
    message."""
    body = await request.body()
    verifier: WebhookSignature = request.app.state.webhook_signature
    verifier.verify(signature, body)
    receive: ReceiveDocumentMessage = request.app.state.receive_message
    return await receive(decode_message(body))


ROUTES = [receive_message]
