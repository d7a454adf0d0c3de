"""The SQLAlchemy record of the delivery status notifications read (CONTRACTS §8)."""

from __future__ import annotations

from datetime import datetime

from adapters.persistence import tables
from adapters.persistence.dialects import upsert_for
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.ports.delivery_reports import DeliveryReports


class SqlAlchemyDeliveryReports(DeliveryReports):
    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def record(
        self, export_id: str, action: str, status: str, received_at: datetime, recipient: str = ""
    ) -> bool:
        """INSERT … ON CONFLICT DO NOTHING RETURNING: a row back means it is new. On PostgreSQL it
        waits for a transaction inserting the same report, and is not new if that one commits."""
        table = tables.delivery_reports
        insert = upsert_for(self._session)(table).values(
            export_id=export_id, action=action, status=status, recipient=recipient, received_at=received_at
        )
        statement = insert.on_conflict_do_nothing().returning(table.c.export_id)
        with translated_errors():
            result = await self._session.execute(statement)
        return result.first() is not None
