"""Check a mapping's Salesforce names against the org's describe (``baton mappings check``).

Walks every path the mapping uses from the matched object — ``Account.Owner.Name`` is
Contact's ``Account`` relationship, Account's ``Owner`` relationship, User's ``Name``
field — and every related list's child relationship and fields. Each unknown object,
relationship or field is reported with the closest real name. Then one dry query
(``... WHERE Id = null``) lets Salesforce itself judge the conditions and orderings.
"""

from __future__ import annotations

from typing import Any

from connectors.salesforce.lookup import SalesforceConnector
from core.crm.check import Finding, closest
from core.crm.mapping import SalesforceSection
from core.errors import BatonError, ConfigError


class _Describer:
    def __init__(self, connector: SalesforceConnector) -> None:
        self.connector = connector
        self.cache: dict[str, dict[str, Any] | None] = {}
        self._names: list[str] | None = None

    def names(self) -> list[str]:
        if self._names is None:
            self._names = self.connector.object_names()
        return self._names

    def describe(self, sobject: str) -> dict[str, Any] | None:
        key = sobject.lower()
        if key not in self.cache:
            real = next((n for n in self.names() if n.lower() == key), None)
            self.cache[key] = self.connector.describe(real) if real else None
        return self.cache[key]


def _field_names(describe: dict[str, Any]) -> list[str]:
    return [str(f["name"]) for f in describe.get("fields", [])]


def _relationships(describe: dict[str, Any]) -> dict[str, str]:
    """relationship name → referenced object (first of ``referenceTo``)."""
    out = {}
    for f in describe.get("fields", []):
        if f.get("relationshipName") and f.get("referenceTo"):
            out[str(f["relationshipName"])] = str(f["referenceTo"][0])
    return out


def _check_path(describer: _Describer, sobject: str, path: str, where: str) -> Finding:
    current = describer.describe(sobject)
    current_name = sobject
    parts = path.split(".")
    for part in parts[:-1]:
        assert current is not None
        relationships = _relationships(current)
        match = next((r for r in relationships if r.lower() == part.lower()), None)
        if match is None:
            return Finding(
                "salesforce",
                where,
                path,
                f"no relationship {part!r} on {current_name}",
                closest(part, relationships),
            )
        current_name = relationships[match]
        current = describer.describe(current_name)
        if current is None:
            return Finding("salesforce", where, path, f"cannot describe {current_name}")
    assert current is not None
    fields = _field_names(current)
    last = parts[-1]
    if not any(f.lower() == last.lower() for f in fields):
        return Finding(
            "salesforce",
            where,
            path,
            f"no field {last!r} on {current_name}",
            closest(last, fields),
        )
    return Finding("salesforce", where, path)


def check_salesforce(connector: SalesforceConnector) -> list[Finding]:
    """Every Salesforce name of the mapping, checked against the org."""
    mapping = connector.mapping
    section: SalesforceSection = connector.section
    describer = _Describer(connector)
    findings: list[Finding] = []
    root = describer.describe(section.object)
    if root is None:
        return [
            Finding(
                "salesforce",
                "salesforce.object",
                section.object,
                f"no object {section.object!r} in the org",
                closest(section.object, describer.names()),
            )
        ]
    findings.append(Finding("salesforce", "salesforce.object", section.object))
    for key, fields in section.keys.items():
        for name in fields:
            findings.append(_check_path(describer, section.object, name, f"salesforce.keys.{key}"))
    findings.append(
        _check_path(describer, section.object, section.updated_field, "salesforce.updated_field")
    )
    for spec in mapping.fields:
        if spec.salesforce is None:
            continue
        for path in spec.salesforce.paths():
            findings.append(
                _check_path(describer, section.object, path, f"fields.{spec.name}.salesforce")
            )
    children = {
        str(c["relationshipName"]): str(c["childSObject"])
        for c in root.get("childRelationships", [])
        if c.get("relationshipName")
    }
    for name, child in section.lists.items():
        where = f"salesforce.lists.{name}"
        match = next((r for r in children if r.lower() == child.relationship.lower()), None)
        if match is None:
            findings.append(
                Finding(
                    "salesforce",
                    f"{where}.relationship",
                    child.relationship,
                    f"no child relationship {child.relationship!r} on {section.object}",
                    closest(child.relationship, children),
                )
            )
            continue
        findings.append(Finding("salesforce", f"{where}.relationship", child.relationship))
        for field in child.fields:
            findings.append(_check_path(describer, children[match], field, f"{where}.fields"))
    if all(f.ok for f in findings):
        findings.append(_dry_query(connector))
    return findings


def _dry_query(connector: SalesforceConnector) -> Finding:
    """Let Salesforce parse the whole query (conditions, orderings) without matching."""
    select = ", ".join([*connector.select_list(), *connector.subqueries()])
    soql = f"SELECT {select} FROM {connector.section.object} WHERE Id = null LIMIT 1"  # noqa: S608
    try:
        connector.client.call(lambda sf: sf.query(soql), "query")
    except ConfigError as err:
        return Finding("salesforce", "salesforce.lists", "query", f"Salesforce refused it: {err}")
    except BatonError as err:
        return Finding("salesforce", "salesforce.lists", "query", f"could not run it: {err}")
    return Finding("salesforce", "salesforce.lists", "query (conditions, orderings)")
