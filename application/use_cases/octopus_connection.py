"""Connecting a partner's Octopus account: OAuth 2.0 authorization code with state and PKCE (R2, R8)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from application.dossier_budget import DAILY_LIMIT, FRESH_FOR, DossierList
from application.errors import Conflict, Forbidden, Invalid, Unavailable
from application.ports.clock import Clock
from application.ports.octopus import ConnectAttempt, Dossier, OctopusAccount, OctopusTokens
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.use_cases.extension import load_installed
from application.views import Struct

LOGIN_TIME = timedelta(minutes=10)
RENEW_BEFORE = timedelta(seconds=60)
DEFAULT_PORTS = {"http": 80, "https": 443}
BINDING_BYTES = 16


def code_challenge(verifier: str) -> str:
    """PKCE S256: the unpadded base64url SHA-256 of the verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def origin(url: str) -> str:
    """`scheme://host[:port]` of `url` in lower case, without the scheme's default port: the form in
    which `https://host:443` and `https://host` are the same origin."""
    parts = urlsplit(url)
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    return f"{scheme}://{netloc.removesuffix(f':{DEFAULT_PORTS.get(scheme)}')}"


def bound_state(browser: str) -> str:
    """A fresh login `state` that only the browser holding the secret `browser` can complete: a nonce,
    then a digest of the nonce and that secret (the browser keeps the secret in a cookie)."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_binding(nonce, browser)}"


def started_by(state: str, browser: str | None) -> bool:
    """Whether `state` was made by `bound_state` for the browser holding `browser`."""
    nonce, _, binding = state.rpartition(".")
    return bool(nonce and browser) and hmac.compare_digest(binding, _binding(nonce, browser or ""))


def _binding(nonce: str, browser: str) -> str:
    digest = hashlib.sha256(f"{nonce}.{browser}".encode()).digest()[:BINDING_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


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

    async def __call__(self, partner_id: str, return_url: str, browser: str) -> str:
        """The Octopus authorize URL to send the browser to; `browser` is a secret only that browser
        holds (in a cookie), which it must show again when Octopus sends it back."""
        if origin(return_url) not in self._allowed:
            raise Invalid("returnUrl is not on an allowed origin", field="returnUrl")
        verifier = secrets.token_urlsafe(48)
        attempt = ConnectAttempt(
            state=bound_state(browser),
            partner_id=partner_id,
            code_verifier=verifier,
            return_url=return_url,
            expires_at=self._clock.now() + LOGIN_TIME,
        )
        async with self._uow() as uow:
            await load_installed(uow, partner_id)
            await uow.octopus.begin(attempt)
            await uow.commit()
        return self._octopus.authorize_url(attempt.state, code_challenge(verifier))


def back_to(return_url: str, **params: str) -> str:
    separator = "&" if urlsplit(return_url).query else "?"
    return f"{return_url}{separator}{urlencode(params)}"


class CompleteConnect:
    """Ends the Octopus login: exchanges the code, keeps the tokens and switches the extension on."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, octopus: OctopusAccount) -> None:
        self._uow = uow
        self._clock = clock
        self._octopus = octopus

    async def __call__(
        self, state: str, code: str | None, error: str | None = None, *, browser: str | None
    ) -> str:
        """Where to send the browser back: the return URL with `octopus=connected` or the reason.
        A browser other than the one that began the login (`browser`, its secret, differs) is
        refused, and the state is left for the right one."""
        if not started_by(state, browser):
            raise Invalid(
                "this login was started in another browser, or long ago; start again", field="state"
            )
        async with self._uow() as uow:
            attempt = await uow.octopus.take(state)
            await uow.commit()
        if attempt is None or attempt.expires_at < self._clock.now():
            raise Invalid("the login state is unknown or has expired; start again", field="state")
        if error or not code:
            return back_to(attempt.return_url, octopus="error", reason=error or "no authorization code")
        try:
            tokens = await self._octopus.exchange_code(code, attempt.code_verifier)
        except (Forbidden, Unavailable) as exc:
            return back_to(attempt.return_url, octopus="error", reason=exc.message)
        async with self._uow() as uow:
            extension = await load_installed(uow, attempt.partner_id)
            await uow.octopus.save_tokens(attempt.partner_id, tokens)
            extension.connected(self._clock.now())
            await uow.commit()
        return back_to(attempt.return_url, octopus="connected")


async def fresh_access_token(
    uow: UnitOfWorkFactory, clock: Clock, octopus: OctopusAccount, partner_id: str
) -> str:
    """A valid access token, renewed when close to expiry, with no transaction open while Octopus
    is asked. A refused renewal marks the extension as needing a reconnect and raises `Conflict`,
    unless another process renewed the tokens meanwhile (Octopus may accept a refresh token once)."""
    async with uow() as reading:
        await load_installed(reading, partner_id)
        tokens = await reading.octopus.tokens(partner_id)
    if tokens is None:
        raise Conflict("Octopus is not connected for this partner")
    if tokens.expires_at - RENEW_BEFORE > clock.now():
        return tokens.access_token
    try:
        renewed: OctopusTokens = await octopus.refresh(tokens.refresh_token)
    except Forbidden as exc:
        async with uow() as writing:
            current = await writing.octopus.tokens(partner_id)
            if current is not None and current != tokens and current.expires_at - RENEW_BEFORE > clock.now():
                return current.access_token
            await _connection_lost(writing, partner_id)
        raise Conflict("Octopus refused to renew the connection; connect with Octopus again") from exc
    async with uow() as writing:
        await writing.octopus.save_tokens(partner_id, renewed)
        await writing.commit()
    return renewed.access_token


async def _connection_lost(uow: UnitOfWork, partner_id: str) -> None:
    """Shown as "needs reconnect" (R2); exports go on, they do not need Octopus."""
    (await load_installed(uow, partner_id)).connection_lost()
    await uow.commit()


class DossierView(Struct):
    id: int
    name: str
    vat_number: str | None
    mailbox: str | None


class ListDossiers:
    """The dossiers of the connected Octopus account, for the accountant to pick from (R8).

    A list is fresh for `fresh_for`; a refresh is a call counted against the partner's daily budget
    before it is made, in the database, so that no number of processes ever makes Octopus answer
    more than `daily_limit` calls a day. With the budget spent, the last list is served however old;
    with none yet, `Unavailable`. Within a process, one caller at a time refreshes a partner's list.
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

    async def __call__(self, partner_id: str) -> list[DossierView]:
        return [
            DossierView(id=d.id, name=d.name, vat_number=d.vat_number, mailbox=d.mailbox)
            for d in await self.dossiers(partner_id)
        ]

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
                    await _connection_lost(uow, partner_id)
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
