"""`octobridge demo --keep-running` stops on SIGTERM as `serve` and `worker` do, and takes its
processes with it."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from sandbox.server import free_port
from tests.entrypoints.cli.process import OCTOBRIDGE, environment


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid`, as Linux lists them."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_sigterm_stops_the_demo_and_everything_it_started(tmp_path: Path) -> None:
    env = environment(
        tmp_path, OCTOBRIDGE_BANQUP_API_URL=f"http://127.0.0.1:{free_port()}", PYTHONUNBUFFERED="1"
    )
    demo = subprocess.Popen(
        [*OCTOBRIDGE, "demo", "--keep-running", "--port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started: set[int] = set()
    try:
        assert demo.stdout is not None
        for line in demo.stdout:  # until the demo has played and waits
            if "stops everything" in line:
                break
        started = children(demo.pid)
        assert len(started) == 3  # the API, the worker and the bounce listener
        demo.send_signal(signal.SIGTERM)
        output, errors = demo.communicate(timeout=60)
    finally:
        for pid in [demo.pid, *started]:  # whatever a failing demo left behind
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert demo.returncode == 0, errors
    assert "what became of each step" in output
    assert not [pid for pid in started if alive(pid)]
