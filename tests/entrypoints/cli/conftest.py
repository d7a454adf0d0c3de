"""An operator on a fresh SQLite database, brought to the latest schema by `octobridge db upgrade`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.entrypoints.cli.operator import Operator


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    operator = Operator(f"sqlite+aiosqlite:///{tmp_path}/octobridge.db", tmp_path)
    upgraded = operator("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    return operator
