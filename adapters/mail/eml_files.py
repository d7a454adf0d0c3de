"""The embedded default: each message written as an `.eml` file, atomically."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from adapters.mail.message import build_message, domain_of
from application.errors import Unavailable
from application.ports.mailer import Mailer, OutgoingMail
from domain.file_names import file_name_stem


class EmlFileMailer(Mailer):
    """Writes `<Message-ID>.eml` under `directory`: first under a temporary name, then renamed, so a
    reader never sees half a message and a resend replaces the same file. An envelope sender is
    written as the `Return-Path` header."""

    def __init__(self, directory: Path, sender: str) -> None:
        self._directory = directory
        self._sender = sender

    @property
    def sender_domain(self) -> str:
        return domain_of(self._sender)

    async def send(self, mail: OutgoingMail) -> str:
        message = build_message(mail, self._sender)
        if mail.envelope_sender is not None:  # as the delivering server would write it
            message["Return-Path"] = f"<{mail.envelope_sender}>"
        data = message.as_bytes()
        name = file_name_stem(mail.message_id, fallback="message") + ".eml"
        return await asyncio.to_thread(self._write, name, data)

    def _write(self, name: str, data: bytes) -> str:
        try:
            self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor, temporary = tempfile.mkstemp(dir=self._directory, prefix=".", suffix=".tmp")  # 0600
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                target = self._directory / name
                Path(temporary).replace(target)
            finally:
                Path(temporary).unlink(missing_ok=True)  # gone already when renamed
        except OSError as exc:
            raise Unavailable(f"cannot write the message to {self._directory}: {exc.strerror}") from exc
        return f"written to {target}"
