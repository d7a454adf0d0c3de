"""The `octobridge` command."""

from __future__ import annotations

import click

from entrypoints.cli.bounces import bounces
from entrypoints.cli.clients import clients
from entrypoints.cli.db import db
from entrypoints.cli.demo import demo
from entrypoints.cli.errors import OctobridgeGroup
from entrypoints.cli.exports import exports
from entrypoints.cli.extension import extension
from entrypoints.cli.messages import messages
from entrypoints.cli.serve import serve
from entrypoints.cli.ubl import ubl
from entrypoints.cli.worker import worker


@click.group(cls=OctobridgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="octobridge", message="%(prog)s %(version)s")  # the installed metadata's
def cli() -> None:
    """octobridge: Banqup documents, delivered to Octopus as Peppol BIS 3.0 UBL."""


cli.add_command(bounces)
cli.add_command(clients)
cli.add_command(db)
cli.add_command(demo)
cli.add_command(exports)
cli.add_command(extension)
cli.add_command(messages)
cli.add_command(serve)
cli.add_command(ubl)
cli.add_command(worker)


def main() -> None:
    cli(prog_name="octobridge")
