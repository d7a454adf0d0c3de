"""`octobridge demo`: everything on the embedded defaults, with the Banqup and Octopus stand-ins."""

from __future__ import annotations

import json
from pathlib import Path

import click

from application.errors import Invalid

CHECKOUT_ONLY = ("sandbox",)  # the stand-ins, left out of the wheel


@click.command()
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port of the API."
)
@click.option("--keep-running", is_flag=True, help="Leave the API, the worker and the stand-ins running.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON, for scripts.")
def demo(port: int, keep_running: bool, as_json: bool) -> None:
    """Show octobridge at work: install, connect, activate four clients, and documents approved and
    sent, each exported, skipped or failed, and why; one mailbox bounces its mail later, and one
    dossier moves: its mail refused and held until the new address is entered."""
    import os

    from rich.console import Console
    from rich.table import Table

    try:
        from sandbox.demo import log_dir, run
    except ModuleNotFoundError as missing:
        if missing.name not in CHECKOUT_ONLY:
            raise
        raise Invalid(
            f"the demo runs from a checkout of octobridge with its dev tools (make demo); {missing.name}"
            " is not installed here"
        ) from missing

    var = Path(os.environ.get("OCTOBRIDGE_VAR_DIR", "./var"))
    rows = run(var, port, keep_running)
    if as_json:
        click.echo(
            json.dumps([{"step": r.step, "outcome": r.outcome, "detail": r.detail} for r in rows], indent=2)
        )
        return
    table = Table(title="octobridge demo: what became of each step")
    for column in ("step", "outcome", "why / where"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.step, row.outcome, row.detail)
    console = Console()
    console.print(table)
    console.print(
        f"Mails as Octopus received them: {var / 'octopus-inbox'}/<mailbox>/, verdicts in log.jsonl."
    )
    console.print(f"octobridge's own logs: {log_dir(var)}/serve.log, worker.log and bounces.log.")
