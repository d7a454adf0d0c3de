"""`octobridge clients backfill PARTNER CLIENT --from … [--to …] [--wait]` exactly as CONTRACTS §9
says: one JSON object and exit 0; exit 1 and one line when it cannot run; exit 2 and one line on
stderr for days that are missing, not dates or out of range."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox.banqup import BanqupStandIn
from sandbox.banqup_history import hold_history
from tests.builders import MAILBOX
from tests.entrypoints.cli.operator import Operator

TODAY = datetime.now(UTC).date()


@pytest.fixture
def active(operator: Operator, tmp_path: Path) -> Operator:
    """p1 connected, with client c1 active."""
    operator.install("p1", connect=True)
    path = tmp_path / "clients.csv"
    path.write_text(f"partnerId,clientId,mailbox,vatNumber\np1,c1,{MAILBOX},\n")
    assert operator("clients", "import", str(path)).exit_code == 0
    return operator


def test_a_backfill_is_started_and_printed_at_once_and_a_second_is_refused(active: Operator) -> None:
    first = (TODAY - timedelta(days=30)).isoformat()
    started = active("clients", "backfill", "p1", "c1", "--from", first)
    assert started.exit_code == 0, started.output
    body = json.loads(started.stdout)
    assert body | {"id": "…"} == {
        "id": "…",
        "clientId": "c1",
        "from": first,
        "to": TODAY.isoformat(),
        "state": "running",
        "listed": 0,
        "queued": 0,
        "alreadyExported": 0,
        "ignored": 0,
        "error": None,
    }
    again = active("clients", "backfill", "p1", "c1", "--from", first, "--to", TODAY.isoformat())
    assert again.exit_code == 1
    assert again.stdout == "" and len(again.stderr.splitlines()) == 1 and "running" in again.stderr


def test_a_client_not_active_is_refused_with_one_line(active: Operator) -> None:
    assert active("clients", "deactivate", "p1", "c1").exit_code == 0
    refused = active("clients", "backfill", "p1", "c1", "--from", TODAY.isoformat())
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "octobridge: the client's Octopus integration is not active: no backfill can run"
    ]


def test_a_client_without_an_integration_is_refused_with_one_line_too(active: Operator) -> None:
    refused = active("clients", "backfill", "p1", "c-unknown", "--from", TODAY.isoformat())
    assert refused.exit_code == 1
    assert len(refused.stderr.splitlines()) == 1 and refused.stdout == ""


@pytest.mark.parametrize(
    ("days", "field"),
    [
        ((), "from"),
        (("--from", "2026/09/01"), "from"),
        (("--from", "2026-02-30"), "from"),
        (("--from", "20260901"), "from"),
        (("--from", (TODAY - timedelta(days=401)).isoformat()), "from"),
        (("--from", TODAY.isoformat(), "--to", "tomorrow"), "to"),
        (("--from", TODAY.isoformat(), "--to", (TODAY + timedelta(days=1)).isoformat()), "to"),
        (("--from", TODAY.isoformat(), "--to", (TODAY - timedelta(days=1)).isoformat()), "from"),
    ],
)
def test_bad_days_exit_2_with_one_line_naming_the_field(
    active: Operator, days: tuple[str, ...], field: str
) -> None:
    refused = active("clients", "backfill", "p1", "c1", *days)
    assert refused.exit_code == 2
    assert refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert line.startswith(f"octobridge: {field}: ")


def test_wait_runs_it_to_the_end_with_a_progress_bar_and_the_counts_of_the_documents_in_range(
    active: Operator, banqup: tuple[BanqupStandIn, str]
) -> None:
    stand_in, url = banqup
    held = hold_history(stand_in, "c1", 300, 500, TODAY)
    first = TODAY - timedelta(days=399)
    in_range = [d for d in held if d.approved_or_sent_at.date() >= first]
    withdrawn = [d for d in in_range if d.status == "REJECTED"]
    active.env |= {
        "OCTOBRIDGE_BANQUP_API_URL": url,
        "OCTOBRIDGE_BANQUP_CLIENT_ID": stand_in.client_id,
        "OCTOBRIDGE_BANQUP_CLIENT_SECRET": stand_in.client_secret,
    }
    ended = active("clients", "backfill", "p1", "c1", "--from", first.isoformat(), "--wait")
    assert ended.exit_code == 0, ended.output
    body = json.loads(ended.stdout)
    assert (body["state"], body["listed"], body["ignored"]) == ("done", len(in_range), len(withdrawn))
    assert body["queued"] == len(in_range) - len(withdrawn) and body["alreadyExported"] == 0
    listed = json.loads(active("exports", "list", "--partner", "p1", "--limit", "1000", "--json").stdout)[
        "items"
    ]
    assert sorted(e["documentId"] for e in listed) == sorted(
        d.document_id for d in in_range if d.status != "REJECTED"
    )
    assert {e["origin"] for e in listed} == {"backfill"}
