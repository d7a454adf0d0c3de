"""schemathesis against the OpenAPI document of a running server: no 5xx, and every answer
conforms to the document (status, content type, headers, body). Kept short: 25 examples each."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis

# imported lazily deep inside a check otherwise, where pytest's assertion rewriter fails on it
import schemathesis.specs.openapi.object_authorization
import uvicorn
from schemathesis import Case
from schemathesis.checks import positive_data_acceptance

from adapters.persistence.migrator import AlembicMigrator
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.entrypoints.http.conftest import API_TOKEN_SECRET, WEBHOOK_SECRET, as_partner

PARTNER = "partner-schemathesis"
EXAMPLES = 25


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """octobridge served by uvicorn in a thread, on a migrated SQLite database, for the module."""
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite+aiosqlite:///{folder}/octobridge.db"
    AlembicMigrator(url).upgrade()
    settings = Settings(
        database_url=url,
        webhook_secret=WEBHOOK_SECRET,
        api_token_secret=API_TOKEN_SECRET,
        secret_key="secret-key-for-schemathesis",
        var_dir=str(folder / "var"),
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, build_container(settings)), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_api_keeps_its_openapi_contract(base_url: str) -> None:
    import requests

    assert requests.put(f"{base_url}/v1/extension", headers=as_partner(PARTNER), timeout=5).status_code == 201
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    examples_run: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def keeps_the_contract(case: Case) -> None:
            label = f"{case.method} {case.path}"
            examples_run[label] = examples_run.get(label, 0) + 1
            case.call_and_validate(
                base_url=base_url,
                headers=as_partner(PARTNER),
                # schema-valid is not business-valid: a return URL on a foreign origin is a 400 by contract
                excluded_checks=[positive_data_acceptance],
            )

        keeps_the_contract()
    print(f"\nschemathesis: {sum(examples_run.values())} examples over {len(examples_run)} operations")
    for label, count in sorted(examples_run.items()):
        print(f"  {count:3} {label}")
    assert len(examples_run) == 20
