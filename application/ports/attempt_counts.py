"""Export attempts counted by outcome and reason class, over every worker (R28: an outage shows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

# (outcome, reason class); the reason is "" for a delivered attempt.
AttemptKind = tuple[str, str]


class AttemptCounts(Protocol):
    """Running totals since the table was made; workers add to them, `/metrics` reads them."""

    async def add(self, counts: Mapping[AttemptKind, int]) -> None:
        """Adds each count to its kind's total: one statement per kind, whatever number of workers
        add to the same kind at once."""
        ...

    async def totals(self) -> dict[AttemptKind, int]: ...
