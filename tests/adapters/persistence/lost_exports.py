"""A cause of a foreign-key violation in intake, for tests: a trigger that deletes the export of one
document as soon as it is inserted, so that the export's outbox row, written next in the same
transaction, points at no export (`fk_outbox_export_id_exports`), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import create_async_engine

_SQLITE = (
    "CREATE TRIGGER lose_export AFTER INSERT ON exports WHEN NEW.document_id = '{document}'"
    " BEGIN DELETE FROM exports WHERE id = NEW.id; END",
)
_SQLITE_UNDONE = ("DROP TRIGGER IF EXISTS lose_export",)
_POSTGRES = (
    "CREATE FUNCTION lose_export() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN DELETE FROM exports WHERE id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER lose_export AFTER INSERT ON exports FOR EACH ROW"
    " WHEN (NEW.document_id = '{document}') EXECUTE FUNCTION lose_export()",
)
_POSTGRES_UNDONE = ("DROP TRIGGER IF EXISTS lose_export ON exports", "DROP FUNCTION IF EXISTS lose_export()")


async def _execute(url: str, statements: tuple[str, ...]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class LostExports:
    url: str

    async def remove(self) -> None:
        """The cause removed: exports are kept again."""
        await _execute(self.url, _POSTGRES_UNDONE if self.url.startswith("postgresql") else _SQLITE_UNDONE)


@asynccontextmanager
async def exports_lost(url: str, document: str) -> AsyncIterator[LostExports]:
    """While inside, the export of `document` vanishes when inserted; removed at the end in any case."""
    assert document.replace("-", "").isalnum()  # it goes into the trigger's text
    create = _POSTGRES if url.startswith("postgresql") else _SQLITE
    cause = LostExports(url)
    await cause.remove()
    await _execute(url, tuple(statement.format(document=document) for statement in create))
    try:
        yield cause
    finally:
        await cause.remove()
