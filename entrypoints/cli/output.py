"""How the admin commands answer: rich tables for people, JSON (camelCase, as the API) for scripts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


def print_json(value: object) -> None:
    """`value` (structs, lists of them, dicts) as indented JSON on stdout."""
    import msgspec

    click.echo(msgspec.json.format(msgspec.json.encode(value), indent=2).decode())


def console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def table(*columns: str, title: str | None = None) -> Table:
    from rich.table import Table

    grid = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        grid.add_column(column, overflow="fold")
    return grid


def moment(at: datetime | None) -> str:
    """An instant as operators read logs: UTC, to the second."""
    return "" if at is None else at.strftime("%Y-%m-%d %H:%M:%SZ")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def note(text: str) -> None:
    """A line for the person at the terminal, on stderr, so stdout stays the answer."""
    click.echo(text, err=True)
