"""`octobridge extension …`: the partners' extensions, for operators (R3, R21)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from application.use_cases.list_extensions import ListExtensions
    from application.use_cases.set_extension_active import SetExtensionActive
    from application.views import ExtensionView
    from entrypoints.container import Container

STATES = ("installed", "connected", "needsReconnect", "uninstalled")


@click.group()
def extension() -> None:
    """Partners' extensions: find partners, switch one off."""


def state_of(view: ExtensionView) -> str:
    """The connection state, or `uninstalled`, which the state alone does not tell."""
    return view.state if view.installed else "uninstalled"


@extension.command("list")
@click.option("--search", metavar="TEXT", help="Only partners whose id contains TEXT (any case).")
@click.option("--state", type=click.Choice(STATES), help="Only extensions in this state.")
@click.option("--active/--inactive", default=None, help="Only switched-on, or only switched-off, extensions.")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON, for scripts.")
def list_extensions(search: str | None, state: str | None, active: bool | None, as_json: bool) -> None:
    """List partners with their extension's state, by partner id."""
    from entrypoints.cli.output import console, moment, print_json, table, yes_no
    from entrypoints.cli.runtime import run

    async def work(container: Container) -> list[ExtensionView]:
        use_case: ListExtensions = await container.use_cases.list_extensions()
        return (await use_case()).items

    needle = search.casefold() if search else None
    found = [
        e
        for e in run(work)
        if (needle is None or needle in e.partner_id.casefold())
        and (state is None or state_of(e) == state)
        and (active is None or e.active is active)
    ]
    if as_json:
        print_json(found)
        return
    grid = table("partner", "state", "active", "active since")
    for e in found:
        grid.add_row(e.partner_id, state_of(e), yes_no(e.active), moment(e.activated_at))
    console().print(grid)


@extension.command()
@click.argument("partner")
@click.option("--yes", is_flag=True, help="Confirm that exports stop for all the partner's clients.")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON, for scripts.")
def deactivate(partner: str, yes: bool, as_json: bool) -> None:
    """Switch a partner's extension off: no document of any of its clients is exported from now on
    (R3). Needs --yes, or a yes at the prompt."""
    from application.use_cases.set_extension_active import SwitchExtension
    from entrypoints.cli.output import print_json
    from entrypoints.cli.runtime import run

    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError(
                f"switching the extension off stops exports for all clients of {partner}; "
                "add --yes to confirm"
            )
        click.confirm(f"Stop exports for all clients of {partner}?", abort=True)

    async def work(container: Container) -> ExtensionView:
        use_case: SetExtensionActive = await container.use_cases.set_extension_active()
        return await use_case(SwitchExtension(partner_id=partner, active=False, confirm=True))

    switched = run(work)
    if as_json:
        print_json(switched)
    else:
        click.echo(f"{partner}: extension switched off; no export from now on until it is switched on again")
