"""The dossier list's daily budget (CONTRACTS §6), kept by `DossierCatalogue` whatever Octopus adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.errors import Unavailable
from application.services.dossiers import DossierCatalogue
from application.use_cases.list_dossiers import DossiersOf, ListDossiers
from domain.dossier import Dossier
from tests.conftest import FixedClock
from tests.use_cases.conftest import connect


class Numbered(InMemoryOctopusAccount):
    """Answers each call with a list named after the call's number, or fails when told."""

    failing: bool = False

    async def dossiers(self, partner_id: str, access_token: str) -> list[Dossier]:
        await super().dossiers(partner_id, access_token)
        if self.failing:
            raise Unavailable("Octopus is down")
        return [Dossier(self.dossier_calls, f"list {self.dossier_calls}", None, None)]


async def test_the_budget_serves_the_last_list_once_spent_and_rolls_with_the_day(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    octopus = Numbered(clock)
    await connect(units, clock, octopus, "p1")
    dossiers = ListDossiers(DossierCatalogue(units, clock, octopus, daily_limit=3, fresh_for=timedelta(0)))
    names = []
    for _ in range(10):
        clock.advance(minutes=1)
        names.append((await dossiers(DossiersOf("p1"))).items[0].name)
    assert octopus.dossier_calls == 3
    assert names == ["list 1", "list 2", *["list 3"] * 8]
    clock.advance(hours=24)
    assert (await dossiers(DossiersOf("p1"))).items[0].name == "list 4", "the budget rolls with the day"


async def test_a_fresh_list_is_served_without_a_call(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    octopus = Numbered(clock)
    await connect(units, clock, octopus, "p1")
    dossiers = ListDossiers(DossierCatalogue(units, clock, octopus, fresh_for=timedelta(minutes=10)))
    await dossiers(DossiersOf("p1"))
    clock.advance(minutes=9)
    await dossiers(DossiersOf("p1"))
    assert octopus.dossier_calls == 1
    clock.advance(minutes=1)
    await dossiers(DossiersOf("p1"))
    assert octopus.dossier_calls == 2


async def test_failed_calls_count_and_without_a_list_the_limit_is_unavailable(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    octopus = Numbered(clock)
    octopus.failing = True
    await connect(units, clock, octopus, "p2")
    dossiers = ListDossiers(DossierCatalogue(units, clock, octopus, daily_limit=2, fresh_for=timedelta(0)))
    for _ in range(2):
        with pytest.raises(Unavailable, match="down"):
            await dossiers(DossiersOf("p2"))
    with pytest.raises(Unavailable, match="daily limit"):
        await dossiers(DossiersOf("p2"))
    assert octopus.dossier_calls == 2


async def test_two_list_dossiers_share_one_budget_through_the_database(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    """Two processes have a `DossierCatalogue` each; their calls still add up to one budget."""
    octopus = Numbered(clock)
    await connect(units, clock, octopus, "p1")
    first, second = (
        ListDossiers(DossierCatalogue(units, clock, octopus, daily_limit=4, fresh_for=timedelta(0)))
        for _ in range(2)
    )
    for _ in range(5):
        clock.advance(minutes=1)
        await first(DossiersOf("p1"))
        await second(DossiersOf("p1"))
    assert octopus.dossier_calls == 4
