"""A worker's world for end-to-end runs (tests and benchmarks): the real container on a real database,
the stand-in Banqup, a real SMTP server, and partner p1 with client c1 switched on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.persistence.tables import metadata
from application.messages import BanqupMessage, MessageData
from application.ports.repositories import ExportQuery
from application.use_cases.activate_client_integration import ActivateClient
from application.use_cases.begin_connect import StartLogin
from application.use_cases.complete_connect import FinishLogin
from application.use_cases.install_extension import Install
from domain.export import Export, ExportStatus
from entrypoints.container import Container, build_container
from entrypoints.settings import Settings
from entrypoints.worker.attempt_counts import AttemptCounter
from entrypoints.worker.delivery import DeliveryLoop
from sandbox.banqup import BanqupStandIn, StoredDocument
from sandbox.documents import banqup_document, encoded

MAILBOX = "uid-008352-24@import.octopus.be"


async def empty_database(url: str) -> None:
    """Every octobridge table emptied (PostgreSQL; the SQLite files of tests are new each time)."""
    if url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {', '.join(t.name for t in metadata.sorted_tables)}"))
        await engine.dispose()


def settings_for(database_url: str, smtp_url: str, banqup_url: str, var: Path, **extra: str) -> Settings:
    return Settings.from_environ(environment_for(database_url, smtp_url, banqup_url, var, **extra))


def environment_for(
    database_url: str, smtp_url: str, banqup_url: str, var: Path, **extra: str
) -> dict[str, str]:
    """The settings of `settings_for` as the environment of an `octobridge` process."""
    return {
        "OCTOBRIDGE_DATABASE_URL": database_url,
        "OCTOBRIDGE_SMTP_URL": smtp_url,
        "OCTOBRIDGE_BANQUP_API_URL": banqup_url,
        "OCTOBRIDGE_BANQUP_CLIENT_ID": "octobridge",
        "OCTOBRIDGE_BANQUP_CLIENT_SECRET": "stand-in-secret",
        "OCTOBRIDGE_MAIL_FROM": "octobridge@octobridge.example",
        "OCTOBRIDGE_RETRY_BASE_SECONDS": "0.2",
        "OCTOBRIDGE_RETRY_MAX_SECONDS": "1",
        "OCTOBRIDGE_RETRY_HORIZON_HOURS": "1",
        "OCTOBRIDGE_VAR_DIR": str(var),
        **{f"OCTOBRIDGE_{k.upper()}": v for k, v in extra.items()},
    }


@dataclass
class Rig:
    container: Container
    banqup: BanqupStandIn
    documents: int = 0

    async def switch_on(self) -> None:
        use = self.container.use_cases
        await (await use.install_extension())(Install(partner_id="p1"))
        begin = await use.begin_connect()
        authorize = await begin(
            StartLogin(partner_id="p1", return_url="http://127.0.0.1:8000/", browser="the-demo")
        )
        state = parse_qs(urlsplit(authorize.authorize_url).query)["state"][0]
        await (await use.complete_connect())(FinishLogin(state, "code", browser="the-demo"))
        await (await use.activate_client())(ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX))

    async def queue(self, count: int, **document: Any) -> list[str]:
        """Puts `count` documents in Banqup and tells octobridge they were approved; the export ids."""
        receive = await self.container.use_cases.receive_message()
        ids = []
        for _ in range(count):
            self.documents += 1
            number = f"INV-2026-{self.documents:04d}"
            document_id = f"doc-{self.documents}"
            self.banqup.put(
                "c1",
                document_id,
                StoredDocument(encoded(banqup_document(document_id, "c1", number=number, **document))),
            )
            message = BanqupMessage(
                id=f"m-{document_id}",
                category="document",
                type="approved",
                data=MessageData(
                    document_id=document_id,
                    space_id="c1",
                    partner_id="p1",
                    folder="PURCHASES",
                    document_category="INVOICE",
                    occurred_at=datetime.now(UTC),
                ),
            )
            outcome = await receive(message)
            assert outcome.export_id is not None, outcome
            ids.append(outcome.export_id)
        return ids

    async def exports(self) -> list[Export]:
        units = await self.container.infrastructure.units_of_work()
        async with units() as uow:
            return list(await uow.exports.list(ExportQuery(partner_id="p1", limit=100_000)))

    async def queued(self) -> int:
        """How many exports are queued: a count, cheap enough to ask often beside a running worker."""
        units = await self.container.infrastructure.units_of_work()
        async with units() as uow:
            return int((await uow.exports.count_open())[ExportStatus.QUEUED])

    async def deliver_all(self, within: float = 60.0, every: float = 0.1) -> None:
        """Runs the delivery loop until no export is queued any more, asking the database `every` so
        many seconds (a benchmark asks seldom: each question takes the worker's CPU)."""
        use = self.container.use_cases
        counter = AttemptCounter(await use.add_attempt_counts())
        loop = DeliveryLoop(
            await use.claim_due_exports(), await use.deliver_export(), idle_wait=0.05, counter=counter
        )
        stop = asyncio.Event()
        running = asyncio.create_task(loop.run(stop))
        deadline = time.monotonic() + within
        try:
            while await self.queued():
                assert time.monotonic() < deadline, "exports still queued at the deadline"
                assert not running.done(), running
                await asyncio.sleep(every)
        finally:
            stop.set()
            await running


@asynccontextmanager
async def rig(settings: Settings, banqup: BanqupStandIn) -> AsyncIterator[Rig]:
    container = build_container(settings)
    container.infrastructure.migrator().upgrade()
    await empty_database(settings.database_url)
    await container.init_resources()  # type: ignore[misc]
    try:
        world = Rig(container, banqup)
        await world.switch_on()
        yield world
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
