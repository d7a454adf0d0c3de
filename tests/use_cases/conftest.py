"""Use-case tests run against the in-memory fakes."""

from __future__ import annotations

import pytest

from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.begin_connect import BeginConnect, StartLogin
from application.use_cases.complete_connect import CompleteConnect, FinishLogin
from application.use_cases.install_extension import Install, InstallExtension
from tests.builders import MAILBOX
from tests.conftest import FixedClock

RETURN_URL = "https://partner.banqup.example/extensions/octopus"
BROWSER = "the-browser-secret-of-the-use-case-tests"


@pytest.fixture
def units() -> InMemoryUnitOfWorkFactory:
    return InMemoryUnitOfWorkFactory()


@pytest.fixture
def octopus(clock: FixedClock) -> InMemoryOctopusAccount:
    return InMemoryOctopusAccount(clock)


async def connect(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount, partner: str
) -> str:
    """Installs and connects the partner's extension; returns where the browser was sent back."""
    from urllib.parse import parse_qs, urlsplit

    await InstallExtension(units, clock)(Install(partner))
    url = await BeginConnect(units, clock, octopus, ("https://partner.banqup.example",))(
        StartLogin(partner, RETURN_URL, BROWSER)
    )
    state = parse_qs(urlsplit(url.authorize_url).query)["state"][0]
    return (
        await CompleteConnect(units, clock, octopus)(FinishLogin(state, "a-code", browser=BROWSER))
    ).return_to


@pytest.fixture
async def active_client(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    """Partner p1 connected and client c1 activated with an Octopus mailbox, both at the clock's time."""
    await connect(units, clock, octopus, "p1")
    await ActivateClientIntegration(units, clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX)
    )
