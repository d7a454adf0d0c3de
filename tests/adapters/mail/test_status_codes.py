"""Telling a refused mailbox from other refusals at `RCPT TO` (CONTRACTS §8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.mail.status_codes import is_mailbox_refusal


@pytest.mark.parametrize(
    ("code", "message", "refused"),
    [
        (550, "5.1.1 <a@import.octopus.be>: Recipient address rejected: User unknown", True),
        (550, "5.1.10 Recipient address rejected: null MX", True),
        (551, "5.1.6 User has moved; please try <b@import.octopus.be>", True),
        (553, "5.1.3 Bad recipient address syntax", True),
        (550, "5.2.1 Mailbox disabled, not accepting messages", True),
        (550, "Requested action not taken: mailbox unavailable", True),
        (551, "User not local", True),
        (553, "mailbox name not allowed", True),
        (554, "Transaction failed", False),  # no enhanced status, and not a mailbox code
        (552, "Requested mail action aborted: exceeded storage allocation", False),
        (550, "5.7.1 Relaying denied", False),  # policy, not the mailbox
        (552, "5.2.2 Mailbox full", False),  # the mailbox exists and may take mail later
        (550, "5.2.0 Other mailbox status", False),
        (450, "4.1.1 Recipient address unknown, try again", False),  # temporary
        (450, "Requested mail action not taken: mailbox busy", False),
        (550, "4.1.1 inconsistent reply", False),  # the enhanced class says temporary
        (550, "5.1.1", True),
        (550, "5.1.1x is not an enhanced status", True),  # read as text: a bare 550
    ],
)
def test_mailbox_refusals_are_told_apart(code: int, message: str, refused: bool) -> None:
    assert is_mailbox_refusal(code, message) is refused


@given(st.integers(200, 499), st.text(max_size=40))
def test_nothing_below_500_is_a_refusal(code: int, message: str) -> None:
    assert not is_mailbox_refusal(code, f"5.1.1 {message}")
    assert not is_mailbox_refusal(code, message)


@given(
    st.integers(500, 599),
    st.integers(0, 999),
    st.integers(0, 999),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)
def test_an_enhanced_status_decides_whatever_the_basic_code(
    code: int, subject: int, detail: int, text: str
) -> None:
    expected = subject == 1 or (subject, detail) == (2, 1)
    assert is_mailbox_refusal(code, f"5.{subject}.{detail} {text}") is expected
