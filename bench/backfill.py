"""A backfill's pace against message intake on the same database, in one run on one machine.

Backfill: `octobridge clients backfill … --wait` in a process of its own takes a backfill of 20,000
documents (over 400 days) page by page from the stand-in Banqup, itself in a process of its own over
HTTP: each page listed (100), checked for exports already made, its exports and outbox rows written
with the backfill's counts in one transaction. Rate: documents listed and queued per second, from
the command's start (its start-up counted) to its end. Baseline: the intake rate of the same SQLite
file in the same run (signed `POST /v1/messages` to `octobridge serve`, 16 in flight, as
bench/intake.py measures it), before and after the backfill, their mean. Goal: ratio ≥ 0.5.

Run: `python bench/backfill.py [DOCUMENTS] [MESSAGES]` (defaults 20000 and 2000).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx
from intake import API_TOKEN_SECRET, CLIENT, PARTNER, WEBHOOK_SECRET, free_port, intake, serve, set_up_once

from adapters.persistence.migrator import AlembicMigrator

DAYS = 400
IN_FLIGHT = 16
STAND_IN = """
import sys
from datetime import date
import uvicorn
from sandbox.banqup import BanqupStandIn, create_banqup_app
from sandbox.banqup_history import hold_history
space, count, days, today, port = sys.argv[1:]
banqup = BanqupStandIn()
hold_history(banqup, space, int(count), int(days), date.fromisoformat(today))
uvicorn.run(create_banqup_app(banqup), host="127.0.0.1", port=int(port), log_level="warning")
"""


def stand_in(documents: int) -> tuple[str, subprocess.Popen[bytes]]:
    """The stand-in Banqup holding `documents` of the bench's client over the last `DAYS` days."""
    port = free_port()
    today = datetime.now(UTC).date().isoformat()
    command = [sys.executable, "-c", STAND_IN, CLIENT, str(documents), str(DAYS), today, str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return f"http://127.0.0.1:{port}", server
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
        time.sleep(0.2)


def backfill(folder: str, url: str, banqup_url: str) -> tuple[float, dict[str, object]]:
    """`octobridge clients backfill … --wait` over the whole history: seconds taken and the backfill."""
    first = (datetime.now(UTC).date() - timedelta(days=DAYS - 1)).isoformat()
    environment = {
        **os.environ,
        "OCTOBRIDGE_DATABASE_URL": url,
        "OCTOBRIDGE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "OCTOBRIDGE_API_TOKEN_SECRET": API_TOKEN_SECRET,
        "OCTOBRIDGE_SECRET_KEY": "bench-secret-key",
        "OCTOBRIDGE_VAR_DIR": f"{folder}/var",
        "OCTOBRIDGE_BANQUP_API_URL": banqup_url,
        "OCTOBRIDGE_BANQUP_CLIENT_ID": "octobridge",
        "OCTOBRIDGE_BANQUP_CLIENT_SECRET": "stand-in-secret",
    }
    command = [sys.executable, "-c", "from entrypoints.cli.main import main; main()"]
    began = time.perf_counter()
    done = subprocess.run(
        [*command, "clients", "backfill", PARTNER, CLIENT, "--from", first, "--wait"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - began, json.loads(done.stdout)


def main() -> None:
    documents = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/octobridge.db"
        AlembicMigrator(url).upgrade()
        banqup_url, banqup = stand_in(documents)
        base_url, server = serve(folder, url)
        try:
            asyncio.run(set_up_once(base_url))
            before, _ = asyncio.run(intake(base_url, range(messages), IN_FLIGHT))
            seconds, ended = backfill(folder, url, banqup_url)
            after, _ = asyncio.run(intake(base_url, range(messages, 2 * messages), IN_FLIGHT))
        finally:
            for process in (server, banqup):
                process.terminate()
                process.wait(timeout=30)
    assert ended["state"] == "done" and ended["listed"] == documents, ended
    rate, baseline = documents / seconds, (before + after) / 2
    print(
        f"backfill: {documents:,} documents over {DAYS} days, {ended['queued']:,} queued, "
        f"{ended['ignored']:,} ignored (withdrawn), in {seconds:.1f} s: {rate:,.0f} documents/s"
    )
    print(
        f"baseline: intake on the same SQLite file, {IN_FLIGHT} in flight: "
        f"{before:,.0f}/s before, {after:,.0f}/s after"
    )
    print(f"ratio:    {rate / baseline:.2f} (goal ≥ 0.5)")


if __name__ == "__main__":
    main()
