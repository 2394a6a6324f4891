"""A mapping file is validated once at start; each problem names file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.mappings import DEMO_MAPPING, load_mapping
from core.errors import ConfigError, MappingError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def demo_with(old: str, new: str) -> str:
    text = DEMO_MAPPING.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


class TestDemoMapping:
    def test_the_bundled_mapping_is_valid(self) -> None:
        mapping = load_mapping(DEMO_MAPPING)
        assert mapping.sources == ("salesforce", "hubspot")
        assert "Account.Tier__c" in mapping.field_paths("salesforce")
        assert mapping.sensitive_fields == ("credit_limit", "payment_status")

    def test_routes_send_some_customers_to_hubspot_only(self) -> None:
        mapping = load_mapping(DEMO_MAPPING)
        assert mapping.sources_for("budi@kopinusantara.example", None, None) == ("hubspot",)
        assert mapping.sources_for("ana.tan@lumenfoods.example", None, None) == (
            "salesforce",
            "hubspot",
        )


class TestErrors:
    """Every error is ``file:line: field: problem``."""

    def test_a_wrong_transform_type_names_its_line_and_field(self, tmp_path: Path) -> None:
        text = demo_with("transform: {type: currency}", "transform: {type: money}")
        path = write(tmp_path, text)
        with pytest.raises(MappingError) as caught:
            load_mapping(path)
        message = str(caught.value)
        line = line_of(text, "transform: {type: money}")
        assert f"{path}:{line}: fields.3 (arr).transform.type: Input should be" in message

    def test_a_sensitive_field_sent_to_zendesk_is_refused(self, tmp_path: Path) -> None:
        text = demo_with(
            "    sensitive: true\n    rule: credit_limit",
            "    sensitive: true\n    rule: credit_limit\n    zendesk: {tag: 'limit_{value}'}",
        )
        path = write(tmp_path, text)
        with pytest.raises(
            MappingError, match="a sensitive field cannot be sent to Zendesk"
        ) as caught:
            load_mapping(path)
        assert re.search(r"mapping\.yaml:\d+: fields\.\d+ \(credit_limit\): ", str(caught.value))

    def test_a_count_of_an_undefined_list_is_named(self, tmp_path: Path) -> None:
        text = demo_with(
            "salesforce: {count: open_cases, where: {Type: Dispute}}",
            "salesforce: {count: open_cass, where: {Type: Dispute}}",
        )
        path = write(tmp_path, text)
        with pytest.raises(MappingError) as caught:
            load_mapping(path)
        line = line_of(text, "{count: open_cass")
        assert (
            f"{path}:{line}: fields.10 (open_disputes).salesforce.count: list "
            "'open_cass' is not defined in salesforce.lists"
        ) in str(caught.value)

    def test_unknown_keys_are_refused(self, tmp_path: Path) -> None:
        text = demo_with("  on_none: next_source", "  on_none: next_source\n  on_nothing: x")
        path = write(tmp_path, text)
        with pytest.raises(MappingError) as caught:
            load_mapping(path)
        assert f"{path}:{line_of(text, 'on_nothing')}: match.on_nothing: Extra inputs" in str(
            caught.value
        )

    def test_malformed_yaml_names_the_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, "version: 1\nsources: [salesforce\nfields: []\n")
        with pytest.raises(MappingError, match=rf"{re.escape(str(path))}:\d+: malformed YAML"):
            load_mapping(path)

    def test_a_missing_file_is_a_config_error(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="file not found"):
            load_mapping(tmp_path / "absent.yaml")

    def test_a_source_without_its_section(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            "version: 1\nsources: [hubspot]\nfields:\n"
            "  - name: tier\n    hubspot: company.customer_tier\n",
        )
        with pytest.raises(MappingError, match=r"mapping\.yaml:2: sources: hubspot is used but"):
            load_mapping(path)
