"""Activating, changing and deactivating a client's integration (R5–R8)."""

from __future__ import annotations

import pytest

from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.errors import Conflict, Invalid, NotFound
from application.services.dossiers import DossierCatalogue
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.deactivate_client_integration import DeactivateClient, DeactivateClientIntegration
from application.use_cases.get_client_integration import GetClientIntegration, IntegrationOf
from application.use_cases.install_extension import Install, InstallExtension
from application.use_cases.list_client_integrations import IntegrationsOf, ListClientIntegrations
from domain.dossier import Dossier
from domain.errors import InvalidValue
from tests.builders import MAILBOX
from tests.conftest import FixedClock
from tests.use_cases.conftest import connect


def activate(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount | None = None
) -> ActivateClientIntegration:
    dossiers = DossierCatalogue(units, clock, octopus) if octopus else None
    return ActivateClientIntegration(units, clock, dossiers)


async def test_a_client_needs_the_extension_installed(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    with pytest.raises(Conflict, match="install"):
        await activate(units, clock)(ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX))


async def test_activation_then_a_mailbox_change_keeps_the_history(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    activated_at = clock.now()
    first = await activate(units, clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX, vat_number="BE 0123.456.749")
    )
    assert first.created and first.integration.warnings == []
    assert first.integration.vat_number == "BE0123456749"
    clock.advance(days=1)
    changed = await activate(units, clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox="compta@atelier.be")
    )
    assert not changed.created
    assert [w.code for w in changed.integration.warnings] == ["mailbox-not-octopus-import"]
    shown = await GetClientIntegration(units)(IntegrationOf("p1", "c1"))
    assert [(h.mailbox, h.since) for h in shown.history] == [
        (MAILBOX, activated_at),
        ("compta@atelier.be", clock.now()),
    ]


async def test_a_bad_address_is_refused_naming_the_field(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    with pytest.raises(InvalidValue) as caught:
        await activate(units, clock)(
            ActivateClient(partner_id="p1", client_id="c1", mailbox="a@b.be\r\nBcc: x@y.be")
        )
    assert caught.value.field == "mailbox"
    with pytest.raises(NotFound):
        await GetClientIntegration(units)(IntegrationOf("p1", "c1"))


@pytest.mark.parametrize(
    ("dossier_vat", "client_vat", "codes"),
    [
        ("BE0123456749", "BE0123456749", []),
        ("BE 0123.456.749", "BE0123456749", []),
        ("BE0403170701", "BE0123456749", ["dossier-vat-mismatch"]),
        (None, "BE0123456749", ["dossier-without-vat-number"]),
    ],
)
async def test_the_dossier_vat_number_is_compared_with_the_clients(
    units: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    octopus: InMemoryOctopusAccount,
    dossier_vat: str | None,
    client_vat: str,
    codes: list[str],
) -> None:
    await connect(units, clock, octopus, "p1")
    octopus.dossier_list.append(Dossier(42, "Brasserie Dupont", dossier_vat, MAILBOX))
    result = await activate(units, clock, octopus)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX, vat_number=client_vat, dossier_id=42)
    )
    assert [w.code for w in result.integration.warnings] == codes
    assert result.integration.dossier_id == 42


async def test_an_unknown_dossier_is_refused_and_an_unreachable_octopus_is_a_warning(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    unchecked = await activate(units, clock, octopus)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX, dossier_id=1)
    )
    assert [w.code for w in unchecked.integration.warnings] == ["dossier-not-checked"]  # not connected
    await connect(units, clock, octopus, "p2")
    with pytest.raises(Invalid) as caught:
        await activate(units, clock, octopus)(
            ActivateClient(partner_id="p2", client_id="c1", mailbox=MAILBOX, dossier_id=9)
        )
    assert caught.value.field == "dossierId"


async def test_deactivate_and_activate_again(units: InMemoryUnitOfWorkFactory, clock: FixedClock) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    await activate(units, clock)(ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX))
    clock.advance(hours=1)
    await DeactivateClientIntegration(units, clock)(DeactivateClient("p1", "c1"))
    assert not (await GetClientIntegration(units)(IntegrationOf("p1", "c1"))).active
    clock.advance(hours=1)
    again = await activate(units, clock)(ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX))
    assert again.integration.active and len(again.integration.periods) == 2
    with pytest.raises(NotFound):
        await DeactivateClientIntegration(units, clock)(DeactivateClient("p2", "c1"))
    assert [i.client_id for i in (await ListClientIntegrations(units)(IntegrationsOf("p1"))).items] == ["c1"]
    assert (await ListClientIntegrations(units)(IntegrationsOf("p2"))).items == []


async def test_the_dossier_is_compared_with_the_vat_number_known_before(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await connect(units, clock, octopus, "p1")
    octopus.dossier_list.append(Dossier(42, "Someone else", "BE0403170701", MAILBOX))
    use = activate(units, clock, octopus)
    await use(ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX, vat_number="BE0123456749"))
    picked = await use(ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX, dossier_id=42))
    assert [w.code for w in picked.integration.warnings] == ["dossier-vat-mismatch"]
