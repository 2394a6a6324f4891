"""``baton run --config FILE``: the daemon, until SIGTERM."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commands.daemon import Daemon
from config.settings import load_settings
from core.errors import ConfigError
from observability.logging import configure_logging


def run(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Settings file (YAML); BATON_* variables override it."),
    ] = None,
) -> None:
    """Serve the webhook and run the handoff workers until SIGINT/SIGTERM."""
    try:
        settings = load_settings(config)
        configure_logging(settings.log.level, settings.log.format)
        daemon = Daemon(settings)
    except ConfigError as err:
        typer.echo(f"baton: configuration error:\n{err}", err=True)
        raise typer.Exit(2) from err
    daemon.serve_forever()
