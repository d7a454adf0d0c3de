"""Mail through an SMTP relay (R15, R16), with a small pool of connections reused across exports."""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from adapters.mail.message import build_message, domain_of
from adapters.mail.status_codes import is_mailbox_refusal
from application.errors import Invalid, MailboxRefused, RecipientRefused, Unavailable
from application.ports.mailer import Mailer, OutgoingMail

TEMPORARY_FAILURE = range(400, 500)


@dataclass(frozen=True, slots=True)
class SmtpRelay:
    """Where and how to reach the relay: `smtp://user:pass@host:587?starttls=1` or `smtps://…:465`."""

    host: str
    port: int
    use_tls: bool
    start_tls: bool | None
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpRelay:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise Invalid("the SMTP URL must look like smtp://host:587 or smtps://host:465", field="SMTP_URL")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", [None])[0]
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            use_tls=parts.scheme == "smtps",
            start_tls=None if starttls is None else starttls in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


@dataclass
class _Connection:
    client: aiosmtplib.SMTP
    opened_at: float


class SmtpMailer(Mailer):
    """Sends through a pool of at most `pool_size` connections, each recycled after `recycle_after`
    seconds. A connection that fails in any way is dropped, never reused."""

    def __init__(
        self,
        relay: SmtpRelay,
        sender: str,
        *,
        pool_size: int = 4,
        recycle_after: float = 240.0,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._relay = relay
        self._sender = sender
        self._recycle_after = recycle_after
        self._timeout = timeout
        self._tls_context = tls_context
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(pool_size)

    @property
    def sender_domain(self) -> str:
        return domain_of(self._sender)

    async def send(self, mail: OutgoingMail) -> str:
        message = build_message(mail, self._sender)
        async with self._slots:
            connection = await self._take()
            try:
                _, reply = await connection.client.send_message(
                    message, sender=mail.envelope_sender or self._sender, recipients=[mail.to]
                )
            except aiosmtplib.SMTPRecipientsRefused as exc:
                await self._drop(connection)
                refused = exc.recipients[0]
                raise _answer(
                    refused.code, refused.message, _refusal_of(refused.code, refused.message)
                ) from exc
            except aiosmtplib.SMTPResponseException as exc:
                await self._drop(connection)
                raise _answer(exc.code, exc.message) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._drop(connection)
                raise Unavailable(f"the mail relay failed: {exc}") from exc
            self._idle.append(connection)
            return reply

    async def close(self) -> None:
        while self._idle:
            await self._drop(self._idle.pop())

    async def _take(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if (
                time.monotonic() - connection.opened_at < self._recycle_after
                and connection.client.is_connected
            ):
                return connection
            await self._drop(connection)
        relay = self._relay
        client = aiosmtplib.SMTP(
            hostname=relay.host,
            port=relay.port,
            use_tls=relay.use_tls,
            start_tls=relay.start_tls,
            username=relay.username,
            password=relay.password,
            timeout=self._timeout,
            tls_context=self._tls_context,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Refused greetings and logins are the relay's or the operator's to fix, not the document's:
            # the export waits and is tried again.
            raise Unavailable(f"cannot reach the mail relay at {relay.host}:{relay.port}: {exc}") from exc
        return _Connection(client, time.monotonic())

    @staticmethod
    async def _drop(connection: _Connection) -> None:
        try:
            if connection.client.is_connected:
                await connection.client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            connection.client.close()


def _refusal_of(code: int, message: str) -> type[RecipientRefused]:
    """The recipient refused at `RCPT TO`: its mailbox itself (CONTRACTS §8), or otherwise."""
    return MailboxRefused if is_mailbox_refusal(code, message) else RecipientRefused


def _answer(code: int, message: str, final: type[Invalid] = Invalid) -> Unavailable | Invalid:
    """4xx is a temporary failure, to be tried again; anything else the relay refuses is final."""
    text = f"{code} {message}".strip()
    return Unavailable(text) if code in TEMPORARY_FAILURE else final(text)
