"""Database migrations with Alembic, driven from code (`octobridge db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


class AlembicMigrator:
    """Brings the database at `url` to a revision. Synchronous: Alembic runs its own event loop."""

    def __init__(self, url: str) -> None:
        self._config = Config()
        self._config.set_main_option("script_location", str(MIGRATIONS))
        self._config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))

    def upgrade(self, revision: str = "head") -> None:
        command.upgrade(self._config, revision)

    def downgrade(self, revision: str) -> None:
        command.downgrade(self._config, revision)

    def check(self) -> None:
        """Raises when the tables in code and the migrated database differ."""
        command.check(self._config)

    def revisions(self) -> list[str]:
        """Every revision, oldest first."""
        script = ScriptDirectory.from_config(self._config)
        return [r.revision for r in reversed(list(script.walk_revisions()))]
