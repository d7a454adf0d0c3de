"""The fake repository of extensions."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from adapters.memory.store import Entities
from application.errors import Conflict
from application.ports.repositories import ExtensionRepository
from domain.extension import Extension


class InMemoryExtensionRepository(ExtensionRepository):
    def __init__(self, extensions: Entities[str, Extension]) -> None:
        self._items = extensions

    async def get(self, partner_id: str) -> Extension | None:
        return self._items.get(partner_id)

    async def add(self, extension: Extension) -> None:
        if extension.partner_id in self._items:
            raise Conflict("this partner has an extension already")
        self._items.add(extension.partner_id, extension)

    async def list(self) -> Sequence[Extension]:
        return [e for p in sorted(self._items) if (e := self._items.get(p)) is not None]

    async def get_many(self, partner_ids: Collection[str]) -> Mapping[str, Extension]:
        return {p: e for p in partner_ids if (e := self._items.get(p)) is not None}
