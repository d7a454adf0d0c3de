"""The address of an Octopus dossier mailbox (R5)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue

MAX_ADDRESS = 254
MAX_LOCAL_PART = 64
MAX_LABEL = 63

# An unquoted RFC 5322 local part: letters, digits and the atext symbols, dots between words.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
# Two labels or more, each of at most MAX_LABEL letters, digits or inner hyphens.
_LABEL = rf"[a-z0-9](?:[a-z0-9-]{{0,{MAX_LABEL - 2}}}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+{_LABEL}")
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")
# The opening of an RFC 2047 encoded word: mail programs decode `=?utf-8?b?…?=` into another text.
ENCODED_WORD = "=?"
# The whole of a valid address in one match: a local part of at most MAX_LOCAL_PART characters and
# no encoded word, and a domain whose last label is a name (not all digits). The rules are spelled
# out in `_broken_rule`.
_ADDRESS = re.compile(
    rf"(?=[^@]{{1,{MAX_LOCAL_PART}}}@)(?![^@]*{re.escape(ENCODED_WORD)})"
    rf"{_LOCAL_PART.pattern}@(?:{_LABEL}\.)+(?![0-9]+\Z){_LABEL}"
)
_OCTOPUS_IMPORT = re.compile(r"(?:uid|ocr)-[a-z0-9][a-z0-9-]*@import\.octopus\.be")

NOT_OCTOPUS_IMPORT = "mailbox-not-octopus-import"


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One e-mail address, safe to put in a `To` header: no display name, comments, quotes or line breaks."""

    address: str

    def __post_init__(self) -> None:
        _check(self.address)

    @classmethod
    def parse(cls, raw: str) -> Mailbox:
        """Accepts surrounding blanks and an upper-case domain; refuses anything else odd."""
        if not isinstance(raw, str):
            raise InvalidValue("mailbox", "must be a string")
        text = raw.strip(" \t")
        local, at, domain = text.rpartition("@")
        return cls(f"{local}{at}{domain.lower()}" if at else text)

    @property
    def is_octopus_import(self) -> bool:
        """Whether this has the form of an Octopus dossier import mailbox (`uid-…` or `ocr-…`)."""
        return _OCTOPUS_IMPORT.fullmatch(self.address.lower()) is not None

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def warnings(self) -> tuple[str, ...]:
        """Reasons an accountant should look twice; the address is accepted all the same."""
        return () if self.is_octopus_import else (NOT_OCTOPUS_IMPORT,)

    def __str__(self) -> str:
        return self.address


def _check(address: str) -> None:
    """A valid address passes one match; the rules are then read one by one only to say which is broken."""
    if len(address) <= MAX_ADDRESS and _ADDRESS.fullmatch(address) is not None:
        return
    raise InvalidValue("mailbox", _broken_rule(address) or "is not a valid address")


def _broken_rule(address: str) -> str | None:
    """What is wrong with `address`, by the first rule it breaks; None when it breaks none."""
    if not address:
        return "is empty"
    if len(address) > MAX_ADDRESS:
        return f"is longer than {MAX_ADDRESS} characters"
    if _SPACE_OR_CONTROL.search(address):
        return "contains a space, a line break or a control character"
    if not address.isascii():
        return "contains a character outside ASCII"
    if address.count("@") != 1:
        return "must hold exactly one @"
    local, _, domain = address.partition("@")
    if not local or len(local) > MAX_LOCAL_PART or not _LOCAL_PART.fullmatch(local):
        return "the part before @ is not a valid mailbox name"
    if ENCODED_WORD in local:
        return "must not hold an encoded word (=?…?=): mail programs would read another address"
    if not _DOMAIN.fullmatch(domain):
        return "the part after @ is not a valid domain name"
    if domain.rpartition(".")[2].isdigit():
        return "the domain must be a name, not an address"
    return None
