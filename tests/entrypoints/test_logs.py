"""The log set-up every process calls: its formats, and what it never writes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from entrypoints.logs import ACCESS_LOGGER, REDACTED
from entrypoints.settings import Settings, SettingsError
from tests.logs import captured_logs, json_lines

SECRETS = {
    "webhook_secret": "webhook-secret-of-the-log-tests",
    "api_token_secret": "api-token-secret-of-the-log-tests",
    "secret_key": "secret-key-of-the-log-tests",
    "banqup_client_secret": "banqup-client-secret-of-the-log-tests",
    "octopus_client_secret": "octopus-client-secret-of-the-log-tests",
}
SMTP_PASSWORD = "smtp/pass word"
SETTINGS = Settings(smtp_url="smtp://octo:smtp%2Fpass%20word@relay.example:587", **SECRETS)
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwYXJ0bmVyLTEifQ.c2lnbmF0dXJl"

Configure = Callable[..., io.StringIO]


@pytest.fixture
def configure() -> Iterator[Configure]:
    """`configure_logging` into a string, as often as the test likes; the process's logging as it was
    afterwards."""
    with ExitStack() as stack:

        def configured(settings: Settings = SETTINGS, **options: bool) -> io.StringIO:
            return stack.enter_context(captured_logs(settings, **options))

        yield configured


def fail(message: str) -> None:
    raise RuntimeError(message)


def as_json(**values: str) -> Settings:
    return Settings(log_format="json", **{**SECRETS, **values})


def test_structlog_and_the_standard_library_both_write_one_json_object_a_line(configure: Configure) -> None:
    stream = configure(as_json())
    structlog.get_logger("octobridge.worker").info("export attempted", exportId="e-1")
    logging.getLogger("tests.a_library").info("Started server process [%d]", 42)
    logging.getLogger("sqlalchemy.engine").warning("pool overflow")
    first, second, third = json_lines(stream)
    assert {k: first[k] for k in ("level", "logger", "event", "exportId")} == {
        "level": "info",
        "logger": "octobridge.worker",
        "event": "export attempted",
        "exportId": "e-1",
    }
    assert (second["logger"], second["event"]) == ("tests.a_library", "Started server process [42]")
    assert (third["logger"], third["level"]) == ("sqlalchemy.engine", "warning")
    for line in (first, second, third):
        assert datetime.fromisoformat(str(line["timestamp"])).utcoffset() == UTC.utcoffset(None)


def test_console_lines_are_readable_and_without_colours_when_not_a_terminal(configure: Configure) -> None:
    stream = configure(Settings(**SECRETS))
    structlog.get_logger("octobridge.worker").info("export attempted", exportId="e-1")
    (line,) = stream.getvalue().splitlines()
    assert "export attempted" in line and "exportId=e-1" in line and "octobridge.worker" in line
    assert "\x1b[" not in line


def test_the_access_logger_is_on_only_when_asked(configure: Configure) -> None:
    quiet = configure(as_json())
    logging.getLogger(ACCESS_LOGGER).info("GET /healthz")
    assert quiet.getvalue() == ""
    loud = configure(as_json(), access_log=True)
    logging.getLogger(ACCESS_LOGGER).info("GET /healthz")
    assert [line["event"] for line in json_lines(loud)] == ["GET /healthz"]


def test_no_secret_credential_or_token_is_written(configure: Configure) -> None:
    settings = as_json(smtp_url="smtp://octo:smtp%2Fpass%20word@relay.example:587")
    stream = configure(settings)
    log = structlog.get_logger("octobridge.test")
    log.info("calling", authorization=f"Bearer {JWT}", accessToken="opaque-access", code="c0de", state="s7")
    log.info("received", banqup_signature="t=1,v1=0123abcd")
    log.info("relay said", reply=f"535 {SMTP_PASSWORD} refused", secret=settings.secret_key)
    log.info(f"webhook {settings.webhook_secret} and {JWT} in the event", status_code=401)
    logging.getLogger("aio_pika").warning("cannot connect with %s", settings.octopus_client_secret)
    try:
        fail(f"boom {settings.api_token_secret}")
    except RuntimeError:
        log.exception("unexpected")
    written = stream.getvalue()
    for secret in (
        *SECRETS.values(),
        SMTP_PASSWORD,
        "smtp%2Fpass%20word",
        JWT,
        "opaque-access",
        "c0de",
        "s7",
    ):
        assert secret not in written
    lines = json_lines(stream)
    assert lines[0]["authorization"] == lines[0]["code"] == lines[0]["state"] == REDACTED
    assert lines[2]["reply"] == f"535 {REDACTED} refused"
    assert lines[3]["status_code"] == 401, "a status code is not a credential"
    assert len(lines) == 6 and "Traceback" in str(lines[5]["exception"])


def test_a_short_secret_is_redacted_where_it_is_a_whole_value_only(configure: Configure) -> None:
    stream = configure(Settings(log_format="json", webhook_secret="x", api_token_secret="y", secret_key="z"))
    structlog.get_logger("t").info("exported", mailbox="x", box="xylophone")
    (line,) = json_lines(stream)
    assert (line["mailbox"], line["box"]) == (REDACTED, "xylophone")


FORGED = '\r\n{"level": "info", "event": "forged"}\u2028\x85\x1b[31m'


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_a_line_break_in_a_value_cannot_forge_a_line(configure: Configure, log_format: str) -> None:
    stream = configure(Settings(log_format=log_format, **SECRETS))
    structlog.get_logger("octobridge.access").warning("request", path=f"/v1/x{FORGED}")
    logging.getLogger("tests.a_library").warning("bad path %s", FORGED)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert all("forged" in line and "\x1b" not in line for line in lines)
    if log_format == "json":
        assert (
            json_lines(stream)[0]["path"]
            == '/v1/x\\x0d\\x0a{"level": "info", "event": "forged"}\\u2028\\x85\\x1b[31m'
        )


def test_a_traceback_keeps_its_lines_each_indented_in_the_console(configure: Configure) -> None:
    stream = configure(Settings(**SECRETS))
    try:
        fail("first\nforged line")
    except RuntimeError:
        structlog.get_logger("t").exception("failed")
    first, *rest = stream.getvalue().splitlines()
    assert "failed" in first and rest
    assert all(line.startswith("    ") for line in rest)


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(), key=st.sampled_from(["event", "path", "detail"]))
def test_any_value_is_written_as_one_line(configure: Configure, value: str, key: str) -> None:
    for log_format in ("json", "console"):
        stream = configure(Settings(log_format=log_format, **SECRETS))
        fields = {"event": value} if key == "event" else {"event": "e", key: value}
        structlog.get_logger("t").warning(**fields)
        (line,) = stream.getvalue().splitlines()
        if log_format == "json":
            assert json.loads(line)[key] is not None


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.text(),
    after=st.text(),
    secret=st.sampled_from([*SECRETS.values(), JWT]),
    key=st.sampled_from(["event", "detail"]),
)
def test_a_secret_is_never_written_whatever_surrounds_it(
    configure: Configure, before: str, after: str, secret: str, key: str
) -> None:
    value = before + secret + after
    for log_format in ("json", "console"):
        stream = configure(Settings(log_format=log_format, **SECRETS))
        fields = {"event": value} if key == "event" else {"event": "e", key: value}
        structlog.get_logger("t").warning(**fields)
        assert secret not in stream.getvalue()


def test_log_format_follows_the_environment_and_refuses_anything_else(tmp_path: Path) -> None:
    def read(**environ: str) -> Settings:
        return Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path), **environ})

    assert read().json_logs is False
    assert read(OCTOBRIDGE_LOG_FORMAT="json").json_logs is True
    assert Settings(env="production").json_logs is True
    assert Settings(env="production", log_format="console").json_logs is False
    with pytest.raises(SettingsError, match="OCTOBRIDGE_LOG_FORMAT must be one of console, json, not 'xml'"):
        read(OCTOBRIDGE_LOG_FORMAT="xml")
