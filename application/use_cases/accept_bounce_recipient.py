"""Which mail `octobridge bounces` takes: a bounce address of a known export (CONTRACTS §8)."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.bounce_addresses import BounceAddresses


class AcceptBounceRecipient:
    """The export a recipient address names, when it is one of our bounce addresses with a valid
    tag and the export exists; else None. `Unavailable` when the database cannot be asked."""

    def __init__(self, uow: UnitOfWorkFactory, bounces: BounceAddresses) -> None:
        self._uow = uow
        self._bounces = bounces

    async def __call__(self, address: str) -> str | None:
        export_id = self._bounces.export_of(address)
        if export_id is None:
            return None  # forged or not ours: the database is never asked
        async with self._uow() as uow:
            return export_id if await uow.exports.get(export_id) is not None else None
