"""Time-ordered keys: UUID version 7 (RFC 9562 §5.7)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.keys import time_ordered_id

instants = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.lists(st.timedeltas(min_value=timedelta(milliseconds=1), max_value=timedelta(days=400)), max_size=50),
)
def test_ids_made_in_later_milliseconds_sort_after(start: datetime, steps: list[timedelta]) -> None:
    moments = [start]
    for step in steps:
        moments.append(moments[-1] + step)
    ids = [time_ordered_id(moment) for moment in moments]
    assert sorted(ids) == ids
    assert sorted(ids, key=uuid.UUID) == ids


@given(instants)
def test_ids_carry_their_millisecond_the_version_7_and_the_rfc_variant(at: datetime) -> None:
    key = uuid.UUID(time_ordered_id(at))
    assert key.version == 7
    assert key.variant == uuid.RFC_4122
    assert key.int >> 80 == (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


@given(instants)
def test_ids_made_in_the_same_millisecond_are_unique(at: datetime) -> None:
    assert len({time_ordered_id(at) for _ in range(1_000)}) == 1_000


def test_an_instant_before_1970_has_no_id() -> None:
    with pytest.raises(InvalidValue):
        time_ordered_id(datetime(1969, 12, 31, 23, 59, tzinfo=UTC))
