"""Production (CONTRACTS §2, R28): octobridge refuses to start on stand-ins, mail to files, SQLite or
weak secrets, and never builds a stand-in."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.banqup.documents import HttpBanqupDocuments
from adapters.mail.smtp import SmtpMailer
from adapters.octopus import HttpOctopusAccount
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.unit_of_work_runner import UnitOfWorkRunner
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings, SettingsError
from tests.entrypoints.cli.process import octobridge
from tests.production import PRODUCTION, SECRET

EVERY_FAULT = [
    "octobridge: OCTOBRIDGE_DATABASE_URL must name PostgreSQL in production (postgresql+asyncpg://…),"
    " not SQLite",
    "octobridge: OCTOBRIDGE_SMTP_URL must name the SMTP relay in production; without it mail is only written"
    " to files",
    "octobridge: OCTOBRIDGE_BANQUP_API_URL must name Banqup's API in production; it names 127.0.0.1, where"
    " the stand-ins run",
    "octobridge: OCTOBRIDGE_OCTOPUS_OAUTH_URL must name Octopus in production; it is empty",
    "octobridge: OCTOBRIDGE_OCTOPUS_API_URL must name Octopus in production; it is empty",
    "octobridge: OCTOBRIDGE_WEBHOOK_SECRET must be set in production (a generated secret is for development)",
    "octobridge: OCTOBRIDGE_API_TOKEN_SECRET must be at least 32 characters long in production, not 1",
    "octobridge: OCTOBRIDGE_SECRET_KEY must be set in production (a generated secret is for development)",
]


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["db", "upgrade"], ["clients", "list"]])
def test_every_command_refuses_to_start_naming_each_variable_at_fault(
    command: list[str], tmp_path: Path
) -> None:
    result = octobridge(*command, var=tmp_path, OCTOBRIDGE_ENV="production", OCTOBRIDGE_API_TOKEN_SECRET="x")
    assert result.returncode == 2
    assert result.stderr.splitlines() == EVERY_FAULT
    assert list(tmp_path.iterdir()) == []  # no secret generated, no database made


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "sqlite+aiosqlite:///./var/octobridge.db"),
        ("SMTP_URL", ""),
        ("BANQUP_API_URL", "http://127.0.0.1:8001"),
        ("OCTOPUS_OAUTH_URL", "http://127.0.0.1:8002/oauth"),
        ("OCTOPUS_API_URL", ""),
        ("WEBHOOK_SECRET", ""),
        ("API_TOKEN_SECRET", "short"),
        ("SECRET_KEY", SECRET[:-1]),
    ],
)
def test_each_refusal_names_its_variable_exits_2_and_shows_no_traceback(
    variable: str, value: str, tmp_path: Path
) -> None:
    result = octobridge("serve", var=tmp_path, **{**PRODUCTION, f"OCTOBRIDGE_{variable}": value})
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"octobridge: OCTOBRIDGE_{variable} must ")
    assert "Traceback" not in result.stderr and result.stdout == ""


async def resolved(provider: Callable[[], object]) -> object:
    """What `provider` gives, awaited when it depends on a resource that starts asynchronously."""
    made = provider()
    return await made if inspect.isawaitable(made) else made


@pytest.mark.postgres
async def test_a_fully_configured_production_start_builds_no_stand_in(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings.from_environ(
        {**PRODUCTION, "OCTOBRIDGE_DATABASE_URL": postgres_url, "OCTOBRIDGE_VAR_DIR": str(tmp_path)}
    )
    container = build_container(settings)
    async with AsyncTestClient(create_app(settings, container)) as client:  # serve's app, started
        assert (await client.get("/healthz")).status_code == 200
        infrastructure = container.infrastructure
        assert type(await resolved(infrastructure.mailer)) is SmtpMailer
        assert type(await resolved(infrastructure.octopus_account)) is HttpOctopusAccount
        assert type(await resolved(infrastructure.documents)) is HttpBanqupDocuments
        # one Banqup client, one token: the listing is the document source
        assert await resolved(infrastructure.document_listing) is await resolved(infrastructure.documents)
        assert type(await resolved(infrastructure.intake_transactions)) is UnitOfWorkRunner
        assert type(await resolved(infrastructure.units_of_work)) is SqlAlchemyUnitOfWorkFactory
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize(
    ("provider", "variable"),
    [("mailer", "OCTOBRIDGE_SMTP_URL"), ("octopus_account", "OCTOBRIDGE_OCTOPUS_OAUTH_URL")],
)
async def test_the_container_never_builds_a_stand_in_in_production(
    provider: str, variable: str, sqlite_url: str, tmp_path: Path
) -> None:
    """Even from settings that did not come through the environment's checks."""
    settings = Settings(
        env="production",
        database_url=sqlite_url,
        var_dir=str(tmp_path),
        secret_key=SECRET,
        api_token_secret=SECRET,
    )
    container = build_container(settings)
    try:
        with pytest.raises(SettingsError, match=f"^{variable} must be set in production"):
            await resolved(getattr(container.infrastructure, provider))
    finally:
        closing = container.shutdown_resources()
        if closing is not None:
            await closing
    assert not (tmp_path / "outbox").exists()
