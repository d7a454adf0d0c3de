"""What intake, delivery, the history, /metrics, the client page and pruning cost as the exports table
grows (issue 20), each figure against its own value at the smallest size, in one run on one machine.

A PostgreSQL database of its own (`octobridge_growth`, dropped at the end) is filled through the
product: partner p1 with 17 clients, client c1 getting a fifth of the messages (a few of them about
documents approved before its activation: skipped, the status it rarely has), `FILL` messages
received 8 at a time and delivered by the worker (the real renderer and validator; Banqup's stand-in
and a mailer that only counts are in this process). Those exports are then copied by SQL
(`INSERT … SELECT`, a generation at a time, each generation 4 hours older than the one before, with
new time-ordered ids) up to each size, vacuumed and analysed as autovacuum would, and at each size:

- intake: `ReceiveDocumentMessage` with 8 messages in flight, `BATCH` messages a run, ms a message;
- drain: the worker's delivery loop delivering those `BATCH` exports, s for the batch;
- the client history of c1 (a fifth of the table): first page, page 500 (the deepest page up to
  500: at small sizes c1 has fewer pages, the page is then named), and the first page of c1's
  skipped exports;
- `GET /metrics`, the figures it shows as read in the background (`ReadOperationalFigures`), and
  the client page of c1, through the HTTP app in this process (its lifespan included);
- pruning a backlog of received message ids older than 30 days (`ForgetOldMessageIds`): 10⁶ ids,
  or as many as the exports at a smaller size, so its figure is µs an id.

Each figure is the median of its runs. Goal: every ratio ≤ 1.5 at 10⁶ (and at 5·10⁶).

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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

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

DATABASE = "octobridge_growth"
ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PARTNER, BIG = "p1", "c1"
CLIENTS = [BIG, *(f"c{n}" for n in range(2, 18))]
FILL = 3_000  # exports made through the product, the rows every size is copied from
BATCH = 1_000  # messages an intake run, exports a drain
RUNS = 3  # intake and drain runs at each size (each drain delivers an intake run's exports)
READS = 9  # runs of each read (history, /metrics, client page); asyncpg's generic plan comes at the 6th
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

OLD_MESSAGE_IDS = """
INSERT INTO received_messages (message_id, received_at)
SELECT 'old-' || $1::text || '-' || n, now() - interval '31 days' - n * interval '1 second'
FROM generate_series(1, $2::int) AS n
"""


@dataclass
class Figures:
    """Each figure's runs at one size, in the order they were first measured."""

    size: int
    runs: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: float) -> None:
        self.runs.setdefault(name, []).append(value)

    def median(self, name: str) -> float:
        return statistics.median(self.runs[name])


async def admin(*statements: str) -> None:
    connection = await asyncpg.connect(**ADMIN, database="postgres")
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@asynccontextmanager
async def own_database() -> AsyncIterator[str]:
    await admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
    finally:
        await admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@asynccontextmanager
async def sql() -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(**ADMIN, database=DATABASE)
    try:
        yield connection
    finally:
        await connection.close()


@asynccontextmanager
async def product(settings: Settings, mailer: CountingMailer) -> AsyncIterator[Container]:
    """The real container on the database, with Banqup's stand-in (inventing any document asked for)
    behind an in-process transport and the counting mailer; partner p1 connected, every client on."""
    container = build_container(settings)
    container.infrastructure.mailer.override(providers.Object(mailer))
    banqup = httpx.ASGITransport(app=create_banqup_app(BanqupStandIn(invent=True)))
    container.infrastructure.banqup_transport.override(providers.Object(banqup))
    container.infrastructure.migrator().upgrade()
    await container.init_resources()  # type: ignore[misc]
    try:
        await Rig(container, BanqupStandIn()).switch_on()  # p1 installed, connected, c1 on
        activate = await container.use_cases.activate_client()
        for client in CLIENTS[1:]:
            await activate(ActivateClient(partner_id=PARTNER, client_id=client, mailbox=MAILBOX))
        await asyncio.sleep(1.1)  # messages happen after the activations, to the second
        yield container
    finally:
        await container.shutdown_resources()  # type: ignore[misc]


def skipped(n: int) -> bool:
    """Whether the fill's message `n` is about a document of c1 approved before c1 was on: one in
    fifty of c1's documents."""
    return n % 250 == 0


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


async def intake(container: Container, batch: list[BanqupMessage]) -> float:
    """Seconds a message, `IN_FLIGHT` at a time (the inverse of the rate)."""
    receive = await container.use_cases.receive_message()
    pending = iter(batch)

    async def sender() -> None:
        for message in pending:
            await receive(message)

    began = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(IN_FLIGHT)))
    return (time.perf_counter() - began) / len(batch)


async def drain(container: Container, mailer: CountingMailer, exports: int) -> float:
    """Seconds for the worker's delivery loop to deliver `exports` queued exports."""
    use = container.use_cases
    loop = DeliveryLoop(
        await use.claim_due_exports(),
        await use.deliver_export(),
        idle_wait=0.05,
        counter=AttemptCounter(await use.add_attempt_counts()),
    )
    stop, target = asyncio.Event(), mailer.sent + exports
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
    assert mailer.sent == target, (mailer.sent, target)
    return elapsed


async def timed(runs: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    """Seconds of each of `runs` calls, after one untimed call."""
    await call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        times.append(time.perf_counter() - began)
    return times


async def history(container: Container, figures: Figures) -> None:
    read = await container.use_cases.client_export_history()

    def page(cursor: str | None = None, status: str | None = None) -> Callable[[], Awaitable[ExportPage]]:
        command = ListExports(partner_id=PARTNER, client_id=BIG, status=status, limit=PAGE, cursor=cursor)
        return lambda: read(command)

    for seconds in await timed(READS, page()):
        figures.add("history, first page (ms)", seconds * 1000)
    cursors: list[str | None] = [None]  # the cursor of each page, up to the page after page 500
    while len(cursors) <= DEEP_PAGE:
        following = (await page(cursors[-1])()).next_cursor
        if following is None:
            break
        cursors.append(following)
    depth = min(DEEP_PAGE, len(cursors) - 1)  # the deepest full page: one follows it
    cursor = cursors[depth - 1]
    if depth < DEEP_PAGE:
        figures.notes.append(f"page {DEEP_PAGE}: c1 has {depth} full pages of {PAGE}, page {depth} is timed")
    for seconds in await timed(READS, page(cursor)):
        figures.add(f"history, page {DEEP_PAGE} (ms)", seconds * 1000)
    for seconds in await timed(READS, page(status="skipped")):
        figures.add("history of skipped exports, first page (ms)", seconds * 1000)


async def over_http(settings: Settings, container: Container, figures: Figures) -> None:
    """/metrics, the figures behind it, and c1's page, through the HTTP app and its own container."""
    read_figures = await container.use_cases.read_operational_figures()
    for seconds in await timed(READS, read_figures):
        figures.add("/metrics figures read, every 30 s (ms)", seconds * 1000)
    token = jwt.encode(
        {"iss": "banqup", "aud": "octobridge", "sub": PARTNER, "exp": int(time.time()) + 600},
        API_TOKEN_SECRET,
        algorithm="HS256",
    )
    async with AsyncTestClient(app=create_app(settings)) as http:

        async def scrape() -> None:
            answer = await http.get("/metrics")
            assert answer.status_code == 200, answer.text

        async def client_page() -> None:
            answer = await http.get(f"/pages/clients/{BIG}")
            assert answer.status_code == 200, answer.text

        for seconds in await timed(READS, scrape):
            figures.add("GET /metrics (ms)", seconds * 1000)
        opened = await http.get(f"/pages/clients/{BIG}", params={"token": token}, follow_redirects=True)
        assert opened.status_code == 200, opened.text
        for seconds in await timed(READS, client_page):
            figures.add("client page of c1 (ms)", seconds * 1000)


async def pruning(container: Container, figures: Figures, tag: str) -> None:
    """µs an id to forget a backlog of old message ids, min(10⁶, size) of them."""
    backlog = min(MOST_PRUNED, figures.size)
    forget = await container.use_cases.forget_old_message_ids()
    for run in range(PRUNE_RUNS):
        async with sql() as connection:
            await connection.execute(OLD_MESSAGE_IDS, f"{tag}-{run}", backlog)
            await connection.execute("VACUUM ANALYZE received_messages")
        began = time.perf_counter()
        forgotten = await forget()
        elapsed = time.perf_counter() - began
        assert forgotten == backlog, (forgotten, backlog)
        figures.add("pruning old message ids (µs an id)", elapsed / backlog * 1e6)
    if backlog < MOST_PRUNED:
        figures.notes.append(f"pruning: a backlog of {backlog:,} ids")


async def fill(container: Container, mailer: CountingMailer) -> int:
    """Exports made through the product, kept in `growth_base` as the rows each size copies; how many."""
    await intake(container, messages(range(FILL), "fill", skipping=True))
    await drain(container, mailer, sum(1 for n in range(FILL) if not skipped(n)))
    async with sql() as connection:
        await connection.execute(
            "CREATE TABLE growth_base AS "
            "SELECT *, row_number() OVER (ORDER BY created_at, id) AS rn FROM exports"
        )
        return int(await connection.fetchval("SELECT count(*) FROM growth_base"))


async def grow(to: int, generations: count[int]) -> int:
    """Copies the product's own exports, a generation at a time, until the table holds `to`; the
    table's size after (the runs at a size add a few thousand)."""
    async with sql() as connection:
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
        await connection.execute(AN_HOUR_AGO)
        await connection.execute("VACUUM ANALYZE exports")
        return int(size)


async def measure(settings: Settings, container: Container, mailer: CountingMailer, size: int) -> Figures:
    figures = Figures(size)
    for run in range(RUNS):
        batch = messages(range(BATCH), f"s{size}-r{run}")
        figures.add(f"intake, {IN_FLIGHT} in flight (ms a message)", await intake(container, batch) * 1000)
        figures.add(f"drain of {BATCH:,} exports by the worker (s)", await drain(container, mailer, BATCH))
    await history(container, figures)
    await over_http(settings, container, figures)
    await pruning(container, figures, f"s{size}")
    return figures


def report(table: list[Figures]) -> None:
    first = table[0]
    names = list(first.runs)
    width = max(len(name) for name in names) + 2
    head = "".join(f"{f'{f.size:.0e}'.replace('+0', ''):>10}{'ratio':>7}" for f in table)
    print(f"\n{'figure (median of runs)':<{width}}{head}")
    over = []
    for name in names:
        cells = []
        for figures in table:
            ratio = figures.median(name) / first.median(name)
            cells.append(f"{figures.median(name):>10.2f}{ratio:>7.2f}")
            if ratio > GOAL and figures.size >= 1_000_000:
                over.append(f"{name} at {figures.size:,}: {ratio:.2f}")
        print(f"{name:<{width}}{''.join(cells)}")
    for figures in table:
        print(f"at {figures.size:,} exports: " + "; ".join(figures.notes or ["—"]))
    print(f"goal: every ratio ≤ {GOAL} at 10⁶ (and 5·10⁶); ratios are to the {first.size:,} column")
    print("over the goal: " + ("; ".join(over) if over else "none"))


def arguments() -> list[int]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="exports at which to measure, e.g. 1e4,1e5,1e6")
    parser.add_argument("--huge", action="store_true", help="10⁴, 10⁵, 10⁶ and 5·10⁶ exports")
    given = parser.parse_args()
    if given.sizes:
        return sorted(int(float(size)) for size in given.sizes.split(","))
    return list(HUGE_SIZES if given.huge else QUICK_SIZES)


async def main(sizes: list[int]) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    began = time.monotonic()
    async with own_database() as url:
        with tempfile.TemporaryDirectory() as var:
            settings = settings_for(
                url, "", "http://banqup.stand-in", Path(var),
                api_token_secret=API_TOKEN_SECRET,
                webhook_secret="growth-webhook-secret-of-32-bytes-or-more",
                secret_key="growth-secret-key-of-32-bytes-or-more",
            )  # fmt: skip
            mailer = CountingMailer(settings.mail_from)
            async with product(settings, mailer) as container:
                made = await fill(container, mailer)
                sizes_named = ", ".join(f"{size:,}" for size in sizes)
                print(f"filled through the product: {made} exports in {time.monotonic() - began:.0f} s; "
                      f"sizes {sizes_named}", flush=True)  # fmt: skip
                table, generations = [], count(1)
                for size in sizes:
                    grown = time.monotonic()
                    actual = await grow(size, generations)
                    print(f"grown to {actual:,} exports in {time.monotonic() - grown:.0f} s", flush=True)
                    measured = time.monotonic()
                    table.append(await measure(settings, container, mailer, size))
                    print(f"  measured in {time.monotonic() - measured:.0f} s", flush=True)
    report(table)
    print(f"whole run: {time.monotonic() - began:.0f} s, on {len(os.sched_getaffinity(0))} cores")


if __name__ == "__main__":
    asyncio.run(main(arguments()))
