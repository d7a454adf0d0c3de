"""The fake record of partners' Octopus dossier lists."""

from __future__ import annotations

import copy

from adapters.memory.store import Staged
from application.ports.octopus import OctopusDossierLists
from domain.dossier import DossierList


class InMemoryOctopusDossierLists(OctopusDossierLists):
    def __init__(self, lists: Staged[str, DossierList]) -> None:
        self._items = lists

    async def lock(self, partner_id: str) -> DossierList:
        return copy.deepcopy(self._items.get(partner_id) or DossierList(partner_id))

    async def save(self, dossier_list: DossierList) -> None:
        self._items.put(dossier_list.partner_id, copy.deepcopy(dossier_list))

    async def forget(self, partner_id: str) -> None:
        self._items.remove(partner_id)
