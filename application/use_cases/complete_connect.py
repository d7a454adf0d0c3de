"""Ending the Octopus login (R2)."""

from __future__ import annotations

from application.errors import Forbidden, Invalid, Unavailable
from application.ports.clock import Clock
from application.ports.octopus import OctopusAccount
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.extensions import load_installed
from application.services.octopus_login import back_to, started_by
from application.views import Struct


class FinishLogin(Struct):
    """What Octopus sent the browser back with (`code`, or `error`), and the browser's secret
    `browser` from its cookie, if any."""

    state: str
    code: str | None
    error: str | None = None
    browser: str | None = None


class LoginFinished(Struct):
    """Where to send the browser back: the return URL with `octopus=connected`, or `octopus=error`
    and the reason."""

    return_to: str


class CompleteConnect:
    """Ends the Octopus login: exchanges the code, keeps the tokens and switches the extension on."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, octopus: OctopusAccount) -> None:
        self._uow = uow
        self._clock = clock
        self._octopus = octopus

    async def __call__(self, command: FinishLogin) -> LoginFinished:
        """A browser other than the one that began the login (`browser`, its secret, differs) is
        refused, and the state is left for the right one."""
        state, code, error = command.state, command.code, command.error
        if not started_by(state, command.browser):
            raise Invalid(
                "this login was started in another browser, or long ago; start again", field="state"
            )
        async with self._uow() as uow:
            attempt = await uow.octopus.take(state)
            await uow.commit()
        if attempt is None or attempt.expires_at < self._clock.now():
            raise Invalid("the login state is unknown or has expired; start again", field="state")
        if error or not code:
            return LoginFinished(
                back_to(attempt.return_url, octopus="error", reason=error or "no authorization code")
            )
        try:
            tokens = await self._octopus.exchange_code(code, attempt.code_verifier)
        except (Forbidden, Unavailable) as exc:
            return LoginFinished(back_to(attempt.return_url, octopus="error", reason=exc.message))
        async with self._uow() as uow:
            extension = await load_installed(uow, attempt.partner_id)
            await uow.octopus.save_tokens(attempt.partner_id, tokens)
            extension.connected(self._clock.now())
            await uow.commit()
        return LoginFinished(back_to(attempt.return_url, octopus="connected"))
