"""Errors as RFC 9457 problem details, the partner token, and the connect flow's refusals."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from litestar.testing import AsyncTestClient

from sandbox.octopus import OctopusWorld
from tests.conftest import FixedClock
from tests.entrypoints.http.conftest import (
    API_TOKEN_SECRET,
    RETURN_URL,
    as_partner,
    install_and_connect,
    partner_token,
)

P1 = "partner-1"


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert set(problem) == {"type", "title", "status", "detail", "field"}
    assert problem["status"] == status and problem["type"] == "about:blank" and problem["detail"]
    assert problem["field"] == field
    return problem


def raw_token(**claims: Any) -> str:
    payload = {"iss": "banqup", "aud": "octobridge", "sub": P1, "exp": int(time.time()) + 300} | claims
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None}, API_TOKEN_SECRET, algorithm="HS256"
    )


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no header"),
        pytest.param("Basic dXNlcjpwYXNz", id="not bearer"),
        pytest.param("Bearer ", id="empty"),
        pytest.param(
            f"Bearer {partner_token(P1, secret='another-secret-of-at-least-32-bytes')}", id="wrong secret"
        ),
        pytest.param(f"Bearer {raw_token(iss='someone')}", id="wrong issuer"),
        pytest.param(f"Bearer {raw_token(aud='another-service')}", id="wrong audience"),
        pytest.param(f"Bearer {raw_token(exp=int(time.time()) - 120)}", id="expired"),
        pytest.param(f"Bearer {raw_token(exp=int(time.time()) + 3600)}", id="lives an hour"),
        pytest.param(f"Bearer {raw_token(exp=None)}", id="no expiry"),
        pytest.param(f"Bearer {raw_token(sub=None)}", id="no partner"),
        pytest.param(f"Bearer {raw_token(sub='p' * 201)}", id="partner id too long"),
        pytest.param(
            "Bearer " + jwt.encode({"iss": "banqup", "aud": "octobridge", "sub": P1}, None, algorithm="none"),
            id="unsigned",
        ),
    ],
)
async def test_a_missing_or_bad_partner_token_answers_401(
    client: AsyncTestClient[Any], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get("/v1/extension", headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_within_ten_minutes_and_a_little_skew_is_accepted(client: AsyncTestClient[Any]) -> None:
    token = raw_token(exp=int(time.time()) + 600 + 20)
    assert (
        await client.put("/v1/extension", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 201
    expired_within_leeway = raw_token(exp=int(time.time()) - 10)
    response = await client.get("/v1/extension", headers={"Authorization": f"Bearer {expired_within_leeway}"})
    assert response.status_code == 200


async def test_errors_are_problem_details_naming_the_field(
    client: AsyncTestClient[Any], world: OctopusWorld, caplog: pytest.LogCaptureFixture
) -> None:
    headers = as_partner(P1)
    assert_problem(await client.get("/v1/extension", headers=headers), 404)
    not_installed = await client.put("/v1/clients/c1/octopus", json={"mailbox": "a@b.be"}, headers=headers)
    assert_problem(not_installed, 409)
    await install_and_connect(client, world, P1)

    bad_mailbox = await client.put("/v1/clients/c1/octopus", json={"mailbox": "a@b@c"}, headers=headers)
    assert_problem(bad_mailbox, 422, "mailbox")
    header_trick = await client.put(
        "/v1/clients/c1/octopus", json={"mailbox": "a@b.be\r\nBcc: x@evil.example"}, headers=headers
    )
    assert_problem(header_trick, 422, "mailbox")
    missing = await client.put("/v1/clients/c1/octopus", json={"vatNumber": "BE0123456749"}, headers=headers)
    assert "mailbox" in assert_problem(missing, 400, "mailbox")["detail"]
    bad_vat = await client.put(
        "/v1/clients/c1/octopus", json={"mailbox": "a@b.be", "vatNumber": "BE0000000001"}, headers=headers
    )
    assert bad_vat.status_code == 422 and bad_vat.json()["field"]
    unknown_dossier = await client.put(
        "/v1/clients/c1/octopus", json={"mailbox": "a@b.be", "dossierId": 999}, headers=headers
    )
    assert_problem(unknown_dossier, 400, "dossierId")
    not_json = await client.patch(
        "/v1/extension", content=b"{", headers=headers | {"Content-Type": "application/json"}
    )
    assert_problem(not_json, 400)
    limit = await client.get("/v1/clients/c1/exports", params={"limit": 0}, headers=headers)
    assert_problem(limit, 400, "limit")
    assert_problem(await client.get("/v1/nowhere", headers=headers), 404)
    assert_problem(
        await client.patch("/v1/extension", content=b"{", headers={"Authorization": "Bearer x"}), 401
    )
    await asyncio.sleep(0.05)  # let anything cancelled under a failing request report itself
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_dossiers_need_a_connection(client: AsyncTestClient[Any]) -> None:
    headers = as_partner(P1)
    await client.put("/v1/extension", headers=headers)
    assert_problem(await client.get("/v1/octopus/dossiers", headers=headers), 409)


async def test_the_connect_flow_refuses_foreign_origins_and_unknown_expired_or_reused_states(
    client: AsyncTestClient[Any], clock: FixedClock, world: OctopusWorld
) -> None:
    headers = as_partner(P1)
    await client.put("/v1/extension", headers=headers)
    for evil in (
        "https://evil.example/steal",
        "https://partner.banqup.example.evil.example/",
        "javascript:alert(1)",
    ):
        response = await client.get(
            "/v1/extension/octopus/connect",
            params={"returnUrl": evil},
            headers=headers,
            follow_redirects=False,
        )
        assert_problem(response, 400, "returnUrl")

    async def begin() -> str:
        start = await client.get(
            "/v1/extension/octopus/connect",
            params={"returnUrl": RETURN_URL},
            headers=headers,
            follow_redirects=False,
        )
        query = parse_qs(urlsplit(start.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"] and query["scope"] == ["webservice"]
        return query["state"][0]

    async def callback(**params: str) -> Any:
        return await client.get("/v1/octopus/callback", params=params, follow_redirects=False)

    assert_problem(await callback(state="never-issued", code="x"), 400, "state")
    expired = await begin()
    clock.advance(minutes=11)
    assert_problem(await callback(state=expired, code="x"), 400, "state")

    denied = await begin()
    back = await callback(state=denied, error="access_denied")
    assert back.status_code == 302
    assert back.headers["location"] == f"{RETURN_URL}?octopus=error&reason=access_denied"
    assert_problem(await callback(state=denied, code="x"), 400, "state")

    refused = await begin()
    back = await callback(state=refused, code="a-code-octopus-never-issued")
    location = urlsplit(back.headers["location"])
    assert back.status_code == 302 and parse_qs(location.query)["octopus"] == ["error"]
    assert (await client.get("/v1/extension", headers=headers)).json()["state"] == "installed"
