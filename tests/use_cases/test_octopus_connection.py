"""The Octopus login's refusals at the boundary: return origins compared as origins, and a `state`
that only the browser which began the login can complete."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.errors import Invalid
from application.services.octopus_login import bound_state, origin, started_by
from application.use_cases.begin_connect import BeginConnect, StartLogin
from application.use_cases.complete_connect import CompleteConnect, FinishLogin
from application.use_cases.get_extension import ExtensionOf, GetExtension
from application.use_cases.install_extension import Install, InstallExtension
from tests.conftest import FixedClock
from tests.use_cases.conftest import BROWSER

SECRETS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1)


@pytest.mark.parametrize(
    ("allowed", "return_url"),
    [
        ("https://partner.banqup.example:443", "https://partner.banqup.example/x"),
        ("https://partner.banqup.example", "https://partner.banqup.example:443/x"),
        ("http://partner.banqup.example:80", "http://partner.banqup.example/x"),
        ("http://partner.banqup.example", "HTTP://Partner.Banqup.Example:80/x?y=1"),
        ("https://partner.banqup.example:8443", "https://partner.banqup.example:8443/x"),
    ],
)
async def test_a_default_port_names_the_same_origin(
    units: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    octopus: InMemoryOctopusAccount,
    allowed: str,
    return_url: str,
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    assert (
        await BeginConnect(units, clock, octopus, (allowed,))(StartLogin("p1", return_url, BROWSER))
    ).authorize_url


@pytest.mark.parametrize(
    ("allowed", "return_url"),
    [
        ("https://partner.banqup.example", "http://partner.banqup.example:443/x"),
        ("https://partner.banqup.example", "https://partner.banqup.example:80/x"),
        ("https://partner.banqup.example", "https://partner.banqup.example:8443/x"),
        ("https://partner.banqup.example", "https://partner.banqup.example:443@evil.example/x"),
        ("https://partner.banqup.example:443", "https://evil.example:443/x"),
    ],
)
async def test_another_port_scheme_or_host_is_another_origin(
    units: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    octopus: InMemoryOctopusAccount,
    allowed: str,
    return_url: str,
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    with pytest.raises(Invalid) as caught:
        await BeginConnect(units, clock, octopus, (allowed,))(StartLogin("p1", return_url, BROWSER))
    assert caught.value.field == "returnUrl"


def test_an_origin_drops_only_its_scheme_s_default_port() -> None:
    assert origin("https://Host.example:443/path") == "https://host.example"
    assert origin("http://host.example:80") == "http://host.example"
    assert origin("http://host.example:443") == "http://host.example:443"
    assert origin("https://[::1]:443/") == "https://[::1]"


@given(SECRETS, SECRETS)
def test_a_state_is_completed_only_by_the_browser_it_was_made_for(browser: str, other: str) -> None:
    state = bound_state(browser)
    assert len(state) <= 64  # the column that keeps it
    assert started_by(state, browser)
    assert started_by(state, other) == (other == browser)
    assert not started_by(state, None)
    assert not started_by(state.replace(".", "", 1), browser)


async def test_a_callback_from_another_browser_is_refused_and_leaves_the_state_to_the_right_one(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, octopus: InMemoryOctopusAccount
) -> None:
    await InstallExtension(units, clock)(Install("p1"))
    url = await BeginConnect(units, clock, octopus, ("https://partner.banqup.example",))(
        StartLogin("p1", "https://partner.banqup.example/x", BROWSER)
    )
    state = parse_qs(urlsplit(url.authorize_url).query)["state"][0]
    complete = CompleteConnect(units, clock, octopus)
    for stranger in (None, "", "another-browser-secret"):
        with pytest.raises(Invalid) as caught:
            await complete(FinishLogin(state, "a-code", browser=stranger))
        assert caught.value.field == "state"
    assert (await GetExtension(units)(ExtensionOf("p1"))).state == "installed"
    assert (await complete(FinishLogin(state, "a-code", browser=BROWSER))).return_to.endswith(
        "octopus=connected"
    )
