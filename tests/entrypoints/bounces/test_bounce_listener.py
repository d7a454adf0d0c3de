"""`octobridge bounces` over TCP, against SQLite and PostgreSQL: a mail delivered through the real
worker, its bounce sent later to the real listener (CONTRACTS §7, §8), and the listener held to the
hostile standard of the HTTP API: a clear SMTP reply to anything, and nothing else changed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import func, select

from adapters.persistence.tables import delivery_reports
from application.ports.delivery_reports import MAX_REPORT_SIZE
from domain.client_integration import MailboxStatus
from domain.export import AttemptOutcome, Export, ExportStatus, HoldReason
from entrypoints.bounces.listener import MAX_RECIPIENTS, BounceHandler, BounceListener
from sandbox.banqup import BanqupStandIn
from sandbox.smtp_inbox import RunningSmtp
from sandbox.world import Rig, rig, settings_for
from tests.delivery_reports import NOT_A_REPORT, a_delivery_report

DOMAIN = "bounces.octobridge.example"


@dataclass
class Bounced:
    world: Rig
    port: int
    export_id: str
    bounce_to: str  # the envelope sender of the export's mail, as the relay saw it

    async def client(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=self.port, timeout=10)
        await client.connect()
        await client.ehlo()
        return client

    async def send(self, content: bytes, *recipients: str) -> tuple[int, str]:
        """The listener's reply to the mail (`MAIL FROM:<>`), or to the first recipient it refused."""
        client = await self.client()
        try:
            await client.mail("")
            for recipient in recipients or (self.bounce_to,):
                reply = await client.execute_command(f"RCPT TO:<{recipient}>".encode())
                if reply.code != 250:
                    return reply.code, reply.message
            try:
                reply = await client.data(content)
            except aiosmtplib.SMTPDataError as refused:
                return refused.code, refused.message
            return reply.code, reply.message
        finally:
            client.close()

    async def export(self) -> Export:
        units = await self.world.container.infrastructure.units_of_work()
        async with units() as uow:
            export = await uow.exports.get(self.export_id)
        assert export is not None
        return export

    async def mailbox_status(self) -> MailboxStatus:
        units = await self.world.container.infrastructure.units_of_work()
        async with units() as uow:
            integration = await uow.integrations.get("p1", "c1")
        assert integration is not None
        return integration.mailbox_status

    async def reports(self) -> int:
        engine = await self.world.container.infrastructure.engine()
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(delivery_reports)) or 0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def bounced(
    request: pytest.FixtureRequest, smtp: RunningSmtp, banqup: tuple[BanqupStandIn, str], tmp_path: Path
) -> AsyncIterator[Bounced]:
    """One export delivered through the worker with its envelope sender, and the listener on a free port."""
    stand_in, banqup_url = banqup
    database = request.getfixturevalue(f"{request.param}_url")
    async with rig(
        settings_for(database, smtp.url, banqup_url, tmp_path, bounce_domain=DOMAIN), stand_in
    ) as world:
        (export_id,) = await world.queue(1)
        await world.deliver_all()
        (mail,) = smtp.sink.messages
        listener = await world.container.workers.bounce_listener(host="127.0.0.1", port=0)
        server = await listener.start()
        try:
            yield Bounced(
                world, server.sockets[0].getsockname()[1], export_id, str(mail["Return-Path"]).strip("<>")
            )
        finally:
            server.close()
            await server.wait_closed()


async def test_the_mail_names_its_export_in_its_envelope_sender(bounced: Bounced) -> None:
    assert bounced.bounce_to.startswith(f"bounce+{bounced.export_id}.")
    assert bounced.bounce_to.endswith(f"@{DOMAIN}")


async def test_a_report_that_comes_later_fails_the_export_and_refuses_the_mailbox_once(
    bounced: Bounced,
) -> None:
    report = a_delivery_report(bounced.bounce_to)
    assert (await bounced.send(report))[0] == 250
    export = await bounced.export()
    assert (export.status, export.held) == (ExportStatus.FAILED, HoldReason.MAILBOX_REFUSED)
    assert export.attempts[-1].detail.startswith("delivery report: failed 5.1.1 — smtp; 550 5.1.1")
    assert await bounced.mailbox_status() is MailboxStatus.REFUSED
    assert (await bounced.send(report))[0] == 250  # the same report again: accepted, recorded once
    assert (await bounced.export()).attempts == export.attempts
    assert await bounced.reports() == 1


async def test_a_delay_is_noted_only(bounced: Bounced) -> None:
    report = a_delivery_report(
        bounced.bounce_to, action="delayed", status="4.4.1", diagnostic="smtp; 421 later"
    )
    assert (await bounced.send(report))[0] == 250
    export = await bounced.export()
    assert export.status is ExportStatus.DELIVERED
    assert [a.outcome for a in export.attempts] == [AttemptOutcome.DELIVERED, AttemptOutcome.DELAYED]
    assert await bounced.mailbox_status() is MailboxStatus.OK


async def test_only_bounce_addresses_of_known_exports_and_postmaster_are_taken(bounced: Bounced) -> None:
    export_id, tag = bounced.bounce_to.partition("@")[0].removeprefix("bounce+").rsplit(".", 1)
    forged = f"bounce+{export_id}.{'0' * len(tag)}@{DOMAIN}"
    another_export = f"bounce+{export_id[:-1]}{'1' if export_id[-1] != '1' else '2'}.{tag}@{DOMAIN}"
    for recipient in (
        forged,
        another_export,
        f"bounce+{export_id}.{tag}@elsewhere.example",
        "root@" + DOMAIN,
    ):
        code, message = await bounced.send(a_delivery_report(recipient), recipient)
        assert (code, message) == (550, "5.1.1 No such recipient here"), recipient
    assert (await bounced.send(NOT_A_REPORT, f"postmaster@{DOMAIN}"))[0] == 250
    assert (await bounced.send(a_delivery_report("postmaster"), "Postmaster"))[0] == 250
    assert (await bounced.export()).status is ExportStatus.DELIVERED  # a report to postmaster names no export
    assert await bounced.reports() == 0


@pytest.mark.parametrize(
    "content",
    [
        NOT_A_REPORT,
        b"Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\n"
        b"Content-Type: message/delivery-status\r\n\r\nAction: failed\r\n\r\n\x00\xff garbage\r\n",
        b"\xff\xfe not even a header\r\n",
    ],
    ids=["not a report", "malformed report", "binary"],
)
async def test_a_mail_that_is_not_a_report_is_accepted_and_ignored(bounced: Bounced, content: bytes) -> None:
    before = await bounced.export()
    assert (await bounced.send(content))[0] == 250
    assert (await bounced.export()).attempts == before.attempts
    assert await bounced.reports() == 0


async def test_an_oversized_mail_is_refused_at_data_and_changes_nothing(bounced: Bounced) -> None:
    report = a_delivery_report(bounced.bounce_to)
    padded = report.replace(
        b"I'm sorry", b"x" * 998 + b"\r\n" + b"padding\r\n" * (MAX_REPORT_SIZE // 9) + b"I'm sorry"
    )
    code, _ = await bounced.send(padded)
    assert code == 552
    assert (await bounced.export()).status is ExportStatus.DELIVERED
    assert await bounced.reports() == 0


async def test_too_many_recipients_are_told_to_wait(bounced: Bounced) -> None:
    client = await bounced.client()
    try:
        await client.mail("")
        codes = [
            (await client.execute_command(f"RCPT TO:<{bounced.bounce_to}>".encode())).code
            for _ in range(MAX_RECIPIENTS + 2)
        ]
    finally:
        client.close()
    assert codes == [250] * MAX_RECIPIENTS + [452, 452]


async def test_a_slow_client_is_disconnected_by_the_servers_timeout(bounced: Bounced) -> None:
    use = bounced.world.container.use_cases
    handler = BounceHandler(DOMAIN, await use.accept_bounce_recipient(), await use.record_delivery_report())
    server = await BounceListener(handler, "127.0.0.1", 0, timeout=0.5).start()
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert (await reader.readline()).startswith(b"220 ")
        writer.write(b"EHLO slow.example\r\n")
        await asyncio.sleep(1.5)  # says nothing more
        assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"250-")  # then the end of the stream
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()
        writer.write(
            f"HELO slow.example\r\nMAIL FROM:<>\r\nRCPT TO:<{bounced.bounce_to}>\r\nDATA\r\n".encode()
        )
        try:
            for line in a_delivery_report(bounced.bounce_to).splitlines(keepends=True)[:8]:
                writer.write(line)  # a line now and then, never the end of the data
                await writer.drain()
                await asyncio.sleep(0.2)
            replies = await asyncio.wait_for(reader.read(), 5)
            closed = reader.at_eof() and not replies.endswith(b"250 2.0.0 OK\r\n")
        except ConnectionError:  # closed while a line was on its way
            closed = True
        assert closed, "the timeout runs through DATA"
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert (await bounced.export()).status is ExportStatus.DELIVERED
    assert await bounced.reports() == 0
