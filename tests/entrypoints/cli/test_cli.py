"""The `octobridge` command through the real container, on SQLite, as an operator runs it."""

from __future__ import annotations

import importlib.metadata
import json
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sandbox.server import free_port
from tests.entrypoints.cli.process import OCTOBRIDGE, environment, octobridge


def test_db_upgrade_creates_the_schema_and_is_safe_to_run_again(tmp_path: Path) -> None:
    database = tmp_path / "octobridge.db"
    url = f"sqlite+aiosqlite:///{database}"
    for _ in range(2):
        result = octobridge("db", "upgrade", var=tmp_path, OCTOBRIDGE_DATABASE_URL=url)
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type='table'")}
    assert {"extensions", "client_integrations", "exports", "outbox", "received_messages"} <= tables


def test_the_demo_shows_what_became_of_each_document_and_why(tmp_path: Path) -> None:
    port, banqup = str(free_port()), f"http://127.0.0.1:{free_port()}"
    result = octobridge("demo", "--json", "--port", port, var=tmp_path, OCTOBRIDGE_BANQUP_API_URL=banqup)
    assert result.returncode == 0, result.stderr
    steps = {row["step"]: (row["outcome"], row["detail"]) for row in json.loads(result.stdout)}
    assert steps["connect with Octopus (login at the stand-in)"] == (
        "connected",
        f"http://127.0.0.1:{port}/pages/extension?octopus=connected",
    )
    assert "no VAT number" in steps["activate space-cafe → uid-000103-01@import.octopus.be"][1]
    expectations = {
        "purchase approved before activation": ("skipped", "before-activation"),
        "the same message again": ("ignored", "repeat"),
        "purchase after the client was deactivated": ("skipped", "client-inactive"),
        "purchase invoice approved": ("delivered", "uid-000101-01@import.octopus.be — booked by Octopus"),
        "sales invoice sent": ("delivered", "uid-000102-01@import.octopus.be — booked by Octopus"),
        "sales credit note sent": ("delivered", "uid-000102-01@import.octopus.be — booked by Octopus"),
    }
    for step, expected in expectations.items():
        assert steps[step] == expected, step
    outcome, detail = steps["purchase whose totals do not add up"]
    assert outcome == "failed" and detail.startswith("OCTOBRIDGE-TOTALS: totals.payable")
    outcome, detail = steps["purchase for a dossier without VAT number"]
    assert outcome == "delivered" and "not booked: the dossier has no VAT number" in detail
    bounce = "delivery report: failed 5.1.1 — smtp; 550 5.1.1 <uid-000104-01@import.octopus.be>"
    outcome, detail = steps["purchase to a mailbox that bounces it later"]
    assert outcome == "failed" and detail.startswith(bounce)  # delivered first, bounced later
    outcome, detail = steps["space-bakkerij's mailbox, after the bounce"]
    assert outcome == "refused" and detail.startswith(bounce)
    old, new = "uid-000102-01@import.octopus.be", "uid-000102-02@import.octopus.be"
    assert steps["space-atelier's dossier moves in Octopus"] == ("moved", f"{old} refused from now on")
    refusal = f"550 5.1.1 <{old}>: no Octopus dossier has this address"
    assert steps["sales invoice after the move"] == ("failed", refusal)
    assert steps["next sales invoice, while refused"] == ("held", "queued, not attempted")
    assert steps["space-atelier's mailbox, after the refusal"] == (
        "refused",
        "attention: mailboxRefused, 2 documents",
    )
    assert steps[f"new address for space-atelier → {new}"] == ("200", "no warning")
    for step in ("sales invoice after the move", "next sales invoice, while refused"):
        assert steps[f"{step}, after the new address"] == ("delivered", f"{new} — booked by Octopus"), step
    assert steps["space-atelier's mailbox, after the new address"] == (
        "ok",
        "attention: none; the old address tried 1× since the move",  # the refused mail, not the held one
    )
    mails = sorted(p.parent.name for p in (tmp_path / "octopus-inbox").glob("*/*.eml"))
    assert mails == [
        "uid-000101-01@import.octopus.be",
        old,  # the sales invoice and the credit note, before the move
        old,
        new,  # the refused document and the held one
        new,
        "uid-000103-01@import.octopus.be",
        "uid-000104-01@import.octopus.be",  # taken, then bounced
    ]
    verdicts = [
        json.loads(line) for line in (tmp_path / "octopus-inbox" / "log.jsonl").read_text().splitlines()
    ]
    to_new = [v["message_id"] for v in verdicts if v["mailbox"] == new]
    assert len(to_new) == len(set(to_new)) == 2, "each delivered once to the new address"
    assert [v["mailbox"] for v in verdicts[-2:]] == [new, new], "nothing to the old address after the move"
    table = octobridge("demo", "--port", port, var=tmp_path, OCTOBRIDGE_BANQUP_API_URL=banqup)
    assert table.returncode == 0 and "what became of each step" in table.stdout
    assert table.stderr == "", "no line per HTTP request, nor any other, around the table"
    assert f"{tmp_path / 'logs'}" in table.stdout, "the table says where octobridge's logs are"
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "logs" / "worker.log").stat().st_mode) == 0o600
    worker_log = (tmp_path / "logs" / "worker.log").read_text()
    assert "octobridge.worker" in worker_log and (tmp_path / "logs" / "serve.log").exists()
    assert "delivery report" in (tmp_path / "logs" / "bounces.log").read_text()


def test_bad_settings_give_exit_2_and_one_line(tmp_path: Path) -> None:
    result = octobridge("db", "upgrade", var=tmp_path, OCTOBRIDGE_RETRY_BASE_SECONDS="soon")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "octobridge: OCTOBRIDGE_RETRY_BASE_SECONDS must be a number, not 'soon'"
    ]


def test_help_loads_no_heavy_module() -> None:
    result = subprocess.run([*OCTOBRIDGE, "--help"], capture_output=True, text=True, check=True)
    assert "demo" in result.stdout and "db" in result.stdout
    heavy = "('sqlalchemy', 'litestar', 'lxml', 'saxonche')"
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, entrypoints.cli.main; print([m for m in {heavy} if m in sys.modules])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["no-such-command"], ["db", "sideways"]])
def test_bad_usage_exits_2(args: list[str], tmp_path: Path) -> None:
    result = octobridge(*args, var=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize(("flag", "logged"), [((), False), (("--access-log",), True)])
def test_serve_logs_requests_only_when_asked(flag: tuple[str, ...], logged: bool, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/octobridge.db"
    assert octobridge("db", "upgrade", var=tmp_path, OCTOBRIDGE_DATABASE_URL=url).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [*OCTOBRIDGE, "serve", "--port", str(port), *flag],
        env=environment(tmp_path, OCTOBRIDGE_DATABASE_URL=url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=30)
    assert "Application startup complete" in log
    assert ("method=GET path=/healthz" in log and "status=200" in log) is logged


def test_the_worker_compiles_its_rules_before_it_claims_anything(tmp_path: Path) -> None:
    """A stylesheet that cannot be compiled stops the worker at once, not after it has taken exports."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "PEPPOL-EN16931-UBL.xslt").write_text("<not-a-stylesheet/>")
    assert octobridge("db", "upgrade", var=tmp_path).returncode == 0
    result = octobridge("worker", var=tmp_path, OCTOBRIDGE_PEPPOL_XSLT_DIR=str(rules))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "octobridge: the validation stylesheet PEPPOL-EN16931-UBL.xslt cannot be compiled"
    ]


def test_version_is_the_installed_one(tmp_path: Path) -> None:
    result = octobridge("--version", var=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"octobridge {importlib.metadata.version('octobridge')}\n"
