"""Retention: forgetting delivered and skipped exports made long ago (docs/decisions/0011)."""

from __future__ import annotations

from datetime import timedelta

from application.batches import forget_in_batches
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory

FORGOTTEN_A_TRANSACTION = 1_000


class ForgetOldExports:
    """Deletes the delivered and skipped exports created more than `kept_for` ago, with their
    attempts, a thousand a transaction; returns how many. `kept_for` None keeps them for ever.

    R11 loses nothing by it as long as `kept_for` outlasts the backfills (400 days): a document
    whose export is forgotten occurred before its export was made, too long ago to come again.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, kept_for: timedelta | None) -> None:
        self._uow = uow
        self._clock = clock
        self._kept_for = kept_for

    async def __call__(self) -> int:
        if self._kept_for is None:
            return 0
        before = self._clock.now() - self._kept_for
        return await forget_in_batches(
            self._uow,
            lambda uow, batch: uow.exports.forget_finished_before(before, batch),
            FORGOTTEN_A_TRANSACTION,
        )
