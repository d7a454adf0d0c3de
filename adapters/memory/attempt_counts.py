"""The fake running totals of export attempts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from application.ports.attempt_counts import AttemptCounts, AttemptKind


class InMemoryAttemptCounts(AttemptCounts):
    """Adds to the totals at commit, as the real statements add to what is stored whatever other
    workers added meanwhile."""

    def __init__(self, totals: dict[AttemptKind, int]) -> None:
        self._totals = totals
        self._added: Counter[AttemptKind] = Counter()

    async def add(self, counts: Mapping[AttemptKind, int]) -> None:
        self._added.update({kind: count for kind, count in counts.items() if count})

    async def totals(self) -> dict[AttemptKind, int]:
        return dict(Counter(self._totals) + self._added)

    def check(self) -> None:
        """Adding never clashes."""

    def write(self) -> None:
        for kind, count in self._added.items():
            self._totals[kind] = self._totals.get(kind, 0) + count
