"""The composition root: the one place that picks adapters for the ports. HTTP, the CLI, the
consumer and the tests all build it from `Settings` and resolve use cases from it, e.g.
`await container.use_cases.activate_client()`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.banqup.documents import HttpBanqupDocuments
from adapters.clock import SystemClock
from adapters.http_client import outbound_client, outbound_transport
from adapters.mail.delivery_reports import EmailDeliveryReportReader
from adapters.mail.eml_files import EmlFileMailer
from adapters.mail.smtp import SmtpMailer, SmtpRelay
from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.octopus import HttpOctopusAccount
from adapters.persistence.engine import create_engine, session_factory
from adapters.persistence.mapping import start_mappers
from adapters.persistence.migrator import AlembicMigrator
from adapters.persistence.postgres_ledger import PostgresDeliveryLedger
from adapters.persistence.sqlite_writer import SqliteWriter
from adapters.persistence.token_cipher import TokenCipher
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from adapters.persistence.unit_of_work_ledger import UnitOfWorkDeliveryLedger
from adapters.ubl import PeppolUblToolkit
from application.ports.clock import Clock
from application.ports.delivery_ledger import DeliveryLedger
from application.ports.delivery_reports import DeliveryReportReader
from application.ports.documents import DocumentListing, DocumentRenderer, DocumentSource, ExportStatusReports
from application.ports.mailer import Mailer
from application.ports.octopus import OctopusAccount
from application.ports.transaction_runner import TransactionRunner
from application.ports.ubl import UblTools
from application.services.bounce_addresses import BounceAddresses
from application.services.dossiers import DossierCatalogue
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.accept_bounce_recipient import AcceptBounceRecipient
from application.use_cases.activate_client_integration import ActivateClientIntegration
from application.use_cases.add_attempt_counts import AddAttemptCounts
from application.use_cases.begin_connect import BeginConnect
from application.use_cases.check_database import CheckDatabase
from application.use_cases.claim_due_exports import ClaimDueExports
from application.use_cases.client_export_history import ClientExportHistory
from application.use_cases.complete_connect import CompleteConnect
from application.use_cases.deactivate_client_integration import DeactivateClientIntegration
from application.use_cases.deliver_export import DeliverExport
from application.use_cases.export_history import ExportHistory
from application.use_cases.forget_old_exports import ForgetOldExports
from application.use_cases.forget_old_message_ids import ForgetOldMessageIds
from application.use_cases.get_backfill import GetBackfill
from application.use_cases.get_client_integration import GetClientIntegration
from application.use_cases.get_export import GetExport
from application.use_cases.get_extension import GetExtension
from application.use_cases.import_clients import ImportClients
from application.use_cases.install_extension import InstallExtension
from application.use_cases.latest_backfill import LatestBackfill
from application.use_cases.list_attention import ListAttention
from application.use_cases.list_client_integrations import ListClientIntegrations
from application.use_cases.list_dossiers import ListDossiers
from application.use_cases.list_extensions import ListExtensions
from application.use_cases.read_operational_figures import ReadOperationalFigures
from application.use_cases.receive_message import ReceiveDocumentMessage
from application.use_cases.record_delivery_report import RecordDeliveryReport
from application.use_cases.request_backfill import RequestBackfill
from application.use_cases.retry_export import RetryExport
from application.use_cases.run_backfill import RunBackfill, RunningBackfills
from application.use_cases.set_extension_active import SetExtensionActive
from application.use_cases.uninstall_extension import UninstallExtension
from domain.retry import RetrySchedule
from entrypoints.settings import PREFIX, Settings, SettingsError

if TYPE_CHECKING:
    from entrypoints.bounces.listener import BounceListener
    from entrypoints.consumer.consumer import DocumentConsumer
    from entrypoints.worker.backfills import BackfillRunner
    from entrypoints.worker.delivery import DeliveryLoop
    from entrypoints.worker.housekeeping import Housekeeping


async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def _units_of_work(engine: AsyncEngine, cipher: TokenCipher) -> SqlAlchemyUnitOfWorkFactory:
    start_mappers()
    return SqlAlchemyUnitOfWorkFactory(session_factory(engine), cipher)


def _delivery_ledger(engine: AsyncEngine, units: SqlAlchemyUnitOfWorkFactory) -> DeliveryLedger:
    """The worker's claims and records in one statement each on PostgreSQL (docs/decisions/0004),
    elsewhere through a unit of work."""
    if engine.dialect.name == "postgresql":
        return PostgresDeliveryLedger(engine)
    return UnitOfWorkDeliveryLedger(units)


async def _intake_transactions(
    engine: AsyncEngine, units: SqlAlchemyUnitOfWorkFactory, cipher: TokenCipher
) -> AsyncIterator[TransactionRunner]:
    """Where message intake runs its transactions: on a SQLite file, a writer thread of its own takes
    each batch's transaction in one hop (docs/decisions/0003); elsewhere the common units of work."""
    if not SqliteWriter.serves(engine.url):
        yield UnitOfWorkRunner(units)
        return
    writer = SqliteWriter(engine.url, cipher)
    try:
        yield writer
    finally:
        writer.close()


def _refuse_in_production(settings: Settings, stand_in: str, variable: str) -> None:
    """Raises `SettingsError` rather than build `stand_in` in production, whatever let settings by."""
    if settings.production:
        raise SettingsError(f"{PREFIX}{variable} must be set in production: {stand_in} is never built there")


async def _mailer(settings: Settings) -> AsyncIterator[Mailer]:
    """An SMTP relay when `SMTP_URL` is set, else `.eml` files under `var/outbox/` (not in production)."""
    if not settings.smtp_url:
        _refuse_in_production(settings, "the mailer writing .eml files", "SMTP_URL")
        yield EmlFileMailer(settings.outbox_dir, settings.mail_from)
        return
    mailer = SmtpMailer(SmtpRelay.from_url(settings.smtp_url), settings.mail_from)
    try:
        yield mailer
    finally:
        await mailer.close()


async def _http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with outbound_client() as client:
        yield client


async def _banqup_transport() -> AsyncIterator[httpx.AsyncBaseTransport]:
    async with outbound_transport() as transport:
        yield transport


def _banqup_documents(settings: Settings, transport: httpx.AsyncBaseTransport) -> HttpBanqupDocuments:
    return HttpBanqupDocuments(
        settings.banqup_api_url, settings.banqup_client_id, settings.banqup_client_secret, transport
    )


def _octopus_account(settings: Settings, clock: Clock, http: httpx.AsyncClient) -> OctopusAccount:
    """Octopus itself when `OCTOPUS_OAUTH_URL` is set, else the in-memory stand-in (not in production)."""
    if not settings.octopus_oauth_url:  # the stand-in consents at once and sends the browser back
        _refuse_in_production(settings, "the in-memory Octopus", "OCTOPUS_OAUTH_URL")
        callback = f"{settings.public_url.rstrip('/')}/v1/octopus/callback"
        return InMemoryOctopusAccount(clock, authorize_base=callback, consents_at_once=True)
    return HttpOctopusAccount(
        oauth_url=settings.octopus_oauth_url,
        api_url=settings.octopus_api_url,
        client_id=settings.octopus_software_house_id,
        client_secret=settings.octopus_client_secret,
        redirect_uri=f"{settings.public_url.rstrip('/')}/v1/octopus/callback",
        clock=clock,
        http=http,
    )


def _status_reports(settings: Settings, banqup: HttpBanqupDocuments) -> ExportStatusReports | None:
    """Banqup hears how each export went only when `BANQUP_STATUS_REPORTS` is on."""
    return banqup if settings.banqup_status_reports else None


def _bounce_addresses(settings: Settings) -> BounceAddresses | None:
    """The envelope sender naming each export, when `BOUNCE_DOMAIN` is set (CONTRACTS §7)."""
    if not settings.bounce_domain:
        return None
    return BounceAddresses.of(settings.secret_key, settings.bounce_domain)


def _ubl_toolkit(settings: Settings) -> PeppolUblToolkit:
    return PeppolUblToolkit(Path(settings.peppol_xslt_dir) if settings.peppol_xslt_dir else None)


# One adapter seen through one of its ports: mypy checks here that it implements the port.


def _renderer(toolkit: PeppolUblToolkit) -> DocumentRenderer:
    return toolkit


def _ubl_tools(toolkit: PeppolUblToolkit) -> UblTools:
    return toolkit


def _document_source(banqup: HttpBanqupDocuments) -> DocumentSource:
    return banqup


def _document_listing(banqup: HttpBanqupDocuments) -> DocumentListing:
    return banqup


def _report_reader() -> DeliveryReportReader:
    return EmailDeliveryReportReader()


def _retention(days: int) -> timedelta | None:
    """How long delivered and skipped exports are kept: `RETENTION_DAYS`, 0 for ever."""
    return timedelta(days=days) if days else None


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _retry_schedule(settings: Settings) -> RetrySchedule:
    return RetrySchedule(
        base=timedelta(seconds=settings.retry_base_seconds),
        max_delay=timedelta(seconds=settings.retry_max_seconds),
        horizon=timedelta(hours=settings.retry_horizon_hours),
    )


class Infrastructure(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Singleton[Clock] = providers.Singleton(SystemClock)
    engine = providers.Resource(_engine, settings.provided.database_url)
    cipher = providers.Singleton(TokenCipher, settings.provided.secret_key)
    units_of_work = providers.Singleton(_units_of_work, engine, cipher)
    delivery_ledger = providers.Singleton(_delivery_ledger, engine, units_of_work)
    intake_transactions = providers.Resource(_intake_transactions, engine, units_of_work, cipher)
    migrator = providers.Factory(AlembicMigrator, settings.provided.database_url)
    retry_schedule = providers.Singleton(_retry_schedule, settings)
    lease = providers.Callable(_seconds, settings.provided.lease_seconds)
    retention = providers.Callable(_retention, settings.provided.retention_days)
    ubl_toolkit = providers.Singleton(_ubl_toolkit, settings)
    renderer: providers.Callable[DocumentRenderer] = providers.Callable(_renderer, ubl_toolkit)
    ubl_tools: providers.Callable[UblTools] = providers.Callable(_ubl_tools, ubl_toolkit)
    mailer: providers.Resource[Mailer] = providers.Resource(_mailer, settings)
    bounce_addresses = providers.Singleton(_bounce_addresses, settings)
    report_reader = providers.Singleton(_report_reader)
    http_client = providers.Resource(_http_client)
    octopus_account: providers.Singleton[OctopusAccount] = providers.Singleton(
        _octopus_account, settings, clock, http_client
    )
    banqup_transport = providers.Resource(_banqup_transport)
    banqup = providers.Singleton(_banqup_documents, settings, banqup_transport)
    documents: providers.Callable[DocumentSource] = providers.Callable(_document_source, banqup)
    document_listing: providers.Callable[DocumentListing] = providers.Callable(_document_listing, banqup)
    status_reports: providers.Singleton[ExportStatusReports | None] = providers.Singleton(
        _status_reports, settings, banqup
    )


class UseCases(containers.DeclarativeContainer):
    infrastructure = providers.DependenciesContainer()
    uow = infrastructure.units_of_work
    clock = infrastructure.clock

    install_extension = providers.Factory(InstallExtension, uow, clock)
    get_extension = providers.Factory(GetExtension, uow)
    set_extension_active = providers.Factory(SetExtensionActive, uow, clock)
    uninstall_extension = providers.Factory(UninstallExtension, uow, clock)
    list_extensions = providers.Factory(ListExtensions, uow)
    begin_connect = providers.Factory(
        BeginConnect,
        uow,
        clock,
        infrastructure.octopus_account,
        infrastructure.settings.provided.allowed_return_origins,
    )
    complete_connect = providers.Factory(CompleteConnect, uow, clock, infrastructure.octopus_account)
    # one per process: it makes callers for the same partner take turns refreshing the list
    dossier_catalogue = providers.Singleton(DossierCatalogue, uow, clock, infrastructure.octopus_account)
    list_dossiers = providers.Factory(ListDossiers, dossier_catalogue)
    activate_client = providers.Factory(ActivateClientIntegration, uow, clock, dossier_catalogue)
    deactivate_client = providers.Factory(DeactivateClientIntegration, uow, clock)
    get_client = providers.Factory(GetClientIntegration, uow)
    list_clients = providers.Factory(ListClientIntegrations, uow)
    list_attention = providers.Factory(ListAttention, uow)
    import_clients = providers.Factory(ImportClients, uow, clock)
    # one per process: messages received together share a transaction (group commit)
    receive_message = providers.Singleton(ReceiveDocumentMessage, infrastructure.intake_transactions, clock)
    forget_old_message_ids = providers.Factory(ForgetOldMessageIds, uow, clock)
    forget_old_exports = providers.Factory(ForgetOldExports, uow, clock, kept_for=infrastructure.retention)
    export_history = providers.Factory(ExportHistory, uow)
    client_export_history = providers.Factory(ClientExportHistory, uow)
    read_operational_figures = providers.Factory(ReadOperationalFigures, uow, clock)
    add_attempt_counts = providers.Factory(AddAttemptCounts, uow)
    check_database = providers.Factory(CheckDatabase, uow)
    get_export = providers.Factory(GetExport, uow)
    retry_export = providers.Factory(RetryExport, uow, clock)
    request_backfill = providers.Factory(RequestBackfill, uow, clock)
    get_backfill = providers.Factory(GetBackfill, uow)
    latest_backfill = providers.Factory(LatestBackfill, uow)
    running_backfills = providers.Factory(RunningBackfills, uow)
    run_backfill = providers.Factory(RunBackfill, uow, infrastructure.document_listing, clock)
    accept_bounce_recipient = providers.Factory(AcceptBounceRecipient, uow, infrastructure.bounce_addresses)
    record_delivery_report = providers.Factory(
        RecordDeliveryReport, uow, clock, infrastructure.report_reader, infrastructure.bounce_addresses
    )
    claim_due_exports = providers.Factory(
        ClaimDueExports, infrastructure.delivery_ledger, clock, infrastructure.lease
    )
    deliver_export = providers.Factory(
        DeliverExport,
        infrastructure.delivery_ledger,
        uow,
        clock,
        infrastructure.documents,
        infrastructure.renderer,
        infrastructure.mailer,
        infrastructure.retry_schedule,
        infrastructure.status_reports,
        bounces=infrastructure.bounce_addresses,
    )


def _delivery_loop(
    claim: ClaimDueExports, deliver: DeliverExport, add_counts: AddAttemptCounts, concurrency: int
) -> DeliveryLoop:
    from entrypoints.worker.attempt_counts import AttemptCounter
    from entrypoints.worker.delivery import DeliveryLoop

    return DeliveryLoop(claim, deliver, concurrency=concurrency, counter=AttemptCounter(add_counts))


def _document_consumer(settings: Settings, receive: ReceiveDocumentMessage) -> DocumentConsumer:
    from entrypoints.consumer.consumer import DocumentConsumer

    return DocumentConsumer(
        settings.broker_url,
        receive,
        prefetch=settings.broker_prefetch,
        delivery_limit=settings.broker_delivery_limit,
    )


def _housekeeping(forget_ids: ForgetOldMessageIds, forget_exports: ForgetOldExports) -> Housekeeping:
    from entrypoints.worker.housekeeping import Housekeeping

    return Housekeeping({"old message ids": forget_ids, "old exports": forget_exports})


def _backfill_runner(running: RunningBackfills, step: RunBackfill) -> BackfillRunner:
    from entrypoints.worker.backfills import BackfillRunner

    return BackfillRunner(running, step)


def _bounce_listener(
    settings: Settings, accept: AcceptBounceRecipient, record: RecordDeliveryReport, host: str, port: int
) -> BounceListener:
    """The bounce listener for `BOUNCE_DOMAIN`; without one there are no bounce addresses to take."""
    if not settings.bounce_domain:
        raise SettingsError(
            f"{PREFIX}BOUNCE_DOMAIN must be set for `octobridge bounces`, the domain whose mail it reads"
        )
    from entrypoints.bounces.listener import BounceHandler, BounceListener

    handler = BounceHandler(settings.bounce_domain, accept, record)
    return BounceListener(handler, host, port, hostname=settings.bounce_domain)


class Workers(containers.DeclarativeContainer):
    """The long-running jobs: the worker's delivery loop (`concurrency` given when it is built), the
    backfills, the queue consumer (when `BROKER_URL` is set) and the housekeeping, and the bounce
    listener (`host` and `port` given; only with `BOUNCE_DOMAIN` set). Their modules are imported
    when a job is built, so the HTTP API and the other commands never load them nor the broker's
    client."""

    settings = providers.Dependency(instance_of=Settings)
    use_cases = providers.DependenciesContainer()

    delivery_loop = providers.Factory(
        _delivery_loop, use_cases.claim_due_exports, use_cases.deliver_export, use_cases.add_attempt_counts
    )
    backfill_runner = providers.Factory(_backfill_runner, use_cases.running_backfills, use_cases.run_backfill)
    document_consumer = providers.Factory(_document_consumer, settings, use_cases.receive_message)
    housekeeping = providers.Factory(
        _housekeeping, use_cases.forget_old_message_ids, use_cases.forget_old_exports
    )
    bounce_listener = providers.Factory(
        _bounce_listener, settings, use_cases.accept_bounce_recipient, use_cases.record_delivery_report
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    infrastructure = providers.Container(Infrastructure, settings=settings)
    use_cases = providers.Container(UseCases, infrastructure=infrastructure)
    workers = providers.Container(Workers, settings=settings, use_cases=use_cases)


def build_container(settings: Settings) -> Container:
    """A container for `settings`; call `await container.init_resources()` before resolving use
    cases and `await container.shutdown_resources()` at the end."""
    Path(settings.var_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    return Container(settings=settings)
