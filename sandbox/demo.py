"""`octobridge demo`: octobridge as Banqup and Octopus see it, on the embedded defaults.

It starts the stand-ins (Banqup, Octopus with its login page and its dossier mailboxes), then
`octobridge serve`, `octobridge worker` and `octobridge bounces` as separate processes, and plays
Banqup: install, connect (logging in at Octopus), activate four clients, documents approved and sent.
One dossier's mailbox takes its mail and bounces it later, as a dossier that moved does; the demo
sends that bounce to `octobridge bounces`. Another dossier moves mid-demo: its old address is refused
at once, its next document is held, and the accountant enters the new address, where both arrive.
Then it shows what became of each document, and where the mails are.
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from entrypoints.logs import configure_logging
from entrypoints.settings import Settings
from sandbox.banqup import BanqupStandIn, StoredDocument, create_banqup_app
from sandbox.banqup_calls import document_message, partner_token, signature_headers
from sandbox.delivery_reports import delivery_report
from sandbox.documents import MINIMAL_PDF, banqup_document, encoded
from sandbox.octopus import CLIENT_SECRET, SOFTWARE_HOUSE_ID, OctopusWorld, standin_app
from sandbox.octopus_inbox import OctopusInbox
from sandbox.server import free_port, serving
from sandbox.smtp_inbox import start_smtp

PARTNER = "partner-demo"
LOGIN = ("accountant", "octopus")
CLIENTS: dict[str, dict[str, Any]] = {  # client (Banqup space) → its Octopus dossier
    "space-brasserie": {"dossierKey": {"id": 101}, "dossierDescription": "Brasserie Dupont SRL",
                        "vatNr": "BE0123456749", "email": "uid-000101-01@import.octopus.be"},
    "space-atelier": {"dossierKey": {"id": 102}, "dossierDescription": "Atelier Verhaegen BV",
                      "vatNr": "BE0403170701", "email": "uid-000102-01@import.octopus.be"},
    "space-cafe": {"dossierKey": {"id": 103}, "dossierDescription": "Café Central",
                   "vatNr": None, "email": "uid-000103-01@import.octopus.be"},
    "space-bakkerij": {"dossierKey": {"id": 104}, "dossierDescription": "Bakkerij Peeters BV",
                       "vatNr": "BE0417497106", "email": "uid-000104-01@import.octopus.be"},
}  # fmt: skip
# The dossier whose mailbox takes a mail and bounces it later (its structure changed in Octopus).
BOUNCING = "space-bakkerij"
BOUNCE_DOMAIN = "bounces.demo.octobridge.example"
# The dossier that moves mid-demo: its old address is refused at RCPT from then on.
MOVING = "space-atelier"
MOVED_TO = "uid-000102-02@import.octopus.be"


@dataclass(frozen=True)
class Document:
    """One document of the scenario and the message Banqup sends about it."""

    label: str
    client: str
    document_id: str
    message_id: str
    type: str = "approved"
    category: str = "INVOICE"
    days_ago: float = 0
    totals_off_by: str = "0"


SCENARIO = (
    Document("purchase approved before activation", "space-brasserie", "doc-old", "m-1", days_ago=30),
    Document("purchase invoice approved", "space-brasserie", "doc-purchase", "m-2"),
    Document("the same message again", "space-brasserie", "doc-purchase", "m-2"),
    Document("sales invoice sent", "space-atelier", "doc-sale", "m-3", type="sent"),
    Document(
        "sales credit note sent", "space-atelier", "doc-credit", "m-4", type="sent", category="CREDIT_NOTE"
    ),
    Document(
        "purchase whose totals do not add up", "space-brasserie", "doc-wrong", "m-5", totals_off_by="10.00"
    ),
    Document("purchase for a dossier without VAT number", "space-cafe", "doc-cafe", "m-6"),
    Document("purchase to a mailbox that bounces it later", BOUNCING, "doc-bounced", "m-8"),
)
AFTER_DEACTIVATION = Document("purchase after the client was deactivated", "space-cafe", "doc-late", "m-7")
REFUSED, HELD = (  # sent after MOVING's dossier moved: refused at the old address, then held
    Document("sales invoice after the move", MOVING, "doc-moved", "m-9", type="sent"),
    Document("next sales invoice, while refused", MOVING, "doc-held", "m-10", type="sent"),
)


@dataclass
class Stage:
    """Everything the demo started, and how to reach it."""

    settings: Settings
    env: dict[str, str]
    api: str
    banqup: BanqupStandIn
    octopus: OctopusWorld
    inbox: OctopusInbox
    bounces: int  # the port of `octobridge bounces`, where the domain's mail goes


def _octobridge(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The command, its output and logs written to `log` (the owner's only), never between the
    demo's lines."""
    written = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:  # the child has its own copy of the file
        return subprocess.Popen([*_octobridge_command(), *args], env=env, stdout=written, stderr=written)
    finally:
        os.close(written)


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.2)


@contextmanager
def stage(var: Path, port: int, *, access_log: bool = False) -> Iterator[Stage]:
    """The stand-ins in this process, octobridge's API and worker in their own, on a fresh database;
    the API writes a line per request with `access_log`."""
    for leftover in var.glob("demo.db*"):
        leftover.unlink()
    with ExitStack() as stack:
        banqup = BanqupStandIn()
        # where octobridge looks for Banqup by default, so a `serve` or `worker` started by hand finds it
        banqup_port = urlsplit(Settings.from_environ().banqup_api_url).port
        banqup_url = stack.enter_context(serving(create_banqup_app(banqup), port=banqup_port))
        octopus = OctopusWorld(
            dossiers=[dict(d) for d in CLIENTS.values()], credentials=LOGIN, daily_limit=150
        )
        octopus_url = stack.enter_context(serving(standin_app(octopus)))
        inbox = OctopusInbox(
            var / "octopus-inbox",
            {d["email"]: d["vatNr"] for d in CLIENTS.values()},
            bounce_later=frozenset({CLIENTS[BOUNCING]["email"]}),
        )
        smtp = start_smtp(inbox)
        stack.callback(smtp.stop)
        api = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "OCTOBRIDGE_VAR_DIR": str(var),
            "OCTOBRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{var / 'demo.db'}",
            "OCTOBRIDGE_SMTP_URL": smtp.url,
            "OCTOBRIDGE_MAIL_FROM": "octobridge@demo.octobridge.example",
            "OCTOBRIDGE_BANQUP_API_URL": banqup_url,
            "OCTOBRIDGE_BANQUP_CLIENT_ID": banqup.client_id,
            "OCTOBRIDGE_BANQUP_CLIENT_SECRET": banqup.client_secret,
            "OCTOBRIDGE_OCTOPUS_OAUTH_URL": f"{octopus_url}/oauth",
            "OCTOBRIDGE_OCTOPUS_API_URL": f"{octopus_url}/octopus-rest-api/v1",
            "OCTOBRIDGE_OCTOPUS_SOFTWARE_HOUSE_ID": SOFTWARE_HOUSE_ID,
            "OCTOBRIDGE_OCTOPUS_CLIENT_SECRET": CLIENT_SECRET,
            "OCTOBRIDGE_PUBLIC_URL": api,
            "OCTOBRIDGE_ALLOWED_RETURN_ORIGINS": api,
            "OCTOBRIDGE_RETRY_BASE_SECONDS": "2",
            "OCTOBRIDGE_BOUNCE_DOMAIN": BOUNCE_DOMAIN,
        }
        settings = Settings.from_environ({k: v for k, v in env.items() if k.startswith("OCTOBRIDGE_")})
        subprocess.run([*_octobridge_command(), "db", "upgrade"], env=env, check=True, capture_output=True)
        logs = log_dir(var)
        logs.mkdir(mode=0o700, exist_ok=True)
        serve = ("serve", "--port", str(port), *(("--access-log",) if access_log else ()))
        bounces = free_port()
        for args in (serve, ("worker",), ("bounces", "--port", str(bounces))):
            process = _octobridge(*args, env=env, log=logs / f"{args[0]}.log")
            stack.callback(_stop, process)
        _wait_for(f"{api}/healthz")
        yield Stage(settings, env, api, banqup, octopus, inbox, bounces)


def log_dir(var: Path) -> Path:
    """Where the demo's `serve`, `worker` and `bounces` write their logs, one file each."""
    return var / "logs"


def _octobridge_command() -> list[str]:
    return [sys.executable, "-c", "from entrypoints.cli.main import main; main()"]


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


class Banqup:
    """The demo's side of the conversation: what Banqup's Partner Space and message service send."""

    def __init__(self, stage: Stage, http: httpx.AsyncClient) -> None:
        self._stage = stage
        self._http = http
        self._auth = {"Authorization": f"Bearer {partner_token(PARTNER, stage.settings.api_token_secret)}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self._http.request(method, self._stage.api + path, headers=self._auth, **kwargs)

    async def connect(self) -> str:
        """The accountant clicks "Connect with Octopus", logs in, and is sent back; where to."""
        callback = await self._http.get(await self.log_in_at_octopus())
        return callback.headers["location"]

    async def log_in_at_octopus(self) -> str:
        """The accountant clicks "Connect with Octopus" and logs in; the callback address Octopus
        sends the browser to, with the OAuth code and state."""
        started = await self.call(
            "GET", "/v1/extension/octopus/connect", params={"returnUrl": self._stage.api + "/pages/extension"}
        )
        login_page = started.headers["location"]
        query = {k: v[0] for k, v in parse_qs(urlsplit(login_page).query).items()}
        form = {**query, "username": LOGIN[0], "password": LOGIN[1]}
        logged_in = await self._http.post(login_page.split("?")[0], data=form)
        return str(logged_in.headers["location"])

    async def publish(self, document: Document, before: dict[str, str]) -> dict[str, Any]:
        """Sends the document's message, signed; octobridge's answer (outcome, reason, export id)."""
        occurred = (
            before.get(document.document_id)
            or (datetime.now(UTC) - timedelta(days=document.days_ago)).isoformat()
        )
        before[document.document_id] = occurred
        body = document_message(
            document.message_id, PARTNER, document.client, document.document_id, occurred,
            type=document.type, document_category=document.category,
        )  # fmt: skip
        answer = await self._http.post(
            self._stage.api + "/v1/messages",
            content=body,
            headers=signature_headers(body, self._stage.settings.webhook_secret),
        )
        answer.raise_for_status()
        outcome: dict[str, Any] = answer.json()
        return outcome


def _put_in_banqup(stage: Stage, document: Document) -> None:
    folder = "PURCHASES" if document.type == "approved" else "SALES"
    made = banqup_document(
        document.document_id, document.client, number=f"{document.document_id.upper()}-2026",
        folder=folder, category=document.category, totals_off_by=document.totals_off_by,
    )  # fmt: skip
    stage.banqup.put(document.client, document.document_id, StoredDocument(encoded(made), pdf=MINIMAL_PDF))


@dataclass(frozen=True)
class Row:
    step: str
    outcome: str
    detail: str


async def play(stage: Stage) -> list[Row]:
    """Banqup's side of the scenario, through octobridge's HTTP API only."""
    rows: list[Row] = []
    async with httpx.AsyncClient(timeout=30) as http:
        banqup = Banqup(stage, http)
        await banqup.call("PUT", "/v1/extension")
        back = await banqup.connect()
        rows.append(
            Row(
                "connect with Octopus (login at the stand-in)",
                "connected" if "octopus=connected" in back else "failed",
                back,
            )
        )
        dossiers = {d["id"]: d for d in (await banqup.call("GET", "/v1/octopus/dossiers")).json()}
        for client, dossier in CLIENTS.items():
            picked = dossiers[dossier["dossierKey"]["id"]]
            # the client's own VAT number, as Banqup knows it; the café's dossier has none in Octopus
            vat_number = dossier["vatNr"] or "BE0202239951"
            choice = {"mailbox": picked["mailbox"], "vatNumber": vat_number, "dossierId": picked["id"]}
            answer = await banqup.call("PUT", f"/v1/clients/{client}/octopus", json=choice)
            rows.append(
                Row(f"activate {client} → {picked['mailbox']}", f"{answer.status_code}", _warnings(answer))
            )
        occurred: dict[str, str] = {}
        outcomes = []
        for document in (*SCENARIO, AFTER_DEACTIVATION, REFUSED, HELD):
            _put_in_banqup(stage, document)
        for document in SCENARIO:
            outcomes.append(await banqup.publish(document, occurred))
        await banqup.call("DELETE", "/v1/clients/space-cafe/octopus")
        outcomes.append(await banqup.publish(AFTER_DEACTIVATION, occurred))
        await _settled(banqup)
        await asyncio.to_thread(_bounce_late, stage)
        moved = await _move(stage, banqup, occurred)  # while `octobridge bounces` reads the reports
        exports = await _settled(banqup, bounced=True)
        integration = (await banqup.call("GET", f"/v1/clients/{BOUNCING}/octopus")).json()
    for document, outcome in zip((*SCENARIO, AFTER_DEACTIVATION), outcomes, strict=True):
        export = exports.get((document.client, document.document_id))
        if outcome["outcome"] == "ignored":
            rows.append(Row(document.label, "ignored", outcome["reason"]))
        else:
            rows.append(_row(document, export, stage.inbox))
    refusal = integration["mailboxRefusal"] or {}
    rows.append(
        Row(f"{BOUNCING}'s mailbox, after the bounce", integration["mailboxStatus"], refusal.get("reply", ""))
    )
    return rows + moved


def _warnings(answer: httpx.Response) -> str:
    return "; ".join(w["message"] for w in answer.json().get("warnings", [])) or "no warning"


async def _move(stage: Stage, banqup: Banqup, occurred: dict[str, str]) -> list[Row]:
    """MOVING's dossier moves in Octopus, as the accountant lives it through octobridge's API: the next
    document refused at the old address, the one after held, the client needing attention, the new
    address entered, and both documents delivered to it."""
    old = CLIENTS[MOVING]["email"]
    dossier = next(d for d in stage.octopus.dossiers if d["email"] == old)
    dossier["email"] = MOVED_TO
    stage.inbox.move(old, MOVED_TO)
    rows = [Row(f"{MOVING}'s dossier moves in Octopus", "moved", f"{old} refused from now on")]
    refused_id = (await banqup.publish(REFUSED, occurred))["exportId"]
    (refused,) = await _exports(banqup, [refused_id], lambda e: e["status"] != "queued")
    rows.append(Row(REFUSED.label, refused["status"], refused["lastError"] or ""))
    held = await _export(banqup, (await banqup.publish(HELD, occurred))["exportId"])
    tried = f"{len(held['attempts'])} attempts" if held["attempts"] else "not attempted"
    rows.append(Row(HELD.label, "held" if held["held"] else held["status"], f"{held['status']}, {tried}"))
    rows.append(await _mailbox(banqup, "after the refusal"))
    # the accountant copies the dossier's new address from Octopus onto the client's page
    answer = await banqup.call("PUT", f"/v1/clients/{MOVING}/octopus", json={"mailbox": dossier["email"]})
    rows.append(
        Row(f"new address for {MOVING} → {dossier['email']}", f"{answer.status_code}", _warnings(answer))
    )
    released = await _exports(banqup, [refused_id, held["id"]], lambda e: e["status"] == "delivered")
    for document, export in zip((REFUSED, HELD), released, strict=True):
        row = _row(document, export, stage.inbox)
        rows.append(Row(f"{document.label}, after the new address", row.outcome, row.detail))
    after = await _mailbox(banqup, "after the new address")
    tries = f"the old address tried {stage.inbox.refused.count(old)}× since the move"
    return [*rows, Row(after.step, after.outcome, f"{after.detail}; {tries}")]


async def _mailbox(banqup: Banqup, when: str) -> Row:
    """MOVING's mailbox status, and what `GET /v1/attention` lists for the client."""
    integration = (await banqup.call("GET", f"/v1/clients/{MOVING}/octopus")).json()
    items = (await banqup.call("GET", "/v1/attention")).json()["items"]
    listed = [f"{i['reason']}, {i['count']} documents" for i in items if i["clientId"] == MOVING]
    return Row(
        f"{MOVING}'s mailbox, {when}",
        integration["mailboxStatus"],
        f"attention: {'; '.join(listed) or 'none'}",
    )


async def _export(banqup: Banqup, export_id: str) -> dict[str, Any]:
    export: dict[str, Any] = (await banqup.call("GET", f"/v1/exports/{export_id}")).json()
    return export


async def _exports(
    banqup: Banqup, ids: list[str], done: Callable[[dict[str, Any]], bool], seconds: float = 30
) -> list[dict[str, Any]]:
    """The exports, once `done` holds of each, or as they are when the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        exports = [await _export(banqup, i) for i in ids]
        if all(map(done, exports)) or time.monotonic() > deadline:
            return exports
        await asyncio.sleep(0.2)


def _bounce_late(stage: Stage) -> None:
    """What Octopus's mail server does for a mailbox that moved: a delivery status notification to
    each mail's envelope sender, through the MX of its domain (`octobridge bounces`)."""
    with smtplib.SMTP("127.0.0.1", stage.bounces, timeout=30) as mx:
        for mail in stage.inbox.late_bounces():
            mx.sendmail("", [mail.return_path], delivery_report(mail.return_path, mail.mailbox))


async def _settled(
    banqup: Banqup, seconds: float = 40, *, bounced: bool = False
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every export of the clients, once none is queued any more (and, when `bounced`, none of the
    bouncing client's is delivered any more)."""
    deadline = time.monotonic() + seconds
    while True:
        exports = {}
        for client in CLIENTS:
            page = (await banqup.call("GET", f"/v1/clients/{client}/exports", params={"limit": 100})).json()
            exports.update({(client, e["documentId"]): e for e in page["items"]})
        pending = [
            e
            for (client, _), e in exports.items()
            if e["status"] == "queued" or (bounced and client == BOUNCING and e["status"] == "delivered")
        ]
        if not pending or time.monotonic() > deadline:
            return exports
        await asyncio.sleep(0.5)


def _row(document: Document, export: dict[str, Any] | None, inbox: OctopusInbox) -> Row:
    if export is None:
        return Row(document.label, "lost", "octobridge accepted the message but shows no export")
    status = export["status"]
    if status == "skipped":
        return Row(document.label, "skipped", export["skipReason"])
    if status == "failed":
        rules = (
            ", ".join(f"{v['ruleId']}: {v['message']}" for v in export["violations"]) or export["lastError"]
        )
        return Row(document.label, "failed", rules)
    verdict = next((v for v in inbox.verdicts if v.message_id == export["messageId"]), None)
    octopus = (
        "booked by Octopus"
        if verdict and verdict.booked
        else f"not booked: {'; '.join(verdict.problems) if verdict else 'not arrived'}"
    )
    return Row(document.label, status, f"{export['mailbox']} — {octopus}")


def run(var: Path, port: int, keep_running: bool) -> list[Row]:
    """Plays the scenario and returns what became of each step; with `keep_running`, waits for Ctrl-C."""
    var.mkdir(parents=True, exist_ok=True)
    configure_logging(Settings.from_environ())  # this process's own lines; serve's and worker's are in files
    with stage(var, port) as running:
        rows = asyncio.run(play(running))
        if keep_running:
            token = partner_token(PARTNER, running.settings.api_token_secret, lifetime=600)
            print(
                f"\noctobridge runs at {running.api}; the pages: {running.api}/pages/extension?token={token}"
            )
            print(f"Their logs: {log_dir(var)}/serve.log, worker.log and bounces.log.")
            print("Ctrl-C (or SIGTERM) stops everything.", flush=True)
            _wait_for_a_stop()
    return rows


def _wait_for_a_stop() -> None:
    """Returns on Ctrl-C or SIGTERM, as `serve` and `worker` stop, so that the stage ends its processes."""
    stop = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        stop.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
