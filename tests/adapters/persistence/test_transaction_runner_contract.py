"""The `TransactionRunner` contract, run over every implementation: the common one over the fake's,
SQLite's and PostgreSQL's units of work, and the SQLite writer's thread."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.errors import Conflict
from application.ports.transaction_runner import TransactionRunner
from application.ports.unit_of_work import UnitOfWork
from application.unit_of_work_runner import UnitOfWorkRunner
from tests.adapters.persistence.conftest import sqlalchemy_units, sqlite_writer
from tests.conftest import FixedClock


@pytest.fixture(
    params=["memory", "sqlite", "sqlite-writer", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def transactions(request: pytest.FixtureRequest) -> AsyncIterator[TransactionRunner]:
    if request.param == "memory":
        yield UnitOfWorkRunner(InMemoryUnitOfWorkFactory())
    elif request.param == "sqlite-writer":
        async for writer in sqlite_writer(request.getfixturevalue("sqlite_url")):
            yield writer
    else:
        url = request.getfixturevalue(f"{request.param}_url")
        async for units in sqlalchemy_units(url, truncate=request.param == "postgres"):
            yield UnitOfWorkRunner(units)


async def _recorded(transactions: TransactionRunner, message_id: str, clock: FixedClock) -> bool:
    """Whether `message_id` was recorded before, asked in a transaction that leaves nothing behind."""

    async def asking(uow: UnitOfWork) -> set[str]:
        return await uow.messages.record([message_id], clock.now())

    return not await transactions.run(asking)


async def test_what_the_body_commits_stays_and_what_it_returns_comes_back(
    transactions: TransactionRunner, clock: FixedClock
) -> None:
    async def recording(uow: UnitOfWork) -> set[str]:
        recorded = await uow.messages.record(["m-1", "m-2"], clock.now())
        await uow.commit()
        return recorded

    assert await transactions.run(recording) == {"m-1", "m-2"}
    assert await _recorded(transactions, "m-1", clock)


async def test_a_body_that_does_not_commit_leaves_nothing(
    transactions: TransactionRunner, clock: FixedClock
) -> None:
    async def forgetting(uow: UnitOfWork) -> None:
        await uow.messages.record(["m-1"], clock.now())

    await transactions.run(forgetting)
    assert not await _recorded(transactions, "m-1", clock)


async def test_what_the_body_raises_comes_back_and_nothing_of_it_stays(
    transactions: TransactionRunner, clock: FixedClock
) -> None:
    async def failing(uow: UnitOfWork) -> None:
        await uow.messages.record(["m-1"], clock.now())
        raise Conflict("the body's own failure")

    with pytest.raises(Conflict, match="the body's own failure"):
        await transactions.run(failing)
    assert not await _recorded(transactions, "m-1", clock)
