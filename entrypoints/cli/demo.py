"""`octobridge demo`: a scripted walk through the use cases on the embedded defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import click

if TYPE_CHECKING:
    from application.messages import BanqupMessage
    from entrypoints.container import Container

PARTNER = "partner-demo"
RETURN_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class Step:
    """One document message of the scenario and what a person should expect of it."""

    label: str
    message_id: str
    client: str
    document: str
    type: str
    folder: str
    occurred_at: datetime
    category: str = "INVOICE"


def _message(step: Step) -> BanqupMessage:
    from application.messages import BanqupMessage, MessageData

    return BanqupMessage(
        id=step.message_id,
        category="document",
        type=step.type,
        data=MessageData(
            document_id=step.document,
            space_id=step.client,
            partner_id=PARTNER,
            folder=step.folder,
            document_category=step.category,
            occurred_at=step.occurred_at,
        ),
    )


async def _scenario(container: Container) -> list[tuple[str, str, str]]:
    from application.use_cases.client_integration import ActivateClient

    use = container.use_cases
    rows: list[tuple[str, str, str]] = []
    before = datetime.now(UTC) - timedelta(days=3)

    await (await use.install_extension())(PARTNER)
    authorize = await (await use.begin_connect())(PARTNER, RETURN_URL)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    back = await (await use.complete_connect())(state, "demo-code")
    rows.append(("connect with Octopus", "done", back))

    activate = await use.activate_client()
    for client, mailbox in (
        ("space-brasserie", "uid-008352-24@import.octopus.be"),
        ("space-atelier", "compta@atelier.be"),
    ):
        result = await activate(ActivateClient(partner_id=PARTNER, client_id=client, mailbox=mailbox))
        warnings = "; ".join(w.message for w in result.integration.warnings) or "no warning"
        rows.append((f"activate {client} with {mailbox}", "activated", warnings))

    receive = await use.receive_message()

    async def send(step: Step) -> None:
        outcome = await receive(_message(step))
        rows.append((step.label, outcome.outcome, outcome.reason or f"export {outcome.export_id}"))

    now = datetime.now(UTC)
    await send(
        Step(
            "purchase approved before activation",
            "m-1",
            "space-brasserie",
            "doc-1",
            "approved",
            "PURCHASES",
            before,
        )
    )
    await send(Step("purchase approved", "m-2", "space-brasserie", "doc-2", "approved", "PURCHASES", now))
    await send(
        Step("the same message again", "m-2", "space-brasserie", "doc-2", "approved", "PURCHASES", now)
    )
    await send(Step("sales invoice sent", "m-3", "space-atelier", "doc-3", "sent", "SALES", now))
    await send(
        Step("sales credit note sent", "m-4", "space-atelier", "doc-4", "sent", "SALES", now, "CREDIT_NOTE")
    )
    await send(
        Step("purchase paid (not an approval)", "m-5", "space-brasserie", "doc-2", "paid", "PURCHASES", now)
    )

    await (await use.deactivate_client())(PARTNER, "space-atelier")
    await send(
        Step(
            "sales sent after the client was deactivated",
            "m-6",
            "space-atelier",
            "doc-5",
            "sent",
            "SALES",
            datetime.now(UTC),
        )
    )
    await (await use.set_extension_active())(PARTNER, active=False, confirm=True)
    await send(
        Step(
            "purchase approved after the switch was off",
            "m-7",
            "space-brasserie",
            "doc-6",
            "approved",
            "PURCHASES",
            datetime.now(UTC),
        )
    )
    return rows


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON, for scripts.")
def demo(as_json: bool) -> None:
    """Run a short scenario on the embedded defaults and show what was exported or skipped, and why."""
    import os

    from rich.console import Console
    from rich.table import Table

    from entrypoints.cli.runtime import run
    from entrypoints.container import build_container
    from entrypoints.settings import Settings

    var = os.environ.get("OCTOBRIDGE_VAR_DIR", "./var")
    database = os.path.join(var, "demo.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            os.remove(database + suffix)
    os.environ["OCTOBRIDGE_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    build_container(Settings.from_environ()).infrastructure.migrator().upgrade()
    rows = run(_scenario)
    if as_json:
        import json

        click.echo(json.dumps([{"step": s, "outcome": o, "detail": d} for s, o, d in rows], indent=2))
        return

    table = Table(title="octobridge demo: what happened to each step")
    for column in ("step", "outcome", "why / what"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(
        f"The demo database is {database}; `sqlite3 {database} .dump` shows everything it recorded."
    )
