"""A stand-in for the Octopus account: OAuth and dossiers in memory. It is the embedded default
until `OCTOBRIDGE_OCTOPUS_OAUTH_URL` names a real Octopus, and the fake of use-case tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from application.errors import Forbidden
from application.ports.clock import Clock
from application.ports.octopus import OctopusAccount, OctopusTokens
from domain.dossier import Dossier

ACCESS_TOKEN_LIFE = timedelta(minutes=10)


@dataclass
class InMemoryOctopusAccount(OctopusAccount):
    """Accepts any authorization code except `refused`; refuses a revoked refresh token."""

    clock: Clock
    authorize_base: str = "http://octopus.invalid/authorize"
    dossier_list: list[Dossier] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    dossier_calls: int = 0
    consents_at_once: bool = False

    def authorize_url(self, state: str, code_challenge: str) -> str:
        if self.consents_at_once:  # straight back to octobridge's callback, as if the login succeeded
            return f"{self.authorize_base}?{urlencode({'code': 'stand-in', 'state': state})}"
        query = {
            "scope": "webservice",
            "response_type": "code",
            "state": state,
            "code_challenge": code_challenge,
        }
        return f"{self.authorize_base}?{urlencode(query)}"

    async def exchange_code(self, code: str, code_verifier: str) -> OctopusTokens:
        if code == "refused":
            raise Forbidden("Octopus refused the authorization code")
        return self._issue(self.clock.now())

    async def refresh(self, refresh_token: str) -> OctopusTokens:
        if refresh_token in self.revoked:
            raise Forbidden("Octopus refused the refresh token")
        return self._issue(self.clock.now())

    async def dossiers(self, partner_id: str, access_token: str) -> list[Dossier]:
        self.dossier_calls += 1
        return list(self.dossier_list)

    def _issue(self, now: datetime) -> OctopusTokens:
        return OctopusTokens(secrets.token_urlsafe(16), secrets.token_urlsafe(16), now + ACCESS_TOKEN_LIFE)
