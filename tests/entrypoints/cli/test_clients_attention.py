"""`octobridge clients attention [PARTNER] [--json]`: what waits for a person, for operators (R26)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from entrypoints.container import Container
from tests.builders import an_export
from tests.entrypoints.cli.operator import Operator
from tests.entrypoints.cli.test_admin_commands import clients

__all__ = ["clients"]

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REPLY = "550 5.1.1 <uid-008352-24@import.octopus.be>: Recipient address rejected"


def refuse_p1_c1_and_fail_p2_c1(operator: Operator) -> None:
    """p1's c1: its mailbox refused at the first export, the second held; p2's c1: two failed exports."""

    async def work(container: Container) -> None:
        units = await container.infrastructure.units_of_work()
        async with units() as uow:
            refused, held = an_export(START), an_export(START + timedelta(hours=1))
            refused.refused(START + timedelta(minutes=5), REPLY)
            held.hold()
            failed = [an_export(START + timedelta(days=n), partner="p2") for n in (1, 2)]
            for export in failed:
                export.failed(START + timedelta(days=3), "554 5.6.0 rejected")
            for export in (refused, held, *failed):
                await uow.exports.add(export)
            integration = await uow.integrations.get("p1", "c1")
            assert integration is not None and refused.mailbox is not None
            assert integration.refuse_mailbox(
                refused.mailbox, START + timedelta(minutes=5), REPLY, refused.id
            )
            await uow.commit()

    operator.seed(work)


def test_attention_lists_every_partners_clients_or_one_partners(clients: Operator) -> None:
    assert clients("clients", "attention", "--json").stdout == ""
    refuse_p1_c1_and_fail_p2_c1(clients)

    everyone = clients("clients", "attention", "--json")
    assert everyone.exit_code == 0
    assert [json.loads(line) for line in everyone.stdout.splitlines()] == [
        {
            "partnerId": "p1",
            "clientId": "c1",
            "reason": "mailboxRefused",
            "since": "2026-11-02T09:00:00Z",
            "count": 2,
        },
        {
            "partnerId": "p2",
            "clientId": "c1",
            "reason": "failedExports",
            "since": "2026-11-03T09:00:00Z",
            "count": 2,
        },
    ]
    of_p2 = clients("clients", "attention", "p2", "--json")
    assert [json.loads(line)["partnerId"] for line in of_p2.stdout.splitlines()] == ["p2"]

    table = clients("clients", "attention", "p1")
    assert table.exit_code == 0
    assert all(words in table.stdout for words in ("c1", "mailboxRefused", "2026-11-02 09:00:00Z"))
    assert "p2" not in table.stdout
