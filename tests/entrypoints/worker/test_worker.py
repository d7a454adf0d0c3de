"""The worker end to end on PostgreSQL: Banqup document → valid UBL → mail at a real SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from adapters.ubl import PeppolUblToolkit
from domain.export import Export, ExportStatus
from sandbox.banqup import BanqupStandIn
from sandbox.smtp_inbox import DROP, RunningSmtp
from sandbox.world import MAILBOX, Rig, rig, settings_for

pytestmark = pytest.mark.postgres


@pytest.fixture
async def world(
    postgres_url: str, smtp: RunningSmtp, banqup: tuple[BanqupStandIn, str], tmp_path: Path
) -> AsyncIterator[Rig]:
    stand_in, banqup_url = banqup
    async with rig(settings_for(postgres_url, smtp.url, banqup_url, tmp_path), stand_in) as running:
        yield running


async def test_n_documents_make_n_valid_mails(world: Rig, smtp: RunningSmtp) -> None:
    ids = await world.queue(12)
    await world.deliver_all()
    messages = smtp.sink.messages
    assert len(messages) == 12
    assert sorted(m["Message-ID"] for m in messages) == sorted(
        f"<export-{i}@octobridge.example>" for i in ids
    )
    toolkit = PeppolUblToolkit()
    for message in messages:
        assert message["To"] == MAILBOX
        assert message["Subject"].startswith("Invoice INV-2026-") and message["Subject"].endswith(
            " — Brasserie Dupont SRL"
        )
        (attachment,) = message.iter_attachments()
        assert attachment.get_filename() == message["Subject"].split()[1] + ".xml"
        assert not [v for v in toolkit.validate(attachment.get_content()) if v.fatal]
    exports = await world.exports()
    assert {e.status for e in exports} == {ExportStatus.DELIVERED}
    assert all(e.message_id == f"<export-{e.id}@octobridge.example>" for e in exports)


async def test_two_temporary_refusals_then_delivered_on_the_third_attempt(
    world: Rig, smtp: RunningSmtp
) -> None:
    smtp.sink.script += ["421 4.7.0 Try again later", "451 4.3.0 Local error"]
    await world.queue(1)
    await world.deliver_all()
    (export,) = await world.exports()
    assert export.status is ExportStatus.DELIVERED
    assert [(a.outcome, a.detail) for a in export.attempts][:2] == [
        ("deferred", "421 4.7.0 Try again later"),
        ("deferred", "451 4.3.0 Local error"),
    ]
    assert export.delivery_attempts == 3 and len(smtp.sink.messages) == 1


async def test_a_permanent_refusal_fails_at_once_with_the_reply(world: Rig, smtp: RunningSmtp) -> None:
    smtp.sink.script.append("550 5.7.1 Message rejected by policy")
    await world.queue(1)
    await world.deliver_all()
    (export,) = await world.exports()
    assert (export.status, export.last_error, export.delivery_attempts) == (
        ExportStatus.FAILED,
        "550 5.7.1 Message rejected by policy",
        1,
    )


async def test_a_connection_dropped_during_data_is_retried_and_delivered_once(
    world: Rig, smtp: RunningSmtp
) -> None:
    smtp.sink.script.append(DROP)
    await world.queue(1)
    await world.deliver_all()
    (export,) = await world.exports()
    assert export.status is ExportStatus.DELIVERED and export.delivery_attempts == 2
    assert smtp.sink.message_ids() == [export.message_id]


async def test_an_invalid_document_sends_nothing_and_fails_with_rule_ids(
    world: Rig, smtp: RunningSmtp
) -> None:
    await world.queue(1, totals_off_by="1.00")
    await world.deliver_all()
    (export,) = await world.exports()
    assert export.status is ExportStatus.FAILED
    assert [(v.rule_id, v.location) for v in export.violations] == [("OCTOBRIDGE-TOTALS", "totals.payable")]
    assert (
        "206.70" in export.violations[0].message and "205.70" in export.violations[0].message
    )  # both figures
    assert smtp.sink.messages == []


async def test_banqup_hears_the_outcome_when_status_reports_are_on(
    postgres_url: str, smtp: RunningSmtp, banqup: tuple[BanqupStandIn, str], tmp_path: Path
) -> None:
    stand_in, banqup_url = banqup
    settings = settings_for(postgres_url, smtp.url, banqup_url, tmp_path, banqup_status_reports="1")
    async with rig(settings, stand_in) as world:
        await world.queue(1)
        await world.queue(1, totals_off_by="1.00")
        await world.deliver_all()
        exports = {e.document_id: e for e in await world.exports()}
    reported = {document: status for (_, document), status in stand_in.accounting_statuses.items()}
    assert reported == {
        "doc-1": {"system": "octopus", "status": "delivered", "detail": exports["doc-1"].message_id},
        "doc-2": {"system": "octopus", "status": "error", "detail": exports["doc-2"].last_error},
    }


async def test_status_reports_are_off_by_default(world: Rig) -> None:
    await world.queue(1)
    await world.deliver_all()
    assert world.banqup.accounting_statuses == {}


def _attempts(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in logs if entry["event"] == "export attempted"]


def _ids(export: Export) -> dict[str, str | None]:
    return {
        "exportId": export.id,
        "partnerId": "p1",
        "clientId": "c1",
        "documentId": export.document_id,
        "messageId": f"<export-{export.id}@octobridge.example>",
    }


async def test_each_attempt_is_logged_once_deferred_as_a_warning_delivered_with_the_reply(
    world: Rig, smtp: RunningSmtp
) -> None:
    smtp.sink.script.append("451 4.3.0 Local error")
    await world.queue(1)
    with capture_logs() as logs:
        await world.deliver_all()
    (export,) = await world.exports()
    deferred, delivered = _attempts(logs)
    assert {key: deferred[key] for key in _ids(export)} == _ids(export)
    assert {key: delivered[key] for key in _ids(export)} == _ids(export)
    assert (deferred["log_level"], deferred["outcome"], deferred["reason"], deferred["error"]) == (
        "warning",
        "deferred",
        "relay",
        "451 4.3.0 Local error",
    )
    assert (delivered["log_level"], delivered["outcome"], delivered["reason"]) == ("info", "delivered", None)
    assert delivered["reply"] == "2.0.0 Ok: queued" == export.attempts[-1].detail
    assert "reply" not in deferred and "error" not in delivered
    assert all(
        isinstance(entry["durationMs"], int) and entry["durationMs"] >= 0 for entry in (deferred, delivered)
    )


@pytest.mark.parametrize(
    ("refusal", "reason", "error"),
    [
        ("message", "relay", "550 5.7.1 Message rejected by policy"),
        ("recipient", "mailbox", f"550 5.1.1 <{MAILBOX}>: Recipient address rejected: User unknown"),
    ],
)
async def test_a_failed_attempt_is_logged_once_as_an_error_with_its_reason(
    world: Rig, smtp: RunningSmtp, refusal: str, reason: str, error: str
) -> None:
    if refusal == "message":
        smtp.sink.script.append(error)
    else:
        smtp.sink.refuse_recipients.add(MAILBOX)
    await world.queue(1)
    with capture_logs() as logs:
        await world.deliver_all()
    (export,) = await world.exports()
    (failed,) = _attempts(logs)
    assert {key: failed[key] for key in _ids(export)} == _ids(export)
    assert (failed["log_level"], failed["outcome"], failed["reason"], failed["error"]) == (
        "error",
        "failed",
        reason,
        error,
    )
    assert export.last_error == error
