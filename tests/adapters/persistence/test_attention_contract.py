"""What waits for a person, read alike from the fake, SQLite and PostgreSQL (CONTRACTS §3, §8)."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.attention import AttentionItem, AttentionReason, most_urgent_first
from domain.client_integration import ClientIntegration
from domain.dossier import Dossier
from domain.export import Export, ExportStatus
from domain.extension import Extension
from domain.mailbox import Mailbox
from tests.builders import MAILBOX, an_export
from tests.conftest import FixedClock

REFUSED = "550 5.1.1 <uid-008352-24@import.octopus.be>: Recipient address rejected"
NO_VAT, WITH_VAT = 7, 8


async def _client(
    uow: UnitOfWork, partner: str, client: str, at: datetime, dossier: int | None = None
) -> None:
    integration = ClientIntegration(partner_id=partner, client_id=client, dossier_id=dossier)
    integration.activate(Mailbox(MAILBOX), at)
    await uow.integrations.add(integration)


async def _exports(uow: UnitOfWork, *exports: Export) -> None:
    for export in exports:
        await uow.exports.add(export)


async def _fill(units: UnitOfWorkFactory, clock: FixedClock) -> datetime:
    """Partner p1: c1's mailbox refused (the refused export and a held one, and an export failed
    before for another reason), c2 with two failed exports, c3 on a dossier without VAT number, c4 on
    one with a VAT number, c5 on the dossier without one but switched off; partner p2 has lost its
    Octopus connection and has one failed export. Returns the time it began."""
    start = clock.now()
    hour = timedelta(hours=1)
    async with units() as uow:
        for partner in ("p1", "p2"):
            extension = Extension(partner_id=partner, installed_at=start)
            extension.connected(start)
            await uow.extensions.add(extension)
        for client, dossier in (("c1", None), ("c2", None), ("c3", NO_VAT), ("c4", WITH_VAT), ("c5", NO_VAT)):
            await _client(uow, "p1", client, start, dossier)
        await _client(uow, "p2", "c1", start)
        dossiers = await uow.dossier_lists.lock("p1")
        dossiers.fetched(
            [Dossier(NO_VAT, "Without", None, MAILBOX), Dossier(WITH_VAT, "With", "BE0123456749", None)],
            start,
        )
        await uow.dossier_lists.save(dossiers)

        failed_before = an_export(start, client="c1")
        failed_before.failed(start + hour, "554 5.6.0 message content rejected")
        refused, held = an_export(start + hour, client="c1"), an_export(start + 3 * hour, client="c1")
        refused.refused(start + 2 * hour, REFUSED)
        held.hold()
        c2_failed = [an_export(start + n * hour, client="c2") for n in (5, 4)]
        for export in c2_failed:
            export.failed(start + 6 * hour, "554 5.6.0 message content rejected")
        c2_delivered = an_export(start, client="c2")
        c2_delivered.delivered(start + hour, "<m@x>", "250 ok")
        p2_failed = an_export(start + 2 * hour, partner="p2", client="c1")
        p2_failed.failed(start + 3 * hour, "554 no")
        await _exports(
            uow,
            failed_before,
            refused,
            held,
            *c2_failed,
            c2_delivered,
            an_export(start, client="c4"),
            p2_failed,
        )
        await uow.commit()
    async with units() as uow:
        integration = await uow.integrations.get("p1", "c1")
        assert integration is not None
        assert integration.refuse_mailbox(Mailbox(MAILBOX), start + 2 * hour, REFUSED, refused.id)
        switched_off = await uow.integrations.get("p1", "c5")
        assert switched_off is not None
        switched_off.deactivate(start + hour)
        lost = await uow.extensions.get("p2")
        assert lost is not None
        lost.connection_lost()
        await uow.commit()
    return start


def _items(start: datetime, partner: str) -> list[AttentionItem]:
    hour = timedelta(hours=1)
    reason = AttentionReason
    return {
        "p1": [
            AttentionItem("p1", "c1", reason.MAILBOX_REFUSED, start + hour, 2),
            AttentionItem("p1", "c1", reason.FAILED_EXPORTS, start, 1),
            AttentionItem("p1", "c2", reason.FAILED_EXPORTS, start + 4 * hour, 2),
            AttentionItem("p1", "c3", reason.DOSSIER_WITHOUT_VAT, start, 1),
        ],
        "p2": [
            AttentionItem("p2", None, reason.NEEDS_RECONNECT, None, 1),
            AttentionItem("p2", "c1", reason.FAILED_EXPORTS, start + 2 * hour, 1),
        ],
    }[partner]


async def test_a_partners_attention_names_each_client_and_reason_with_the_exports_concerned(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    start = await _fill(units, clock)
    async with units() as uow:
        p1 = await uow.attention.list("p1")
        p2 = await uow.attention.list("p2")
        nobody = await uow.attention.list("p9")
    assert most_urgent_first(p1) == _items(start, "p1")
    assert most_urgent_first(p2) == _items(start, "p2")
    assert nobody == []


async def test_every_partners_attention_is_each_partners_together(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    start = await _fill(units, clock)
    async with units() as uow:
        everyone = await uow.attention.list()
    assert most_urgent_first(everyone) == most_urgent_first([*_items(start, "p1"), *_items(start, "p2")])


async def test_what_no_longer_waits_leaves_the_list(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    """A new address ends the refusal and releases what it held; a retried export is queued again;
    the dossier gets a VAT number; the partner reconnects."""
    start = await _fill(units, clock)
    async with units() as uow:
        integration = await uow.integrations.get("p1", "c1")
        assert integration is not None
        integration.activate(Mailbox("uid-000001-01@import.octopus.be"), clock.advance(days=1))
        for export in await uow.exports.list_open_of_client("p1", "c1"):
            if export.waits_for_mailbox:
                assert integration.mailbox is not None
                export.released(clock.now(), integration.mailbox)
            elif export.status is ExportStatus.FAILED:
                export.retry(clock.now())
        dossiers = await uow.dossier_lists.lock("p1")
        dossiers.fetched([Dossier(NO_VAT, "Without", "BE0123456749", MAILBOX)], clock.now())
        await uow.dossier_lists.save(dossiers)
        extension = await uow.extensions.get("p2")
        assert extension is not None
        extension.connected(clock.now())
        await uow.commit()
    async with units() as uow:
        assert most_urgent_first(await uow.attention.list()) == [
            AttentionItem("p2", "c1", AttentionReason.FAILED_EXPORTS, start + timedelta(hours=2), 1),
            AttentionItem("p1", "c2", AttentionReason.FAILED_EXPORTS, start + timedelta(hours=4), 2),
        ]
