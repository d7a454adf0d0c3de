"""The `octobridge` command through the real container, on SQLite, as an operator runs it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

OCTOBRIDGE = [sys.executable, "-c", "from entrypoints.cli.main import main; main()"]


def octobridge(*args: str, var: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OCTOBRIDGE_")}
    environment.update({"OCTOBRIDGE_VAR_DIR": str(var), "COLUMNS": "200", **env})
    return subprocess.run(
        [*OCTOBRIDGE, *args], capture_output=True, text=True, env=environment, timeout=120, check=False
    )


def test_db_upgrade_creates_the_schema_and_is_safe_to_run_again(tmp_path: Path) -> None:
    database = tmp_path / "octobridge.db"
    url = f"sqlite+aiosqlite:///{database}"
    for _ in range(2):
        result = octobridge("db", "upgrade", var=tmp_path, OCTOBRIDGE_DATABASE_URL=url)
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type='table'")}
    assert {"extensions", "client_integrations", "exports", "outbox", "received_messages"} <= tables


def test_the_demo_shows_what_was_exported_and_skipped_and_why(tmp_path: Path) -> None:
    result = octobridge("demo", "--json", var=tmp_path)
    assert result.returncode == 0, result.stderr
    steps = {row["step"]: (row["outcome"], row["detail"]) for row in json.loads(result.stdout)}
    assert steps["connect with Octopus"][1].endswith("?octopus=connected")
    assert (
        "not an Octopus dossier import address" in steps["activate space-atelier with compta@atelier.be"][1]
    )
    expectations = {
        "purchase approved before activation": ("skipped", "before-activation"),
        "the same message again": ("ignored", "repeat"),
        "purchase paid (not an approval)": ("ignored", "not-approval-or-sending"),
        "sales sent after the client was deactivated": ("skipped", "client-inactive"),
        "purchase approved after the switch was off": ("skipped", "extension-inactive"),
    }
    for step, expected in expectations.items():
        assert steps[step] == expected, step
    for step in ("purchase approved", "sales invoice sent", "sales credit note sent"):
        assert steps[step][0] == "exported" and steps[step][1].startswith("export ")
    with sqlite3.connect(tmp_path / "demo.db") as connection:
        statuses = sorted(row[0] for row in connection.execute("select status from exports"))
    assert statuses == ["queued", "queued", "queued", "skipped", "skipped", "skipped"]
    table = octobridge("demo", var=tmp_path)
    assert table.returncode == 0 and "what happened to each step" in table.stdout


def test_bad_settings_give_exit_2_and_one_line(tmp_path: Path) -> None:
    result = octobridge("demo", var=tmp_path, OCTOBRIDGE_RETRY_BASE_SECONDS="soon")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "octobridge: OCTOBRIDGE_RETRY_BASE_SECONDS must be a number, not 'soon'"
    ]


def test_production_refuses_generated_secrets(tmp_path: Path) -> None:
    result = octobridge("db", "upgrade", var=tmp_path, OCTOBRIDGE_ENV="production")
    assert result.returncode == 2
    assert "OCTOBRIDGE_WEBHOOK_SECRET" in result.stderr and "Traceback" not in result.stderr


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
