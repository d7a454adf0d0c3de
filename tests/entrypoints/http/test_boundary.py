"""Every outside input bounded and answered 4xx (issue 17): unreadable signatures, text PostgreSQL or
XML cannot hold, deep JSON, dates outside UTC's range, strings for booleans. Run on SQLite and
PostgreSQL, since NUL is only refused by the latter's driver."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import hypothesis
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from entrypoints.http.auth import WebhookSignature
from entrypoints.http.browser import CALLBACK, COOKIE, cookie_for
from entrypoints.http.problems import Unauthenticated
from entrypoints.settings import Settings
from sandbox.octopus import OctopusWorld, standin_app
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import (
    IMPORT_MAILBOX,
    RETURN_URL,
    as_partner,
    http_settings,
    install_and_connect,
    message,
    signed,
)
from tests.entrypoints.http.test_problems_and_auth import assert_problem

NUL = "a\x00b"
DEEP = b"[" * 10_000 + b"]" * 10_000


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> Settings:
    """The HTTP tests' settings, on SQLite and on this run's PostgreSQL database."""
    on_postgres = request.param == "postgresql"
    return http_settings(request.getfixturevalue("postgres_url") if on_postgres else sqlite_url, tmp_path)


@pytest.fixture
def partner() -> str:
    """A partner of this test's own: the PostgreSQL database is shared by the whole run."""
    return f"partner-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def active(client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld, partner: str) -> str:
    await install_and_connect(client, world, partner)
    put = await client.put(
        "/v1/clients/c1/octopus", json={"mailbox": IMPORT_MAILBOX}, headers=as_partner(partner)
    )
    assert put.status_code == 201, put.text
    clock.advance(minutes=5)
    return partner


@pytest.mark.parametrize("stamp", ["²", "¹²³", "١٢٣", "12a", "-1", " 1", "1e3"])
def test_a_signature_time_of_anything_but_ascii_digits_is_unauthenticated(stamp: str) -> None:
    with pytest.raises(Unauthenticated):
        WebhookSignature("webhook-secret").verify(f"t={stamp},v1=00", b"{}")


@pytest.mark.parametrize(
    ("method", "path", "params", "field"),
    [
        ("GET", "/v1/clients/a%00b/octopus", {}, "clientId"),
        ("DELETE", "/v1/clients/a%00b/octopus", {}, "clientId"),
        ("GET", "/v1/clients/a%00b/exports", {}, "clientId"),
        ("GET", "/v1/clients/c1/exports", {"cursor": NUL}, "cursor"),
        ("GET", "/v1/clients/c1/exports", {"status": NUL}, "status"),
        ("GET", "/v1/exports/a%00b", {}, "exportId"),
        ("POST", "/v1/exports/a%00b/retry", {}, "exportId"),
        ("GET", "/v1/extension/octopus/connect", {"returnUrl": f"{RETURN_URL}?{NUL}"}, "returnUrl"),
        ("GET", "/v1/octopus/callback", {"state": NUL, "code": "x"}, "state"),
        ("GET", "/v1/octopus/callback", {"state": "s", "code": NUL}, "code"),
        ("GET", "/v1/octopus/callback", {"state": "s", "error": "\x1b[31m"}, "error"),
    ],
)
async def test_nul_or_a_control_character_in_a_path_or_query_value_answers_400_naming_it(
    client: AsyncTestClient[Any], active: str, method: str, path: str, params: dict[str, str], field: str
) -> None:
    response = await client.request(method, path, params=params, headers=as_partner(active))
    assert_problem(response, 400, field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mailbox": f"uid-1{NUL}@import.octopus.be"}, "mailbox"),
        ({"mailbox": IMPORT_MAILBOX, "vatNumber": "BE0123\x00456749"}, "vatNumber"),
        ({"mailbox": IMPORT_MAILBOX, "vatNumber": "BE0123\ufffe"}, "vatNumber"),
    ],
)
async def test_unstorable_text_in_a_json_body_answers_400_naming_the_field(
    client: AsyncTestClient[Any], active: str, body: dict[str, str], field: str
) -> None:
    response = await client.put("/v1/clients/c2/octopus", json=body, headers=as_partner(active))
    assert_problem(response, 400, field)
    assert (await client.get("/v1/clients/c2/octopus", headers=as_partner(active))).status_code == 404


async def test_a_lone_surrogate_in_a_json_body_answers_400(client: AsyncTestClient[Any], active: str) -> None:
    body = b'{"mailbox": "uid-1\\ud800@import.octopus.be"}'
    response = await client.put("/v1/clients/c2/octopus", content=body, headers=as_partner(active))
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("id",), "id"),
        (("data", "documentId"), "data.documentId"),
        (("data", "spaceId"), "data.spaceId"),
        (("data", "partnerId"), "data.partnerId"),
        (("data", "folder"), "data.folder"),
        (("channel",), "channel"),
    ],
)
async def test_unstorable_text_in_a_message_answers_400_naming_the_field(
    client: AsyncTestClient[Any], clock: FixedClock, active: str, path: tuple[str, ...], field: str
) -> None:
    document = json.loads(message("m-nul", active, "c1", "doc-1", clock.at.isoformat()))
    *parents, last = path
    holder = document
    for parent in parents:
        holder = holder[parent]
    holder[last] = f"{holder[last]}\x00"
    body = json.dumps(document).encode()
    assert_problem(await client.post("/v1/messages", content=body, headers=signed(body)), 400, field)


async def test_a_partner_token_whose_subject_holds_nul_is_unauthenticated(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.put("/v1/extension", headers=as_partner(f"p{NUL}"))
    assert_problem(response, 401)


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/v1/clients/c1/octopus"), ("PATCH", "/v1/extension"), ("POST", "/v1/messages")],
)
@pytest.mark.parametrize("deep", [DEEP, b'{"a": ' + b'{"b": ' * 5_000 + b"1" + b"}" * 5_001])
async def test_json_nested_thousands_deep_answers_400(
    client: AsyncTestClient[Any], active: str, method: str, path: str, deep: bytes
) -> None:
    headers = as_partner(active) | signed(deep)
    response = await client.request(method, path, content=deep, headers=headers)
    assert_problem(response, 400)
    assert "deeper than 32" in response.json()["detail"]


async def test_brackets_inside_strings_do_not_count_as_nesting(
    client: AsyncTestClient[Any], active: str
) -> None:
    body = json.dumps({"mailbox": IMPORT_MAILBOX, "vatNumber": None, "note": "[" * 100}).encode()
    response = await client.put("/v1/clients/c1/octopus", content=body, headers=as_partner(active))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_an_occurred_at_outside_utc_range_answers_400_naming_it(
    client: AsyncTestClient[Any], active: str, occurred_at: str
) -> None:
    body = message("m-date", active, "c1", "doc-1", occurred_at)
    assert_problem(
        await client.post("/v1/messages", content=body, headers=signed(body)), 400, "data.occurredAt"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"active": "false", "confirm": "true"},
        {"active": False, "confirm": "true"},
        {"active": 0, "confirm": 1},
        {"active": "0", "confirm": True},
    ],
)
async def test_strings_and_numbers_are_not_taken_as_booleans(
    client: AsyncTestClient[Any], active: str, body: dict[str, Any]
) -> None:
    response = await client.patch("/v1/extension", json=body, headers=as_partner(active))
    problem = assert_problem(response, 400, next(k for k, v in body.items() if not isinstance(v, bool)))
    assert "bool" in problem["detail"]
    assert (await client.get("/v1/extension", headers=as_partner(active))).json()["active"] is True


async def test_a_dossier_id_given_as_a_string_is_refused(client: AsyncTestClient[Any], active: str) -> None:
    body = {"mailbox": IMPORT_MAILBOX, "dossierId": "11"}
    assert_problem(
        await client.put("/v1/clients/c1/octopus", json=body, headers=as_partner(active)), 400, "dossierId"
    )


@pytest.mark.parametrize(
    "mailbox",
    ["=?utf-8?b?ZXZpbEBleGFtcGxlLmNvbQ==?=@b.be", "=?utf-8?q?evil=40example.com?=@import.octopus.be"],
)
async def test_a_mailbox_written_as_an_encoded_word_answers_422(
    client: AsyncTestClient[Any], active: str, mailbox: str
) -> None:
    response = await client.put(
        "/v1/clients/c2/octopus", json={"mailbox": mailbox}, headers=as_partner(active)
    )
    assert_problem(response, 422, "mailbox")


async def test_an_octopus_callback_from_another_browser_is_refused_and_the_right_one_completes(
    client: AsyncTestClient[Any], world: OctopusWorld, partner: str
) -> None:
    headers = as_partner(partner)
    await client.put("/v1/extension", headers=headers)
    start = await client.get(
        "/v1/extension/octopus/connect",
        params={"returnUrl": RETURN_URL},
        headers=headers,
        follow_redirects=False,
    )
    cookie = start.cookies[COOKIE]
    assert f"Path={CALLBACK}" in start.headers["set-cookie"] and "HttpOnly" in start.headers["set-cookie"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=standin_app(world))) as octopus_login:
        login = await octopus_login.get(start.headers["location"])
    callback = f"{CALLBACK}?{urlsplit(login.headers['location']).query}"
    for other_browser in ({}, {COOKIE: "x" * 43}, {COOKIE: cookie[:-1]}):
        client.cookies.clear()
        client.cookies.update(other_browser)
        refused = await client.get(callback, follow_redirects=False)
        assert_problem(refused, 400, "state")
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie)
    done = await client.get(callback, follow_redirects=False)
    assert done.status_code == 302 and done.headers["location"] == f"{RETURN_URL}?octopus=connected"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
TEXT = st.text(max_size=30) | st.sampled_from(
    ["document", "approved", "sent", "PURCHASES", "SALES", "INVOICE"]
)
DATA_TEXTS = ("documentId", "spaceId", "partnerId", "folder", "documentCategory")
MESSAGE_LIKE = st.fixed_dictionaries(
    {"id": TEXT | JSON, "category": TEXT | JSON, "type": TEXT | JSON},
    optional={
        "data": st.fixed_dictionaries(
            {},
            optional=dict.fromkeys(
                ("documentId", "spaceId", "partnerId", "folder", "documentCategory"), TEXT | JSON
            )
            | {"occurredAt": st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()) | TEXT},
        )
        | JSON
    },
)


@hypothesis.settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=300)
    | JSON.map(lambda value: json.dumps(value).encode())
    | MESSAGE_LIKE.map(lambda value: json.dumps(value).encode())
    | MESSAGE_LIKE.map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
)
@example(body=DEEP)
@example(
    body=b'{"id": "m", "category": "document", "type": "approved", "data": {"documentId": "d",'
    b' "spaceId": "c", "partnerId": "p", "folder": "PURCHASES", "documentCategory": "INVOICE",'
    b' "occurredAt": "0001-01-01T00:00:00+14:00"}}'
)
async def test_a_correctly_signed_body_never_answers_5xx(client: AsyncTestClient[Any], body: bytes) -> None:
    response = await client.post("/v1/messages", content=body, headers=signed(body))
    assert response.status_code in (202, 400, 413), response.text


@pytest.mark.parametrize(("language", "says"), [("en", "another browser"), ("nl", "andere browser")])
async def test_a_browser_sent_back_with_a_login_it_cannot_complete_sees_a_page_saying_so(
    client: AsyncTestClient[Any], language: str, says: str
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": language}
    response = await client.get(f"{CALLBACK}?state=another-browsers-state&code=x", headers=browser)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert says in response.text and f'lang="{language}"' in response.text


def test_outside_development_the_login_cookie_is_secure_and_may_be_set_inside_banqup_s_frame() -> None:
    production = Settings(env="production", secret_key="k", api_token_secret="a", webhook_secret="w")
    cookie = cookie_for("s" * 43, production).to_header(header="")
    assert "Secure" in cookie and "SameSite=none" in cookie and "HttpOnly" in cookie
    assert f"Path={CALLBACK}" in cookie
