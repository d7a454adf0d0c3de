"""The dossiers of a partner's connected Octopus account, within Octopus's daily budget (R8)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from application.errors import Conflict, Forbidden, Unavailable
from application.ports.clock import Clock
from application.ports.octopus import OctopusAccount
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.octopus_tokens import connection_lost, fresh_access_token
from domain.dossier import DAILY_LIMIT, FRESH_FOR, Dossier, DossierList


class DossierCatalogue:
    """A partner's dossiers, as listing them and checking a client's dossier both need.

    A list is fresh for `fresh_for`; a refresh is a call counted against the partner's daily budget
    before it is made, in the database, so that no number of processes ever makes Octopus answer
    more than `daily_limit` calls a day. With the budget spent, the last list is served however old;
    with none yet, `Unavailable`. Within a process, one caller at a time refreshes a partner's list
    (so keep one catalogue per process). `Conflict` when Octopus refuses the connection.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        octopus: OctopusAccount,
        daily_limit: int = DAILY_LIMIT,
        fresh_for: timedelta = FRESH_FOR,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._octopus = octopus
        self._daily_limit = daily_limit
        self._fresh_for = fresh_for
        self._refreshing: dict[str, asyncio.Lock] = {}

    async def dossiers(self, partner_id: str) -> list[Dossier]:
        async with self._refreshing.setdefault(partner_id, asyncio.Lock()):
            token = await fresh_access_token(self._uow, self._clock, self._octopus, partner_id)
            async with self._uow() as uow:
                known = await uow.dossier_lists.lock(partner_id)
                now = self._clock.now()
                if known.fresh(now, self._fresh_for) or not known.reserve_call(now, self._daily_limit):
                    return _last(known)
                await uow.dossier_lists.save(known)
                await uow.commit()
            try:
                fetched = await self._octopus.dossiers(partner_id, token)
            except Forbidden as exc:
                async with self._uow() as uow:
                    await connection_lost(uow, partner_id)
                raise Conflict("Octopus refused the connection's token; connect with Octopus again") from exc
            async with self._uow() as uow:
                known = await uow.dossier_lists.lock(partner_id)
                known.fetched(fetched, self._clock.now())
                await uow.dossier_lists.save(known)
                await uow.commit()
            return fetched


def _last(known: DossierList) -> list[Dossier]:
    if known.dossiers is None:
        raise Unavailable("Octopus's daily limit of calls for the dossier list is reached; try later")
    return list(known.dossiers)
