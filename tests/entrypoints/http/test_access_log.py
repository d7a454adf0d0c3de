"""Each request's id, and the access line of `serve --access-log`: what it says and what it never says."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec
import pytest
from dependency_injector import providers
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from entrypoints.http.request_log import redacted_query
from entrypoints.logs import REDACTED
from entrypoints.settings import Settings
from tests.entrypoints.http.conftest import as_partner, partner_token
from tests.logs import captured_logs, json_lines


@pytest.fixture
def logs(settings: Settings) -> Iterator[io.StringIO]:
    """JSON lines with the access log on, as `serve --access-log` with `LOG_FORMAT=json` writes them."""
    with captured_logs(msgspec.structs.replace(settings, log_format="json"), access_log=True) as stream:
        yield stream


async def test_every_answer_names_its_request_and_a_safe_given_id_is_kept(
    client: AsyncTestClient[Any],
) -> None:
    first, second = (await client.get("/healthz")).headers, (await client.get("/no/such/path")).headers
    assert len({first["x-request-id"], second["x-request-id"]}) == 2
    kept = await client.get("/healthz", headers={"X-Request-ID": "banqup-7f1c.42_a"})
    assert kept.headers["x-request-id"] == "banqup-7f1c.42_a"
    for unsafe in (b"a b", b"x" * 65, b'{"forged":1}', "é".encode()):
        answer = await client.get("/healthz", headers={"X-Request-ID": unsafe})
        assert answer.headers["x-request-id"].encode("latin-1") != unsafe


async def test_the_access_line_says_what_was_asked_and_answered(
    client: AsyncTestClient[Any], logs: io.StringIO
) -> None:
    answer = await client.get("/v1/extension", params={"x": "1"}, headers=as_partner("partner-1"))
    missing = await client.get("/no/such/path")
    first, second = json_lines(logs)
    assert {k: first[k] for k in ("logger", "event", "method", "path", "query", "status")} == {
        "logger": "octobridge.access",
        "event": "request",
        "method": "GET",
        "path": "/v1/extension",
        "query": "x=1",
        "status": 404,
    }
    assert first["request_id"] == answer.headers["x-request-id"] and first["duration_ms"] >= 0
    assert datetime.fromisoformat(first["timestamp"]).tzinfo is not None
    assert (second["path"], second["status"], second["request_id"]) == (
        "/no/such/path",
        404,
        missing.headers["x-request-id"],
    )


async def test_the_page_token_and_the_oauth_code_and_state_never_reach_the_log(
    client: AsyncTestClient[Any], logs: io.StringIO
) -> None:
    token = partner_token("partner-1")
    await client.get(f"/pages/extension?lang=fr&token={token}", follow_redirects=False)
    await client.get("/v1/octopus/callback?code=the-oauth-code&state=the-oauth-state&x=%74oken")
    await client.get("/v1/octopus/callback?%63ode=encoded-code&state")
    page, callback, encoded = json_lines(logs)
    assert page["query"] == "lang=fr&token=[redacted]"
    assert callback["query"] == "code=[redacted]&state=[redacted]&x=%74oken"
    assert encoded["query"] == "%63ode=[redacted]&state"
    for secret in (token, "the-oauth-code", "the-oauth-state", "encoded-code"):
        assert secret not in logs.getvalue()


async def test_a_line_break_in_a_path_does_not_forge_a_line(
    client: AsyncTestClient[Any], logs: io.StringIO
) -> None:
    await client.get('/v1/x%0d%0a{"level":"info","event":"forged"}%0a')
    (line,) = json_lines(logs)
    assert line["path"] == '/v1/x\\x0d\\x0a{"level":"info","event":"forged"}\\x0a'


CREDENTIALS = {"token", "code", "state", "access_token"}


class BrokenClock:
    def now(self) -> datetime:
        raise RuntimeError("the clock broke")

    def jitter(self) -> float:
        return 0.0


async def test_every_line_written_while_handling_a_request_carries_its_id(
    client: AsyncTestClient[Any], container: Container, logs: io.StringIO
) -> None:
    container.infrastructure.clock.override(providers.Object(BrokenClock()))
    answer = await client.put("/v1/extension", headers=as_partner("partner-1"))
    assert answer.status_code == 500
    lines = json_lines(logs)
    assert [line["logger"] for line in lines] == ["entrypoints.http.problems", "octobridge.access"]
    assert "the clock broke" in lines[0]["exception"]
    assert {line["request_id"] for line in lines} == {answer.headers["x-request-id"]}


def test_only_credential_values_are_redacted_from_a_query() -> None:
    assert redacted_query(b"") == ""
    assert redacted_query(b"status=failed&limit=5&cursor=abc") == "status=failed&limit=5&cursor=abc"
    assert redacted_query(b"access_token=a&returnUrl=https%3A%2F%2Fx&id_token=b") == (
        "access_token=[redacted]&returnUrl=https%3A%2F%2Fx&id_token=[redacted]"
    )


NAMES = st.sampled_from(["token", "Token", "code", "state", "access_token", "lang", "cursor", "status", "x"])


@given(pairs=st.lists(st.tuples(NAMES, st.text())))
def test_a_query_keeps_every_value_but_those_of_credentials(pairs: list[tuple[str, str]]) -> None:
    written = redacted_query(urlencode(pairs).encode())
    expected = [(name, REDACTED if name.lower() in CREDENTIALS else value) for name, value in pairs]
    assert parse_qsl(written, keep_blank_values=True) == expected
