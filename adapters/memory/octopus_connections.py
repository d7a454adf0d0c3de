"""The fake record of Octopus connections: partners' tokens and connect attempts under way."""

from __future__ import annotations

from adapters.memory.store import Staged
from application.ports.octopus import ConnectAttempt, OctopusConnections, OctopusTokens


class InMemoryOctopusConnections(OctopusConnections):
    def __init__(self, tokens: Staged[str, OctopusTokens], attempts: Staged[str, ConnectAttempt]) -> None:
        self._tokens = tokens
        self._attempts = attempts

    async def tokens(self, partner_id: str) -> OctopusTokens | None:
        return self._tokens.get(partner_id)

    async def save_tokens(self, partner_id: str, tokens: OctopusTokens) -> None:
        self._tokens.put(partner_id, tokens)

    async def forget(self, partner_id: str) -> None:
        self._tokens.remove(partner_id)
        for state in [s for s, a in self._attempts.items() if a.partner_id == partner_id]:
            self._attempts.remove(state)

    async def begin(self, attempt: ConnectAttempt) -> None:
        self._attempts.put(attempt.state, attempt)

    async def take(self, state: str) -> ConnectAttempt | None:
        attempt = self._attempts.get(state)
        self._attempts.remove(state)
        return attempt
