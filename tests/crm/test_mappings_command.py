"""``baton mappings check`` and ``baton mappings preview``, run as a CRM admin would."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from config.mappings import DEMO_MAPPING
from main import app
from sandbox.server import SandboxServer
from tests.sandbox.crm_clients import reset_hubspot_budget

runner = CliRunner()


def run(sandbox: SandboxServer, *args: str) -> Result:
    reset_hubspot_budget(sandbox)
    config = sandbox.state.config
    env = {
        "COLUMNS": "240",
        "BATON_SALESFORCE__SESSION_ID": config.salesforce_session_id,
        "BATON_HUBSPOT__ACCESS_TOKEN": config.hubspot_token,
    }
    urls = ["--salesforce-url", sandbox.url, "--hubspot-url", sandbox.url]
    return runner.invoke(app, ["mappings", *args, *urls], env=env)


def variant(tmp_path: Path, old: str, new: str) -> Path:
    text = DEMO_MAPPING.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mapping.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


class TestCheck:
    def test_the_demo_mapping_matches_the_sandbox_crms(self, sandbox: SandboxServer) -> None:
        result = run(sandbox, "check")
        assert result.exit_code == 0, result.output
        assert "every name the mapping uses exists" in result.output

    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            (
                "salesforce: Account.Tier__c",
                "salesforce: Account.Tier_c",
                "fields.tier.salesforce: Account.Tier_c: no field 'Tier_c' on Account — did you "
                "mean 'Tier__c'?",
            ),
            (
                "salesforce: Account.Owner.Name",
                "salesforce: Acount.Owner.Name",
                "no relationship 'Acount' on Contact — did you mean 'Account'?",
            ),
            (
                "relationship: Cases",
                "relationship: Case",
                "no child relationship 'Case' on Contact — did you mean 'Cases'?",
            ),
            (
                "hubspot: company.renewal_date",
                "hubspot: company.renewl_date",
                "no property 'renewl_date' on companies — did you mean 'renewal_date'?",
            ),
            (
                "hubspot: company.owner.name",
                "hubspot: company.owner.nam",
                "owners have no field 'nam' — did you mean 'name'?",
            ),
        ],
    )
    def test_a_misspelled_name_is_named_with_the_right_one(
        self, sandbox: SandboxServer, tmp_path: Path, old: str, new: str, expected: str
    ) -> None:
        result = run(sandbox, "check", "--mapping", str(variant(tmp_path, old, new)))
        assert result.exit_code == 1, result.output
        assert expected in result.output

    def test_a_bad_condition_is_judged_by_salesforce(
        self, sandbox: SandboxServer, tmp_path: Path
    ) -> None:
        path = variant(tmp_path, 'where: "IsClosed = false"', "where: \"IsClosed = 'no'\"")
        result = run(sandbox, "check", "--mapping", str(path))
        assert result.exit_code == 1
        assert "INVALID_QUERY_FILTER_OPERATOR" in result.output

    def test_a_malformed_file_names_file_line_and_field(
        self, sandbox: SandboxServer, tmp_path: Path
    ) -> None:
        path = variant(tmp_path, "on_several: next_key", "on_several: guess")
        result = run(sandbox, "check", "--mapping", str(path))
        assert result.exit_code == 2
        assert f"{path}:" in result.output
        assert "match.on_several: Input should be 'ambiguous', 'next_key' or 'most_recent'" in (
            result.output
        )

    def test_without_endpoints_it_says_what_to_give(self) -> None:
        result = runner.invoke(app, ["mappings", "check"], env={"COLUMNS": "200"})
        assert result.exit_code == 2
        assert "give --sandbox, or --salesforce-url" in result.output

    def test_against_an_in_process_sandbox(self) -> None:
        result = runner.invoke(app, ["mappings", "check", "--sandbox"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output


class TestPreview:
    def test_a_salesforce_customer(self, sandbox: SandboxServer) -> None:
        result = run(sandbox, "preview", "--email", "maria.santos@bayanihan.example")
        assert result.exit_code == 0, result.output
        out = result.output
        assert "Maria Santos · Bayanihan Logistics — Salesforce" in out
        assert "Invoice INV-2291 charged twice" in out
        assert "364000000038 (Tier)" in out
        assert "platinum" in out
        assert "tier_platinum" in out
        assert "credit_limit" in out
        assert "(sensitive: withheld)" in out
        assert "4,748,800" not in out
        assert "4748800" not in out

    def test_a_hubspot_customer_by_phone(self, sandbox: SandboxServer) -> None:
        result = run(sandbox, "preview", "--phone", "+44 20 7946 0123")
        assert result.exit_code == 0, result.output
        assert "James Okafor · Northwind Outfitters — HubSpot" in result.output

    def test_an_unknown_customer(self, sandbox: SandboxServer) -> None:
        result = run(sandbox, "preview", "--email", "someone@else.example")
        assert result.exit_code == 0
        assert "No CRM record matches this customer" in result.output
