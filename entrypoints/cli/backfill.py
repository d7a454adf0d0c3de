"""`octobridge clients backfill`: a client's earlier documents on request (CONTRACTS §9)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from domain.backfill import day_of
from domain.errors import InvalidValue

if TYPE_CHECKING:
    from application.views import BackfillView
    from entrypoints.container import Container

DAY = "YYYY-MM-DD"
POLL_SECONDS = 0.5
MAX_WAIT_SECONDS = 30.0


def day(field: str, text: str | None) -> date | None:
    """`text` as a day, or `InvalidValue` naming the field (exit 2, one line)."""
    if text is None:
        return None
    if (parsed := day_of(text)) is None:
        raise InvalidValue(field, f"{text!r} is not a date ({DAY})")
    return parsed


@click.command()
@click.argument("partner")
@click.argument("client")
@click.option("--from", "first", metavar=DAY, help="The first day (UTC), at most 400 days ago. Required.")
@click.option("--to", "last", metavar=DAY, help="The last day (UTC), today when left out.")
@click.option(
    "--wait",
    is_flag=True,
    help="Run it here until it ends, with a progress bar; workers running share the pages.",
)
def backfill(partner: str, client: str, first: str | None, last: str | None, wait: bool) -> None:
    """Export a client's documents approved (purchases) or sent (sales) between two days, each at
    most once, to the integration's current address; prints the backfill as JSON and returns at
    once (a worker lists Banqup), or with --wait once it ended (exit 1 when it failed)."""
    from application.use_cases.request_backfill import AskBackfill
    from entrypoints.cli.output import print_json
    from entrypoints.cli.runtime import run

    first_day = day("from", first)
    if first_day is None:
        raise InvalidValue("from", f"is missing (--from {DAY})")
    ask = AskBackfill(partner_id=partner, client_id=client, first_day=first_day, last_day=day("to", last))

    async def work(container: Container) -> BackfillView:
        from application.errors import Conflict, NotFound

        try:
            started = await (await container.use_cases.request_backfill())(ask)
        except NotFound as exc:  # no integration at all is no active one: exit 1 (CONTRACTS §9)
            raise Conflict(exc.message) from exc
        return await _followed(container, partner, started) if wait else started

    ended = run(work)
    print_json(ended)
    if ended.state == "failed":
        raise click.exceptions.Exit(1)


async def _followed(container: Container, partner: str, started: BackfillView) -> BackfillView:
    """Takes the backfill a page at a time until it ends, the counts on a progress bar on stderr;
    while Banqup cannot be reached, waits longer each time (a line says so)."""
    import asyncio

    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from application.errors import Unavailable
    from application.services.backfills import BackfillOf
    from entrypoints.cli.output import console, note

    which = BackfillOf(partner_id=partner, client_id=started.client_id, backfill_id=started.id)
    step = await container.use_cases.run_backfill()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    view, pause = started, POLL_SECONDS
    with Progress(*columns, console=console(stderr=True), transient=True) as progress:
        task = progress.add_task(_counts(view), total=None)
        while view.state == "running":
            try:
                view = await step(which)
            except Unavailable as exc:
                note(f"{exc.message}; trying again in {pause:.0f} s")
                await asyncio.sleep(pause)
                pause = min(MAX_WAIT_SECONDS, pause * 2)
                continue
            pause = POLL_SECONDS
            progress.update(task, description=_counts(view))
    return view


def _counts(view: BackfillView) -> str:
    return (
        f"{view.from_} to {view.to}: listed {view.listed:,} — queued {view.queued:,}, "
        f"already exported {view.already_exported:,}, ignored {view.ignored:,}"
    )
