"""What octobridge writes under `var/` is its owner's only: folders 0700, files 0600."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.mail.eml_files import EmlFileMailer
from tests.adapters.mail.test_smtp_mailer import mail
from tests.entrypoints.cli.process import OCTOBRIDGE, environment


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The common umask, which leaves new files readable by everyone unless made otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(folder: Path) -> dict[str, int]:
    """The permission bits of `folder` and of everything under it, by path relative to its parent."""
    return {
        str(p.relative_to(folder.parent)): stat.S_IMODE(p.stat().st_mode)
        for p in [folder, *folder.rglob("*")]
    }


def test_the_var_folder_the_secrets_and_the_database_are_private(tmp_path: Path, open_umask: None) -> None:
    var, data = tmp_path / "var", tmp_path / "data"
    url = f"sqlite+aiosqlite:///{data}/octobridge.db"
    for args in (["db", "upgrade"], ["clients", "list"]):  # the second opens the database as a service would
        done = subprocess.run(
            [*OCTOBRIDGE, *args],
            env=environment(var, OCTOBRIDGE_DATABASE_URL=url),
            capture_output=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert modes(var) == {"var": 0o700, "var/secrets.json": 0o600}
    made = modes(data)
    assert made.pop("data") == 0o700 and made.pop("data/octobridge.db") == 0o600
    assert set(made.values()) <= {0o600}  # the WAL and its index, while they are there


async def test_mail_written_to_files_is_private(tmp_path: Path, open_umask: None) -> None:
    await EmlFileMailer(tmp_path / "outbox", "octobridge@localhost").send(mail(7))
    assert modes(tmp_path / "outbox") == {"outbox": 0o700, "outbox/export-7_octobridge.example.eml": 0o600}
