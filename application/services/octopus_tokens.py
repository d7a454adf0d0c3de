"""A partner's Octopus access token, renewed when close to expiry (R2)."""

from __future__ import annotations

from datetime import timedelta

from application.errors import Conflict, Forbidden
from application.ports.clock import Clock
from application.ports.octopus import OctopusAccount, OctopusTokens
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.services.extensions import load_installed

RENEW_BEFORE = timedelta(seconds=60)


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
            await connection_lost(writing, partner_id)
        raise Conflict("Octopus refused to renew the connection; connect with Octopus again") from exc
    async with uow() as writing:
        await writing.octopus.save_tokens(partner_id, renewed)
        await writing.commit()
    return renewed.access_token


async def connection_lost(uow: UnitOfWork, partner_id: str) -> None:
    """Shown as "needs reconnect" (R2); exports go on, they do not need Octopus."""
    (await load_installed(uow, partner_id)).connection_lost()
    await uow.commit()
