"""What the wheel carries and declares: production code without the stand-ins, every import a declared
dependency."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ("domain", "application", "adapters", "entrypoints", "sandbox", "tests")


def distribution_name(requirement: str) -> str:
    """`PyJWT` for `pyjwt~=2.15`, normalised as PEP 503 says."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def imported_packages(*folders: str) -> Iterator[tuple[str, Path]]:
    """The top-level name of every module that the code under `folders` imports, with the file."""
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    yield from ((alias.name.partition(".")[0], path) for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    yield node.module.partition(".")[0], path


@pytest.mark.parametrize(
    ("folders", "extras"),
    [(("domain", "application", "adapters", "entrypoints"), ()), (("sandbox", "tests"), ("dev",))],
)
def test_every_package_the_code_imports_is_a_declared_dependency(
    folders: tuple[str, ...], extras: tuple[str, ...]
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {distribution_name(r) for r in project["dependencies"]}
    declared |= {distribution_name(r) for extra in extras for r in project["optional-dependencies"][extra]}
    providers = importlib.metadata.packages_distributions()
    undeclared = {
        f"{module} ({path.relative_to(ROOT)})"
        for module, path in imported_packages(*folders)
        if module not in sys.stdlib_module_names
        and module not in PROJECT
        and not declared & {distribution_name(d) for d in providers.get(module, [module])}
    }
    assert sorted(undeclared) == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = folder.glob("octobridge-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_production_code_and_no_stand_in(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.partition("/")[0] for name in archive.namelist()}
    assert tops == {
        "domain",
        "application",
        "adapters",
        "entrypoints",
        wheel.name.rpartition("-py3")[0] + ".dist-info",
    }


@pytest.mark.slow
def test_from_the_wheel_the_demo_says_it_runs_from_a_checkout(wheel: Path, tmp_path: Path) -> None:
    """The wheel installed in an environment of its own that sees the project's dependencies but not
    the checkout (which the editable install puts on the path)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    python = tmp_path / "venv" / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")  # not its .pth files
    environment = {"PATH": "/usr/bin:/bin", "OCTOBRIDGE_VAR_DIR": str(tmp_path / "var")}

    def octobridge(*args: str) -> subprocess.CompletedProcess[str]:
        command = [python, "-c", "from entrypoints.cli.main import main; main()", *args]
        return subprocess.run(
            command, capture_output=True, text=True, cwd=tmp_path, env=environment, check=False
        )

    demo = octobridge("demo")
    assert demo.returncode == 2
    assert demo.stderr.splitlines() == [
        "octobridge: the demo runs from a checkout of octobridge with its dev tools (make demo);"
        " sandbox is not installed here"
    ]
    assert octobridge("--version").stdout == f"octobridge {importlib.metadata.version('octobridge')}\n"
