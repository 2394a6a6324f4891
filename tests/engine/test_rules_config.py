"""Rules files: presets load, and every kind of mistake names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.rules import PRESETS, RulesError, load_engine, load_rules
from core.errors import ConfigError

from .helpers import conversation, keys


def _write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestPresets:
    @pytest.mark.parametrize("name", PRESETS)
    def test_each_preset_loads(self, name: str) -> None:
        assert load_rules(name).topics

    def test_telecom_adds_a_topic_in_config(self) -> None:
        engine = load_engine("telecom")
        assert "preferred_human_topic:service_outage" in keys(
            engine.decide(conversation("walang signal dito since morning"))
        )

    def test_a_file_extends_a_preset_and_overrides_it(self, tmp_path: Path) -> None:
        path = _write(tmp_path, "extends: finance\nsentiment:\n  floor: 0.7\n")
        rules = load_rules(path)
        assert rules.sentiment.floor == 0.7
        assert rules.topics["contract_dispute"].min_amount == 500  # from finance

    def test_a_new_language_in_config(self, tmp_path: Path) -> None:
        path = _write(
            tmp_path,
            "languages: [en, vi]\nlexicon:\n  human_request_phrase:\n    vi: ['gặp nhân viên']\n",
        )
        engine = load_engine(path)
        assert engine.decide(conversation("cho tôi gặp nhân viên")).escalate


BAD = [
    ("sentiment:\n  floor: 1.5\n", 2, "sentiment.floor", "less than or equal to 1"),
    ("loop:\n  repeats: 3\n  repeat_count: 2\n", 3, "loop.repeat_count", "Extra inputs"),
    ("topics:\n  legal:\n    priority: extreme\n", 3, "topics.legal.priority", "'urgent'"),
    (
        "topics:\n  x:\n    kind: always_human\n    priority: high\n    patterns:\n"
        "      - {all: [no_such_concept]}\n",
        6,
        "topics.x.patterns.0",
        "unknown concept 'no_such_concept'",
    ),
    (
        "business_rules:\n  - name: r\n    when:\n      - {field: crm.tier, eq: a, ne: b}\n",
        4,
        "business_rules.0.when.0",
        "exactly one operator",
    ),
    (
        "business_rules:\n  - name: r\n    when: [{field: weather, eq: sunny}]\n",
        3,
        "business_rules.0.when.0.field",
        "pattern",
    ),
    (
        "business_hours:\n  timezone: Mars/Olympus\n",
        2,
        "business_hours.timezone",
        "unknown time zone",
    ),
    ("business_hours:\n  days: {mon: '9-5'}\n", 2, "business_hours.days", "HH:MM-HH:MM"),
    ("business_hours:\n  days: {funday: '09:00-17:00'}\n", 2, "business_hours.days", "unknown day"),
    ("languages: [en, xx]\n", 1, "languages", "'xx' has no lexicon"),
    (
        "low_confidence:\n  threshold: 0.3\n  very_low: 0.5\n",
        1,
        "low_confidence",
        "very_low must not be above threshold",
    ),
    (
        "business_rules:\n  - {name: a, when: [{field: channel, eq: x}]}\n"
        "  - {name: a, when: [{field: channel, eq: y}]}\n",
        1,
        "business_rules",
        "duplicate rule names",
    ),
    ("sentiment:\n  floor: [\n", 3, "(yaml)", "expected"),
    (
        "business_rules:\n  - {name: big spender, when: [{field: channel, eq: x}]}\n",
        2,
        "business_rules.0.name",
        "pattern",
    ),
    ("topics:\n  my topic: {kind: always_human, priority: high}\n", 1, "topics", "becomes a tag"),
    ("extends: no-such-preset.yaml\n", None, "cannot read", ""),
]


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "line", "field", "problem"), BAD, ids=[b[2] + ":" + b[3] for b in BAD]
    )
    def test_names_file_line_and_field(
        self, tmp_path: Path, text: str, line: int | None, field: str, problem: str
    ) -> None:
        path = _write(tmp_path, text)
        with pytest.raises(RulesError) as caught:
            load_rules(path)
        assert isinstance(caught.value, ConfigError)
        message = str(caught.value)
        if line is not None:
            assert f"{path}:{line}: {field}: " in message
        assert problem in message

    def test_all_problems_at_once(self, tmp_path: Path) -> None:
        path = _write(tmp_path, "sentiment:\n  floor: 2\nloop:\n  repeats: 0\n")
        with pytest.raises(RulesError) as caught:
            load_rules(path)
        assert len(caught.value.problems) == 2

    def test_error_in_a_parent_file_names_the_parent(self, tmp_path: Path) -> None:
        _write(tmp_path, "sentiment:\n  floor: 3\n", "base.yaml")
        child = _write(tmp_path, "extends: base.yaml\nloop:\n  repeats: 4\n")
        with pytest.raises(RulesError, match=r"base\.yaml:2: sentiment\.floor"):
            load_rules(child)

    def test_circular_extends(self, tmp_path: Path) -> None:
        _write(tmp_path, "extends: b.yaml\n", "a.yaml")
        _write(tmp_path, "extends: a.yaml\n", "b.yaml")
        with pytest.raises(RulesError, match="circular"):
            load_rules(tmp_path / "a.yaml")

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(RulesError, match="cannot read"):
            load_rules(tmp_path / "nope.yaml")

    def test_not_a_mapping(self, tmp_path: Path) -> None:
        with pytest.raises(RulesError, match=r":1: \(file\)"):
            load_rules(_write(tmp_path, "- a\n- b\n"))
