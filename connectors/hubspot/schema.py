"""Check a mapping's HubSpot names against the portal's properties (``mappings check``)."""

from __future__ import annotations

from connectors.hubspot.lookup import HubSpotConnector
from core.crm.check import Finding, closest

OWNER_FIELDS = ("name", "email", "first_name", "last_name", "firstname", "lastname", "id")
_OBJECTS = {"contact": "contacts", "company": "companies"}


def check_hubspot(connector: HubSpotConnector) -> list[Finding]:
    """Every HubSpot property the mapping names, checked against the portal."""
    mapping = connector.mapping
    section = connector.section
    known: dict[str, list[str]] = {}

    def props(object_type: str) -> list[str]:
        if object_type not in known:
            known[object_type] = connector.property_names(object_type)
        return known[object_type]

    def check(object_type: str, name: str, where: str, shown: str | None = None) -> Finding:
        names = props(object_type)
        if name in names:
            return Finding("hubspot", where, shown or name)
        return Finding(
            "hubspot",
            where,
            shown or name,
            f"no property {name!r} on {object_type}",
            closest(name, names),
        )

    findings = []
    for key, names in section.keys.items():
        findings += [check("contacts", n, f"hubspot.keys.{key}") for n in names]
    findings.append(check("contacts", section.updated_field, "hubspot.updated_field"))
    for spec in mapping.fields:
        if spec.hubspot is None:
            continue
        for path in spec.hubspot.paths():
            head, _, rest = path.partition(".")
            where = f"fields.{spec.name}.hubspot"
            if rest.startswith("owner."):
                field = rest[len("owner.") :]
                problem = None if field in OWNER_FIELDS else f"owners have no field {field!r}"
                findings.append(
                    Finding(
                        "hubspot",
                        where,
                        path,
                        problem,
                        closest(field, OWNER_FIELDS) if problem else None,
                    )
                )
                continue
            findings.append(check(_OBJECTS[head], rest, where, path))
    for name, spec in section.lists.items():
        where = f"hubspot.lists.{name}"
        named = (
            *spec.properties,
            *spec.where,
            *([spec.order_by.lstrip("-")] if spec.order_by else []),
        )
        for prop in dict.fromkeys(named):
            findings.append(check(spec.object, prop, where, f"{spec.object}.{prop}"))
    return findings
