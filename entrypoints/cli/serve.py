"""`octobridge serve`: the HTTP API for Banqup under uvicorn."""

from __future__ import annotations

import click

APP_FACTORY = "entrypoints.http.app:app_from_environ"  # by name: the CLI never imports the HTTP entrypoint
HTTP_PROTOCOL = "entrypoints.http.protocol:BoundedHttpToolsProtocol"  # httptools, with the head bounded


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
# Off by default: a line per message cost about a tenth of the CPU of receiving it (docs/decisions/0003).
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request; /metrics counts them by route and status either way.",
)
def serve(host: str, port: int, access_log: bool) -> None:
    """Serve the HTTP API for Banqup (run `octobridge db upgrade` first)."""
    import uvicorn

    from entrypoints.logs import configure_logging
    from entrypoints.settings import Settings

    # a wrong setting is one line and exit 2 here, not a traceback in uvicorn
    configure_logging(Settings.from_environ(), access_log=access_log)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        loop="uvloop",
        http=HTTP_PROTOCOL,
        server_header=False,
        log_config=None,  # uvicorn's loggers go through the set-up above, like every other
        log_level="info",
        access_log=False,  # the app writes its own access line, with the request id and no credential
    )
