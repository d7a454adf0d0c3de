"""`octobridge db …`: database migrations."""

from __future__ import annotations

import click


@click.group()
def db() -> None:
    """The database schema."""


@db.command()
def upgrade() -> None:
    """Bring the database to the latest schema (safe to run again)."""
    from entrypoints.container import build_container
    from entrypoints.logs import configure_logging
    from entrypoints.settings import Settings

    settings = Settings.from_environ()
    configure_logging(settings)  # Alembic's lines, like every process's
    build_container(settings).infrastructure.migrator().upgrade()
    click.echo(f"database at the latest schema: {settings.database_url.split('@')[-1]}")
