"""ListAttention: one partner's items, most urgent first; every partner's by partner for operators."""

from __future__ import annotations

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.use_cases.list_attention import AttentionOf, ListAttention
from tests.builders import an_export
from tests.conftest import FixedClock


async def test_a_partners_items_most_urgent_first_and_every_partners_by_partner(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        for partner, client, held in (("p2", "c1", False), ("p1", "c1", False), ("p1", "c2", True)):
            export = an_export(clock.advance(hours=1), partner=partner, client=client)
            if held:
                export.hold()
            else:
                export.failed(clock.now(), "554 rejected")
            await uow.exports.add(export)
        await uow.commit()
    list_attention = ListAttention(units)

    mine = (await list_attention(AttentionOf(partner_id="p1"))).items
    assert [(i.partner_id, i.client_id, i.reason, i.count) for i in mine] == [
        ("p1", "c2", "mailboxRefused", 1),
        ("p1", "c1", "failedExports", 1),
    ]
    everyone = (await list_attention(AttentionOf())).items
    assert [(i.partner_id, i.client_id) for i in everyone] == [("p1", "c2"), ("p1", "c1"), ("p2", "c1")]
