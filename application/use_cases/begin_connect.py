"""Starting the Octopus login (R2)."""

from __future__ import annotations

import secrets

from application.errors import Invalid
from application.ports.clock import Clock
from application.ports.octopus import ConnectAttempt, OctopusAccount
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.extensions import load_installed
from application.services.octopus_login import LOGIN_TIME, bound_state, code_challenge, origin
from application.views import Struct


class StartLogin(Struct):
    """`browser` is a secret only the browser that asked holds (in a cookie), which it must show again
    when Octopus sends it back."""

    partner_id: str
    return_url: str
    browser: str


class LoginStarted(Struct):
    """Where to send the browser: Octopus's login, with the state and the PKCE challenge."""

    authorize_url: str


class BeginConnect:
    """Starts the Octopus login: remembers a single-use `state`, bound to the browser that asked, and
    a PKCE verifier."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, octopus: OctopusAccount, allowed_origins: tuple[str, ...]
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._octopus = octopus
        self._allowed = {origin(o.rstrip("/")) for o in allowed_origins}

    async def __call__(self, command: StartLogin) -> LoginStarted:
        if origin(command.return_url) not in self._allowed:
            raise Invalid("returnUrl is not on an allowed origin", field="returnUrl")
        verifier = secrets.token_urlsafe(48)
        attempt = ConnectAttempt(
            state=bound_state(command.browser),
            partner_id=command.partner_id,
            code_verifier=verifier,
            return_url=command.return_url,
            expires_at=self._clock.now() + LOGIN_TIME,
        )
        async with self._uow() as uow:
            await load_installed(uow, command.partner_id)
            await uow.octopus.begin(attempt)
            await uow.commit()
        return LoginStarted(self._octopus.authorize_url(attempt.state, code_challenge(verifier)))
