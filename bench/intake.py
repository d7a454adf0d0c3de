"""Message intake over HTTP against the database's own commit rate, in one run on one machine.

Intake: signed `POST /v1/messages` to `octobridge serve` in a process of its own on a local port, each
a new approved document of an active client (signature check, parse, policy, one transaction of
message id + export + outbox row, 202). Baseline: one-row INSERT + COMMIT, one after another, on
the same SQLite file with the same engine settings, right after each intake run (the disk's sync
time drifts by half within minutes here). Goal: ratio ≥ 1.0. Group commit shares a sync among the
messages in flight, so the ratio is given for several loads: 8 and 16 messages in flight by default.

Run: `python bench/intake.py [MESSAGES] [IN_FLIGHT…]` (defaults 2000, 8 and 16).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import jwt
from sqlalchemy import text

from adapters.persistence.engine import create_engine
from adapters.persistence.migrator import AlembicMigrator

WEBHOOK_SECRET = "bench-webhook-secret-of-32-bytes-or-more"
API_TOKEN_SECRET = "bench-api-token-secret-of-32-bytes-or-more"
PARTNER, CLIENT = "partner-bench", "space-bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def serve(folder: str, url: str) -> tuple[str, subprocess.Popen[bytes]]:
    """`octobridge serve` in a process of its own, as in production: the load generator here does
    not share its interpreter."""
    port = free_port()
    environment = {
        **os.environ,
        "OCTOBRIDGE_DATABASE_URL": url,
        "OCTOBRIDGE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "OCTOBRIDGE_API_TOKEN_SECRET": API_TOKEN_SECRET,
        "OCTOBRIDGE_SECRET_KEY": "bench-secret-key",
        "OCTOBRIDGE_VAR_DIR": f"{folder}/var",
    }
    command = [
        sys.executable,
        "-c",
        "from entrypoints.cli.main import main; main()",
        "serve",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return f"http://127.0.0.1:{port}", server
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def server_cpu(pid: int) -> float:
    """Seconds of CPU the server process has used (Linux), all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    mac = hmac.new(WEBHOOK_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Banqup-Signature": f"t={stamp},v1={mac}", "Content-Type": "application/json"}


def message(n: int) -> bytes:
    occurred = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    data = {
        "documentId": f"doc-{n}",
        "spaceId": CLIENT,
        "partnerId": PARTNER,
        "folder": "PURCHASES",
        "documentCategory": "INVOICE",
        "occurredAt": occurred,
    }
    return json.dumps({"id": f"msg-{n}", "category": "document", "type": "approved", "data": data}).encode()


async def set_up(http: httpx.AsyncClient) -> None:
    """Installs, connects (the in-memory Octopus stand-in) and activates the one client."""
    token = jwt.encode(
        {"iss": "banqup", "aud": "octobridge", "sub": PARTNER, "exp": int(time.time()) + 600},
        API_TOKEN_SECRET,
        algorithm="HS256",
    )
    auth = {"Authorization": f"Bearer {token}"}
    await http.put("/v1/extension", headers=auth)
    start = await http.get(
        "/v1/extension/octopus/connect", params={"returnUrl": "http://127.0.0.1:8000/"}, headers=auth
    )
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    await http.get("/v1/octopus/callback", params={"state": state, "code": "bench"})
    activated = await http.put(
        f"/v1/clients/{CLIENT}/octopus", json={"mailbox": "uid-008352-24@import.octopus.be"}, headers=auth
    )
    assert activated.status_code == 201, activated.text


class Connection:
    """One keep-alive HTTP/1.1 connection that sends prepared requests and reads the answers. httpx
    spent as much CPU a request as the server did, on the same two cores: this costs a tenth of it,
    so that the figure is the server's."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, base_url: str) -> Connection:
        address = urlsplit(base_url)
        return cls(*await asyncio.open_connection(address.hostname, address.port))

    async def post(self, request: bytes) -> tuple[int, bytes]:
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        return status, await self._reader.readexactly(length)

    def close(self) -> None:
        self._writer.close()


def prepared(n: int, host: str) -> bytes:
    """The whole request for message `n`, signed now: the signature stays valid for 5 minutes."""
    body = message(n)
    headers = signed(body) | {"Host": host, "Content-Length": str(len(body))}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST /v1/messages HTTP/1.1\r\n{head}\r\n".encode() + body


async def intake(base_url: str, numbers: range, concurrency: int) -> tuple[float, list[float]]:
    requests = iter([prepared(n, urlsplit(base_url).netloc) for n in numbers])
    connections = [await Connection.open(base_url) for _ in range(concurrency)]
    latencies: list[float] = []

    async def sender(connection: Connection) -> None:
        for request in requests:
            began = time.perf_counter()
            status, body = await connection.post(request)
            latencies.append(time.perf_counter() - began)
            assert status == 202 and json.loads(body)["outcome"] == "exported", body

    began = time.perf_counter()
    try:
        await asyncio.gather(*(sender(c) for c in connections))
    finally:
        for connection in connections:
            connection.close()
    return len(numbers) / (time.perf_counter() - began), latencies


async def raw_commits(url: str, commits: int) -> float:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, at TEXT)")
            )
            await connection.commit()
            began = time.perf_counter()
            for n in range(commits):
                await connection.execute(text("INSERT INTO bench_rows (at) VALUES (:at)"), {"at": str(n)})
                await connection.commit()
            return commits / (time.perf_counter() - began)
    finally:
        await engine.dispose()


async def set_up_once(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        await set_up(http)
    await asyncio.sleep(1.1)  # messages happen after the activation, to the second


def main() -> None:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    loads = [int(arg) for arg in sys.argv[2:]] or [8, 16]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/octobridge.db"
        AlembicMigrator(url).upgrade()
        base_url, server = serve(folder, url)
        try:
            asyncio.run(set_up_once(base_url))
            for run, concurrency in enumerate(loads):
                cpu_before = server_cpu(server.pid)
                numbers = range(run * messages, (run + 1) * messages)
                rate, latencies = asyncio.run(intake(base_url, numbers, concurrency))
                cpu = server_cpu(server.pid) - cpu_before
                baseline = asyncio.run(raw_commits(url, messages))
                report(messages, concurrency, rate, latencies, cpu, baseline)
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(
    messages: int, concurrency: int, rate: float, latencies: list[float], cpu: float, baseline: float
) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"intake:   {messages} signed POST /v1/messages, {concurrency} in flight: {rate:,.0f}/s, "
        f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms"
    )
    print(f"server:   {cpu / messages * 1e6:,.0f} µs of CPU per message (user + system)")
    print(f"baseline: one-row INSERT + COMMIT on the same SQLite file, right after: {baseline:,.0f}/s")
    print(f"ratio:    {rate / baseline:.2f} (goal ≥ 1.0)")


if __name__ == "__main__":
    main()
