"""``baton sandbox``: run the Zendesk/Salesforce/HubSpot sandbox on its own.

Prints what a client needs, one ``NAME=value`` per line, then serves until SIGINT or
SIGTERM::

    $ baton sandbox --port 8765 --plan team --faults faults.yaml
    SANDBOX_URL=http://127.0.0.1:8765
    ZENDESK_SUBDOMAIN=acme
    ...
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from sandbox.config import ZENDESK_PLAN_LIMITS, SandboxConfig
from sandbox.faults import FaultRule, load_fault_file, parse_fault_flag
from sandbox.server import SandboxServer


def client_environment(server: SandboxServer) -> dict[str, str]:
    """What a client needs to reach this sandbox, as environment-style names."""
    config = server.state.config
    return {
        "SANDBOX_URL": server.url,
        "ZENDESK_SUBDOMAIN": config.zendesk_subdomain,
        "ZENDESK_EMAIL": config.zendesk_email,
        "ZENDESK_TOKEN": config.zendesk_token,
        # simple-salesforce keeps only host:port and speaks https: mount
        # connectors.loopback.LoopbackAdapter on https://HOST:PORT to reach it.
        "SALESFORCE_INSTANCE_URL": server.url,
        "SALESFORCE_SESSION_ID": config.salesforce_session_id,
        "HUBSPOT_TOKEN": config.hubspot_token,
    }


def sandbox_command(
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8765,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    plan: Annotated[
        str,
        typer.Option(help=f"Zendesk plan, sets the rate limit: {', '.join(ZENDESK_PLAN_LIMITS)}."),
    ] = "enterprise",
    faults: Annotated[
        Path | None,
        typer.Option("--faults", help="YAML or JSON file of faults to inject from the start."),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault", help="One fault as key=value pairs, e.g. kind=error,api=zendesk,status=503"
        ),
    ] = None,
    no_rate_limit: Annotated[
        bool, typer.Option("--no-rate-limit", help="Disable Zendesk's per-minute limit.")
    ] = False,
    fault_seed: Annotated[
        int | None, typer.Option(help="Seed of the fault sampler, for reproducible runs.")
    ] = None,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Start with no seed data.")] = False,
) -> None:
    """Run the SaaS sandbox (Zendesk, Salesforce, HubSpot) until interrupted."""
    if plan not in ZENDESK_PLAN_LIMITS:
        raise typer.BadParameter(f"unknown plan {plan!r}", param_hint="--plan")
    try:
        rules: list[FaultRule] = load_fault_file(faults) if faults else []
        rules += [parse_fault_flag(text) for text in fault or []]
    except (OSError, ValueError) as err:
        raise typer.BadParameter(str(err), param_hint="--faults/--fault") from err
    config = SandboxConfig(
        plan=plan,
        zendesk_requests_per_minute=0 if no_rate_limit else None,
        faults=rules,
        fault_seed=fault_seed,
        seed=not no_seed,
    )
    try:
        server = SandboxServer(config, host=host, port=port)
    except OSError as err:
        raise typer.BadParameter(f"cannot listen on {host}:{port}: {err}") from err

    stopping = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stopping.set())
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        server.start()
        for name, value in client_environment(server).items():
            print(f"{name}={value}")
        sys.stdout.flush()
        typer.echo(
            f"sandbox serving on {server.url} ({plan} plan, {len(rules)} fault(s)); Ctrl-C to stop",
            err=True,
        )
        while not stopping.wait(1.0):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
