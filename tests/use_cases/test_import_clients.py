"""Bulk activation from an operator's file, one batch at a time (R21), against the fakes."""

from __future__ import annotations

import pytest

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.use_cases.deactivate_client_integration import DeactivateClient, DeactivateClientIntegration
from application.use_cases.get_client_integration import GetClientIntegration, IntegrationOf
from application.use_cases.import_clients import ClientRow, ImportBatch, ImportClients, RejectedRow
from application.use_cases.install_extension import Install, InstallExtension
from application.use_cases.uninstall_extension import Uninstall, UninstallExtension
from tests.builders import MAILBOX
from tests.conftest import FixedClock

OTHER_MAILBOX = "uid-000001-01@import.octopus.be"


def row(
    line: int, client: str = "c1", mailbox: str = MAILBOX, vat: str = "", partner: str = "p1"
) -> ClientRow:
    return ClientRow(line=line, partner_id=partner, client_id=client, mailbox=mailbox, vat_number=vat)


@pytest.fixture
async def importer(units: InMemoryUnitOfWorkFactory, clock: FixedClock) -> ImportClients:
    await InstallExtension(units, clock)(Install("p1"))
    return ImportClients(units, clock)


async def test_new_clients_are_imported_then_left_unchanged(
    importer: ImportClients, units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    rows = [row(2, "c1", vat="BE 0123.456.749"), row(3, "c2", OTHER_MAILBOX)]
    first = await importer(ImportBatch(rows=rows))
    assert (first.imported, first.updated, first.unchanged, first.rejected) == (2, 0, 0, [])
    stored = await GetClientIntegration(units)(IntegrationOf("p1", "c1"))
    assert stored.active and stored.mailbox == MAILBOX and stored.vat_number == "BE0123456749"
    commits = units.store.commits
    clock.advance(hours=1)
    again = await importer(ImportBatch(rows=rows))
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2)
    assert units.store.commits == commits


async def test_a_changed_address_is_an_update_that_keeps_the_history(
    importer: ImportClients, units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    await importer(ImportBatch(rows=[row(2)]))
    imported_at = clock.now()
    await DeactivateClientIntegration(units, clock)(DeactivateClient("p1", "c1"))
    changed_at = clock.advance(days=1)
    report = await importer(ImportBatch(rows=[row(2, mailbox=OTHER_MAILBOX, vat="BE0123456749")]))
    assert (report.imported, report.updated, report.unchanged) == (0, 1, 0)
    stored = await GetClientIntegration(units)(IntegrationOf("p1", "c1"))
    assert [(h.mailbox, h.since) for h in stored.history] == [
        (MAILBOX, imported_at),
        (OTHER_MAILBOX, changed_at),
    ]
    assert [p.start for p in stored.periods] == [imported_at, changed_at] and stored.active


async def test_a_vat_number_alone_is_an_update(importer: ImportClients) -> None:
    await importer(ImportBatch(rows=[row(2)]))
    report = await importer(ImportBatch(rows=[row(2, vat="BE0123456749")]))
    assert (report.updated, report.unchanged) == (1, 0)


async def test_each_bad_row_is_rejected_with_its_reason_and_the_rest_imported(
    importer: ImportClients, units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    await InstallExtension(units, clock)(Install("gone"))
    await UninstallExtension(units, clock)(Uninstall("gone"))
    rows = [
        row(2, "c1"),
        row(3, "c2", mailbox="compta@@atelier.be"),
        row(4, "c3", vat="BE0123456748"),
        row(5, "", OTHER_MAILBOX),
        row(6, "c\x07", OTHER_MAILBOX),
        row(7, "x" * 201, OTHER_MAILBOX),
        row(8, "c4", partner="stranger"),
        row(9, "c5", partner="gone"),
        row(10, "c6", mailbox="compta@atelier.be"),
    ]
    report = await importer(ImportBatch(rows=rows))
    assert report.imported == 2
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert reasons[3].startswith("mailbox: ")
    assert reasons[4] == "vatNumber: check digits do not match (mod 97)"
    assert reasons[5] == reasons[6] == reasons[7] == "clientId: must be 1 to 200 printable characters"
    assert reasons[8] == "partner 'stranger' has not installed the extension"
    assert reasons[9] == "partner 'gone' has not installed the extension"
    assert report.unusual_mailboxes == [10]


async def test_a_dry_run_decides_the_same_and_writes_nothing(
    importer: ImportClients, units: InMemoryUnitOfWorkFactory
) -> None:
    await importer(ImportBatch(rows=[row(2, "c1")]))
    commits = units.store.commits
    rows = [row(2, "c1", mailbox=OTHER_MAILBOX), row(3, "c2"), row(4, "c3", mailbox="@")]
    report = await importer(ImportBatch(rows=rows, dry_run=True))
    assert (report.imported, report.updated, report.unchanged) == (1, 1, 0)
    assert report.rejected == [
        RejectedRow(line=4, reason="mailbox: the part before @ is not a valid mailbox name")
    ]
    assert units.store.commits == commits
    assert set(units.store.integrations) == {("p1", "c1")}
    assert (await GetClientIntegration(units)(IntegrationOf("p1", "c1"))).mailbox == MAILBOX


async def test_the_same_client_twice_in_a_batch_ends_with_the_last_address(
    importer: ImportClients, units: InMemoryUnitOfWorkFactory
) -> None:
    report = await importer(ImportBatch(rows=[row(2), row(3, mailbox=OTHER_MAILBOX)]))
    assert (report.imported, report.updated) == (1, 1)
    assert (await GetClientIntegration(units)(IntegrationOf("p1", "c1"))).mailbox == OTHER_MAILBOX
