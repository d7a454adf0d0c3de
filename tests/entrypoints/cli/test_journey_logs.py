"""What octobridge's processes write, read back from real processes: above all the whole journey with
`serve --access-log` and `LOG_FORMAT=json`, `serve` and `worker` started as the demo starts them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from entrypoints.logs import configured_secrets
from sandbox.banqup_calls import partner_token
from sandbox.demo import PARTNER, Banqup, Stage, log_dir, play, stage
from sandbox.server import free_port
from tests.entrypoints.cli.test_cli import octobridge

FORGED = '{"timestamp":"2026-01-01T00:00:00Z","level":"info","logger":"x","event":"forged"}'


async def connect_again(running: Stage) -> dict[str, str]:
    """The accountant connects once more, from the same browser; the OAuth code and state it used."""
    async with httpx.AsyncClient(timeout=30) as browser:
        callback = await Banqup(running, browser).log_in_at_octopus()
        assert (await browser.get(callback)).status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}


@pytest.mark.slow
def test_every_line_of_every_process_is_json_without_a_secret_or_a_forged_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OCTOBRIDGE_DATABASE_URL", "OCTOBRIDGE_BROKER_URL", "OCTOBRIDGE_SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OCTOBRIDGE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("OCTOBRIDGE_BANQUP_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("OCTOBRIDGE_LOG_FORMAT", "json")
    with stage(tmp_path, free_port(), access_log=True) as running:
        rows = asyncio.run(play(running))  # install, connect, activate, messages, deliveries
        oauth = asyncio.run(connect_again(running))
        page_token = partner_token(PARTNER, running.settings.api_token_secret)
        with httpx.Client(base_url=running.api, follow_redirects=True) as browser:
            page = browser.get("/pages/extension", params={"token": page_token})
            forged = browser.get(f"/v1/x%0d%0a{FORGED}%0d%0a")
            named = browser.get("/healthz", headers={"X-Request-ID": "journey-1"})
        secrets = (*configured_secrets(running.settings), *running.octopus.issued)
    assert ("purchase invoice approved", "delivered") in {(row.step, row.outcome) for row in rows}
    assert page.status_code == 200 and forged.status_code == 404 and oauth.keys() == {"code", "state"}

    logs = {name: (log_dir(tmp_path) / f"{name}.log").read_text() for name in ("serve", "worker")}
    lines = {name: [json.loads(line) for line in text.splitlines()] for name, text in logs.items()}
    for line in (*lines["serve"], *lines["worker"]):
        assert isinstance(line, dict) and {"timestamp", "level", "logger", "event"} <= line.keys(), line
    assert any(line["logger"] == "octobridge.worker" for line in lines["worker"])

    written = "".join(logs.values())
    for secret in (page_token, oauth["code"], oauth["state"], *secrets):
        assert secret not in written
    assert "eyJ" not in written, "no JWT of any kind"

    access = [line for line in lines["serve"] if line["logger"] == "octobridge.access"]
    assert not [line for line in (*lines["serve"], *lines["worker"]) if line["event"] == "forged"]
    (forging,) = [line for line in access if "forged" in line["path"]]
    assert forging["path"] == f"/v1/x\\x0d\\x0a{FORGED}\\x0d\\x0a" and forging["status"] == 404
    callbacks = [line for line in access if line["path"] == "/v1/octopus/callback"]
    assert callbacks and all(line["query"] == "code=[redacted]&state=[redacted]" for line in callbacks)
    (opened,) = [line for line in access if line["path"] == "/pages/extension" and "token" in line["query"]]
    assert opened["query"] == "token=[redacted]"

    assert all(line.get("request_id") for line in access)
    answered = {r.headers["x-request-id"] for r in (*page.history, page, forged, named)}
    assert answered <= {line["request_id"] for line in access} and "journey-1" in answered
    in_requests = {line["request_id"] for line in lines["serve"] if "request_id" in line}
    assert in_requests == {line["request_id"] for line in access}, "each line of a request names it"


def test_db_upgrade_logs_json_lines_when_asked(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/octobridge.db"
    result = octobridge(
        "db", "upgrade", var=tmp_path, OCTOBRIDGE_DATABASE_URL=url, OCTOBRIDGE_LOG_FORMAT="json"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(line["logger"].startswith("alembic") and "0001" in line["event"] for line in lines)


def test_the_dead_letter_commands_log_aio_pika_as_json_without_the_broker_password(tmp_path: Path) -> None:
    broker = "amqp://guest:password-of-the-broker@127.0.0.1:1/"
    result = octobridge(
        "messages", "dead", "list", var=tmp_path, OCTOBRIDGE_BROKER_URL=broker, OCTOBRIDGE_LOG_FORMAT="json"
    )
    *logged, error = result.stderr.splitlines()
    assert result.returncode != 0 and error.startswith("octobridge: the broker cannot be reached")
    assert logged and all(json.loads(line)["logger"].startswith(("aio_pika", "aiormq")) for line in logged)
    assert "password-of-the-broker" not in result.stderr
