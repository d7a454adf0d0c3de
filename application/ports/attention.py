"""What waits for a person (R26): read, never written, by the attention list and its gauge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.attention import AttentionItem


class AttentionReads(Protocol):
    """The attention items of one partner, or of every partner when `partner_id` is None, in no
    particular order (`domain.attention.most_urgent_first` orders them).

    - `mailboxRefused`: a client whose integration is refused or who has exports with `held` set;
      `count` those exports (held, and failed by the refusal), `since` the oldest one's creation
      (the refusal's time when none is left).
    - `failedExports`: a client with failed exports whose `held` is null; `count` them, `since` the
      oldest one's creation.
    - `dossierWithoutVat`: an active client whose Octopus dossier, as the partner's last dossier list
      (cached; Octopus is not called) names it, has no VAT number; `count` 1, `since` the time its
      current address was set.
    - `needsReconnect`: an installed extension whose Octopus connection is lost; no client, no time.

    The cost follows what waits, not the tables: exports and integrations are read through the
    partial indexes of what waits (the failed or held exports, the refused integrations).
    """

    async def list(self, partner_id: str | None = None) -> Sequence[AttentionItem]: ...
