"""The composition root: the one place that picks adapters for the ports. HTTP, the CLI, the
consumer and the tests all build it from `Settings` and resolve use cases from it, e.g.
`await container.use_cases.activate_client()`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.persistence.engine import create_engine, session_factory
from adapters.persistence.mapping import start_mappers
from adapters.persistence.migrator import AlembicMigrator
from adapters.persistence.token_cipher import TokenCipher
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.use_cases.client_integration import (
    ActivateClientIntegration,
    DeactivateClientIntegration,
    GetClientIntegration,
    ListClientIntegrations,
)
from application.use_cases.delivery import ClaimDueExports
from application.use_cases.exports import ExportHistory, GetExport, RetryExport
from application.use_cases.extension import (
    GetExtension,
    InstallExtension,
    ListExtensions,
    SetExtensionActive,
    UninstallExtension,
)
from application.use_cases.octopus_connection import BeginConnect, CompleteConnect, ListDossiers
from application.use_cases.receive_message import ReceiveDocumentMessage
from domain.retry import RetrySchedule
from entrypoints.settings import Settings


async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def _units_of_work(engine: AsyncEngine, secret_key: str) -> SqlAlchemyUnitOfWorkFactory:
    start_mappers()
    return SqlAlchemyUnitOfWorkFactory(session_factory(engine), TokenCipher(secret_key))


def _retry_schedule(settings: Settings) -> RetrySchedule:
    return RetrySchedule(
        base=timedelta(seconds=settings.retry_base_seconds),
        max_delay=timedelta(seconds=settings.retry_max_seconds),
        horizon=timedelta(hours=settings.retry_horizon_hours),
    )


class Infrastructure(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    engine = providers.Resource(_engine, settings.provided.database_url)
    units_of_work = providers.Singleton(_units_of_work, engine, settings.provided.secret_key)
    migrator = providers.Factory(AlembicMigrator, settings.provided.database_url)
    retry_schedule = providers.Singleton(_retry_schedule, settings)
    octopus_account = providers.Singleton(InMemoryOctopusAccount, clock)


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
    list_dossiers = providers.Factory(ListDossiers, uow, clock, infrastructure.octopus_account)
    activate_client = providers.Factory(ActivateClientIntegration, uow, clock, list_dossiers)
    deactivate_client = providers.Factory(DeactivateClientIntegration, uow, clock)
    get_client = providers.Factory(GetClientIntegration, uow)
    list_clients = providers.Factory(ListClientIntegrations, uow)
    receive_message = providers.Factory(ReceiveDocumentMessage, uow, clock)
    export_history = providers.Factory(ExportHistory, uow)
    get_export = providers.Factory(GetExport, uow)
    retry_export = providers.Factory(RetryExport, uow, clock)
    claim_due_exports = providers.Factory(ClaimDueExports, uow, clock)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    infrastructure = providers.Container(Infrastructure, settings=settings)
    use_cases = providers.Container(UseCases, infrastructure=infrastructure)


def build_container(settings: Settings) -> Container:
    """A container for `settings`; call `await container.init_resources()` before resolving use
    cases and `await container.shutdown_resources()` at the end."""
    Path(settings.var_dir).mkdir(parents=True, exist_ok=True)
    return Container(settings=settings)
