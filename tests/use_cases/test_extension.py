"""Installing, connecting, switching and uninstalling the extension (R1–R4)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.errors import Conflict, Forbidden, Invalid, NotFound
from application.ports.octopus import OctopusTokens
from application.services.dossiers import DossierCatalogue
from application.services.octopus_login import code_challenge
from application.services.octopus_tokens import fresh_access_token
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.begin_connect import BeginConnect, StartLogin
from application.use_cases.complete_connect import CompleteConnect, FinishLogin
from application.use_cases.get_extension import ExtensionOf, GetExtension
from application.use_cases.install_extension import Install, InstallExtension
from application.use_cases.list_dossiers import DossiersOf, ListDossiers
from application.use_cases.set_extension_active import SetExtensionActive, SwitchExtension
from application.use_cases.uninstall_extension import Uninstall, UninstallExtension
from tests.builders import MAILBOX
from tests.conftest import FixedClock
from tests.use_cases.conftest import BROWSER, RETURN_URL, connect

ALLOWED = ("https://partner.banqup.example",)


async def test_installing_twice_is_harmless(units: InMemoryUnitOfWorkFactory, clock: FixedClock) -> None:
    install = InstallExtension(units, clock)
    assert (await install(Install("p1"))).created
    again = await install(Install("p1"))
    assert not again.created
    assert (again.extension.state, again.extension.active) == ("installed", False)
    with pytest.raises(NotFound):
        await GetExtension(units)(ExtensionOf("p2"))


async def test_connecting_switches_the_extension_on(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    back = await connect(units, clock, octopus, "p1")
    assert back == f"{RETURN_URL}?octopus=connected"
    extension = await GetExtension(units)(ExtensionOf("p1"))
    assert (extension.state, extension.active, extension.activated_at) == ("connected", True, clock.now())
    async with units() as uow:
        assert await uow.octopus.tokens("p1") is not None


async def test_the_login_uses_pkce_and_a_single_use_state(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    url = await BeginConnect(units, clock, octopus, ALLOWED)(StartLogin("p1", RETURN_URL, BROWSER))
    query = parse_qs(urlsplit(url.authorize_url).query)
    state = query["state"][0]
    async with units() as uow:  # a look, not committed
        attempt = await uow.octopus.take(state)
    assert attempt is not None and query["code_challenge"] == [code_challenge(attempt.code_verifier)]
    complete = CompleteConnect(units, clock, octopus)
    assert (await complete(FinishLogin(state, "code", browser=BROWSER))).return_to.endswith(
        "octopus=connected"
    )
    with pytest.raises(Invalid) as caught:
        await complete(FinishLogin(state, "code", browser=BROWSER))
    assert caught.value.field == "state"


async def test_an_expired_login_or_a_foreign_return_url_is_refused(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    begin = BeginConnect(units, clock, octopus, ALLOWED)
    with pytest.raises(Invalid) as caught:
        await begin(StartLogin("p1", "https://evil.example/phish", BROWSER))
    assert caught.value.field == "returnUrl"
    url = await begin(StartLogin("p1", RETURN_URL, BROWSER))
    clock.advance(minutes=11)
    with pytest.raises(Invalid):
        await CompleteConnect(units, clock, octopus)(
            FinishLogin(parse_qs(urlsplit(url.authorize_url).query)["state"][0], "code", browser=BROWSER)
        )


async def test_a_refused_login_goes_back_with_the_reason(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    url = await BeginConnect(units, clock, octopus, ALLOWED)(StartLogin("p1", RETURN_URL + "?tab=1", BROWSER))
    back = await CompleteConnect(units, clock, octopus)(
        FinishLogin(parse_qs(urlsplit(url.authorize_url).query)["state"][0], "refused", browser=BROWSER)
    )
    assert back.return_to.startswith(RETURN_URL + "?tab=1&octopus=error&reason=")
    assert not (await GetExtension(units)(ExtensionOf("p1"))).active


async def test_a_refused_renewal_asks_for_a_reconnect_and_exports_go_on(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await connect(units, clock, octopus, "p1")
    dossiers = ListDossiers(DossierCatalogue(units, clock, octopus))
    clock.advance(minutes=30)
    assert (await dossiers(DossiersOf("p1"))).items == []  # the access token expired and was renewed
    async with units() as uow:
        tokens = await uow.octopus.tokens("p1")
    assert tokens is not None and tokens.expires_at > clock.now()
    octopus.revoked.add(tokens.refresh_token)
    clock.advance(minutes=30)
    with pytest.raises(Conflict, match="connect with Octopus again"):
        await dossiers(DossiersOf("p1"))
    extension = await GetExtension(units)(ExtensionOf("p1"))
    assert (extension.state, extension.active) == ("needsReconnect", True)


async def test_switching_off_needs_a_confirmation(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await connect(units, clock, octopus, "p1")
    switch = SetExtensionActive(units, clock)
    with pytest.raises(Conflict, match="confirm"):
        await switch(SwitchExtension("p1", active=False, confirm=False))
    assert (await GetExtension(units)(ExtensionOf("p1"))).active
    clock.advance(hours=1)
    assert not (await switch(SwitchExtension("p1", active=False, confirm=True))).active
    clock.advance(hours=1)
    on_again = await switch(SwitchExtension("p1", active=True, confirm=False))
    assert on_again.active and on_again.activated_at == clock.now()


async def test_uninstalling_forgets_the_tokens_at_once_and_switches_the_clients_off(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await connect(units, clock, octopus, "p1")
    await ActivateClientIntegration(units, clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX)
    )
    await ListDossiers(DossierCatalogue(units, clock, octopus))(DossiersOf("p1"))
    clock.advance(hours=1)
    await UninstallExtension(units, clock)(Uninstall("p1"))
    async with units() as uow:
        assert await uow.octopus.tokens("p1") is None
        assert (await uow.dossier_lists.lock("p1")).dossiers is None
        stored = await uow.extensions.get("p1")
        client = await uow.integrations.get("p1", "c1")
    assert stored is not None and not stored.is_installed and stored.activation.periods
    assert client is not None and not client.active and client.mailbox is not None  # history kept
    with pytest.raises(NotFound):
        await GetExtension(units)(ExtensionOf("p1"))
    assert (await InstallExtension(units, clock)(Install("p1"))).created


async def test_the_embedded_octopus_stand_in_consents_at_once(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    callback = "http://127.0.0.1:8000/v1/octopus/callback"
    octopus = InMemoryOctopusAccount(clock, authorize_base=callback, consents_at_once=True)
    await InstallExtension(units, clock)(Install("p1"))
    url = await BeginConnect(units, clock, octopus, ALLOWED)(StartLogin("p1", RETURN_URL, BROWSER))
    assert url.authorize_url.startswith(callback + "?code=stand-in&state=")
    back = await CompleteConnect(units, clock, octopus)(
        FinishLogin(parse_qs(urlsplit(url.authorize_url).query)["state"][0], "stand-in", browser=BROWSER)
    )
    assert back.return_to == f"{RETURN_URL}?octopus=connected"


async def test_a_refresh_lost_to_another_process_uses_its_tokens_instead_of_disconnecting(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    class RotatingOctopus(InMemoryOctopusAccount):
        """While this process refreshes, another one already did: Octopus refuses the old token."""

        async def refresh(self, refresh_token: str) -> OctopusTokens:
            async with units() as other_process:
                await other_process.octopus.save_tokens(
                    "p1", OctopusTokens("theirs", "r2", clock.now() + timedelta(minutes=10))
                )
                await other_process.commit()
            raise Forbidden("refresh token already used")

    octopus = RotatingOctopus(clock)
    await connect(units, clock, octopus, "p1")
    clock.advance(minutes=30)
    assert await fresh_access_token(units, clock, octopus, "p1") == "theirs"
    assert (await GetExtension(units)(ExtensionOf("p1"))).state == "connected"
