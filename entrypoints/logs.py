"""Logging for every octobridge process (CONTRACTS §2 `LOG_FORMAT`), set up once at its start.

structlog in front; the standard library's loggers (uvicorn, litestar, aio-pika, SQLAlchemy…) reach
the same processors through one handler on the root logger, so that every line, whoever writes it,
is rendered the same way — one JSON object a line, or a readable console line — after two guards:
nothing secret is written (keys that name a credential, any configured secret, anything shaped like a
JWT), and no value can start a line of its own (control characters escaped).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from typing import TextIO
from urllib.parse import unquote, urlsplit

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from entrypoints.settings import Settings

ACCESS_LOGGER = "octobridge.access"
"""One line per HTTP request; enabled only by `serve --access-log`."""

REDACTED = "[redacted]"
CREDENTIAL_WORDS = ("token", "secret", "password", "passwd", "authorization", "cookie", "jwt", "signature")
CREDENTIAL_NAMES = frozenset({"code", "state"})  # whole names only: `status_code` keeps its value
SHORTEST_SEARCHED_SECRET = 8  # a shorter secret is redacted where it is a whole value, not searched for
# Below warnings, these say nothing an operator needs: a line per outgoing request (httpx) or SMTP
# command (aiosmtpd), and one per Alembic plugin at every start.
QUIET_LOGGERS = ("httpx", "httpcore", "mail.log", "alembic.runtime.plugins")

_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_PLAIN = (int, float, bool, type(None))


@lru_cache(maxsize=1024)
def names_a_credential(name: str) -> bool:
    """Whether a key or query parameter called `name` carries a credential (`accessToken`,
    `Set-Cookie`, `code`, `state`…); its value is then never written."""
    lowered = name.lower()
    return lowered in CREDENTIAL_NAMES or any(word in lowered for word in CREDENTIAL_WORDS)


def configured_secrets(settings: Settings) -> tuple[str, ...]:
    """Every secret in `settings`, the passwords inside its URLs too, as configured and decoded."""
    found = {
        settings.webhook_secret,
        settings.api_token_secret,
        settings.secret_key,
        settings.banqup_client_secret,
        settings.octopus_client_secret,
    }
    for url in (settings.smtp_url, settings.broker_url, settings.database_url):
        password = urlsplit(url).password
        if password:
            found |= {password, unquote(password)}
    return tuple(sorted(found - {""}, key=len, reverse=True))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _indented(traceback: str) -> str:
    return "    " + traceback.rstrip("\n").replace("\n", "\n    ")


class Sanitize:
    """The last processor before rendering: credentials and secrets replaced by `[redacted]`, control
    characters escaped (`\\x0d`), in every value of every line. Values that are neither text nor a
    number are written as their `repr`, sanitized the same way. A traceback keeps its line breaks,
    each of its lines indented, so that no line of it can pass for a line of its own.

    It runs on every line written, so it costs little: a few substring searches per value, the
    regular expressions only where a cheap test says they may match."""

    def __init__(self, secrets: Iterable[str]) -> None:
        secrets = tuple(secrets)
        self._searched = tuple(s for s in secrets if len(s) >= SHORTEST_SEARCHED_SECRET)
        self._whole = frozenset(s for s in secrets if len(s) < SHORTEST_SEARCHED_SECRET)

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        for key, value in event_dict.items():
            if names_a_credential(key):
                event_dict[key] = REDACTED
            elif key == "exception" and isinstance(value, str):
                event_dict[key] = _indented(_CONTROL_BUT_NEWLINE.sub(_escaped, self.scrub(value)))
            elif not isinstance(value, _PLAIN):
                event_dict[key] = self.text(value if isinstance(value, str) else repr(value))
        return event_dict

    def text(self, value: str) -> str:
        scrubbed = self.scrub(value)
        return _CONTROL.sub(_escaped, scrubbed) if not scrubbed.isprintable() else scrubbed

    def scrub(self, value: str) -> str:
        if value in self._whole:
            return REDACTED
        for secret in self._searched:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return _JWT.sub(REDACTED, value) if "eyJ" in value else value


class _StandardError:
    """Standard error as it is when a line is written: a test runner swaps `sys.stderr` after the
    set-up, and a handler holding the old one would write to a closed file."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _Handler(logging.StreamHandler["TextIO | _StandardError"]):
    """The one handler `configure_logging` puts on the root logger, told apart from any other."""


def configure_logging(settings: Settings, *, access_log: bool = False, stream: TextIO | None = None) -> None:
    """Routes every logger of the process to one handler on the root logger, writing to `stream`
    (standard error by default) in the format `settings` ask for; the access logger is on only
    with `access_log`. Called again, it replaces what it set up before."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=True,
    )
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if settings.json_logs
        else structlog.dev.ConsoleRenderer(colors=(stream or sys.stderr).isatty())
    )
    handler = _Handler(stream or _StandardError())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                Sanitize(configured_secrets(settings)),
                renderer,
            ],
        )
    )
    # No line names a thread or a process: not looking them up takes a fifth off each line (measured).
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO if access_log else logging.WARNING)
