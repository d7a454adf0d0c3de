"""`octobridge clients|exports|extension …` through the real container on SQLite (R17, R21, R3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.use_cases.uninstall_extension import Uninstall
from domain.export import Export, ExportStatus
from entrypoints.container import Container
from tests.builders import MAILBOX, an_export
from tests.entrypoints.cli.operator import Operator

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clients(operator: Operator, tmp_path: Path) -> Operator:
    """p1 with an Octopus client c1 and a client c2 on another address; p2 with c1."""
    operator.install("p1", "p2")
    path = tmp_path / "clients.csv"
    path.write_text(
        "partnerId,clientId,mailbox,vatNumber\n"
        f"p1,c1,{MAILBOX},BE0123456749\n"
        "p1,c2,compta@atelier.be,\n"
        f"p2,c1,{MAILBOX},\n"
    )
    assert operator("clients", "import", str(path)).exit_code == 0
    return operator


def test_clients_list_filters_by_partner_and_state(clients: Operator) -> None:
    listed = json.loads(clients("clients", "list", "--json").stdout)
    assert [(c["partnerId"], c["clientId"], c["active"]) for c in listed] == [
        ("p1", "c1", True),
        ("p1", "c2", True),
        ("p2", "c1", True),
    ]
    assert clients("clients", "deactivate", "p1", "c2").exit_code == 0
    inactive = json.loads(clients("clients", "list", "--inactive", "--json").stdout)
    assert [(c["partnerId"], c["clientId"]) for c in inactive] == [("p1", "c2")]
    of_p2 = json.loads(clients("clients", "list", "--partner", "p2", "--json").stdout)
    assert [c["clientId"] for c in of_p2] == ["c1"]
    table = clients("clients", "list", "--limit", "1")
    assert "compta@atelier.be" not in table.stdout and MAILBOX in table.stdout
    assert "showing 1 of 3" in table.stderr


def test_clients_show_and_deactivate(clients: Operator) -> None:
    shown = clients("clients", "show", "p1", "c1")
    assert shown.exit_code == 0
    assert all(words in shown.stdout for words in (MAILBOX, "BE0123456749", "mailbox history", "(now)"))
    deactivated = json.loads(clients("clients", "deactivate", "p1", "c1", "--json").stdout)
    assert deactivated["active"] is False and deactivated["periods"][0]["end"] is not None
    assert json.loads(clients("clients", "show", "p2", "c1", "--json").stdout)["active"] is True
    missing = clients("clients", "show", "p1", "c9")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == "octobridge: this client has no Octopus integration"


def put(operator: Operator, *exports: Export) -> None:
    async def work(container: Container) -> None:
        units = await container.infrastructure.units_of_work()
        async with units() as uow:
            for export in exports:
                await uow.exports.add(export)
            await uow.commit()

    operator.seed(work)


@pytest.fixture
def exports(operator: Operator) -> dict[str, Export]:
    made = {
        "queued": an_export(START),
        "failed": an_export(START + timedelta(days=1)),
        "skipped": an_export(START + timedelta(days=2), status=ExportStatus.SKIPPED),
        "failed-p2": an_export(START + timedelta(days=3), partner="p2", client="c7"),
    }
    for name in ("failed", "failed-p2"):
        made[name].failed(START + timedelta(days=4), "550 5.1.1 mailbox unknown")
    put(operator, *made.values())
    return made


def ids(result_stdout: str) -> list[str]:
    return [item["id"] for item in json.loads(result_stdout)["items"]]


def test_exports_list_filters_by_partner_client_status_and_dates(
    operator: Operator, exports: dict[str, Export]
) -> None:
    e = exports
    everything = operator("exports", "list", "--json")
    assert ids(everything.stdout) == [e["failed-p2"].id, e["skipped"].id, e["failed"].id, e["queued"].id]
    assert ids(operator("exports", "list", "--status", "failed", "--json").stdout) == [
        e["failed-p2"].id,
        e["failed"].id,
    ]
    assert ids(operator("exports", "list", "--partner", "p2", "--json").stdout) == [e["failed-p2"].id]
    assert ids(operator("exports", "list", "--client", "c7", "--json").stdout) == [e["failed-p2"].id]
    window = operator("exports", "list", "--from", "2026-11-03", "--until", "2026-11-04", "--json")
    assert ids(window.stdout) == [e["skipped"].id, e["failed"].id]
    first = json.loads(operator("exports", "list", "--limit", "3", "--json").stdout)
    rest = operator("exports", "list", "--cursor", first["nextCursor"], "--json")
    assert ids(rest.stdout) == [e["queued"].id]
    table = operator("exports", "list", "--status", "failed", "--partner", "p1")
    assert e["failed"].id in table.stdout and "550 5.1.1 mailbox unknown" in table.stdout
    bad = operator("exports", "list", "--from", "last week")
    assert bad.exit_code == 2 and "neither a date" in bad.stderr


def test_exports_show_tells_the_attempts(operator: Operator, exports: dict[str, Export]) -> None:
    failed = exports["failed"]
    shown = operator("exports", "show", failed.id)
    assert shown.exit_code == 0 and "attempts" in shown.stdout and "550 5.1.1 mailbox unknown" in shown.stdout
    assert json.loads(operator("exports", "show", failed.id, "--json").stdout)["status"] == "failed"
    missing = operator("exports", "show", "no-such-export")
    assert (missing.exit_code, missing.stderr.strip()) == (2, "octobridge: no such export")


def test_exports_retry_by_id_and_all_failed_of_a_partner(
    operator: Operator, exports: dict[str, Export]
) -> None:
    e = exports
    retried = operator("exports", "retry", e["failed"].id, e["queued"].id, "--json")
    assert retried.exit_code == 1
    assert [(x["id"], x["status"]) for x in json.loads(retried.stdout)] == [(e["failed"].id, "queued")]
    assert f"octobridge: {e['queued'].id}: only a failed export can be retried" in retried.stderr
    by_filter = operator("exports", "retry", "--failed", "--partner", "p2")
    assert by_filter.exit_code == 0 and "1 retried" in by_filter.stdout
    assert ids(operator("exports", "list", "--status", "failed", "--json").stdout) == []
    assert operator("exports", "retry").exit_code == 2


def test_extension_list_finds_partners(operator: Operator) -> None:
    operator.install("acme-accountants", connect=True)
    operator.install("bureau-dupont", "gone-away")

    async def uninstall(container: Container) -> None:
        await (await container.use_cases.uninstall_extension())(Uninstall(partner_id="gone-away"))

    operator.seed(uninstall)
    listed = json.loads(operator("extension", "list", "--json").stdout)
    assert [(x["partnerId"], x["state"], x["active"], x["installed"]) for x in listed] == [
        ("acme-accountants", "connected", True, True),
        ("bureau-dupont", "installed", False, True),
        ("gone-away", "installed", False, False),
    ]
    found = json.loads(operator("extension", "list", "--search", "DUPONT", "--json").stdout)
    assert [x["partnerId"] for x in found] == ["bureau-dupont"]
    assert "gone-away" in operator("extension", "list", "--state", "uninstalled").stdout
    active = json.loads(operator("extension", "list", "--active", "--json").stdout)
    assert [x["partnerId"] for x in active] == ["acme-accountants"]


def test_extension_deactivate_needs_yes(operator: Operator) -> None:
    operator.install("p1", connect=True)
    refused = operator("extension", "deactivate", "p1")
    assert refused.exit_code == 2 and "add --yes to confirm" in refused.stderr
    assert json.loads(operator("extension", "list", "--json").stdout)[0]["active"] is True
    switched = operator("extension", "deactivate", "p1", "--yes", "--json")
    assert switched.exit_code == 0 and json.loads(switched.stdout)["active"] is False
    unknown = operator("extension", "deactivate", "p9", "--yes")
    assert unknown.exit_code == 2 and "not installed" in unknown.stderr
