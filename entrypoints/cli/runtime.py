"""Running a coroutine against a container built from the environment, for one CLI command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from entrypoints.container import Container

T = TypeVar("T")


def settle_the_collector(every: int = 50_000) -> None:
    """For a command that has loaded what it needs and settles into one long task (an import, the
    worker): what is alive by now lives as long as the process, so it is frozen out of the garbage
    collector's sight, and the young generation is collected every `every` allocations rather than
    700. Each piece of work (a batch, a delivery) makes tens of thousands of objects that reference
    counting frees; at the default, rescanning them took about 14 % of an import and 5 % of a
    delivery (docs/decisions/0004)."""
    import gc

    gc.freeze()
    gc.set_threshold(every, 20, 20)


def run(work: Callable[[Container], Awaitable[T]], environ: Mapping[str, str] | None = None) -> T:
    """Sets up logging and builds the container from `environ` (the process's by default; lazily
    imported, so `--help` stays fast), runs `work`, closes what it started."""
    import uvloop

    from entrypoints.container import build_container
    from entrypoints.logs import configure_logging
    from entrypoints.settings import Settings

    settings = Settings.from_environ(environ)
    configure_logging(settings)

    async def main() -> T:
        container = build_container(settings)
        try:  # resources start when a command first needs them: a listing opens no HTTP client
            return await work(container)
        finally:
            closing = container.shutdown_resources()
            if closing is not None:  # None when the command started no resource
                await closing

    return uvloop.run(main())  # as `serve`: less CPU per socket operation
