"""A day of Banqup traffic for one partner, with what octobridge must make of it, message by message."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Traffic:
    """(routing key, body) pairs to publish, and the exports they must leave: document id → status."""

    messages: list[tuple[str, bytes]] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)
    malformed: int = 0
    kinds: Counter[str] = field(default_factory=Counter)


def traffic(count: int, activated_at: datetime, seed: int = 7) -> Traffic:
    """5 % repeats, 2 % malformed, 20 % other categories, the rest document events before and after
    the activation at `activated_at` (partner p1, client c1)."""
    rng = random.Random(seed)
    made = Traffic()
    sent: list[tuple[str, bytes]] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.05 and sent:
            made.messages.append(rng.choice(sent))
            made.kinds["repeat"] += 1
            continue
        if roll < 0.07:
            made.messages.append(
                ("document.approved", rng.choice([b"{not json", b"[1, 2]", b'{"id": 1}', b""]))
            )
            made.malformed += 1
            made.kinds["malformed"] += 1
            continue
        if roll < 0.27:
            category, kind = rng.choice([("invoice", "paid"), ("space", "updated"), ("partner", "created")])
            made.messages.append(
                (
                    f"{category}.{kind}",
                    json.dumps({"id": f"m-{n}", "category": category, "type": kind}).encode(),
                )
            )
            made.kinds["other category"] += 1
            continue
        kind, folder = rng.choice(
            [("approved", "PURCHASES"), ("sent", "SALES"), ("paid", "PURCHASES"), ("refused", "PURCHASES")]
        )
        before = rng.random() < 0.3
        occurred = activated_at + (
            timedelta(hours=-rng.uniform(1, 48)) if before else timedelta(seconds=rng.uniform(1, 3600))
        )
        document = f"doc-{n}"
        data = {
            "documentId": document,
            "spaceId": "c1",
            "partnerId": "p1",
            "folder": folder,
            "documentCategory": rng.choice(["INVOICE", "CREDIT_NOTE"]),
            "occurredAt": occurred.isoformat(),
        }
        body = {"id": f"m-{n}", "category": "document", "type": kind, "resourceId": document, "data": data}
        message = (f"document.{kind}", json.dumps(body).encode())
        made.messages.append(message)
        sent.append(message)
        if kind in ("approved", "sent"):
            made.expected[document] = "skipped" if before else "queued"
            made.kinds["skipped" if before else "exported"] += 1
        else:
            made.kinds["ignored type"] += 1
    return made
