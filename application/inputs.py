"""What every input from outside must be before a use case sees it, the same on every entrypoint:
text that XML 1.0 and PostgreSQL can both hold, JSON nested no deeper than `MAX_DEPTH`, values of the
type asked for (no string taken as a boolean). Datetimes are checked by the domain (`domain.clock.utc`)."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Annotated, Any

import msgspec

from application.errors import Invalid

# NUL, the C0 controls but tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF:
# XML 1.0 cannot carry them, and PostgreSQL cannot store NUL.
_UNSTORABLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
UNSTORABLE = re.compile(f"[{_UNSTORABLE}]")
Text = Annotated[str, msgspec.Meta(pattern=f"^[^{_UNSTORABLE}]*$")]
"""A string of a request body: msgspec refuses one that is not `storable`."""

MAX_DEPTH = 32
_OPENING, _CLOSING = b"[{", b"]}"
# A string, or what is left of the body after an unterminated one: never failing to match where a
# quote opens is what keeps the scan linear (a failed match would be tried again at every quote).
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in _OPENING + _CLOSING)
_ERROR_PATH = re.compile(r" - at `\$\.?([^`]*)`$")
MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")


def storable(text: str) -> bool:
    """Whether XML 1.0 and PostgreSQL can both hold `text` as it is."""
    return UNSTORABLE.search(text) is None


def check_storable(field: str, text: str) -> None:
    """`Invalid` naming `field` when `text` is not `storable`."""
    if not storable(text):
        raise Invalid(f"{field} holds a NUL or control character that cannot be stored", field=field)


def check_depth(body: bytes) -> None:
    """`Invalid` when the JSON in `body` nests arrays and objects deeper than `MAX_DEPTH`, found
    without decoding it (msgspec decodes recursively, and would exhaust the stack first)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return
    brackets = _STRING.sub(b"", body).translate(None, _NOT_A_BRACKET)
    steps = (1 if byte in _OPENING else -1 for byte in brackets)
    if max(accumulate(steps, initial=0)) > MAX_DEPTH:
        raise Invalid(f"the JSON nests deeper than {MAX_DEPTH} levels")


def decode_json(body: bytes, target: Any) -> Any:
    """`body` decoded as `target` (a type), strictly; `Invalid` naming the field at fault when it
    cannot be."""
    check_depth(body)
    try:
        return msgspec.json.decode(body, type=target, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid(exc) from exc
    except msgspec.DecodeError as exc:
        raise Invalid("not JSON") from exc


def invalid(error: msgspec.ValidationError) -> Invalid:
    """msgspec's validation error, naming as the field the path it gives (`data.occurredAt`), or the
    field it says is missing."""
    message = str(error)
    found = _ERROR_PATH.search(message)
    path = found.group(1).split(".") if found and found.group(1) else []
    if missing := MISSING_FIELD.search(message):
        path.append(missing.group(1))
    return Invalid(message, field=".".join(path) or None)
