"""Ports to the accounting firm's Octopus account (R2, R8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.dossier import Dossier, DossierList


@dataclass(frozen=True, slots=True)
class OctopusTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ConnectAttempt:
    """A login at Octopus under way: its `state` is single-use and expires (R2)."""

    state: str
    partner_id: str
    code_verifier: str
    return_url: str
    expires_at: datetime


class OctopusAccount(Protocol):
    """Octopus's OAuth 2.0 and dossier API.

    Raises `Forbidden` when Octopus refuses a code or a refresh token, `Unavailable` when it
    cannot be reached.
    """

    def authorize_url(self, state: str, code_challenge: str) -> str: ...

    async def exchange_code(self, code: str, code_verifier: str) -> OctopusTokens: ...

    async def refresh(self, refresh_token: str) -> OctopusTokens: ...

    async def dossiers(self, partner_id: str, access_token: str) -> list[Dossier]: ...


class OctopusConnections(Protocol):
    """A partner's Octopus tokens, stored encrypted, and the logins under way."""

    async def tokens(self, partner_id: str) -> OctopusTokens | None: ...

    async def save_tokens(self, partner_id: str, tokens: OctopusTokens) -> None: ...

    async def forget(self, partner_id: str) -> None:
        """Removes the tokens and any login under way (R4)."""

    async def begin(self, attempt: ConnectAttempt) -> None: ...

    async def take(self, state: str) -> ConnectAttempt | None:
        """The login with this `state`, removed so it can be used once only."""


class OctopusDossierLists(Protocol):
    """Each partner's last dossier list and call budget, shared by every process."""

    async def lock(self, partner_id: str) -> DossierList:
        """The partner's list (an empty one the first time), which no other transaction can change
        before this one ends."""

    async def save(self, dossier_list: DossierList) -> None: ...

    async def forget(self, partner_id: str) -> None: ...
