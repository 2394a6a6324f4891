"""``baton mappings check`` and ``baton mappings preview``: for CRM admins.

::

    baton mappings check   [--mapping FILE] (--sandbox | --salesforce-url URL --hubspot-url URL)
    baton mappings preview --email ADDRESS [--phone E164] [--customer-id ID] [...same options]

``check`` validates the file (``file:line: field: problem``), then every object, field
and property it names against the live CRM schema (Salesforce describe, HubSpot
properties), naming the closest real name for each unknown one. Exit status: 0 all good,
1 the CRM lacks names the mapping uses, 2 the file itself is invalid or a CRM cannot be
reached.

``preview`` looks a customer up as the daemon would and prints the account card and
what the Zendesk ticket would carry (custom fields, tags, requester and organization
fields) and the business-rule fields (sensitive ones withheld).

Credentials come from the environment (``BATON_SALESFORCE__SESSION_ID`` or
``__CLIENT_ID``/``__CLIENT_SECRET``, ``BATON_HUBSPOT__ACCESS_TOKEN``); ``--sandbox``
starts an in-process sandbox and uses its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from commands.crm import build_sources, endpoint_settings, sandbox_settings
from config.mappings import DEMO_MAPPING, load_mapping
from connectors.hubspot import HubSpotConnector, HubSpotSettings
from connectors.hubspot.schema import check_hubspot
from connectors.salesforce import SalesforceConnector, SalesforceSettings
from connectors.salesforce.schema import check_salesforce
from core.conversation import CustomerInfo
from core.crm.card import CardResult
from core.crm.check import Finding
from core.crm.mapping import CrmMapping
from core.errors import BatonError, ConfigError, MappingError
from sandbox.server import SandboxServer
from scheduler.enrichment import Enricher

app = typer.Typer(
    name="mappings",
    help="Check and preview the CRM mapping file (for CRM admins).",
    no_args_is_help=True,
    add_completion=False,
)

MappingOption = Annotated[
    Path, typer.Option("--mapping", help="The mapping file (YAML).", show_default=True)
]
SandboxOption = Annotated[
    bool, typer.Option("--sandbox", help="Start an in-process sandbox and check against it.")
]
SalesforceUrl = Annotated[
    str | None,
    typer.Option(
        "--salesforce-url", help="Salesforce instance URL, e.g. https://acme.my.salesforce.com."
    ),
]
HubSpotUrl = Annotated[
    str | None,
    typer.Option("--hubspot-url", help="HubSpot API base URL (https://api.hubapi.com)."),
]


@dataclass(frozen=True)
class _Endpoints:
    salesforce: SalesforceSettings | None
    hubspot: HubSpotSettings | None


@contextlib.contextmanager
def _endpoints(
    sandbox: bool, salesforce_url: str | None, hubspot_url: str | None
) -> Iterator[_Endpoints]:
    if sandbox:
        with SandboxServer() as server:
            sf, hs = sandbox_settings(server)
            yield _Endpoints(sf, hs)
        return
    if not salesforce_url and not hubspot_url:
        raise ConfigError("give --sandbox, or --salesforce-url and/or --hubspot-url")
    sf_settings, hs_settings = endpoint_settings(salesforce_url, hubspot_url)
    yield _Endpoints(sf_settings, hs_settings)


def _load(console: Console, path: Path) -> CrmMapping:
    try:
        return load_mapping(path)
    except MappingError as err:
        console.print(f"[bold red]{path}: invalid mapping[/]")
        for line in str(err).splitlines():
            console.print(f"  {line}", highlight=False, markup=False)
        raise typer.Exit(2) from None


def _findings_table(findings: list[Finding]) -> Table:
    table = Table(title="Mapping against the live CRM schema", show_lines=False)
    table.add_column("CRM")
    table.add_column("where in the mapping")
    table.add_column("name")
    table.add_column("result")
    for f in findings:
        result = "[green]ok[/]" if f.ok else f"[red]{f.message()}[/]"
        table.add_row(f.crm, f.where, f.name, result)
    return table


@app.command("check")
def check(
    mapping_file: MappingOption = DEMO_MAPPING,
    sandbox: SandboxOption = False,
    salesforce_url: SalesforceUrl = None,
    hubspot_url: HubSpotUrl = None,
) -> None:
    """Validate the mapping file, then every name it uses against the live CRM schema."""
    console = Console()
    mapping = _load(console, mapping_file)
    console.print(f"[green]✓[/] {mapping_file}: valid ({len(mapping.fields)} fields)")
    findings: list[Finding] = []
    skipped: list[str] = []
    try:
        with _endpoints(sandbox, salesforce_url, hubspot_url) as endpoints:
            sources = build_sources(mapping, endpoints.salesforce, endpoints.hubspot)
            for crm in ("salesforce", "hubspot"):
                if getattr(mapping, crm) is None:
                    continue
                source = sources.get(crm)
                if isinstance(source, SalesforceConnector):
                    findings += check_salesforce(source)
                elif isinstance(source, HubSpotConnector):
                    findings += check_hubspot(source)
                else:
                    skipped.append(crm)
    except BatonError as err:
        console.print(f"[bold red]cannot check against the CRM:[/] {err}")
        raise typer.Exit(2) from None
    if findings:
        console.print(_findings_table(findings))
    for crm in skipped:
        console.print(f"[yellow]skipped {crm}: no --{crm}-url given[/]")
    problems = [f for f in findings if not f.ok]
    if problems:
        console.print(f"[bold red]{len(problems)} name(s) the CRM does not have:[/]")
        for f in problems:
            console.print(
                f"  {f.crm}: {f.where}: {f.name}: {f.message()}", highlight=False, markup=False
            )
        raise typer.Exit(1)
    console.print(f"[bold green]✓ every name the mapping uses exists ({len(findings)} checked)[/]")


def print_card(console: Console, result: CardResult, mapping: CrmMapping, now: datetime) -> None:
    """The card, the Zendesk values and the rule fields of a lookup, for people."""
    enrichment = result.enrichment
    if enrichment is None:
        console.print(Panel(result.note_text(now), title="Account card", border_style="red"))
        return
    card = enrichment.card
    if card is None:
        console.print(Panel(result.note_text(now), title="Account card", border_style="yellow"))
        for record_id, url in enrichment.candidates:
            console.print(f"  candidate {record_id} {url or ''}")
    else:
        lines = Table.grid(padding=(0, 2))
        lines.add_column(style="bold")
        lines.add_column()
        for line in card.lines:
            lines.add_row(line.label, line.display)
        body = Table.grid()
        body.add_row(lines)
        for section in card.sections:
            body.add_row(f"\n[bold]{section.label}[/] ({len(section.rows)})")
            for row in section.rows or ("none",):
                body.add_row(f"  • {row}")
        footer = (
            f"\nmatched by {card.matched_by.replace('_', ' ')} · "
            + (result.note_text(now).splitlines()[-1].split(", ", 1)[-1])
        )
        body.add_row(f"[dim]{footer}[/]")
        if card.url:
            body.add_row(f"[dim]{card.url}[/]")
        source = "Salesforce" if card.source == "salesforce" else "HubSpot"
        console.print(Panel(body, title=f"{card.title} — {source}", border_style="green"))
    zendesk = Table(title="What the Zendesk ticket carries")
    zendesk.add_column("kind")
    zendesk.add_column("name")
    zendesk.add_column("value")
    titles = {
        f.zendesk.custom_field: f.title
        for f in mapping.fields
        if f.zendesk and f.zendesk.custom_field
    }
    for field_id, value in enrichment.zendesk.custom_fields:
        zendesk.add_row("custom field", f"{field_id} ({titles.get(field_id, '?')})", value)
    for tag in result.tags:
        zendesk.add_row("tag", tag, "")
    for key, value in enrichment.zendesk.requester_fields:
        zendesk.add_row("requester field", key, value)
    for key, value in enrichment.zendesk.organization_fields:
        zendesk.add_row("organization field", key, value)
    console.print(zendesk)
    sensitive = {f.rule for f in mapping.fields if f.sensitive and f.rule}
    rules = Table(title="Business-rule fields (for the decision engine)")
    rules.add_column("rule")
    rules.add_column("value")
    for name, value in enrichment.rules.items():
        shown = "(sensitive: withheld)" if name in sensitive else repr(value)
        rules.add_row(name, shown)
    console.print(rules)


@app.command("preview")
def preview(
    email: Annotated[str | None, typer.Option("--email", help="The customer's email.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="The customer's phone.")] = None,
    customer_id: Annotated[
        str | None, typer.Option("--customer-id", help="The chat platform's customer id.")
    ] = None,
    mapping_file: MappingOption = DEMO_MAPPING,
    sandbox: SandboxOption = False,
    salesforce_url: SalesforceUrl = None,
    hubspot_url: HubSpotUrl = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the CRMs.")] = 15.0,
) -> None:
    """Print the account card and the Zendesk fields a ticket for this customer would carry."""
    console = Console()
    if not (email or phone or customer_id):
        console.print("[red]give --email, --phone or --customer-id[/]")
        raise typer.Exit(2)
    mapping = _load(console, mapping_file)
    customer = CustomerInfo(id=customer_id, email=email, phone=phone)
    try:
        with _endpoints(sandbox, salesforce_url, hubspot_url) as endpoints:
            sources = build_sources(mapping, endpoints.salesforce, endpoints.hubspot)
            with Enricher(mapping, sources, batch_window=0.0) as enricher:
                result = enricher.card_for("preview", customer, timeout)
    except BatonError as err:
        console.print(f"[bold red]cannot look the customer up:[/] {err}")
        raise typer.Exit(2) from None
    print_card(console, result, mapping, datetime.now(UTC))
    if result.status != "ready":
        raise typer.Exit(1)
