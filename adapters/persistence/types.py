"""Column types that store the domain's value objects as they are, in SQLite and PostgreSQL alike."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import msgspec
from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

from domain.activation import ActivationHistory, ActivationPeriod
from domain.client_integration import MailboxAssignment, MailboxRefusal
from domain.export import Attempt, AttemptOutcome
from domain.mailbox import Mailbox
from domain.validation import Violation


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC instants, also in SQLite, which keeps no zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class MailboxType(TypeDecorator[Mailbox]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Mailbox | None, dialect: Dialect) -> str | None:
        return None if value is None else value.address

    def process_result_value(self, value: str | None, dialect: Dialect) -> Mailbox | None:
        return None if value is None else Mailbox(value)


T = TypeVar("T")


@functools.lru_cache(maxsize=256)  # a batch stamps the same few instants over and over
def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _required(text: str) -> datetime:
    return datetime.fromisoformat(text)


class _JsonValue(TypeDecorator[T], Generic[T]):
    """A value object kept as JSON text; subclasses say how it becomes plain data and back."""

    impl = Text
    cache_ok = True
    to_data: Callable[[T], Any]
    from_data: Callable[[Any], T]

    @classmethod
    def text(cls, value: T) -> str:
        """What is stored for `value`: for writers that bind many rows' text at once."""
        return msgspec.json.encode(cls.to_data(value)).decode()

    def process_bind_param(self, value: T | None, dialect: Dialect) -> str | None:
        return None if value is None else self.text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> T | None:
        return None if value is None else type(self).from_data(msgspec.json.decode(value))


def _history_to_data(history: ActivationHistory) -> list[list[str | None]]:
    return [[_stamp(p.start), _stamp(p.end)] for p in history.periods]


def _history_from_data(data: list[list[str | None]]) -> ActivationHistory:
    return ActivationHistory(tuple(ActivationPeriod(_required(str(s)), _instant(e)) for s, e in data))


class ActivationHistoryType(_JsonValue[ActivationHistory]):
    to_data = staticmethod(_history_to_data)
    from_data = staticmethod(_history_from_data)


def _mailboxes_to_data(assignments: tuple[MailboxAssignment, ...]) -> list[list[str | None]]:
    return [[a.mailbox.address, _stamp(a.since)] for a in assignments]


def _mailboxes_from_data(data: list[list[str]]) -> tuple[MailboxAssignment, ...]:
    return tuple(MailboxAssignment(Mailbox(address), _required(since)) for address, since in data)


class MailboxHistoryType(_JsonValue[tuple[MailboxAssignment, ...]]):
    to_data = staticmethod(_mailboxes_to_data)
    from_data = staticmethod(_mailboxes_from_data)


def _attempts_to_data(attempts: tuple[Attempt, ...]) -> list[list[str | None]]:
    return [[_stamp(a.at), str(a.outcome), a.detail] for a in attempts]


def _attempts_from_data(data: list[list[str]]) -> tuple[Attempt, ...]:
    return tuple(Attempt(_required(at), AttemptOutcome(outcome), detail) for at, outcome, detail in data)


class AttemptsType(_JsonValue[tuple[Attempt, ...]]):
    to_data = staticmethod(_attempts_to_data)
    from_data = staticmethod(_attempts_from_data)


def _violations_to_data(violations: tuple[Violation, ...]) -> list[list[str | bool]]:
    return [[v.rule_id, v.fatal, v.message, v.location] for v in violations]


def _violations_from_data(data: list[list[Any]]) -> tuple[Violation, ...]:
    return tuple(Violation(str(r), bool(f), str(m), str(loc)) for r, f, m, loc in data)


class ViolationsType(_JsonValue[tuple[Violation, ...]]):
    to_data = staticmethod(_violations_to_data)
    from_data = staticmethod(_violations_from_data)


def _refusal_to_data(refusal: MailboxRefusal) -> list[str | None]:
    return [refusal.mailbox.address, _stamp(refusal.at), refusal.reply, refusal.export_id]


def _refusal_from_data(data: list[str]) -> MailboxRefusal:
    address, at, reply, export_id = data
    return MailboxRefusal(Mailbox(address), _required(at), reply, export_id)


class MailboxRefusalType(_JsonValue[MailboxRefusal]):
    cache_ok = True  # SQLAlchemy reads it from each class itself: the attention list selects this column
    to_data = staticmethod(_refusal_to_data)
    from_data = staticmethod(_refusal_from_data)
