"""What waits for a person (R26, CONTRACTS §3 and §8)."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from application.use_cases.list_attention import Attention, AttentionOf, ListAttention
from entrypoints.http.dependencies import use_case
from entrypoints.http.problems import AUTHENTICATED, problems

DESCRIPTION = """One item per client and reason, most urgent first (then the longest waiting first):

- `mailboxRefused`: Octopus refused the client's mailbox; `count` is its exports held and those the
  refusal failed, which a new or confirmed address (`PUT /v1/clients/{clientId}/octopus`) sends.
- `needsReconnect`: the partner's Octopus connection is lost. It is the partner's, not a client's:
  `clientId` and `since` are null (the time is not recorded), `count` is 1.
- `failedExports`: failed exports not retried or delivered since, those failed by a refusal excepted.
- `dossierWithoutVat`: the client's Octopus dossier has no VAT number in the dossier list octobridge
  last fetched (Octopus is not called for this), so Octopus processes nothing for it; `count` is 1
  and `since` the time its current address was set.

`since` is the creation time of the oldest export concerned."""


@get(
    "/attention",
    tags=["attention"],
    summary="The partner's clients that need a person, most urgent first",
    description=DESCRIPTION,
    dependencies={"list_attention": use_case("list_attention")},
    responses=problems(*AUTHENTICATED),
)
async def list_attention(
    partner_id: NamedDependency[str], list_attention: NamedDependency[ListAttention]
) -> Attention:
    return await list_attention(AttentionOf(partner_id=partner_id))


ROUTES = [list_attention]
