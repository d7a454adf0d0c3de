"""An operator at the `octobridge` command, in the test process, on a database of the test's own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner, Result

from application.use_cases.begin_connect import StartLogin
from application.use_cases.complete_connect import FinishLogin
from application.use_cases.install_extension import Install
from entrypoints.cli.main import cli
from entrypoints.cli.runtime import run
from entrypoints.container import Container

T = TypeVar("T")


class Operator:
    """Runs commands through the real container, as `octobridge` would with these variables set."""

    def __init__(self, database_url: str, var_dir: Path) -> None:
        self.env = {
            "OCTOBRIDGE_DATABASE_URL": database_url,
            "OCTOBRIDGE_VAR_DIR": str(var_dir),
            "COLUMNS": "200",  # wide enough that tables do not fold addresses
        }
        self.var_dir = var_dir

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args), env=self.env, catch_exceptions=False)

    def seed(self, work: Callable[[Container], Awaitable[T]]) -> T:
        """Sets the scene through the same container, the way Banqup's calls would."""

        return run(work, self.env)

    def install(self, *partners: str, connect: bool = False) -> None:
        async def work(container: Container) -> None:
            for partner in partners:
                await (await container.use_cases.install_extension())(Install(partner_id=partner))
                if connect:
                    begin = await container.use_cases.begin_connect()
                    url = await begin(StartLogin(partner, "http://127.0.0.1:8000/", "the-operator's-browser"))
                    state = parse_qs(urlsplit(url.authorize_url).query)["state"][0]
                    complete = await container.use_cases.complete_connect()
                    await complete(FinishLogin(state, "a-code", browser="the-operator's-browser"))

        self.seed(work)
