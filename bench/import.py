"""`octobridge clients import` against a raw batched insert of the same rows, in one run on one machine.

Import: the command as an operator runs it (`clients import FILE --json`), in this process, through the
real container on a fresh SQLite file: the file streamed, each row checked by the domain, a batch of
rows (the command's default) a transaction through `ImportClients`. Baseline: the same file read with
the csv module and the same rows inserted with SQLAlchemy Core executemany, batches of the same size
a transaction, into the same table of another fresh SQLite file with the same engine settings.
Goal: ratio ≥ 0.5. Then the same file a second time (every row unchanged). Three rounds on fresh
databases, the best time of each kept (the machine is noisy; the best is the one least disturbed).
Then the peak memory of the command in a child process of its own (maximum resident set size,
interpreter and libraries included). Goal: ≤ 200 MB.

Run: `python bench/import.py [ROWS]` (default 100000).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from sqlalchemy.sql import column, table

from adapters.persistence.engine import create_engine
from adapters.persistence.migrator import AlembicMigrator
from application.use_cases.install_extension import Install
from entrypoints.cli.client_import import BATCH_SIZE as BATCH
from entrypoints.cli.main import cli
from entrypoints.container import build_container
from entrypoints.settings import Settings
from tests.entrypoints.cli.client_files import PARTNERS, write_client_file

ROUNDS = 3
OCTOBRIDGE = [sys.executable, "-c", "from entrypoints.cli.main import main; main()"]
RAW = table(
    "client_integrations",
    *(
        column(name)
        for name in ("partner_id", "client_id", "mailboxes", "activation", "vat_number", "version")
    ),
)


def database(folder: Path, name: str) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{folder}/{name}.db"
    AlembicMigrator(url).upgrade()
    return {"OCTOBRIDGE_DATABASE_URL": url, "OCTOBRIDGE_VAR_DIR": str(folder)}


async def install_partners(env: dict[str, str]) -> None:
    container = build_container(Settings.from_environ(env))
    await container.init_resources()  # type: ignore[misc]
    try:
        for partner in PARTNERS:
            await (await container.use_cases.install_extension())(Install(partner_id=partner))
    finally:
        await container.shutdown_resources()  # type: ignore[misc]


def run_import(path: Path, env: dict[str, str]) -> tuple[float, dict[str, int]]:
    """Seconds the command took in this process, and its counts."""
    os.environ.update(env)
    answer = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(answer):
        code = cli.main(
            ["clients", "import", str(path), "--json"], prog_name="octobridge", standalone_mode=False
        )
    elapsed = time.perf_counter() - started
    report = json.loads(answer.getvalue())
    assert code in (0, None) and not report["rejected"], report["rejected"][:3]
    return elapsed, {k: report[k] for k in ("imported", "updated", "unchanged")}


async def raw_insert(path: Path, url: str) -> float:
    """Seconds to read the file and insert its rows with Core executemany, `BATCH` a transaction."""
    engine = create_engine(url)
    stamp = datetime.now(UTC).isoformat()
    activation = json.dumps([[stamp, None]])
    started = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as file:
        records = csv.reader(file)
        next(records)
        batch: list[dict[str, object]] = []
        for partner, client, mailbox, vat in records:
            batch.append(
                {
                    "partner_id": partner,
                    "client_id": client,
                    "mailboxes": json.dumps([[mailbox, stamp]]),
                    "activation": activation,
                    "vat_number": vat or None,
                    "version": 1,
                }
            )
            if len(batch) == BATCH:
                async with engine.begin() as connection:
                    await connection.execute(insert(RAW), batch)
                batch = []
        if batch:
            async with engine.begin() as connection:
                await connection.execute(insert(RAW), batch)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed


def peak_memory_of_the_command(path: Path, env: dict[str, str]) -> float:
    """Megabytes: the child's maximum resident set size (kilobytes on Linux)."""
    child = subprocess.run(
        [*OCTOBRIDGE, "clients", "import", str(path), "--json"],
        env={**os.environ, **env},
        capture_output=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr.decode()[-500:]
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def one_round(folder: Path, path: Path, rows: int) -> tuple[float, float, float]:
    """Seconds for the baseline, the import of new clients and the same file again, on fresh databases."""
    imported, raw = database(folder, "import"), database(folder, "raw")
    asyncio.run(install_partners(imported))
    baseline = asyncio.run(raw_insert(path, raw["OCTOBRIDGE_DATABASE_URL"]))
    first, counts = run_import(path, imported)
    assert counts == {"imported": rows, "updated": 0, "unchanged": 0}, counts
    second, counts = run_import(path, imported)
    assert counts == {"imported": 0, "updated": 0, "unchanged": rows}, counts
    for name in ("import", "raw"):
        for suffix in ("", "-wal", "-shm"):
            (folder / f"{name}.db{suffix}").unlink(missing_ok=True)
    return baseline, first, second


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        path = folder / "clients.csv"
        write_client_file(path, rows, bad_every=rows + 1)  # every row good: the same rows on both sides
        rounds = [one_round(folder, path, rows) for _ in range(ROUNDS)]
        measured = database(folder, "memory")
        asyncio.run(install_partners(measured))
        peak = peak_memory_of_the_command(path, measured)

    baseline, first, second = (min(times) for times in zip(*rounds, strict=True))
    ratios = ", ".join(f"{b / f:.2f}" for b, f, _ in rounds)
    rate, base_rate = rows / first, rows / baseline
    print(f"best of {ROUNDS} rounds, each on fresh databases")
    print(f"clients import, {rows:,} new clients:   {rate:,.0f} rows/s ({first:.2f} s)")
    print(f"the same file again (all unchanged): {rows / second:,.0f} rows/s ({second:.2f} s)")
    print(f"baseline: csv + Core executemany:    {base_rate:,.0f} rows/s ({baseline:.2f} s)")
    print(f"ratio:    {rate / base_rate:.2f} (goal ≥ 0.5; each round: {ratios})")
    print(f"peak memory of the command:          {peak:,.0f} MB (goal ≤ 200 MB)")


if __name__ == "__main__":
    main()
