"""`octobridge ubl render | normalize | validate` (CONTRACTS §1)."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

import click

from application.errors import Invalid, InvalidDocument, Violation
from application.ports.ubl import UblTools
from entrypoints.cli.errors import OctobridgeGroup, one_line

# The largest of each input that octobridge takes anywhere: a UBL file (adapters.ubl.parsing), a
# Banqup document and its PDF as the Banqup adapter reads them (adapters.banqup.documents).
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_PDF_BYTES = 25 * 1024 * 1024
EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
FILE_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def read_input(path: Path, limit: int = MAX_XML_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; `Invalid` with one line when it
    cannot be read, is larger, or is no regular file. A device, a FIFO or a socket is refused before it
    is opened (reading it might never end, or never begin)."""
    try:
        _refuse_unless_regular(path, path.stat())
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)  # never waits on a FIFO
        with os.fdopen(descriptor, "rb") as handle:
            status = os.fstat(handle.fileno())  # the file opened, should another have taken its place
            _refuse_unless_regular(path, status)
            data = b"" if status.st_size > limit else handle.read(limit + 1)
    except OSError as exc:
        raise Invalid(f"{path}: cannot be read ({exc.strerror})") from exc
    if status.st_size > limit or len(data) > limit:
        raise Invalid(f"{path}: larger than the {limit // (1024 * 1024)} MB such a file may have")
    return data


def _refuse_unless_regular(path: Path, status: os.stat_result) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    kind = next((name for is_kind, name in FILE_KINDS if is_kind(status.st_mode)), "no regular file")
    raise Invalid(f"{path}: {kind}, not a file to read")


def format_violation(name: str, violation: Violation) -> str:
    flag = "fatal" if violation.fatal else "warning"
    return f"{name}: {violation.rule_id} [{flag}] {' '.join(violation.message.split())}"


def validate_files(tools: UblTools, paths: Sequence[Path]) -> int:
    """Prints every violation of every file; the exit code is the worst outcome (0, 1, or 2 when unusable)."""
    code = EXIT_OK
    for path in paths:
        try:
            violations = tools.validate(read_input(path))
        except Invalid as exc:
            click.echo(f"octobridge: {path}: {one_line(exc).removeprefix(f'{path}: ')}", err=True)
            code = EXIT_UNUSABLE
            continue
        for violation in violations:
            click.echo(format_violation(str(path), violation))
        if any(v.fatal for v in violations):
            code = max(code, EXIT_FAILED)
    return code


def write_output(xml: bytes, output: Path | None) -> None:
    if output is None:
        click.echo(xml, nl=False)
    else:
        try:
            output.write_bytes(xml)
        except OSError as exc:
            raise Invalid(f"{output}: cannot be written ({exc.strerror})") from exc


def _report_invalid(error: InvalidDocument) -> None:
    click.echo(f"octobridge: {one_line(error)}", err=True)
    for violation in error.violations:
        if violation.fatal:
            click.echo(format_violation("  ", violation).lstrip(": "), err=True)


def _tools(ctx: click.Context) -> UblTools:
    """The toolkit from the container, unless the caller (a test) put one in `ctx.obj`."""
    if isinstance(ctx.obj, dict) and "ubl_tools" in ctx.obj:
        tools: UblTools = ctx.obj["ubl_tools"]
        return tools
    # Imported here so that `--help` does not load the container and its drivers.
    from entrypoints.container import build_container
    from entrypoints.settings import Settings

    built: UblTools = build_container(Settings.from_environ()).infrastructure.ubl_tools()
    return built


_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group(cls=OctobridgeGroup)
def ubl() -> None:
    """Peppol BIS Billing 3.0 UBL: render, normalise and validate."""


@ubl.command()
@click.argument("document", type=_FILE)
@click.option("--pdf", type=_FILE, help="The PDF to embed.")
@click.option("-o", "output", type=_FILE, help="Write the UBL here instead of stdout.")
@click.pass_context
def render(ctx: click.Context, document: Path, pdf: Path | None, output: Path | None) -> None:
    """A Banqup document (JSON) to Peppol BIS 3.0 UBL."""
    tools = _tools(ctx)
    try:
        xml = tools.render_banqup(
            read_input(document, MAX_DOCUMENT_BYTES), read_input(pdf, MAX_PDF_BYTES) if pdf else None
        )
    except InvalidDocument as error:
        _report_invalid(error)
        ctx.exit(EXIT_FAILED)
    write_output(xml, output)


@ubl.command()
@click.argument("source", type=_FILE)
@click.option("-o", "output", type=_FILE, help="Write the UBL here instead of stdout.")
@click.pass_context
def normalize(ctx: click.Context, source: Path, output: Path | None) -> None:
    """A UBL invoice or credit note to Peppol BIS 3.0."""
    tools = _tools(ctx)
    try:
        xml = tools.normalize(read_input(source))
    except InvalidDocument as error:
        _report_invalid(error)
        ctx.exit(EXIT_FAILED)
    write_output(xml, output)


@ubl.command()
@click.argument("files", type=_FILE, nargs=-1, required=True)
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Prints `FILE: RULE-ID [fatal|warning] message`; exit 1 when any is fatal, 2 on unusable input."""
    ctx.exit(validate_files(_tools(ctx), files))
