"""Settings from the environment (CONTRACTS §2)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from entrypoints.settings import Settings, SettingsError


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
        (
            {
                "OCTOBRIDGE_ENV": "production",
                "OCTOBRIDGE_SECRET_KEY": "k",
                "OCTOBRIDGE_BANQUP_API_URL": "https://b",
            },
            "OCTOBRIDGE_WEBHOOK_SECRET",
        ),
        ({"OCTOBRIDGE_ENV": "production"}, "OCTOBRIDGE_BANQUP_API_URL must name Banqup's API in production"),
    ],
)
def test_wrong_settings_name_the_variable(tmp_path: Path, environ: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_environ({"OCTOBRIDGE_VAR_DIR": str(tmp_path), **environ})


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
