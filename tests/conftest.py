"""Fixtures shared by the whole suite: a clock under the test's control, and the real services (PostgreSQL,
SQLite, an SMTP server whose answers a test can script, a stand-in Banqup)."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import URL

from sandbox.banqup import BanqupStandIn, create_banqup_app
from sandbox.server import serving
from sandbox.smtp_inbox import RunningSmtp, SmtpSink, start_smtp

IN_CI = os.environ.get("CI") == "true"
POSTGRES_ADMIN_URL = os.environ.get(
    "OCTOBRIDGE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class FixedClock:
    """A clock that moves only when told to."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    jitter_value: float = 0.0

    def now(self) -> datetime:
        return self.at

    def jitter(self) -> float:
        return self.jitter_value

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def require_service(name: str, host: str, port: int) -> None:
    """Skips with the reason when the service is not reachable; under CI=true, fails instead."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        reason = f"{name} is not reachable at {host}:{port} ({exc.strerror or exc})"
        if IN_CI:
            pytest.fail(f"{reason}; CI must run this test")
        pytest.skip(reason)


def _on_admin_database(admin: URL, *statements: str) -> None:
    async def run() -> None:
        import asyncpg

        connection = await asyncpg.connect(
            host=admin.host, port=admin.port, user=admin.username, database=admin.database
        )
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:  # a fixture asked for from inside a running loop
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database on the local PostgreSQL server, this test run's own (named after
    the process, so that two runs side by side never share tables), dropped at the end."""
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_ADMIN_URL)
    require_service("PostgreSQL", admin.host or "127.0.0.1", admin.port or 5432)
    name = f"octobridge_test_{os.getpid()}"
    _on_admin_database(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    from adapters.persistence.migrator import AlembicMigrator

    rendered = admin.set(database=name).render_as_string(hide_password=False)
    AlembicMigrator(rendered).upgrade()
    yield rendered
    _on_admin_database(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    """A migrated SQLite database in the test's own folder."""
    from adapters.persistence.migrator import AlembicMigrator

    url = f"sqlite+aiosqlite:///{tmp_path}/octobridge.db"
    AlembicMigrator(url).upgrade()
    return url


@pytest.fixture
def smtp() -> Iterator[RunningSmtp[SmtpSink]]:
    """A real SMTP server (aiosmtpd, in this process)."""
    running = start_smtp(SmtpSink())
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def banqup() -> Iterator[tuple[BanqupStandIn, str]]:
    """The stand-in Banqup, served on a local port: it and its address."""
    stand_in = BanqupStandIn()
    with serving(create_banqup_app(stand_in)) as url:
        yield stand_in, url
