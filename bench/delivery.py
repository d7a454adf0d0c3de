"""Delivery end to end against a bare loop, in one run on one machine.

End to end: queued exports on PostgreSQL → `octobridge worker` (claim, fetch from the stand-in
Banqup, render and validate, send, record) → mails accepted by a real SMTP server. Baseline: a loop
that only renders, validates and sends the same documents to the same server, as many at a time as
the worker, in this process, with the garbage collector set as the worker sets it. Goal: ratio ≥ 0.8.
The worker, the stand-in Banqup and the SMTP server (aiosmtpd) run in processes of their own, as
they would in production; both loops run on uvloop.

Both sides are measured alike (docs/decisions/0004):
- The loop under test (the bare loop, then the worker) has a core of its own and the rest shares
  the others, as Banqup and the relay would be on other machines: left to the scheduler, they
  preempted the worker on its core and the end to end runs lost about a tenth. The PostgreSQL
  processes serving the bench's database are moved off it too, where the bench may move them
  (the scheduler woke them on the core of the worker that asked them); it says when it may not.
- Each side renders `WARM_UP` documents before the first round, as a worker in production has long
  since done. One worker serves every round: it is paused (SIGSTOP) while a round's exports are
  queued and the bare loop runs, then resumed with all of them queued, as the bare loop starts
  with all its documents at hand; its clock runs from its resumption to its last `delivered_at`.
- The machine's speed swings by a fifth within minutes here, so the two are measured in alternate
  rounds, each ratio of a bare loop and the end to end run right after it; the median is the figure.

Latencies count from the clock's start. An attempt that did not deliver (a retry waits, and
stretches its round) is printed with its reason.

Run: `python bench/delivery.py [EXPORTS] [ROUNDS]` (600 and 7 by default) with PostgreSQL on
127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg
import structlog
import uvloop

from adapters.mail.smtp import SmtpMailer, SmtpRelay
from adapters.ubl import PeppolUblToolkit
from application.ports.documents import SourceDocument
from application.rendering import original_ubl_first
from application.use_cases.deliver_export import compose
from domain.export import AttemptOutcome, Export, ExportStatus
from entrypoints.cli.runtime import settle_the_collector
from entrypoints.settings import Settings
from entrypoints.worker.delivery import IN_FLIGHT
from sandbox.banqup import BanqupStandIn
from sandbox.documents import banqup_document, encoded
from sandbox.server import free_port
from sandbox.world import Rig, environment_for, rig

DATABASE = "octobridge_bench"
# Documents each side renders before the first round: SaxonC, fresh in a process, runs its first
# hundred or so documents at two thirds of its speed.
WARM_UP = 200


@dataclass(frozen=True)
class Cores:
    """The core the loop under test has to itself, and the rest; on a machine of one core, all for all."""

    under_test: frozenset[int]
    rest: frozenset[int]

    @classmethod
    def of_this_machine(cls) -> Cores:
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            return cls(frozenset(cores), frozenset(cores))
        return cls(frozenset(cores[:1]), frozenset(cores[1:]))

    def keep(self, cores: frozenset[int]) -> Callable[[], None]:
        """To run in a child before it starts: it runs on `cores` only."""
        return lambda: os.sched_setaffinity(0, cores)


async def fresh_database() -> str:
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"


async def database_off(cores: frozenset[int]) -> bool:
    """Moves the PostgreSQL processes serving the bench's database (the rig's connections and the
    worker's) to `cores`; whether it could move them all."""
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    try:
        rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", DATABASE)
    finally:
        await admin.close()
    moved = 0
    for row in rows:
        try:
            if _serves_the_bench(row["pid"]):
                os.sched_setaffinity(row["pid"], cores)
                moved += 1
        except OSError:  # another user's process, or one that ended meanwhile
            pass
    return moved == len(rows)


def _serves_the_bench(pid: int) -> bool:
    """Whether process `pid` here is a PostgreSQL process for the bench's database: a server in a
    container reports the pids of its own namespace, which may be other processes here."""
    try:
        return DATABASE in Path(f"/proc/{pid}/cmdline").read_text(errors="replace").split()
    except OSError:
        return False


async def bare_loop(count: int, smtp_url: str) -> tuple[float, float]:
    """Exports per second of render + validate + send alone, as many at a time as the worker, and
    the CPU seconds an export of this process."""
    toolkit = PeppolUblToolkit()
    mailer = SmtpMailer(SmtpRelay.from_url(smtp_url), "bench@octobridge.example")
    documents = [
        SourceDocument("c1", f"bare-{n}", encoded(banqup_document(f"bare-{n}", "c1", number=f"B-{n}")))
        for n in range(count)
    ]

    class Export:  # what `compose` reads of an export
        def __init__(self, n: int) -> None:
            self.mailbox = "uid-008352-24@import.octopus.be"

    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(n: int, source: SourceDocument) -> None:
        async with slots:
            rendered = await toolkit.render(original_ubl_first(source))
            await mailer.send(compose(Export(n), rendered, f"<bare-{n}@octobridge.example>"))  # type: ignore[arg-type]

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(n, d) for n, d in enumerate(documents)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await mailer.close()
    return count / elapsed, cpu / count


@dataclass
class RunningWorker:
    """`octobridge worker` in a process of its own, paused between rounds."""

    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """The worker's CPU (user + system) so far; NaN without /proc."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    async def deliver(self, world: Rig, ids: list[str]) -> Delivered:
        """Resumes the worker with the exports `ids` queued (and nothing else) and waits until none
        is queued any more; the worker's CPU is read on both sides of that. The database is asked
        four times a second: asked every 20 ms, it took the worker's core often enough to cost
        the worker a fifth more CPU an export."""
        started, cpu = datetime.now(UTC), self.cpu_seconds()
        self.process.send_signal(signal.SIGCONT)
        while await world.queued():
            if self.process.poll() is not None:
                raise RuntimeError("octobridge worker stopped in the middle of a round")
            await asyncio.sleep(0.25)
        cpu = self.cpu_seconds() - cpu
        wanted = set(ids)
        exports = [e for e in await world.exports() if e.id in wanted]
        return Delivered.of(started, exports, cpu)


@dataclass(frozen=True)
class Delivered:
    """One end to end round: exports per second, the worker's CPU seconds an export, the latencies
    from the clock's start, and why any export was not delivered at its first attempt."""

    rate: float
    cpu: float
    latencies: list[float]
    deferred: list[str]

    @classmethod
    def of(cls, started: datetime, exports: list[Export], cpu: float) -> Delivered:
        delivered = [e.delivered_at for e in exports if e.status is ExportStatus.DELIVERED and e.delivered_at]
        assert len(delivered) == len(exports), "every export delivered"
        latencies = sorted((moment - started).total_seconds() for moment in delivered)
        deferred = [
            a.detail for e in exports for a in e.attempts if a.outcome is not AttemptOutcome.DELIVERED
        ]
        return cls(len(exports) / latencies[-1], cpu / len(exports), latencies, deferred)


@contextmanager
def running_worker(environment: dict[str, str], cores: Cores) -> Iterator[RunningWorker]:
    """`octobridge worker` on `environment`, on the core under test; when it said it is running.
    Stopped by SIGTERM. Its log (a line an export) is written as in production, then thrown away."""
    command = [sys.executable, "-c", "from entrypoints.cli.main import main; main()", "worker"]
    with tempfile.TemporaryFile("w+") as stderr:

        def said() -> str:
            stderr.seek(0)
            return stderr.read()

        process = subprocess.Popen(
            command,
            env={**os.environ, **environment},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=ROOT,
            preexec_fn=cores.keep(cores.under_test),  # noqa: PLW1509 - the bench starts no thread
        )
        try:
            while "running" not in said():
                if process.poll() is not None:
                    raise RuntimeError(f"octobridge worker stopped before it ran: {said()}")
                time.sleep(0.01)
            yield RunningWorker(process)
        finally:
            process.terminate()
            process.send_signal(signal.SIGCONT)  # a paused worker takes its SIGTERM once resumed
            process.wait(timeout=60)


@contextmanager
def elsewhere(command: Callable[[int], list[str]], cores: Cores) -> Iterator[int]:
    """A stand-in in a process of its own, off the core under test, as the real one is on another
    machine: its port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", *command(port)],
        cwd=ROOT,
        preexec_fn=cores.keep(cores.rest),  # noqa: PLW1509 - the bench starts no thread
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait()


async def main(count: int, rounds: int) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command otherwise
    logging.getLogger("httpx").setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    PeppolUblToolkit().warm_up()  # the rules compiled before any clock starts, as the worker does
    settle_the_collector()  # as `octobridge worker` does before it starts
    ratios, cores = [], Cores.of_this_machine()
    with (
        elsewhere(lambda port: ["sandbox.banqup", str(port)], cores) as banqup_port,
        elsewhere(
            lambda port: ["aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
            cores,
        ) as smtp_port,
        tempfile.TemporaryDirectory() as var,
    ):
        smtp_url = f"smtp://127.0.0.1:{smtp_port}?starttls=0"
        environment = environment_for(
            await fresh_database(), smtp_url, f"http://127.0.0.1:{banqup_port}", Path(var)
        )
        print(
            f"exports: {count} a run; {rounds} rounds, each a bare loop then end to end; "
            f"the loop under test on core {sorted(cores.under_test)}, the rest on {sorted(cores.rest)}"
        )
        # The rig's Banqup keeps the queued documents in this process, unread; the one the worker
        # reads, elsewhere, makes the same documents from their ids.
        async with rig(Settings.from_environ(environment), BanqupStandIn()) as world:
            with running_worker(environment, cores) as worker:
                os.sched_setaffinity(0, cores.under_test)
                await bare_loop(WARM_UP, smtp_url)
                os.sched_setaffinity(0, cores.rest)
                await worker.deliver(world, await world.queue(WARM_UP))
                for round_ in range(1, rounds + 1):
                    worker.pause()
                    ids = await world.queue(count)
                    os.sched_setaffinity(0, cores.under_test)
                    baseline, baseline_cpu = await bare_loop(count, smtp_url)
                    os.sched_setaffinity(0, cores.rest)
                    if not await database_off(cores.rest):
                        print("  PostgreSQL's processes could not be moved off the core under test")
                    run = await worker.deliver(world, ids)
                    ratios.append(run.rate / baseline)
                    cuts = statistics.quantiles(run.latencies, n=100)
                    print(
                        f"round {round_}: bare loop (render, validate, send) {baseline:5.1f} exports/s, "
                        f"CPU {baseline_cpu * 1000:.2f} ms each; end to end (queue → mail accepted) "
                        f"{run.rate:5.1f} exports/s, worker's CPU {run.cpu * 1000:.2f} ms each; "
                        f"ratio {run.rate / baseline:.2f}; "
                        f"queue-to-delivered p50 / p99 {cuts[49]:.2f} s / {cuts[98]:.2f} s"
                    )
                    for reason in run.deferred:  # a retry's wait stretches the round; the reason says whose
                        print(f"  an attempt was not delivered: {reason}")
    print(
        f"ratio end to end / bare loop, median of the rounds: {statistics.median(ratios):.2f}  (goal ≥ 0.8)"
    )


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    uvloop.run(main(count, rounds))
