"""Settings from the environment (CONTRACTS §2)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from entrypoints.settings import Settings, SettingsError
from tests.production import PRODUCTION, SECRET


def test_defaults_are_the_embedded_ones_and_secrets_are_made_once(tmp_path: Path) -> None:
    settings = Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path)})
    assert settings.database_url == "sqlite+aiosqlite:///./var/octobridge.db"
    assert (settings.broker_url, settings.smtp_url, settings.mail_from) == ("", "", "octobridge@localhost")
    assert (settings.retry_base_seconds, settings.retry_max_seconds, settings.retry_horizon_hours) == (
        60,
        4000,
        120,
    )
    assert len({settings.webhook_secret, settings.api_token_secret, settings.secret_key}) == 3
    secrets_file = tmp_path / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    again = Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path)})
    assert again.secret_key == settings.secret_key


def test_values_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_environ(
        {
            "OCTOBRIDGE_VAR_DIR": str(tmp_path),
            "OCTOBRIDGE_DATABASE_URL": "postgresql+asyncpg://octo@db/octobridge",
            "OCTOBRIDGE_RETRY_HORIZON_HOURS": "96",
            "OCTOBRIDGE_ALLOWED_RETURN_ORIGINS": "https://a.banqup.com/, https://b.banqup.com",
            "OCTOBRIDGE_SECRET_KEY": "given",
            "UNRELATED": "ignored",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://octo@db/octobridge"
    assert settings.retry_horizon_hours == 96
    assert settings.allowed_return_origins == ("https://a.banqup.com", "https://b.banqup.com")
    assert settings.secret_key == "given"


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        (
            {"OCTOBRIDGE_ALLOWED_RETURN_ORIGINS": "https://a.example/path"},
            "OCTOBRIDGE_ALLOWED_RETURN_ORIGINS",
        ),
        ({"OCTOBRIDGE_RETRY_MAX_SECONDS": "a while"}, "OCTOBRIDGE_RETRY_MAX_SECONDS"),
        ({"OCTOBRIDGE_RETENTION_DAYS": "400"}, "OCTOBRIDGE_RETENTION_DAYS"),
        ({"OCTOBRIDGE_RETENTION_DAYS": "-1"}, "OCTOBRIDGE_RETENTION_DAYS"),
        ({"OCTOBRIDGE_BOUNCE_DOMAIN": "bounces example"}, "OCTOBRIDGE_BOUNCE_DOMAIN"),
        ({"OCTOBRIDGE_BOUNCE_DOMAIN": "user@bounces.example"}, "OCTOBRIDGE_BOUNCE_DOMAIN"),
        ({"OCTOBRIDGE_BOUNCE_DOMAIN": "-bounces.example"}, "OCTOBRIDGE_BOUNCE_DOMAIN"),
        ({"OCTOBRIDGE_BOUNCE_DOMAIN": "10.0.0.1"}, "OCTOBRIDGE_BOUNCE_DOMAIN"),
    ],
)
def test_wrong_settings_name_the_variable(tmp_path: Path, environ: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path), **environ})


@pytest.mark.parametrize(
    ("raw", "domain"), [(None, ""), ("Bounces.Octobridge.example", "Bounces.Octobridge.example")]
)
def test_the_bounce_domain_is_empty_or_a_domain_name(tmp_path: Path, raw: str | None, domain: str) -> None:
    environ = {"OCTOBRIDGE_VAR_DIR": str(tmp_path)}
    if raw is not None:
        environ["OCTOBRIDGE_BOUNCE_DOMAIN"] = raw
    assert Settings.from_environ(environ).bounce_domain == domain


@pytest.mark.parametrize(("raw", "days"), [(None, 401), ("0", 0), ("401", 401), ("730", 730)])
def test_the_retention_is_401_days_or_more_or_0_for_ever(tmp_path: Path, raw: str | None, days: int) -> None:
    environ = {"OCTOBRIDGE_VAR_DIR": str(tmp_path)} | ({"OCTOBRIDGE_RETENTION_DAYS": raw} if raw else {})
    assert Settings.from_environ(environ).retention_days == days


def test_processes_starting_together_share_one_set_of_secrets(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(
            pool.map(
                lambda _: Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path)}).secret_key, range(16)
            )
        )
    assert len(keys) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.json"]  # no temporary file left behind


def test_unreadable_secrets_and_unknown_environments_are_told(tmp_path: Path) -> None:
    (tmp_path / "secrets.json").write_text("{not json")
    with pytest.raises(SettingsError, match="cannot be read as generated secrets"):
        Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path)})
    with pytest.raises(
        SettingsError, match="OCTOBRIDGE_ENV must be one of development, production, not 'prod'"
    ):
        Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path), "OCTOBRIDGE_ENV": "prod"})


def production_faults(tmp_path: Path, **changes: str | None) -> list[str]:
    """The lines of the refusal of `PRODUCTION` with `changes` (None: the variable left out)."""
    environ = {"OCTOBRIDGE_VAR_DIR": str(tmp_path), **PRODUCTION}
    for name, value in changes.items():
        environ.pop(f"OCTOBRIDGE_{name}")
        if value is not None:
            environ[f"OCTOBRIDGE_{name}"] = value
    with pytest.raises(SettingsError) as refused:
        Settings.from_environ(environ)
    return list(refused.value.lines)


def test_a_fully_configured_production_is_accepted_and_generates_nothing(tmp_path: Path) -> None:
    settings = Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path), **PRODUCTION})
    assert settings.production and settings.secret_key == SECRET
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("secret", ["WEBHOOK_SECRET", "API_TOKEN_SECRET", "SECRET_KEY"])
@pytest.mark.parametrize(
    ("value", "fault"),
    [
        (None, "must be set in production (a generated secret is for development)"),
        ("", "must be set in production (a generated secret is for development)"),
        ("x" * 31, "must be at least 32 characters long in production, not 31"),
    ],
)
def test_production_refuses_a_generated_or_short_secret(
    tmp_path: Path, secret: str, value: str | None, fault: str
) -> None:
    faults = production_faults(tmp_path, **{secret: value})
    assert faults == [f"OCTOBRIDGE_{secret} {fault}"]
    assert not value or value not in faults[0]  # a secret is never quoted
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize("variable", ["BANQUP_API_URL", "OCTOPUS_OAUTH_URL", "OCTOPUS_API_URL"])
@pytest.mark.parametrize(
    ("value", "fault"),
    [
        (None, "is empty"),
        ("", "is empty"),
        ("api.banqup.com", "is not an http(s) URL"),
        ("http://127.0.0.1:8001", "names 127.0.0.1, where the stand-ins run"),
        ("https://localhost/api", "names localhost, where the stand-ins run"),
        ("http://[::1]:9000/oauth", "names ::1, where the stand-ins run"),
        ("https://127.9.9.9", "names 127.9.9.9, where the stand-ins run"),
        ("http://[::ffff:127.0.0.1]:8001", "names ::ffff:127.0.0.1, where the stand-ins run"),
        ("http://0.0.0.0:8001", "names 0.0.0.0, where the stand-ins run"),
        ("https://[::1", "is not an http(s) URL"),
        ("https://LocalHost.:8443", "names localhost, where the stand-ins run"),
        ("http://octopus.localhost/oauth", "names octopus.localhost, where the stand-ins run"),
    ],
)
def test_production_refuses_an_outside_service_that_is_missing_or_a_stand_in(
    tmp_path: Path, variable: str, value: str | None, fault: str
) -> None:
    service = "Banqup's API" if variable.startswith("BANQUP") else "Octopus"
    if variable == "BANQUP_API_URL" and value is None:  # left out, it is the stand-in's address
        fault = "names 127.0.0.1, where the stand-ins run"
    assert production_faults(tmp_path, **{variable: value}) == [
        f"OCTOBRIDGE_{variable} must name {service} in production; it {fault}"
    ]


@pytest.mark.parametrize("value", [None, ""])
def test_production_refuses_mail_written_to_files(tmp_path: Path, value: str | None) -> None:
    assert production_faults(tmp_path, SMTP_URL=value) == [
        "OCTOBRIDGE_SMTP_URL must name the SMTP relay in production; without it mail is only written to files"
    ]


@pytest.mark.parametrize(
    "value", [None, "sqlite+aiosqlite:////srv/octobridge.db", "sqlite:///x.db", "SQLite+aiosqlite://"]
)
def test_production_refuses_sqlite(tmp_path: Path, value: str | None) -> None:
    assert production_faults(tmp_path, DATABASE_URL=value) == [
        "OCTOBRIDGE_DATABASE_URL must name PostgreSQL in production (postgresql+asyncpg://…), not SQLite"
    ]


@pytest.mark.parametrize("value", ["", "mysql+aiomysql://octo@db/octobridge"])
def test_production_refuses_any_database_but_postgresql(tmp_path: Path, value: str) -> None:
    assert production_faults(tmp_path, DATABASE_URL=value) == [
        "OCTOBRIDGE_DATABASE_URL must name PostgreSQL in production (postgresql+asyncpg://…)"
    ]


def test_production_names_every_variable_at_fault_at_once(tmp_path: Path) -> None:
    faults = production_faults(
        tmp_path,
        DATABASE_URL=None,
        SMTP_URL=None,
        BANQUP_API_URL=None,
        OCTOPUS_OAUTH_URL=None,
        OCTOPUS_API_URL=None,
        WEBHOOK_SECRET=None,
        API_TOKEN_SECRET="x",
        SECRET_KEY=None,
    )
    assert [line.split()[0] for line in faults] == [
        "OCTOBRIDGE_DATABASE_URL",
        "OCTOBRIDGE_SMTP_URL",
        "OCTOBRIDGE_BANQUP_API_URL",
        "OCTOBRIDGE_OCTOPUS_OAUTH_URL",
        "OCTOBRIDGE_OCTOPUS_API_URL",
        "OCTOBRIDGE_WEBHOOK_SECRET",
        "OCTOBRIDGE_API_TOKEN_SECRET",
        "OCTOBRIDGE_SECRET_KEY",
    ]
    assert all("\n" not in line for line in faults)
