"""The dossier mailbox address (R5): safe in a header, Octopus's form recognised."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import getaddresses

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.mailbox import _ADDRESS, MAX_ADDRESS, NOT_OCTOPUS_IMPORT, Mailbox, _broken_rule


@pytest.mark.parametrize(
    "raw",
    [
        "uid-008352-24@import.octopus.be",
        "ocr-008352-24@import.octopus.be",
        " UID-008352-24@Import.Octopus.BE ",
    ],
)
def test_octopus_import_addresses_give_no_warning(raw: str) -> None:
    mailbox = Mailbox.parse(raw)
    assert mailbox.is_octopus_import
    assert mailbox.warnings() == ()


def test_another_address_is_accepted_with_a_warning() -> None:
    mailbox = Mailbox.parse("compta@atelier.be")
    assert mailbox.address == "compta@atelier.be"
    assert mailbox.warnings() == (NOT_OCTOPUS_IMPORT,)
    assert Mailbox.parse("uid-1@import.octopus.be.evil.com").warnings() == (NOT_OCTOPUS_IMPORT,)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "a@b.be\r\nBcc: victim@example.com",
        "a@b.be\nX-Injected: 1",
        "a@b.be, c@d.be",
        "Name <a@b.be>",
        '"quoted"@b.be',
        "a@@b.be",
        "a@b",
        "a@-b.be",
        "a@b..be",
        ".a@b.be",
        "a@1.2.3.4",
        "a b@c.be",
        "é@b.be",
        "a@b.be\x00",
        "x" * 65 + "@b.be",
        "a@" + "b" * 250 + ".be",
    ],
)
def test_header_tricks_and_malformed_addresses_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Mailbox.parse(raw)
    assert caught.value.field == "mailbox"


@given(st.text(max_size=300))
def test_an_accepted_address_is_always_one_safe_address(raw: str) -> None:
    try:
        mailbox = Mailbox.parse(raw)
    except InvalidValue as exc:
        assert exc.field == "mailbox"
        return
    address = mailbox.address
    assert len(address) <= 254
    assert address.count("@") == 1
    assert not any(c in address for c in '\r\n\t ,;<>"()\\\x00')


LABELS = (
    st.sampled_from(["be", "octopus", "a-9"])
    | st.text(alphabet="ab9-", max_size=65)
    | st.text(alphabet="0123456789", min_size=1, max_size=3)
)
ADDRESS_LIKE = st.builds(
    lambda local, labels: local + "@" + ".".join(labels),
    st.text(alphabet="aZ0.+-_ é", max_size=70) | st.text(alphabet="a", min_size=63, max_size=66),
    st.lists(LABELS, min_size=1, max_size=4),
)


@settings(max_examples=1000)
@given(ADDRESS_LIKE | st.text(max_size=300))
def test_the_one_match_accepts_exactly_what_the_rules_accept(raw: str) -> None:
    """Valid addresses are recognised by one pattern and refusals explained by the rules: they agree."""
    matched = len(raw) <= MAX_ADDRESS and _ADDRESS.fullmatch(raw) is not None
    assert matched == (_broken_rule(raw) is None), _broken_rule(raw)


def read_back_to(address: str) -> list[tuple[str, str]]:
    """The `To` header a mail library writes for `address`, parsed back as a receiving one would:
    every (local part, domain) it finds there."""
    written = EmailMessage(policy=SMTP)
    written["To"] = address
    received = message_from_bytes(written.as_bytes(), policy=default)
    header = received["To"]
    found = [(a.username, a.domain) for a in header.addresses]
    assert getaddresses([str(header)]) == [("", address)]
    return found


@settings(max_examples=500)
@given(st.from_regex(_ADDRESS, fullmatch=True) | ADDRESS_LIKE | st.text(max_size=300))
@example("=?utf-8?b?ZXZpbEBleGFtcGxlLmNvbQ==?=@b.be")
@example("=?utf-8?q?evil=40example.com?=@b.be")
def test_an_accepted_address_reads_back_as_itself_from_the_to_header(raw: str) -> None:
    try:
        mailbox = Mailbox.parse(raw)
    except InvalidValue:
        return
    local, _, domain = mailbox.address.rpartition("@")
    assert read_back_to(mailbox.address) == [(local, domain)]


@pytest.mark.parametrize(
    "raw",
    [
        "=?utf-8?b?ZXZpbEBleGFtcGxlLmNvbQ==?=@b.be",
        "=?utf-8?q?evil=40example.com?=@b.be",
        "a=?x?q?y?=b@b.be",
        "a=?@b.be",
    ],
)
def test_an_encoded_word_is_refused(raw: str) -> None:
    with pytest.raises(InvalidValue, match="encoded word") as caught:
        Mailbox.parse(raw)
    assert caught.value.field == "mailbox"
