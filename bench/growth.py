"""What intake, delivery, the history, /metrics, the client page and pruning cost as the exports table
grows (issue 20): each figure at each size against the same figure on 10⁴ exports, measured in turns
with it in the same run.

A PostgreSQL database of its own (`octobridge_growth`) is filled through the product: partner p1
with 17 clients, client c1 getting a fifth of the messages, `FILL` messages received 8 at a time
and delivered by the worker (the real renderer and validator; Banqup's stand-in and a mailer that
only counts are in this process); a few are about documents approved before their client was on
(skipped). The exports are copied by SQL (`INSERT … SELECT`, a generation at a time, each 4 hours
older than the one before, with new time-ordered ids) but for c1's skipped ones: skipped exports
are 2 % of the table at every size, and c1, with a fifth of it, has the same 12, a status common
elsewhere that it rarely has. The copies go up to
10⁴, and the database is then copied whole as the baseline (`octobridge_growth_10k`, kept at 10⁴).
The first grows on to each size, vacuumed, analysed and checkpointed as the server would have in
time. At each size, each figure is measured in turns on the grown database and on the baseline,
each with a container of its own:

- intake: `ReceiveDocumentMessage`, 8 messages in flight, `BATCH` messages a run, ms a message;
- drain: the worker's delivery loop delivering those `BATCH` exports, s for the batch;
- c1's history (a fifth of the table): first page, page 500 (the deepest full page up to 500: the
  baseline's c1 has 51, so its page 51 is the reference), and the first page of c1's skipped exports;
- `GET /metrics`, the figures it shows as read in the background (`ReadOperationalFigures`), and
  c1's page, through the HTTP app in this process, lifespan included;
- pruning a backlog of received message ids older than 30 days (`ForgetOldMessageIds`): 10⁶ ids, or
  as many as the exports at a smaller size, 10⁴ on the baseline, so the figure is µs an id.

Why in turns: the machine's other work moved a figure that runs no SQL (`GET /metrics`) by three
times within minutes, more than any size did. Each ratio is the median on the grown database over
the median on the baseline in the same turns. The bench's own exports leave both databases' last
hour before each size (`AN_HOUR_AGO`) so /metrics' latency reads the same 3,000 deliveries on both,
and are deleted from the baseline so it stays at 10⁴.

Goal: every ratio ≤ 1.5 at 10⁶ (and at 5·10⁶).

Run: `python bench/growth.py [--sizes 1e4,1e5,1e6] [--huge]` with PostgreSQL on 127.0.0.1:5432;
by default 10⁴ and 10⁵ (a quick run), `--huge` for 10⁴, 10⁵, 10⁶ and 5·10⁶.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
import httpx
import jwt
import structlog
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.mail.message import domain_of
from application.messages import BanqupMessage, MessageData
from application.ports.mailer import Mailer, OutgoingMail
from application.services.export_pages import ListExports
from application.use_cases.activate_client_integration import ActivateClient
from application.views import ExportPage
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from entrypoints.worker.attempt_counts import AttemptCounter
from entrypoints.worker.delivery import DeliveryLoop
from sandbox.banqup import BanqupStandIn, create_banqup_app
from sandbox.world import MAILBOX, Rig, settings_for

GROWN, BASELINE = "octobridge_growth", "octobridge_growth_10k"
ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PARTNER, BIG = "p1", "c1"
CLIENTS = [BIG, *(f"c{n}" for n in range(2, 18))]
FILL = 3_000  # exports made through the product, the rows every size is copied from
BASELINE_SIZE = 10_000
BATCH = 1_000  # messages an intake run, exports a drain
RUNS = 3  # intake and drain runs at each size (each drain delivers an intake run's exports)
READS = 15  # runs of each read; asyncpg's statements may take a generic plan from their 6th run
PRUNE_RUNS = 3
MOST_PRUNED = 1_000_000
IN_FLIGHT = 8
DEEP_PAGE = 500
PAGE = 50
GENERATION_STEP = "4 hours"  # how much older each copied generation is
ROWS_A_STATEMENT = 100_000
API_TOKEN_SECRET = "growth-api-token-secret-of-32-bytes-or-more"
QUICK_SIZES = (10_000, 100_000)
HUGE_SIZES = (10_000, 100_000, 1_000_000, 5_000_000)
GOAL = 1.5


class CountingMailer(Mailer):
    """A relay stand-in that accepts every mail at once and keeps none: the worker's cost, not a relay's."""

    def __init__(self, sender: str) -> None:
        self._sender = sender
        self.sent = 0

    @property
    def sender_domain(self) -> str:
        return domain_of(self._sender)

    async def send(self, mail: OutgoingMail) -> str:
        self.sent += 1
        return f"250 2.0.0 queued as {self.sent}"


# A UUID version 7 (domain/keys.py) for the instant `t`, in SQL: its milliseconds, then random bits.
UUID7 = """(
    substr(lpad(to_hex((extract(epoch FROM {t}) * 1000)::bigint), 12, '0'), 1, 8) || '-' ||
    substr(lpad(to_hex((extract(epoch FROM {t}) * 1000)::bigint), 12, '0'), 9, 4) || '-7' ||
    substr(md5(random()::text), 1, 3) || '-' || substr('89ab', 1 + floor(random() * 4)::int, 1) ||
    substr(md5(random()::text), 1, 3) || '-' || substr(md5(random()::text), 1, 12)
)"""

COPY_GENERATIONS = f"""
INSERT INTO exports (id, partner_id, client_id, document_id, direction, kind, occurred_at, created_at,
                     status, mailbox, skip_reason, attempts, delivered_at, message_id, last_error,
                     violations, version)
SELECT {UUID7.format(t="b.created_at - g * interval '" + GENERATION_STEP + "'")},
       b.partner_id, b.client_id, b.document_id || '~' || g, b.direction, b.kind,
       b.occurred_at - g * interval '{GENERATION_STEP}', b.created_at - g * interval '{GENERATION_STEP}',
       b.status, b.mailbox, b.skip_reason, b.attempts, b.delivered_at - g * interval '{GENERATION_STEP}',
       b.message_id, b.last_error, b.violations, b.version
FROM growth_base b, generate_series($1::int, $2::int) AS g
WHERE (g - $1) * (SELECT count(*) FROM growth_base) + b.rn <= $3
ORDER BY g, b.rn
"""

# The bench's own exports so far made two hours older, so that the last hour's deliveries, which
# /metrics' latency reads (at most 10,000), are the same 3,000 at every size: those of its drains.
AN_HOUR_AGO = """
UPDATE exports SET occurred_at = occurred_at - interval '2 hours',
                   created_at = created_at - interval '2 hours',
                   delivered_at = delivered_at - interval '2 hours'
WHERE delivered_at > now() - interval '1 hour'
"""

# The runs' exports and message ids, deleted from the baseline after each size.
RUNS_TAG = "run"
FORGET_RUNS = (
    f"DELETE FROM exports WHERE document_id LIKE '{RUNS_TAG}-%'",
    f"DELETE FROM received_messages WHERE message_id LIKE 'm-{RUNS_TAG}-%'",
)

OLD_MESSAGE_IDS = """
INSERT INTO received_messages (message_id, received_at)
SELECT 'old-' || $1::text || '-' || n, now() - interval '31 days' - n * interval '1 second'
FROM generate_series(1, $2::int) AS n
"""


@dataclass(eq=False)
class Side:
    """One database and the product on it (a key by identity)."""

    database: str
    settings: Settings
    container: Container
    mailer: CountingMailer
    size: int = 0


Sample = Callable[[], Awaitable[object]]


@dataclass
class Figures:
    """Each figure's runs at one size, on the grown database and on the baseline."""

    size: int
    runs: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, side: Side, value: float) -> None:
        self.runs.setdefault(name, {}).setdefault(side.database, []).append(value)

    def median(self, name: str, database: str = GROWN) -> float:
        return statistics.median(self.runs[name][database])

    def ratio(self, name: str) -> float:
        return self.median(name) / self.median(name, BASELINE)


async def admin(*statements: str) -> None:
    connection = await asyncpg.connect(**ADMIN, database="postgres")
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@asynccontextmanager
async def own_database(name: str, template: str | None = None) -> AsyncIterator[str]:
    """A new database `name` (a copy of `template`), dropped at the end; its URL."""
    copy = f" TEMPLATE {template}" if template else ""
    await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}{copy}")
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@asynccontextmanager
async def sql(database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(**ADMIN, database=database)
    try:
        yield connection
    finally:
        await connection.close()


def settings_of(url: str, var: str) -> Settings:
    return settings_for(
        url, "", "http://banqup.stand-in", Path(var),
        api_token_secret=API_TOKEN_SECRET,
        webhook_secret="growth-webhook-secret-of-32-bytes-or-more",
        secret_key="growth-secret-key-of-32-bytes-or-more",
    )  # fmt: skip


@asynccontextmanager
async def product(database: str, url: str, var: str) -> AsyncIterator[Side]:
    """The real container on the database, with Banqup's stand-in (inventing any document asked for)
    behind an in-process transport and a mailer that counts."""
    settings = settings_of(url, var)
    mailer = CountingMailer(settings.mail_from)
    container = build_container(settings)
    container.infrastructure.mailer.override(providers.Object(mailer))
    banqup_app: Any = create_banqup_app(BanqupStandIn(invent=True))  # an ASGI app, typed more narrowly
    container.infrastructure.banqup_transport.override(providers.Object(httpx.ASGITransport(app=banqup_app)))
    container.infrastructure.migrator().upgrade()
    await container.init_resources()  # type: ignore[misc]
    try:
        yield Side(database, settings, container, mailer)
    finally:
        await container.shutdown_resources()  # type: ignore[misc]


async def switch_on(side: Side) -> None:
    """Partner p1 installed and connected, every client on."""
    await Rig(side.container, BanqupStandIn()).switch_on()  # c1 on
    activate = await side.container.use_cases.activate_client()
    for client in CLIENTS[1:]:
        await activate(ActivateClient(partner_id=PARTNER, client_id=client, mailbox=MAILBOX))
    await asyncio.sleep(1.1)  # messages happen after the activations, to the second


def skipped(n: int) -> bool:
    """Whether the fill's message `n` is about a document approved before its client was on: 12 of
    c1's 600 messages, 60 of the others' 2,400."""
    return n % 250 == 0 or n % 50 == 1


def messages(numbers: Iterable[int], tag: str, *, skipping: bool = False) -> list[BanqupMessage]:
    """Approvals of new documents, a fifth of them for c1; with `skipping`, a few to be skipped."""
    now = datetime.now(UTC)
    made = []
    for n in numbers:
        client = BIG if n % 5 == 0 else CLIENTS[1 + n % (len(CLIENTS) - 1)]
        data = MessageData(
            document_id=f"{tag}-{n}",
            space_id=client,
            partner_id=PARTNER,
            folder="PURCHASES",
            document_category="INVOICE",
            occurred_at=now - timedelta(days=1) if skipping and skipped(n) else now,
        )
        made.append(BanqupMessage(id=f"m-{tag}-{n}", category="document", type="approved", data=data))
    return made


async def intake(side: Side, batch: list[BanqupMessage]) -> float:
    """Seconds a message, `IN_FLIGHT` at a time (the inverse of the rate)."""
    receive = await side.container.use_cases.receive_message()
    pending = iter(batch)

    async def sender() -> None:
        for message in pending:
            await receive(message)

    began = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(IN_FLIGHT)))
    return (time.perf_counter() - began) / len(batch)


async def drain(side: Side, exports: int) -> float:
    """Seconds for the worker's delivery loop to deliver `exports` queued exports."""
    use = side.container.use_cases
    loop = DeliveryLoop(
        await use.claim_due_exports(),
        await use.deliver_export(),
        idle_wait=0.05,
        counter=AttemptCounter(await use.add_attempt_counts()),
    )
    stop, target = asyncio.Event(), side.mailer.sent + exports
    began = time.perf_counter()
    running = asyncio.create_task(loop.run(stop))
    while loop.delivered < exports:
        if running.done():
            await running
            raise RuntimeError("the delivery loop stopped")
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - began
    stop.set()
    await running
    assert side.mailer.sent == target, (side.mailer.sent, target)
    return elapsed


def in_turn(sides: list[Side], run: int) -> list[Side]:
    """The sides in the order of run `run`: each goes first in every other run, so that neither
    always measures right after the other's work."""
    return sides if run % 2 == 0 else sides[::-1]


async def in_turns(figures: Figures, name: str, samples: Mapping[Side, Sample], runs: int = READS) -> None:
    """Times each side's call `runs` times, the sides in turn, after one untimed call each."""
    for sample in samples.values():
        await sample()
    for run in range(runs):
        for side in in_turn(list(samples), run):
            sample = samples[side]
            began = time.perf_counter()
            await sample()
            figures.add(name, side, (time.perf_counter() - began) * 1000)


async def fill(side: Side) -> int:
    """Exports made through the product, all but c1's skipped ones kept in `growth_base` as the
    rows each size copies; how many."""
    await intake(side, messages(range(FILL), "fill", skipping=True))
    await drain(side, sum(1 for n in range(FILL) if not skipped(n)))
    async with sql(side.database) as connection:
        await connection.execute(
            "CREATE TABLE growth_base AS SELECT *, row_number() OVER (ORDER BY created_at, id) AS rn "
            f"FROM exports WHERE status = 'delivered' OR client_id <> '{BIG}'"
        )
        return int(await connection.fetchval("SELECT count(*) FROM exports"))


async def grow(database: str, to: int, generations: count[int]) -> int:
    """Copies the product's own exports, a generation at a time, until the table holds `to`; the
    table's size after (the runs at a size add a few thousand)."""
    async with sql(database) as connection:
        base = await connection.fetchval("SELECT count(*) FROM growth_base")
        size = await connection.fetchval("SELECT count(*) FROM exports")
        while size < to:
            rows = min(to - size, ROWS_A_STATEMENT)
            first = next(generations)
            last = first + (rows - 1) // base
            for _ in range(last - first):
                next(generations)
            async with connection.transaction():
                await connection.execute("SET LOCAL synchronous_commit = off")
                await connection.execute(COPY_GENERATIONS, first, last, rows)
            size += rows
    await settle(database)
    return int(size)


async def settle(database: str, *statements: str) -> None:
    """`statements`, then the bench's exports out of the last hour, and the tables vacuumed,
    analysed and written out as autovacuum and the checkpointer would have done in time."""
    async with sql(database) as connection:
        for statement in (*statements, AN_HOUR_AGO):
            await connection.execute(statement)
        await connection.execute("VACUUM ANALYZE exports")
        await connection.execute("VACUUM ANALYZE received_messages")
        await connection.execute("CHECKPOINT")


async def intake_and_drain(sides: list[Side], figures: Figures) -> None:
    for run in range(RUNS):
        for side in in_turn(sides, run):
            batch = messages(range(BATCH), f"{RUNS_TAG}-s{figures.size}-r{run}")
            figures.add(
                f"intake, {IN_FLIGHT} in flight (ms a message)", side, await intake(side, batch) * 1000
            )
        for side in in_turn(sides, run):
            figures.add(f"drain of {BATCH:,} exports by the worker (s)", side, await drain(side, BATCH))


async def history(sides: list[Side], figures: Figures) -> None:
    reads = {side: await side.container.use_cases.client_export_history() for side in sides}

    def page(
        side: Side, cursor: str | None = None, status: str | None = None
    ) -> Callable[[], Awaitable[ExportPage]]:
        command = ListExports(partner_id=PARTNER, client_id=BIG, status=status, limit=PAGE, cursor=cursor)
        return lambda: reads[side](command)

    async def deep(side: Side) -> Callable[[], Awaitable[ExportPage]]:
        """The deepest full page up to 500: one follows it."""
        cursors: list[str | None] = [None]
        while len(cursors) <= DEEP_PAGE:
            following = (await page(side, cursors[-1])()).next_cursor
            if following is None:
                break
            cursors.append(following)
        depth = min(DEEP_PAGE, len(cursors) - 1)
        if depth < DEEP_PAGE:
            figures.notes.append(
                f"page {DEEP_PAGE} on {side.database}: c1 has {depth} full pages, page {depth} is timed"
            )
        return page(side, cursors[depth - 1])

    await in_turns(figures, "history, first page (ms)", {side: page(side) for side in sides})
    await in_turns(figures, f"history, page {DEEP_PAGE} (ms)", {side: await deep(side) for side in sides})
    skips = {side: page(side, status="skipped") for side in sides}
    await in_turns(figures, "history of skipped exports, first page (ms)", skips)


async def over_http(sides: list[Side], figures: Figures) -> None:
    """/metrics, the figures behind it, and c1's page, through the HTTP app and a container of its own."""
    reads = {side: await side.container.use_cases.read_operational_figures() for side in sides}
    await in_turns(figures, "/metrics figures read, every 30 s (ms)", reads)
    token = jwt.encode(
        {"iss": "banqup", "aud": "octobridge", "sub": PARTNER, "exp": int(time.time()) + 600},
        API_TOKEN_SECRET,
        algorithm="HS256",
    )
    async with AsyncExitStack() as stack:
        apps = {
            side: await stack.enter_async_context(AsyncTestClient(app=create_app(side.settings)))
            for side in sides
        }

        def get(http: AsyncTestClient[Any], path: str) -> Sample:
            async def answered() -> None:
                answer = await http.get(path)
                assert answer.status_code == 200, answer.text

            return answered

        await in_turns(
            figures, "GET /metrics (ms)", {side: get(http, "/metrics") for side, http in apps.items()}
        )
        for http in apps.values():  # the page's session cookie
            opened = await http.get(f"/pages/clients/{BIG}", params={"token": token}, follow_redirects=True)
            assert opened.status_code == 200, opened.text
        pages = {side: get(http, f"/pages/clients/{BIG}") for side, http in apps.items()}
        await in_turns(figures, "client page of c1 (ms)", pages)


async def pruning(sides: list[Side], figures: Figures) -> None:
    """µs an id to forget a backlog of old message ids, as many as the exports up to 10⁶."""
    for run in range(PRUNE_RUNS):
        for side in in_turn(sides, run):
            backlog = min(MOST_PRUNED, side.size)
            async with sql(side.database) as connection:
                await connection.execute(OLD_MESSAGE_IDS, f"s{figures.size}-{run}", backlog)
                await connection.execute("VACUUM ANALYZE received_messages")
            forget = await side.container.use_cases.forget_old_message_ids()
            began = time.perf_counter()
            forgotten = await forget()
            elapsed = time.perf_counter() - began
            assert forgotten == backlog, (forgotten, backlog)
            figures.add("pruning old message ids (µs an id)", side, elapsed / backlog * 1e6)
    grown = min(MOST_PRUNED, figures.size)
    if grown < MOST_PRUNED:
        figures.notes.append(f"pruning: a backlog of {grown:,} ids, {BASELINE_SIZE:,} on the baseline")


async def measure(sides: list[Side], size: int) -> Figures:
    figures = Figures(size)
    await intake_and_drain(sides, figures)
    await history(sides, figures)
    await over_http(sides, figures)
    await pruning(sides, figures)
    return figures


def report(table: list[Figures]) -> None:
    names = list(table[0].runs)
    width = max(len(name) for name in names) + 2
    sizes = "".join(f"{f'{figures.size:,}':>12}{'ratio':>7}" for figures in table)
    print(f"\n{'figure (median of runs)':<{width}}{f'{BASELINE_SIZE:,}':>12}{sizes}")
    over = []
    for name in names:
        cells = [f"{table[0].median(name, BASELINE):>12.2f}"]
        for figures in table:
            cells.append(f"{figures.median(name):>12.2f}{figures.ratio(name):>7.2f}")
            if figures.ratio(name) > GOAL and figures.size >= 1_000_000:
                over.append(f"{name} at {figures.size:,}: {figures.ratio(name):.2f}")
        print(f"{name:<{width}}{''.join(cells)}")
    print(f"the {BASELINE_SIZE:,} column: the baseline as measured in turns with the first size")
    for figures in table:
        baseline = ", ".join(f"{figures.median(name, BASELINE):.2f}" for name in names)
        print(f"at {figures.size:,}: the baseline measured in turns: {baseline}")
        for note in figures.notes:
            print(f"  {note}")
    print(f"goal: every ratio ≤ {GOAL} at 10⁶ (and 5·10⁶); each ratio is to the baseline of "
          f"{BASELINE_SIZE:,} exports, measured in turns with it")  # fmt: skip
    print("over the goal: " + ("; ".join(over) if over else "none"))


def arguments() -> list[int]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", help="exports at which to measure, e.g. 1e4,1e5,1e6")
    parser.add_argument("--huge", action="store_true", help="10⁴, 10⁵, 10⁶ and 5·10⁶ exports")
    given = parser.parse_args()
    if given.sizes:
        sizes = sorted(int(float(size)) for size in given.sizes.split(","))
    else:
        sizes = list(HUGE_SIZES if given.huge else QUICK_SIZES)
    if sizes[0] < BASELINE_SIZE:
        parser.error(f"sizes start at {BASELINE_SIZE:,}, the baseline")
    return sizes


async def main(sizes: list[int]) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    began = time.monotonic()
    table, generations = [], count(1)
    with tempfile.TemporaryDirectory() as var:
        async with own_database(GROWN) as url:
            async with product(GROWN, url, var) as side:
                await switch_on(side)
                made = await fill(side)
            await grow(GROWN, BASELINE_SIZE, generations)
            print(f"filled through the product: {made} exports, grown to {BASELINE_SIZE:,} by copies, "
                  f"in {time.monotonic() - began:.0f} s", flush=True)  # fmt: skip
            async with (
                own_database(BASELINE, template=GROWN) as baseline_url,
                product(GROWN, url, var) as grown,
                product(BASELINE, baseline_url, var) as baseline,
            ):
                baseline.size = BASELINE_SIZE
                for size in sizes:
                    started = time.monotonic()
                    grown.size = await grow(GROWN, size, generations)
                    print(
                        f"grown to {grown.size:,} exports in {time.monotonic() - started:.0f} s", flush=True
                    )
                    started = time.monotonic()
                    table.append(await measure([grown, baseline], size))
                    await settle(BASELINE, *FORGET_RUNS)
                    print(f"  measured in {time.monotonic() - started:.0f} s", flush=True)
    report(table)
    print(f"whole run: {time.monotonic() - began:.0f} s, on {len(os.sched_getaffinity(0))} cores")


if __name__ == "__main__":
    asyncio.run(main(arguments()))
