"""The CLI's one table from errors to exit codes (CONTRACTS §1): 2 for bad usage or unusable
input, 1 when the command could not be done; one line on stderr (one per variable at fault for
settings), never a traceback."""

from __future__ import annotations

import click

from application.errors import (
    ApplicationError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    NotStored,
    Unavailable,
)
from domain.errors import DomainError, InvalidValue, NotAllowed
from entrypoints.settings import SettingsError

EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (Invalid, 2),
    (NotFound, 2),
    (InvalidValue, 2),
    (SettingsError, 2),
    (Conflict, 1),
    (Forbidden, 1),
    (Unavailable, 1),
    (NotStored, 1),
    (NotAllowed, 1),
)


def exit_code(error: Exception) -> int | None:
    """The exit code for an error the CLI knows, None for a bug."""
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), None)


def one_line(error: Exception) -> str:
    """The error in one line; a value refused names its field first (`from: is after to`)."""
    text = error.message if isinstance(error, ApplicationError) else str(error)
    field = getattr(error, "field", None)
    if isinstance(error, Invalid) and field and field not in text:
        text = f"{field}: {text}"
    return " ".join(text.split())


def lines(error: Exception) -> tuple[str, ...]:
    """One line, or for settings one per variable at fault (all of them, told together)."""
    if isinstance(error, SettingsError):
        return tuple(" ".join(line.split()) for line in error.lines)
    return (one_line(error),)


class OctobridgeGroup(click.Group):
    """Runs a command and turns the application's errors into an exit code and one line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (ApplicationError, DomainError, SettingsError) as error:
            code = exit_code(error)
            if code is None:
                raise
            for line in lines(error):
                click.echo(f"octobridge: {line}", err=True)
            raise click.exceptions.Exit(code) from error
