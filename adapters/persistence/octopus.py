"""The SQLAlchemy stores of the Octopus connection: tokens, login attempts, dossier lists."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from adapters.persistence import tables
from adapters.persistence.dialects import upsert_for
from adapters.persistence.dossier_lists import dossier_list_from_json, dossier_list_json
from adapters.persistence.session import RepositorySession
from adapters.persistence.token_cipher import TokenCipher
from application.ports.octopus import ConnectAttempt, OctopusConnections, OctopusDossierLists, OctopusTokens
from domain.dossier import DossierList


class SqlAlchemyOctopusConnections(OctopusConnections):
    """Tokens are sealed with `TokenCipher` before they reach the database: no plaintext at rest."""

    def __init__(self, session: RepositorySession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def tokens(self, partner_id: str) -> OctopusTokens | None:
        c = tables.octopus_tokens.c
        sealed = await self._session.scalar(select(c.sealed).where(c.partner_id == partner_id))
        return None if sealed is None else self._cipher.open(sealed)

    async def save_tokens(self, partner_id: str, tokens: OctopusTokens) -> None:
        c = tables.octopus_tokens.c
        sealed = self._cipher.seal(tokens)
        changed = await self._session.execute(
            update(tables.octopus_tokens).where(c.partner_id == partner_id).values(sealed=sealed)
        )
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(
                insert(tables.octopus_tokens).values(partner_id=partner_id, sealed=sealed)
            )

    async def forget(self, partner_id: str) -> None:
        await self._session.execute(
            delete(tables.octopus_tokens).where(tables.octopus_tokens.c.partner_id == partner_id)
        )
        await self._session.execute(
            delete(tables.connect_attempts).where(tables.connect_attempts.c.partner_id == partner_id)
        )

    async def begin(self, attempt: ConnectAttempt) -> None:
        await self._session.execute(
            insert(tables.connect_attempts).values(
                state=attempt.state,
                partner_id=attempt.partner_id,
                code_verifier=attempt.code_verifier,
                return_url=attempt.return_url,
                expires_at=attempt.expires_at,
            )
        )

    async def take(self, state: str) -> ConnectAttempt | None:
        c = tables.connect_attempts.c
        row = (
            await self._session.execute(delete(tables.connect_attempts).where(c.state == state).returning(*c))
        ).first()
        if row is None:
            return None
        return ConnectAttempt(row.state, row.partner_id, row.code_verifier, row.return_url, row.expires_at)


class SqlAlchemyOctopusDossierLists(OctopusDossierLists):
    """One row per partner; `lock` takes it `FOR UPDATE` on PostgreSQL (SQLite's `BEGIN IMMEDIATE`
    already keeps other writers out), creating it first if need be."""

    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def lock(self, partner_id: str) -> DossierList:
        c = tables.octopus_dossier_lists.c
        upsert = upsert_for(self._session)
        empty = dossier_list_json(DossierList(partner_id))
        await self._session.execute(
            upsert(tables.octopus_dossier_lists)
            .values(partner_id=partner_id, content=empty)
            .on_conflict_do_nothing(index_elements=[c.partner_id])
        )
        content = await self._session.scalar(
            select(c.content).where(c.partner_id == partner_id).with_for_update()
        )
        return dossier_list_from_json(partner_id, str(content))

    async def save(self, dossier_list: DossierList) -> None:
        c = tables.octopus_dossier_lists.c
        await self._session.execute(
            update(tables.octopus_dossier_lists)
            .where(c.partner_id == dossier_list.partner_id)
            .values(content=dossier_list_json(dossier_list))
        )

    async def forget(self, partner_id: str) -> None:
        c = tables.octopus_dossier_lists.c
        await self._session.execute(delete(tables.octopus_dossier_lists).where(c.partner_id == partner_id))
