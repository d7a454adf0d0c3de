"""What every repository promises, checked against the fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from application.errors import Conflict, NotStored
from application.ports.octopus import ConnectAttempt, OctopusTokens
from application.ports.repositories import ExportQuery, ExportsInContext, ForgottenIds
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.client_integration import ClientIntegration, NewClientIntegration
from domain.dossier import Dossier
from domain.events import Direction
from domain.export import ExportStatus
from domain.extension import ConnectionState, Extension
from domain.mailbox import Mailbox
from domain.validation import Violation
from tests.builders import MAILBOX, an_export
from tests.conftest import FixedClock


async def test_an_extension_keeps_its_state_and_activation_history(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        extension = Extension(partner_id="p1", installed_at=clock.now())
        await uow.extensions.add(extension)
        extension.connected(clock.advance(minutes=1))
        extension.switch(False, clock.advance(hours=1))
        extension.switch(True, clock.advance(hours=1))
        await uow.commit()
    async with units() as uow:
        stored = await uow.extensions.get("p1")
        assert stored is not None
        assert stored.state is ConnectionState.CONNECTED
        assert stored.activation == extension.activation
        assert len(stored.activation.periods) == 2
        assert stored.activation.periods[0].end is not None
        assert stored.installed_at == extension.installed_at
        assert await uow.extensions.get("p2") is None


async def test_changes_left_uncommitted_are_lost(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    async with units() as uow:
        await uow.extensions.add(Extension(partner_id="p1", installed_at=clock.now()))
        await uow.commit()
    async with units() as uow:
        stored = await uow.extensions.get("p1")
        assert stored is not None
        stored.uninstall(clock.advance(minutes=5))
        await uow.messages.record(["m-1"], clock.now())
    async with units() as uow:
        stored = await uow.extensions.get("p1")
        assert stored is not None and stored.is_installed
        assert await uow.messages.record(["m-1"], clock.now()) == {"m-1"}  # the first was never recorded


async def test_a_client_integration_keeps_its_mailbox_history(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    first, second = Mailbox(MAILBOX), Mailbox("uid-000001-01@import.octopus.be")
    async with units() as uow:
        integration = ClientIntegration(
            partner_id="p1", client_id="c1", vat_number="BE0123456749", dossier_id=7
        )
        integration.activate(first, clock.now())
        await uow.integrations.add(integration)
        await uow.integrations.add(ClientIntegration(partner_id="p2", client_id="c9"))
        await uow.commit()
    async with units() as uow:
        stored = await uow.integrations.get("p1", "c1")
        assert stored is not None
        stored.activate(second, clock.advance(days=1))
        await uow.commit()
    async with units() as uow:
        stored = await uow.integrations.get("p1", "c1")
        assert stored is not None
        assert [a.mailbox for a in stored.mailboxes] == [first, second]
        assert stored.mailbox_at(clock.now() - timedelta(hours=1)) == first
        assert (stored.vat_number, stored.dossier_id, stored.active) == ("BE0123456749", 7, True)
        assert [i.client_id for i in await uow.integrations.list("p1")] == ["c1"]
        assert len(await uow.integrations.list()) == 2


async def add_two_partners_and_three_integrations(uow: UnitOfWork, clock: FixedClock) -> None:
    """Partners p1 and p2, with the integrations (p1, c1), (p1, c2) and (p2, c1)."""
    for partner in ("p1", "p2"):
        await uow.extensions.add(Extension(partner_id=partner, installed_at=clock.now()))
    for partner, client in (("p1", "c1"), ("p1", "c2"), ("p2", "c1")):
        integration = ClientIntegration(partner_id=partner, client_id=client)
        integration.activate(Mailbox(MAILBOX), clock.now())
        await uow.integrations.add(integration)


async def test_integrations_and_extensions_load_many_at_once(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        await add_two_partners_and_three_integrations(uow, clock)
        await uow.commit()
    async with units() as uow:
        found = await uow.integrations.get_many([("p1", "c2"), ("p2", "c1"), ("p2", "c2"), ("p3", "c1")])
        assert sorted(found) == [("p1", "c2"), ("p2", "c1")]
        assert found["p2", "c1"].mailbox == Mailbox(MAILBOX) and found["p2", "c1"].active
        assert await uow.integrations.get_many([]) == {}
        extensions = await uow.extensions.get_many({"p2", "p9"})
        assert list(extensions) == ["p2"] and extensions["p2"].is_installed
        assert await uow.extensions.get_many(()) == {}


async def test_a_lookup_of_clients_of_thousands_of_partners_finds_each(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    """A bulk import's batch may name a partner a row: the lookup must not outgrow the database."""
    stored = [NewClientIntegration(partner_id=f"p{n}", client_id="c1") for n in range(0, 2500, 2)]
    for integration in stored:
        integration.activate(Mailbox(MAILBOX), clock.now())
    async with units() as uow:
        await uow.integrations.add_many(stored)
        await uow.commit()
    async with units() as uow:
        found = await uow.integrations.get_many([(f"p{n}", "c1") for n in range(2500)])
    assert sorted(found) == sorted((i.partner_id, "c1") for i in stored)


async def test_integrations_added_many_at_once_keep_their_history_and_their_keys(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    made = []
    for client in ("c1", "c2"):
        integration = NewClientIntegration(partner_id="p1", client_id=client, vat_number="BE0123456749")
        integration.activate(Mailbox(MAILBOX), clock.now())
        made.append(integration)
    async with units() as uow:
        await uow.integrations.add_many(made)
        await uow.commit()
    async with units() as uow:
        stored = await uow.integrations.get("p1", "c2")
        assert stored is not None
        assert (stored.mailboxes, stored.activation, stored.vat_number) == (
            made[1].mailboxes,
            made[1].activation,
            "BE0123456749",
        )
        stored.deactivate(clock.advance(hours=1))
        await uow.commit()
    async with units() as uow:
        stored = await uow.integrations.get("p1", "c2")
        assert stored is not None and not stored.active
    with pytest.raises(Conflict):
        async with units() as uow:
            await uow.integrations.add_many([NewClientIntegration(partner_id="p1", client_id="c1")])
            await uow.commit()


async def test_an_export_round_trips_with_its_attempts_and_violations(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    export = an_export(clock.now())
    async with units() as uow:
        await uow.exports.add(export)
        await uow.commit()
    async with units() as uow:
        stored = await uow.exports.get(export.id)
        assert stored is not None
        stored.deferred(clock.advance(minutes=1), "451 try later")
        stored.failed(
            clock.advance(minutes=2), "invalid", (Violation("BR-CO-15", True, "totals differ", "/Invoice"),)
        )
        await uow.commit()
    async with units() as uow:
        stored = await uow.exports.get(export.id)
        assert stored is not None
        assert stored.status is ExportStatus.FAILED
        assert [a.detail for a in stored.attempts] == ["451 try later", "invalid"]
        assert stored.violations == (Violation("BR-CO-15", True, "totals differ", "/Invoice"),)
        assert stored.mailbox == Mailbox(MAILBOX)
        assert await uow.exports.get(export.id, partner_id="someone-else") is None
        found = await uow.exports.get_many([export.id, "no-such-export"])
        assert list(found) == [export.id]
        assert found[export.id].attempts == stored.attempts
        assert await uow.exports.get_many([]) == {}


async def test_an_export_read_earlier_is_updated_with_its_changes(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    export = an_export(clock.now())
    async with units() as uow:
        await uow.exports.add(export)
        await uow.commit()
    async with units() as uow:  # a worker's claim
        claimed = await uow.exports.get(export.id)
    assert claimed is not None
    async with units() as uow:
        claimed.deferred(clock.advance(minutes=1), "451 try later")
        await uow.exports.update(claimed)
        await uow.commit()
    async with units() as uow:  # updated again without reading it: its own update is no conflict
        delivered_at = clock.advance(minutes=1)
        claimed.delivered(delivered_at, "<export@octobridge.example>", "250 ok")
        await uow.exports.update(claimed)
        await uow.commit()
    async with units() as uow:
        stored = await uow.exports.get(export.id)
        assert stored is not None
        assert [a.detail for a in stored.attempts] == ["451 try later", "250 ok"]
        assert stored.status is ExportStatus.DELIVERED
        assert stored.delivered_at == delivered_at
        assert stored.message_id == "<export@octobridge.example>"
        assert stored.last_error is None


async def test_an_export_changed_since_it_was_read_is_not_updated(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    export = an_export(clock.now())
    async with units() as uow:
        await uow.exports.add(export)
        await uow.commit()
    async with units() as uow:  # a worker claims it, then its lease runs out
        claimed = await uow.exports.get(export.id)
    assert claimed is not None
    async with units() as uow:  # another worker's attempt
        other = await uow.exports.get(export.id)
        assert other is not None
        other.deferred(clock.advance(minutes=1), "451 try later")
        await uow.commit()
    with pytest.raises(Conflict):
        async with units() as uow:
            claimed.delivered(clock.advance(minutes=1), "<export@octobridge.example>", "250 ok")
            await uow.exports.update(claimed)
            await uow.commit()
    async with units() as uow:
        stored = await uow.exports.get(export.id)
        assert stored is not None and stored.status is ExportStatus.QUEUED


async def test_one_export_per_document_and_direction(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    async with units() as uow:
        await uow.exports.add(an_export(clock.now(), document="d1"))
        await uow.exports.add(an_export(clock.now(), document="d1", direction=Direction.SALES))
        await uow.commit()
        assert sorted(e.direction for e in await uow.exports.list(ExportQuery())) == ["purchase", "sales"]
    with pytest.raises(Conflict):
        async with units() as uow:
            await uow.exports.add(an_export(clock.now(), document="d1"))
            await uow.commit()


async def test_an_export_whose_id_is_taken_is_refused_not_taken_for_a_repeat(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    first = an_export(clock.now(), document="d1")
    async with units() as uow:
        await uow.exports.add(first)
        await uow.commit()
    twin = an_export(clock.now(), document="d2")
    twin.id = first.id
    with pytest.raises(NotStored):
        async with units() as uow:
            await uow.exports.add_many([an_export(clock.now(), document="d3"), twin])
            await uow.commit()
    async with units() as uow:
        assert [e.document_id for e in await uow.exports.list(ExportQuery())] == ["d1"]


async def test_an_outbox_row_for_no_export_is_refused_and_nothing_is_stored(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    export = an_export(clock.now())
    with pytest.raises(NotStored):
        async with units() as uow:
            await uow.exports.add_many([export])
            await uow.outbox.put_many([export.id, "no-such-export"], clock.now())
            await uow.commit()
    async with units() as uow:
        assert list(await uow.exports.list(ExportQuery())) == []
        assert await uow.outbox.depth() == 0


async def test_exports_are_found_with_their_partners_extensions_and_their_clients_integrations(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        await add_two_partners_and_three_integrations(uow, clock)
        await uow.exports.add(an_export(clock.now(), document="d1"))
        await uow.exports.add(an_export(clock.now(), document="d1", direction=Direction.SALES))
        await uow.exports.add(an_export(clock.now(), client="c2", document="d2"))
        await uow.commit()
    async with units() as uow:
        keys = [
            ("p1", "c1", "d1", "purchase"),
            ("p1", "c1", "d1", "sales"),
            ("p1", "c2", "d1", "purchase"),  # c2 has d2, not d1
            ("p1", "c2", "d2", "sales"),  # d2 went the other way
            ("p2", "c1", "d9", "purchase"),
            ("p2", "c2", "d1", "purchase"),  # no integration
            ("p3", "c1", "d1", "purchase"),  # no extension
        ]
        found = await uow.exports.find_many_in_context(keys)
        assert sorted(found.exports) == [keys[0], keys[1]]
        assert [found.exports[k].direction for k in keys[:2]] == ["purchase", "sales"]
        assert sorted(found.extensions) == ["p1", "p2"] and found.extensions["p2"].is_installed
        assert sorted(found.integrations) == [("p1", "c1"), ("p1", "c2"), ("p2", "c1")]
        assert found.integrations["p1", "c2"].mailbox == Mailbox(MAILBOX)
        assert await uow.exports.find_many_in_context([]) == ExportsInContext({}, {}, {})


async def test_the_exports_of_hundreds_of_keys_are_all_found(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    exports = [an_export(clock.now(), document=f"d{n}") for n in range(0, 600, 2)]
    async with units() as uow:
        await add_two_partners_and_three_integrations(uow, clock)
        await uow.exports.add_many(exports)
        await uow.commit()
    async with units() as uow:
        found = await uow.exports.find_many_in_context(
            [("p1", "c1", f"d{n}", "purchase") for n in range(600)]
        )
    assert sorted(e.id for e in found.exports.values()) == sorted(e.id for e in exports)
    assert sorted(found.integrations) == [("p1", "c1")]


async def test_an_export_found_in_context_keeps_its_changes(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    skipped = an_export(clock.now(), document="d1", status=ExportStatus.SKIPPED)
    async with units() as uow:
        await add_two_partners_and_three_integrations(uow, clock)
        await uow.exports.add(skipped)
        await uow.commit()
    async with units() as uow:
        key = ("p1", "c1", "d1", "purchase")
        found = (await uow.exports.find_many_in_context([key, ("p1", "c1", "d2", "purchase")])).exports
        assert list(found) == [key]
        found[key].queued_after_skip(clock.advance(hours=1), Mailbox(MAILBOX))
        await uow.commit()
    async with units() as uow:
        stored = await uow.exports.get(skipped.id)
        assert stored is not None and stored.status is ExportStatus.QUEUED


async def test_exports_added_many_at_once_are_kept_as_they_stood(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    made = [an_export(clock.now(), document="d1"), an_export(clock.now(), status=ExportStatus.SKIPPED)]
    async with units() as uow:
        await uow.exports.add_many(made)
        await uow.outbox.put(made[0].id, clock.now())  # the rows exist before the commit
        made[0].deferred(clock.advance(minutes=1), "451 try later")  # not kept: added as it stood
        await uow.commit()
    async with units() as uow:
        stored = [await uow.exports.get(e.id) for e in made]
        assert [(e.document_id, e.status, e.mailbox, e.attempts) for e in stored if e is not None] == [
            ("d1", ExportStatus.QUEUED, Mailbox(MAILBOX), ()),
            (made[1].document_id, ExportStatus.SKIPPED, Mailbox(MAILBOX), ()),
        ]
        assert await uow.outbox.depth() == 1
    with pytest.raises(Conflict):
        async with units() as uow:
            await uow.exports.add_many(
                [an_export(clock.now(), document="d2"), an_export(clock.now(), document="d1")]
            )
            await uow.commit()
    async with units() as uow:
        assert len(await uow.exports.list(ExportQuery())) == 2


async def test_two_transactions_racing_for_the_same_document_leave_one_export(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async def record(message_id: str) -> str:
        async with units() as uow:
            await uow.messages.record([message_id], clock.now())
            await uow.exports.add(an_export(clock.now(), document="raced"))
            await uow.commit()
            return "won"

    results = await asyncio.gather(record("m-a"), record("m-b"), return_exceptions=True)
    assert sorted(type(r).__name__ if isinstance(r, Exception) else r for r in results) == ["Conflict", "won"]
    async with units() as uow:
        assert len(await uow.exports.list(ExportQuery())) == 1


async def test_exports_list_newest_first_with_filters_and_a_cursor(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    start = clock.now()
    made = [an_export(start + timedelta(minutes=i)) for i in range(5)]
    made.append(an_export(start, status=ExportStatus.SKIPPED))
    made.append(an_export(start, partner="p2"))
    async with units() as uow:
        for export in made:
            await uow.exports.add(export)
        await uow.commit()
    async with units() as uow:
        first = await uow.exports.list(ExportQuery(partner_id="p1", status=ExportStatus.QUEUED, limit=3))
        assert [e.id for e in first] == [e.id for e in reversed(made[2:5])]
        rest = await uow.exports.list(
            ExportQuery(
                partner_id="p1",
                status=ExportStatus.QUEUED,
                limit=3,
                after=(first[-1].created_at, first[-1].id),
            )
        )
        assert [e.id for e in rest] == [made[1].id, made[0].id]
        window = await uow.exports.list(
            ExportQuery(
                partner_id="p1",
                created_from=start + timedelta(minutes=1),
                created_until=start + timedelta(minutes=3),
            )
        )
        assert {e.id for e in window} == {made[1].id, made[2].id}
        counts = await uow.exports.count_open()
        assert counts == {ExportStatus.QUEUED: 6, ExportStatus.FAILED: 0}, "skipped ones are not open"


async def test_a_message_id_is_recorded_once(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    async with units() as uow:
        assert await uow.messages.record(["m-1", "m-1"], clock.now()) == {"m-1"}
        await uow.commit()
    async with units() as uow:
        assert await uow.messages.record(["m-2", "m-3"], clock.now()) == {"m-2", "m-3"}
        assert await uow.messages.record(["m-1", "m-2", "m-4"], clock.now()) == {"m-4"}
    async with units() as uow:  # the one before was rolled back
        assert await uow.messages.record(["m-1", "m-2"], clock.now()) == {"m-2"}


async def test_the_outbox_leases_due_exports_to_one_worker_at_a_time(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    now = clock.now()
    due, later = an_export(now), an_export(now)
    async with units() as uow:
        for export in (due, later):
            await uow.exports.add(export)
        await uow.outbox.put(due.id, now)
        await uow.outbox.put(later.id, now + timedelta(hours=1))
        await uow.commit()
    lease = now + timedelta(minutes=5)
    async with units() as uow:
        assert list(await uow.outbox.claim(now, lease, 10)) == [due.id]
        await uow.commit()
    async with units() as uow:
        assert list(await uow.outbox.claim(now + timedelta(minutes=1), lease, 10)) == []
        assert await uow.outbox.depth() == 2
    async with units() as uow:  # the lease ran out: the worker died, another takes it
        assert list(await uow.outbox.claim(lease, lease + timedelta(minutes=5), 10)) == [due.id]
        await uow.outbox.reschedule(due.id, now + timedelta(days=1))
        await uow.outbox.remove(later.id)
        await uow.commit()
    async with units() as uow:
        assert list(await uow.outbox.claim(now + timedelta(hours=2), lease, 10)) == []
        assert list(await uow.outbox.claim(now + timedelta(days=1), lease, 10)) == [due.id]
        assert await uow.outbox.depth() == 1


async def test_octopus_tokens_and_logins(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    tokens = OctopusTokens("access-1", "refresh-1", clock.now() + timedelta(minutes=10))
    attempt = ConnectAttempt("state-1", "p1", "verifier", "http://127.0.0.1:8000/", clock.now())
    async with units() as uow:
        await uow.octopus.save_tokens("p1", tokens)
        await uow.octopus.begin(attempt)
        await uow.commit()
    async with units() as uow:
        assert await uow.octopus.tokens("p1") == tokens
        assert await uow.octopus.take("state-1") == attempt
        assert await uow.octopus.take("state-1") is None
        renewed = OctopusTokens("access-2", "refresh-2", clock.now() + timedelta(minutes=20))
        await uow.octopus.save_tokens("p1", renewed)
        await uow.commit()
    async with units() as uow:
        assert await uow.octopus.tokens("p1") == renewed
        await uow.octopus.forget("p1")
        await uow.commit()
    async with units() as uow:
        assert await uow.octopus.tokens("p1") is None


async def test_putting_an_export_in_the_outbox_again_moves_it(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    now = clock.now()
    export = an_export(now)
    async with units() as uow:
        await uow.exports.add(export)
        await uow.outbox.put(export.id, now + timedelta(hours=1))
        await uow.commit()
    async with units() as uow:
        other = an_export(now)
        await uow.exports.add(other)
        await uow.outbox.put_many([export.id, other.id], now)
        await uow.commit()
    async with units() as uow:
        assert await uow.outbox.depth() == 2
        claimed = await uow.outbox.claim(now, now + timedelta(minutes=5), 10)
        assert sorted(claimed) == sorted([export.id, other.id])


async def test_a_partners_dossier_list_and_budget_round_trip(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        first = await uow.dossier_lists.lock("p1")
        assert (first.dossiers, first.fetched_at, first.calls) == (None, None, ())
        assert first.reserve_call(clock.now())
        first.fetched([Dossier(7, "Brasserie Dupont", "BE0123456749", MAILBOX)], clock.now())
        await uow.dossier_lists.save(first)
        await uow.commit()
    async with units() as uow:
        again = await uow.dossier_lists.lock("p1")
        assert again == first
        assert (await uow.dossier_lists.lock("p2")).dossiers is None
        await uow.dossier_lists.forget("p1")
        await uow.commit()
    async with units() as uow:
        assert (await uow.dossier_lists.lock("p1")).calls == ()


async def test_delivery_times_of_recent_deliveries(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    start = clock.now()
    async with units() as uow:
        for n, minutes in enumerate((5, 30, 90)):
            export = an_export(start, document=f"d{n}")
            export.delivered(start + timedelta(minutes=minutes), f"<{n}@x>", "250 ok")
            await uow.exports.add(export)
        await uow.exports.add(an_export(start, document="still-queued"))
        await uow.commit()
    async with units() as uow:
        times = await uow.exports.delivery_times(start + timedelta(minutes=10), limit=10)
        assert times == [(start, start + timedelta(minutes=90)), (start, start + timedelta(minutes=30))]
        assert len(await uow.exports.delivery_times(start, limit=1)) == 1


async def test_delivered_and_skipped_exports_made_before_a_moment_are_forgotten_in_batches(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    old = {status: an_export(clock.now(), status=status) for status in ExportStatus}
    old_delivered = an_export(clock.now(), status=ExportStatus.DELIVERED)
    recent = an_export(clock.advance(days=2), status=ExportStatus.DELIVERED)
    async with units() as uow:
        await uow.exports.add_many([*old.values(), old_delivered, recent])
        await uow.commit()
    cutoff = clock.now() - timedelta(days=1)
    async with units() as uow:
        assert await uow.exports.forget_finished_before(cutoff, limit=2) == 2
        await uow.commit()
    async with units() as uow:
        assert await uow.exports.forget_finished_before(cutoff, limit=2) == 1
        await uow.commit()
    async with units() as uow:
        assert await uow.exports.forget_finished_before(cutoff, limit=2) == 0
        kept = await uow.exports.get_many([e.id for e in [*old.values(), old_delivered, recent]])
    assert set(kept) == {old[ExportStatus.QUEUED].id, old[ExportStatus.FAILED].id, recent.id}


async def test_a_batch_from_where_the_last_ended_forgets_nothing_received_before_that(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    early, late = clock.advance(hours=1), clock.advance(hours=1)
    async with units() as uow:
        await uow.messages.record(["early"], early)
        await uow.messages.record(["late-1", "late-2"], late)  # a batch shares its moment
        await uow.commit()
    async with units() as uow:
        assert await uow.messages.forget_received_before(clock.advance(hours=1), 10, late) == ForgottenIds(
            2, late
        )
        assert await uow.messages.record(["early", "late-1"], clock.now()) == {"late-1"}


async def test_message_ids_received_before_a_moment_are_forgotten_oldest_first(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    received = [clock.advance(hours=1) for _ in range(5)]
    async with units() as uow:
        for n, at in enumerate(received):
            await uow.messages.record([f"m-{n}"], at)
        await uow.commit()
    cutoff = clock.at - timedelta(minutes=90)  # m-0, m-1 and m-2 were received before it
    async with units() as uow:
        first = await uow.messages.forget_received_before(cutoff, limit=2)
        await uow.commit()
    assert first == ForgottenIds(2, received[1])
    async with units() as uow:
        assert await uow.messages.forget_received_before(cutoff, 2, first.last_received_at) == ForgottenIds(
            1, received[2]
        )
        await uow.commit()
    async with units() as uow:
        assert await uow.messages.forget_received_before(cutoff, limit=2) == ForgottenIds(0, None)
        assert await uow.messages.record([f"m-{n}" for n in range(5)], clock.now()) == {"m-0", "m-1", "m-2"}
