"""A stand-in mail relay: a real SMTP server (aiosmtpd) that answers as scripted and keeps what it accepts."""

from __future__ import annotations

import email
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any, Generic, TypeVar

from aiosmtpd.controller import Controller

from sandbox.server import free_port

Handler = TypeVar("Handler")
DROP = "drop the connection"


@dataclass
class SmtpSink:
    """Accepts mail unless `script` says otherwise, reply by reply: `451 …`, `550 …` or `DROP`; refuses
    the addresses in `refuse_recipients` at `RCPT TO`, and notes in `recipients` every address asked,
    so that a test sees which were tried, not only which took mail."""

    script: list[str] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self.lock:
            self.recipients.append(address)
        if address in self.refuse_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            reply = self.script.pop(0) if self.script else None
        if reply == DROP:
            server.transport.close()
            return "421 4.4.2 connection dropped"
        if reply:
            return reply
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        message["Return-Path"] = f"<{envelope.mail_from}>"  # as the delivering server writes it
        with self.lock:
            self.messages.append(message)
        return "250 2.0.0 Ok: queued"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]).strip() for m in self.messages]  # a long one arrives folded


@dataclass
class RunningSmtp(Generic[Handler]):
    """An SMTP server on a local port around `sink`, an aiosmtpd handler; it can be stopped and started."""

    sink: Handler
    port: int
    controller: Controller | None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=0"

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()


def start_smtp(sink: Handler, port: int | None = None) -> RunningSmtp[Handler]:
    running = RunningSmtp(sink, port or free_port(), None)
    running.start()
    return running
