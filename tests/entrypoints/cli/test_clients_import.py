"""`octobridge clients import` (CONTRACTS §1, R21): report, exit codes, dry run, running twice."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.entrypoints.cli.client_files import BAD_KINDS, PARTNERS, write_client_file
from tests.entrypoints.cli.operator import Operator

OCTOBRIDGE = [sys.executable, "-c", "from entrypoints.cli.main import main; main()"]
GOOD = "uid-008352-24@import.octopus.be"
FILE = (
    "partnerId;clientId;mailbox;vatNumber\n"
    f"p1;c1;{GOOD};BE0123456749\n"
    "p1;c2;compta@atelier.be;\n"
    "p1;c3;compta@@atelier.be;\n"
    f'p1;"c\n4";{GOOD};\n'
    f"p9;c5;{GOOD};\n"
    f"p1;c1;{GOOD};BE0123456749\n"
    f"p1;c6;{GOOD};BE0123456748\n"
    f"p1;c7;{GOOD}\n"
)
REJECTED = [
    {"line": 4, "reason": "mailbox: must hold exactly one @"},
    {"line": 5, "reason": "clientId contains a line break"},
    {"line": 7, "reason": "partner 'p9' has not installed the extension"},
    {"line": 8, "reason": "the same partnerId and clientId as line 2"},
    {"line": 9, "reason": "vatNumber: check digits do not match (mod 97)"},
    {"line": 10, "reason": "3 field(s) where the header names 4"},
]


@pytest.fixture
def client_file(tmp_path: Path) -> Path:
    path = tmp_path / "clients.csv"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_the_report_names_every_rejected_row_and_a_second_run_changes_nothing(
    operator: Operator, client_file: Path
) -> None:
    operator.install("p1")
    first = operator("clients", "import", str(client_file), "--json")
    assert first.exit_code == 1
    assert json.loads(first.stdout) == {"imported": 2, "updated": 0, "unchanged": 0, "rejected": REJECTED}
    assert "importing" not in first.stderr
    assert "1 address(es) are not Octopus dossier import addresses" in first.stderr
    assert "line(s) 3" in first.stderr
    second = operator("clients", "import", str(client_file), "--json")
    assert json.loads(second.stdout) == {"imported": 0, "updated": 0, "unchanged": 2, "rejected": REJECTED}


def test_people_get_tables_and_a_progress_bar(operator: Operator, tmp_path: Path) -> None:
    operator.install("p1")
    path = tmp_path / "good.csv"
    path.write_bytes(f"\ufeffpartnerId,clientId,mailbox,vatNumber\r\np1,c1,{GOOD},\r\n".encode())
    result = operator("clients", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported" in result.stdout and "rejected rows" not in result.stdout
    assert "importing" in result.stderr and "1 rows" in result.stderr


def test_a_dry_run_reports_the_same_and_writes_nothing(operator: Operator, client_file: Path) -> None:
    operator.install("p1")
    checked = operator("clients", "import", str(client_file), "--dry-run", "--json")
    assert checked.exit_code == 1
    assert json.loads(checked.stdout) == {"imported": 2, "updated": 0, "unchanged": 0, "rejected": REJECTED}
    assert json.loads(operator("clients", "list", "--json").stdout) == []
    shown = operator("clients", "import", str(client_file), "--dry-run")
    assert "dry run: nothing was written" in shown.stdout and "checking (dry run)" in shown.stderr


def test_a_changed_address_is_an_update_with_history(operator: Operator, tmp_path: Path) -> None:
    operator.install("p1")
    path = tmp_path / "clients.csv"
    for mailbox, counts in ((GOOD, (1, 0, 0)), ("uid-000001-01@import.octopus.be", (0, 1, 0))):
        path.write_text(f"partnerId,clientId,mailbox,vatNumber\np1,c1,{mailbox},\n")
        result = operator("clients", "import", str(path), "--json")
        assert result.exit_code == 0
        report = json.loads(result.stdout)
        assert (report["imported"], report["updated"], report["unchanged"]) == counts
    shown = json.loads(operator("clients", "show", "p1", "c1", "--json").stdout)
    assert [h["mailbox"] for h in shown["history"]] == [GOOD, "uid-000001-01@import.octopus.be"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "the first line is empty"),
        (b"partner,client,mail\np1,c1,x@y.be\n", "the first line must name the columns"),
        (b"partnerId,clientId,mailbox,vatNumber,dossierId\n", "unknown column(s) 'dossierId'"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "the first line must name the columns"),
    ],
)
def test_an_unusable_file_exits_2_with_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes(content)
    env = {
        "OCTOBRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/o.db",
        "OCTOBRIDGE_VAR_DIR": str(tmp_path),
    }
    command = [*OCTOBRIDGE, "clients", "import", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("octobridge: ") and words in line


def test_a_missing_file_is_bad_usage(operator: Operator, tmp_path: Path) -> None:
    result = operator("clients", "import", str(tmp_path / "nowhere.csv"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


@pytest.mark.postgres
def test_the_import_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    operator = Operator(postgres_url, tmp_path)
    partner = f"p-{uuid.uuid4().hex[:8]}"
    operator.install(partner)
    path = tmp_path / "clients.csv"
    path.write_text(FILE.replace("p1;", f"{partner};"), encoding="utf-8")
    first = operator("clients", "import", str(path), "--json")
    assert json.loads(first.stdout) == {"imported": 2, "updated": 0, "unchanged": 0, "rejected": REJECTED}
    second = operator("clients", "import", str(path), "--json")
    assert json.loads(second.stdout) == {"imported": 0, "updated": 0, "unchanged": 2, "rejected": REJECTED}
    listed = json.loads(operator("clients", "list", "--partner", partner, "--json").stdout)
    assert [(c["clientId"], c["mailbox"], c["active"]) for c in listed] == [
        ("c1", GOOD, True),
        ("c2", "compta@atelier.be", True),
    ]


@pytest.mark.slow
def test_100_000_rows_with_one_percent_bad_report_exactly_the_bad_rows(
    operator: Operator, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    expected = write_client_file(path, 100_000, separator=";", bom=True)
    assert len(expected) == 1000 and set(expected.values()) == set(BAD_KINDS.values())
    operator.install(*PARTNERS)
    for run, counts in ((1, (99_000, 0, 0)), (2, (0, 0, 99_000))):
        command = [*OCTOBRIDGE, "clients", "import", str(path), "--json"]
        result = subprocess.run(
            command, capture_output=True, text=True, env=operator.env, timeout=120, check=False
        )
        assert result.returncode == 1, result.stderr
        report = json.loads(result.stdout)
        assert (report["imported"], report["updated"], report["unchanged"]) == counts, run
        assert [r["line"] for r in report["rejected"]] == sorted(expected)
        for rejected in report["rejected"]:
            assert expected[rejected["line"]] in rejected["reason"], rejected


def test_a_write_the_database_refuses_exits_1_with_one_line(
    operator: Operator, client_file: Path, tmp_path: Path
) -> None:
    operator.install("p1")
    with sqlite3.connect(tmp_path / "octobridge.db") as database:
        database.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON client_integrations"
            " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    result = operator("clients", "import", str(client_file))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (  # after the progress bar
        "octobridge: the database refused the write, and nothing of it was stored: refused by the test"
    )
