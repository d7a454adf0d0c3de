"""Database migrations with Alembic, driven from code (`octobridge db upgrade`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from adapters.persistence.errors import translated_errors

MIGRATIONS = Path(__file__).parent / "migrations"


def _outside_event_loop(step: Callable[[], None]) -> None:
    """Alembic's environment runs its own event loop, which cannot nest in a running one: then the
    step runs in a thread of its own, and the caller waits for it. A database that cannot be
    reached is `Unavailable`, as everywhere else."""
    with translated_errors():
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            step()
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(step).result()


class AlembicMigrator:
    """Brings the database at `url` to a revision; blocks until done."""

    def __init__(self, url: str) -> None:
        self._config = Config()
        self._config.set_main_option("script_location", str(MIGRATIONS))
        self._config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))

    def upgrade(self, revision: str = "head") -> None:
        _outside_event_loop(lambda: command.upgrade(self._config, revision))

    def downgrade(self, revision: str) -> None:
        _outside_event_loop(lambda: command.downgrade(self._config, revision))

    def check(self) -> None:
        """Raises when the tables in code and the migrated database differ."""
        _outside_event_loop(lambda: command.check(self._config))

    def revisions(self) -> list[str]:
        """Every revision, oldest first."""
        script = ScriptDirectory.from_config(self._config)
        return [r.revision for r in reversed(list(script.walk_revisions()))]
