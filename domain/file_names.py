"""Names for files made from text that comes from outside (document numbers, message ids)."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM = 100


def file_name_stem(text: str, fallback: str = "document") -> str:
    """Letters, digits, dot, dash and underscore only, no leading or trailing dot, at most 100
    characters: nothing that climbs out of a folder or breaks a header; `fallback` when nothing is left."""
    return _UNSAFE.sub("_", text).strip("._")[:MAX_STEM] or fallback
