"""Baton's command line and wiring: ``baton ...`` or ``python main.py ...``."""

from __future__ import annotations

import typer

from commands.demo import demo
from commands.mappings import app as mappings_app
from commands.replay import evaluate, replay
from commands.run import run
from commands.sandbox import sandbox_command

app = typer.Typer(
    name="baton",
    help="Seamless chatbot-to-human handoff: decide, enrich, ticket, feed back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo)
app.command("run")(run)
app.command("replay")(replay)
app.command("evaluate")(evaluate)
app.command("sandbox")(sandbox_command)
app.add_typer(mappings_app, name="mappings")


def cli() -> None:
    """Entry point of the ``baton`` console script."""
    app()


if __name__ == "__main__":
    cli()
