"""uvicorn's httptools protocol with a bound on a request's head (request line and headers), counted
as bytes arrive: httptools keeps a header in memory until it ends, and a 95 MB one took 7 s and
475 MB. `octobridge serve` names this class as uvicorn's `http` protocol."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

MAX_HEAD = 32 * 1024  # bytes of request line and headers
LINGER = 4 * 1024 * 1024  # bytes read and dropped after refusing, so that the client reads the answer
TOO_LARGE = 431
_MESSAGE = b"Request header fields too large."


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a request already refused."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Answers 431 and closes the connection once a request's head passes `MAX_HEAD` bytes: counted
    exactly from the parsed parts, and by the bytes received while a head is unfinished (what
    httptools holds before it hands a header over).

    The close lingers (RFC 9112 §9.6): what the client goes on sending is read and dropped, up to
    `LINGER` bytes, for closing with unread bytes would reset the connection and lose the answer."""

    _parsed = 0  # bytes of the current head's request line and headers, as parsed
    _unfinished = 0  # bytes received since the current head began, while it has not ended
    _reading_head = False
    _dropped: int | None = None  # bytes dropped since the refusal; None until then

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._parsed = self._unfinished = 0
        self._reading_head = True

    def on_url(self, url: bytes) -> None:
        self._parsed += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed += len(name) + len(value) + 4  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        if self._parsed > MAX_HEAD:
            self._refuse()
            raise _HeadTooLarge
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._dropped is not None:
            self._dropped += len(data)
            if self._dropped > LINGER:
                self.transport.close()
            return
        super().data_received(data)
        if self._reading_head and self._dropped is None:
            self._unfinished += len(data)  # the head has not ended within this chunk: all of it may be head
            if self._unfinished > MAX_HEAD:
                self._refuse()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error, but for the one `on_headers_complete` raises once it
        has answered."""
        if self._dropped is None:
            super().send_400_response(msg)

    def _refuse(self) -> None:
        self.logger.warning("A request's head passed %d bytes; the connection is closed.", MAX_HEAD)
        self.transport.write(
            b"".join(
                [
                    STATUS_LINE[TOO_LARGE],
                    b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: %d\r\n" % len(_MESSAGE),
                    b"connection: close\r\n\r\n",
                    _MESSAGE,
                ]
            )
        )
        self._dropped = 0
        if self.transport.can_write_eof():
            self.transport.write_eof()
        else:
            self.transport.close()
