"""The bounce listener: an SMTP server (aiosmtpd) for `BOUNCE_DOMAIN` that takes mail only for the
bounce addresses of known exports and for `postmaster@`, reads what comes as a delivery status
notification, and answers every client with a clear SMTP reply, whatever it sends.

Its bounds: a message of at most `MAX_REPORT_SIZE` bytes (552 past it, once the data has been read
and thrown away), `MAX_RECIPIENTS` recipients a message (452 past them), `timeout` seconds between
two commands and for the whole of a message's data (then the connection is closed), and
`COMMANDS_A_CONNECTION` of each command a connection (421 past them). When the database cannot be
reached, 451: the sender tries again later, and a report recorded meanwhile is not recorded twice.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP

from application.errors import ApplicationError, Unavailable
from application.ports.delivery_reports import MAX_REPORT_SIZE
from application.use_cases.accept_bounce_recipient import AcceptBounceRecipient
from application.use_cases.record_delivery_report import RecordDeliveryReport, ReportedMail

log = structlog.get_logger("octobridge.bounces")

MAX_RECIPIENTS = 50
COMMANDS_A_CONNECTION = 200
TIMEOUT_SECONDS = 60.0

ACCEPTED = "250 2.1.5 OK"
NO_SUCH_RECIPIENT = "550 5.1.1 No such recipient here"
TOO_MANY_RECIPIENTS = f"452 4.5.3 Too many recipients: {MAX_RECIPIENTS} a message at most"
TRY_AGAIN_LATER = "451 4.3.0 Cannot record it now; try again later"
READ = "250 2.0.0 OK"


class BounceHandler:
    """aiosmtpd's handler: its hooks decide at `RCPT TO` and at the end of `DATA`."""

    def __init__(self, domain: str, accept: AcceptBounceRecipient, record: RecordDeliveryReport) -> None:
        self._postmasters = frozenset({"postmaster", f"postmaster@{domain.lower()}"})
        self._accept = accept
        self._record = record

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return TOO_MANY_RECIPIENTS
        if address.lower() not in self._postmasters:
            try:
                export_id = await self._accept(address)
            except ApplicationError as exc:
                log.warning("cannot check a recipient now", error=exc.message)
                return TRY_AGAIN_LATER
            except Exception:  # a defect: said as a temporary failure, never in aiosmtpd's words
                log.exception("checking a recipient failed")
                return TRY_AGAIN_LATER
            if export_id is None:
                log.info("refused a recipient: not a bounce address of a known export")
                return NO_SUCH_RECIPIENT
        envelope.rcpt_tos.append(address)
        return ACCEPTED

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content: bytes = envelope.original_content
        for recipient in envelope.rcpt_tos:
            try:
                recorded = await self._record(ReportedMail(recipient=recipient, content=content))
            except ApplicationError as exc:
                log.warning("cannot record a report now", error=exc.message, kind=type(exc).__name__)
                return TRY_AGAIN_LATER
            except Exception:  # a defect: the sender keeps the report and tries again
                log.exception("recording a report failed")
                return TRY_AGAIN_LATER
            if recorded.export_id is None:
                log.info("mail to postmaster, ignored", size=len(content))
            elif not recorded.outcomes:
                log.info("not a delivery report, or no such export; ignored", exportId=recorded.export_id)
            else:
                outcomes = ",".join(recorded.outcomes)
                log.info("delivery report", exportId=recorded.export_id, outcomes=outcomes)
        return READ


class BounceListener:
    """The server on `host`:`port` (0: any free port), until told to stop; it greets clients as
    `hostname` (never looked up in the DNS, which aiosmtpd would do for each connection)."""

    def __init__(
        self,
        handler: BounceHandler,
        host: str,
        port: int,
        *,
        hostname: str = "localhost",
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._hostname = hostname
        self._timeout = timeout

    async def start(self) -> asyncio.Server:
        """Listening, on the running loop: the database's connections are this loop's too."""
        try:
            server = await asyncio.get_running_loop().create_server(self._protocol, self._host, self._port)
        except OSError as exc:  # the port taken, the address not this machine's: one line, exit 1
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise Unavailable(f"cannot listen on {self._host}:{self._port}: {reason}") from exc
        host, port = server.sockets[0].getsockname()[:2]
        log.info("listening for bounces", host=host, port=port)
        return server

    async def run(self, stop: asyncio.Event) -> None:
        server = await self.start()
        try:
            await stop.wait()
        finally:
            server.close()  # no new connection; a report being read is finished or left to be sent again
            await server.wait_closed()

    def _protocol(self) -> SMTP:
        return SMTP(
            self._handler,
            hostname=self._hostname,
            data_size_limit=MAX_REPORT_SIZE,
            timeout=self._timeout,
            command_call_limit=COMMANDS_A_CONNECTION,
            ident="octobridge bounces",
        )
