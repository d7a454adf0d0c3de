"""The real `octobridge` command in a process of its own, with only the `OCTOBRIDGE_` variables given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OCTOBRIDGE = [sys.executable, "-c", "from entrypoints.cli.main import main; main()"]


def environment(var: Path, **env: str) -> dict[str, str]:
    """This process's environment without its `OCTOBRIDGE_` variables, with `env` and `var` as var dir."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OCTOBRIDGE_")}
    environ.update({"OCTOBRIDGE_VAR_DIR": str(var), "COLUMNS": "200", **env})
    return environ


def octobridge(*args: str, var: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OCTOBRIDGE, *args],
        capture_output=True,
        text=True,
        env=environment(var, **env),
        timeout=120,
        check=False,
    )
