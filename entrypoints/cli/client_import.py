"""`octobridge clients import`: bulk activation from a CSV file, streamed in batches (R21)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, Self

import click

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from application.use_cases.import_clients import BatchReport, ClientRow, ImportClients, RejectedRow
    from entrypoints.container import Container

SHOWN_LINES = 10
BATCH_SIZE = 5000  # rows a transaction: a few tens of milliseconds of the write lock on SQLite


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and count what would change; write nothing.")
@click.option(
    "--json", "as_json", is_flag=True, help='Print only {"imported", "updated", "unchanged", "rejected"}.'
)
@click.option(
    "--batch-size",
    default=BATCH_SIZE,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Rows per transaction.",
)
def import_clients(file: Path, dry_run: bool, as_json: bool, batch_size: int) -> None:
    """Activate clients from FILE.csv: columns partnerId,clientId,mailbox,vatNumber (a header line,
    comma or semicolon, UTF-8 with or without BOM). Every rejected row is reported with its line
    number and reason, and the exit code is then 1. Running the same file again changes nothing."""
    from entrypoints.cli.runtime import run, settle_the_collector

    async def work(container: Container) -> ImportTotals:
        from application.client_csv import read_client_rows

        use_case = await container.use_cases.import_clients()
        settle_the_collector()
        with (
            file.open("rb") as binary,
            io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="") as text,
        ):
            rows = read_client_rows(text)  # an unusable header stops here, before the progress bar
            with ImportProgress(binary, dry_run, shown=not as_json) as progress:
                return await _import(use_case, rows, dry_run, batch_size, progress)

    totals = run(work)
    if as_json:
        from entrypoints.cli.output import print_json

        print_json(totals.contract())
    else:
        _print(totals, dry_run)
    _warn_about_mailboxes(totals)
    if totals.rejected:
        raise click.exceptions.Exit(1)


@dataclass
class ImportTotals:
    """The sum of the batches' reports."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    unusual_mailboxes: int = 0
    first_unusual_lines: list[int] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.imported + self.updated + self.unchanged + len(self.rejected)

    def add(self, report: BatchReport) -> None:
        self.imported += report.imported
        self.updated += report.updated
        self.unchanged += report.unchanged
        self.rejected.extend(report.rejected)
        self.unusual_mailboxes += len(report.unusual_mailboxes)
        room = SHOWN_LINES - len(self.first_unusual_lines)
        self.first_unusual_lines.extend(report.unusual_mailboxes[:room])

    def contract(self) -> dict[str, object]:
        """The `--json` answer of CONTRACTS §1, rejected rows in the order of the file."""
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": sorted(self.rejected, key=lambda r: r.line),
        }


async def _import(
    use_case: ImportClients,
    rows: Iterator[ClientRow | RejectedRow],
    dry_run: bool,
    batch_size: int,
    progress: ImportProgress,
) -> ImportTotals:
    """Sends the rows to the use case in batches, each its own transaction, as the file is read."""
    from application.use_cases.import_clients import ImportBatch, RejectedRow

    totals = ImportTotals()
    batch: list[ClientRow] = []
    for item in rows:
        if isinstance(item, RejectedRow):
            totals.rejected.append(item)
            continue
        batch.append(item)
        if len(batch) == batch_size:
            totals.add(await use_case(ImportBatch(rows=batch, dry_run=dry_run)))
            batch = []
            progress.advance(totals.rows)
    if batch:
        totals.add(await use_case(ImportBatch(rows=batch, dry_run=dry_run)))
    progress.advance(totals.rows)
    return totals


class ImportProgress:
    """A progress bar on stderr over the bytes of `file` read so far; nothing when not `shown`."""

    def __init__(self, file: BinaryIO, dry_run: bool, *, shown: bool) -> None:
        self._file = file
        self._size = os.fstat(file.fileno()).st_size
        self._what = "checking (dry run)" if dry_run else "importing"
        self._shown = shown
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Self:
        if self._shown:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            from entrypoints.cli.output import console

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rows]:,} rows"),
                TimeElapsedColumn(),
                console=console(stderr=True),
            )
            self._bar.start()
            self._task = self._bar.add_task(self._what, total=self._size or 1, rows=0)
        return self

    def advance(self, rows: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self._file.tell(), rows=rows)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()


def _print(totals: ImportTotals, dry_run: bool) -> None:
    from entrypoints.cli.output import console, table

    out = console()
    counts = table("imported", "updated", "unchanged", "rejected", title="would be" if dry_run else None)
    counts.add_row(
        *(f"{n:,}" for n in (totals.imported, totals.updated, totals.unchanged, len(totals.rejected)))
    )
    out.print(counts)
    if totals.rejected:
        rejected = table("line", "reason", title="rejected rows")
        for row in sorted(totals.rejected, key=lambda r: r.line):
            rejected.add_row(str(row.line), row.reason)
        out.print(rejected)
    if dry_run:
        out.print("dry run: nothing was written")


def _warn_about_mailboxes(totals: ImportTotals) -> None:
    """R5: an address that is not an Octopus import mailbox is accepted, but never silently."""
    if not totals.unusual_mailboxes:
        return
    lines = ", ".join(map(str, totals.first_unusual_lines))
    more = totals.unusual_mailboxes - len(totals.first_unusual_lines)
    click.echo(
        f"warning: {totals.unusual_mailboxes:,} address(es) are not Octopus dossier import addresses "
        f"(uid-…@import.octopus.be); check them: line(s) {lines}" + (f" and {more:,} more" if more else ""),
        err=True,
    )
