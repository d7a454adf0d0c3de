"""`octobridge clients …`: client integrations for operators (R21)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from entrypoints.cli.backfill import backfill
from entrypoints.cli.client_import import import_clients

if TYPE_CHECKING:
    from application.use_cases.deactivate_client_integration import DeactivateClientIntegration
    from application.use_cases.get_client_integration import GetClientIntegration
    from application.use_cases.list_attention import AttentionItemView, ListAttention
    from application.use_cases.list_client_integrations import ListClientIntegrations
    from application.views import ClientIntegrationView
    from entrypoints.container import Container

JSON = click.option("--json", "as_json", is_flag=True, help="Answer in JSON, for scripts.")


@click.group()
def clients() -> None:
    """Client integrations: bulk import from CSV, list, show, deactivate, backfill, what needs attention."""


clients.add_command(import_clients)
clients.add_command(backfill)


@clients.command("list")
@click.option("--partner", help="Only this partner's clients.")
@click.option("--active/--inactive", default=None, help="Only active, or only inactive, integrations.")
@click.option(
    "--limit", default=500, show_default=True, type=click.IntRange(0), help="At most this many; 0 for all."
)
@JSON
def list_clients(partner: str | None, active: bool | None, limit: int, as_json: bool) -> None:
    """List client integrations, by partner then client."""
    from application.use_cases.list_client_integrations import IntegrationsOf
    from entrypoints.cli.output import console, moment, note, print_json, table, yes_no
    from entrypoints.cli.runtime import run

    async def work(container: Container) -> list[ClientIntegrationView]:
        use_case: ListClientIntegrations = await container.use_cases.list_clients()
        return (await use_case(IntegrationsOf(partner_id=partner))).items

    found = [c for c in run(work) if active is None or c.active is active]
    shown = found[:limit] if limit else found
    if as_json:
        print_json(shown)
    else:
        grid = table("partner", "client", "active", "mailbox", "VAT number", "since")
        for c in shown:
            since = c.periods[-1].start if c.active and c.periods else None
            grid.add_row(
                c.partner_id,
                c.client_id,
                yes_no(c.active),
                c.mailbox or "",
                c.vat_number or "",
                moment(since),
            )
        console().print(grid)
    if len(shown) < len(found):
        note(f"showing {len(shown):,} of {len(found):,}; --limit 0 shows all")


@clients.command()
@click.argument("partner")
@click.argument("client")
@JSON
def show(partner: str, client: str, as_json: bool) -> None:
    """Show one client's integration with its mailbox and activation history."""
    from application.use_cases.get_client_integration import IntegrationOf
    from entrypoints.cli.runtime import run

    async def work(container: Container) -> ClientIntegrationView:
        use_case: GetClientIntegration = await container.use_cases.get_client()
        return await use_case(IntegrationOf(partner_id=partner, client_id=client))

    _show(run(work), as_json)


@clients.command()
@click.argument("partner")
@click.argument("client")
@JSON
def deactivate(partner: str, client: str, as_json: bool) -> None:
    """Switch a client off: its documents approved or sent from now on are not exported (R7)."""
    from application.use_cases.deactivate_client_integration import DeactivateClient
    from application.use_cases.get_client_integration import IntegrationOf
    from entrypoints.cli.runtime import run

    async def work(container: Container) -> ClientIntegrationView:
        deactivate: DeactivateClientIntegration = await container.use_cases.deactivate_client()
        get: GetClientIntegration = await container.use_cases.get_client()
        await deactivate(DeactivateClient(partner_id=partner, client_id=client))
        return await get(IntegrationOf(partner_id=partner, client_id=client))

    _show(run(work), as_json)


@clients.command()
@click.argument("partner", required=False)
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON lines, an item a line, for scripts.")
def attention(partner: str | None, as_json: bool) -> None:
    """What waits for a person (R26): the clients of PARTNER (every partner's when left out) with a
    refused mailbox, a lost Octopus connection, failed exports or a dossier without VAT number, most
    urgent first."""
    import msgspec

    from application.use_cases.list_attention import AttentionOf
    from entrypoints.cli.output import console, moment, table
    from entrypoints.cli.runtime import run

    async def work(container: Container) -> list[AttentionItemView]:
        use_case: ListAttention = await container.use_cases.list_attention()
        return (await use_case(AttentionOf(partner_id=partner))).items

    items = run(work)
    if as_json:
        for item in items:
            click.echo(msgspec.json.encode(item))
        return
    grid = table("partner", "client", "reason", "since", "exports")
    for item in items:
        client = item.client_id or "(all)"  # needsReconnect is the partner's
        grid.add_row(item.partner_id, client, item.reason, moment(item.since), str(item.count))
    console().print(grid)


def _show(integration: ClientIntegrationView, as_json: bool) -> None:
    from entrypoints.cli.output import console, moment, print_json, table, yes_no

    if as_json:
        print_json(integration)
        return
    facts = table("partner", "client", "active", "mailbox", "VAT number", "dossier")
    facts.add_row(
        integration.partner_id,
        integration.client_id,
        yes_no(integration.active),
        integration.mailbox or "",
        integration.vat_number or "",
        "" if integration.dossier_id is None else str(integration.dossier_id),
    )
    mailboxes = table("mailbox", "since", title="mailbox history")
    for change in integration.history:
        mailboxes.add_row(change.mailbox, moment(change.since))
    periods = table("active from", "until", title="activation periods")
    for period in integration.periods:
        periods.add_row(moment(period.start), moment(period.end) or "(now)")
    out = console()
    for grid in (facts, mailboxes, periods):
        out.print(grid)
