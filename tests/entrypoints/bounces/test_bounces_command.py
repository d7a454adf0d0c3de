"""`octobridge bounces` as an operator runs it: it refuses to start without `BOUNCE_DOMAIN`, logs one
JSON line per report with the export's id and never the key, stops on SIGTERM; and it answers 451
while the database cannot be reached."""

from __future__ import annotations

import asyncio
import json
import signal
import smtplib
import socket
import subprocess
import time
from pathlib import Path

import aiosmtplib
import pytest

from sandbox.banqup import BanqupStandIn
from sandbox.server import free_port
from sandbox.smtp_inbox import RunningSmtp
from sandbox.world import rig, settings_for
from tests.delivery_reports import a_delivery_report
from tests.entrypoints.cli.process import OCTOBRIDGE, environment, octobridge

DOMAIN = "bounces.octobridge.example"


def test_without_a_bounce_domain_it_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    result = octobridge("bounces", "--port", str(free_port()), var=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("octobridge: OCTOBRIDGE_BOUNCE_DOMAIN must be set for `octobridge bounces`")


def test_a_port_taken_is_told_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = octobridge("bounces", "--port", str(port), var=tmp_path, OCTOBRIDGE_BOUNCE_DOMAIN=DOMAIN)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"octobridge: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def _wait_for(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("octobridge bounces did not start")


def _bounces_reading(env: dict[str, str], port: int, bounce_to: str) -> tuple[int, str, str]:
    """`octobridge bounces` started, sent a report to `bounce_to`, stopped: its exit code and output."""
    process = subprocess.Popen(
        [*OCTOBRIDGE, "bounces", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(port, process)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.ehlo()
            client.sendmail("", [bounce_to], a_delivery_report(bounce_to))
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    return process.returncode, out, err


async def test_the_command_records_a_report_and_logs_the_export_never_the_key(
    smtp: RunningSmtp, banqup: tuple[BanqupStandIn, str], tmp_path: Path
) -> None:
    stand_in, banqup_url = banqup
    database = f"sqlite+aiosqlite:///{tmp_path}/octobridge.db"
    settings = settings_for(database, smtp.url, banqup_url, tmp_path, bounce_domain=DOMAIN)
    async with rig(settings, stand_in) as world:
        (export_id,) = await world.queue(1)
        await world.deliver_all()
    bounce_to = str(smtp.sink.messages[0]["Return-Path"]).strip("<>")
    port = free_port()
    env = environment(
        tmp_path,  # the same var dir: the same generated SECRET_KEY as the worker's
        OCTOBRIDGE_DATABASE_URL=database,
        OCTOBRIDGE_BOUNCE_DOMAIN=DOMAIN,
        OCTOBRIDGE_LOG_FORMAT="json",
    )
    returncode, out, err = await asyncio.to_thread(_bounces_reading, env, port, bounce_to)
    assert returncode == 0, err
    lines = [json.loads(line) for line in (out + err).splitlines() if line.startswith("{")]
    (report,) = [line for line in lines if line.get("event") == "delivery report"]
    assert (report["exportId"], report["outcomes"]) == (export_id, "refused")
    assert settings.secret_key not in out + err


async def test_while_the_database_cannot_be_reached_a_recipient_is_told_to_try_again(tmp_path: Path) -> None:
    from entrypoints.container import build_container

    unreachable = f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none"
    container = build_container(
        settings_for(unreachable, "", "http://127.0.0.1:9", tmp_path, bounce_domain=DOMAIN)
    )
    await container.init_resources()  # type: ignore[misc]
    try:
        bounces = container.infrastructure.bounce_addresses()
        listener = await container.workers.bounce_listener(host="127.0.0.1", port=0)
        server = await listener.start()
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=server.sockets[0].getsockname()[1], timeout=30)
        await client.connect()
        await client.ehlo()
        await client.mail("")
        reply = await client.execute_command(f"RCPT TO:<{bounces.address_of('e-1')}>".encode())
        client.close()
        server.close()
        await server.wait_closed()
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
    assert (reply.code, reply.message) == (451, "4.3.0 Cannot record it now; try again later")


@pytest.mark.parametrize("domain", ["", DOMAIN])
def test_the_help_names_the_options(tmp_path: Path, domain: str) -> None:
    result = octobridge("bounces", "--help", var=tmp_path, OCTOBRIDGE_BOUNCE_DOMAIN=domain)
    assert result.returncode == 0
    assert "--host" in result.stdout and "--port" in result.stdout
