"""`octobridge exports …`: every partner's exports for operators; retry failed ones (R17, R21)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from application.services.export_pages import ListExports
    from application.use_cases.export_history import ExportHistory
    from application.use_cases.get_export import GetExport
    from application.use_cases.retry_export import RetryExport
    from application.views import ExportPage, ExportView
    from entrypoints.container import Container

F = TypeVar("F", bound=Callable[..., Any])

PAGE = 100  # the most one call of the use case returns
STATUSES = ("queued", "delivered", "failed", "skipped")


class Moment(click.ParamType[datetime]):
    """A date (`2026-11-20`) or an ISO 8601 instant; without a zone, UTC. A date given as the end of
    a range means the end of that day."""

    name = "date"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self._end_of_day = end_of_day

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == len("2026-11-20"):
                day = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
                return day + timedelta(days=1) if self._end_of_day else day
            at = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is neither a date (2026-11-20) nor an instant (2026-11-20T09:30:00Z)")
        return at if at.tzinfo else at.replace(tzinfo=UTC)


def filters(command: F) -> F:
    """The options that choose exports, shared by `list` and `retry --failed`."""
    for option in reversed(
        (
            click.option("--partner", help="Only this partner's exports."),
            click.option("--client", help="Only this client's exports."),
            click.option("--from", "created_from", type=Moment(), help="Created at or after this date."),
            click.option(
                "--until", "created_until", type=Moment(end_of_day=True), help="Created up to this date."
            ),
        )
    ):
        command = option(command)
    return command


@click.group()
def exports() -> None:
    """Exports of every partner: list, show, retry failed ones."""


@exports.command("list")
@filters
@click.option("--status", type=click.Choice(STATUSES), help="Only exports in this status.")
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(1, 10_000), help="At most this many."
)
@click.option("--cursor", help="Continue after the last page (printed under it).")
@click.option("--json", "as_json", is_flag=True, help='Answer {"items", "nextCursor"} in JSON, as the API.')
def list_exports(
    partner: str | None,
    client: str | None,
    created_from: datetime | None,
    created_until: datetime | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
) -> None:
    """List exports, newest first."""
    from application.services.export_pages import ListExports
    from entrypoints.cli.output import console, moment, note, print_json, table
    from entrypoints.cli.runtime import run

    query = ListExports(
        partner_id=partner,
        client_id=client,
        status=status,
        created_from=created_from,
        created_until=created_until,
        cursor=cursor,
    )

    async def work(container: Container) -> ExportPage:
        return await select(container, query, limit)

    page = run(work)
    if as_json:
        print_json(page)
        return
    grid = table("export", "created", "partner", "client", "document", "direction", "status", "detail")
    for e in page.items:
        grid.add_row(
            e.id,
            moment(e.created_at),
            e.partner_id,
            e.client_id,
            e.document_id,
            e.direction,
            e.status,
            detail(e),
        )
    console().print(grid)
    if page.next_cursor:
        note(f"more: --cursor {page.next_cursor}")


async def select(container: Container, query: ListExports, limit: int) -> ExportPage:
    """Up to `limit` exports from `query`, read page by page."""
    import msgspec

    from application.views import ExportPage

    history: ExportHistory = await container.use_cases.export_history()
    items: list[ExportView] = []
    cursor = query.cursor
    while True:
        page = await history(
            msgspec.structs.replace(query, limit=min(PAGE, limit - len(items)), cursor=cursor)
        )
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None or len(items) >= limit:
            return ExportPage(items=items, next_cursor=cursor)


def detail(export: ExportView) -> str:
    """The one thing to know about an export in its status."""
    if export.status == "skipped":
        return export.skip_reason or ""
    if export.status == "delivered":
        return export.message_id or ""
    return export.last_error or ""


@exports.command()
@click.argument("export_id")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON, as the API.")
def show(export_id: str, as_json: bool) -> None:
    """Show one export: its status, attempts and validation messages."""
    from application.use_cases.get_export import ExportOf
    from entrypoints.cli.output import console, moment, print_json, table
    from entrypoints.cli.runtime import run

    async def work(container: Container) -> ExportView:
        use_case: GetExport = await container.use_cases.get_export()
        return await use_case(ExportOf(export_id=export_id))

    e = run(work)
    if as_json:
        print_json(e)
        return
    facts = table("field", "value", title=f"export {e.id}")
    for name, value in (
        ("partner", e.partner_id),
        ("client", e.client_id),
        ("document", f"{e.document_id} ({e.kind}, {e.direction})"),
        ("status", e.status),
        ("mailbox", e.mailbox or ""),
        ("approved or sent", moment(e.occurred_at)),
        ("created", moment(e.created_at)),
        ("delivered", moment(e.delivered_at)),
        ("Message-ID", e.message_id or ""),
        ("skipped because", e.skip_reason or ""),
        ("last error", e.last_error or ""),
    ):
        if value:
            facts.add_row(name, value)
    out = console()
    out.print(facts)
    if e.attempts:
        attempts = table("at", "outcome", "detail", title="attempts")
        for a in e.attempts:
            attempts.add_row(moment(a.at), a.outcome, a.detail)
        out.print(attempts)
    if e.violations:
        violations = table("rule", "fatal", "message", "where", title="validation")
        for v in e.violations:
            violations.add_row(v.rule_id, "fatal" if v.fatal else "warning", v.message, v.location)
        out.print(violations)


@exports.command()
@click.argument("export_ids", nargs=-1, metavar="[EXPORT_ID]...")
@click.option("--failed", "all_failed", is_flag=True, help="Retry every failed export the filters choose.")
@filters
@click.option(
    "--limit",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="With --failed, at most this many.",
)
@click.option("--json", "as_json", is_flag=True, help="Answer the retried exports in JSON.")
def retry(
    export_ids: tuple[str, ...],
    all_failed: bool,
    partner: str | None,
    client: str | None,
    created_from: datetime | None,
    created_until: datetime | None,
    limit: int,
    as_json: bool,
) -> None:
    """Put failed exports back in the queue (R17): those named, or with --failed all that the filters
    choose. Each one that cannot be retried is reported, and the exit code is then 1."""
    from application.errors import ApplicationError
    from application.services.export_pages import ListExports
    from application.use_cases.retry_export import Retry
    from entrypoints.cli.errors import one_line
    from entrypoints.cli.output import console, print_json, table
    from entrypoints.cli.runtime import run

    if bool(export_ids) == all_failed:
        raise click.UsageError("name the exports to retry, or give --failed (with filters), not both")
    query = ListExports(
        partner_id=partner,
        client_id=client,
        status="failed",
        created_from=created_from,
        created_until=created_until,
    )

    async def work(container: Container) -> tuple[list[ExportView], list[tuple[str, str]]]:
        ids = list(export_ids) or [e.id for e in (await select(container, query, limit)).items]
        use_case: RetryExport = await container.use_cases.retry_export()
        retried, refused = [], []
        for export_id in ids:
            try:
                retried.append(await use_case(Retry(export_id=export_id)))
            except ApplicationError as error:
                refused.append((export_id, one_line(error)))
        return retried, refused

    retried, refused = run(work)
    if as_json:
        print_json(retried)
    else:
        grid = table("export", "partner", "client", "document", "status", title=f"{len(retried)} retried")
        for e in retried:
            grid.add_row(e.id, e.partner_id, e.client_id, e.document_id, e.status)
        console().print(grid)
    for export_id, reason in refused:
        click.echo(f"octobridge: {export_id}: {reason}", err=True)
    if refused:
        raise click.exceptions.Exit(1)
