"""``baton replay`` and ``baton evaluate`` over recorded events."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from main import app

EVENTS = [
    {
        "event_id": "e1",
        "type": "conversation_started",
        "conversation_id": "c1",
        "occurred_at": "2026-11-30T10:00:00+08:00",
        "channel": "web_chat",
        "customer": {"id": "u1"},
        "metadata": {"crm": {"tier": "gold"}},
    },
    {
        "event_id": "e2",
        "type": "message",
        "conversation_id": "c1",
        "occurred_at": "2026-11-30T10:00:05+08:00",
        "message": {"id": "m1", "role": "customer", "text": "where is my refund"},
    },
    {
        "event_id": "e3",
        "type": "message",
        "conversation_id": "c1",
        "occurred_at": "2026-11-30T10:00:06+08:00",
        "message": {"id": "b1", "role": "bot", "text": "Let me check."},
        "bot": {"intent": "refund_status", "confidence": 0.9},
    },
    {
        "event_id": "e4",
        "type": "message",
        "conversation_id": "c1",
        "occurred_at": "2026-11-30T10:01:00+08:00",
        "message": {"id": "m2", "role": "customer", "text": "I want to talk to a human"},
    },
    {
        "event_id": "e4",
        "type": "message",
        "conversation_id": "c1",
        "occurred_at": "2026-11-30T10:01:00+08:00",
        "message": {"id": "m2", "role": "customer", "text": "duplicate event id: ignored"},
    },
    {
        "event_id": "e5",
        "type": "message",
        "conversation_id": "c2",
        "occurred_at": "2026-11-30T10:02:00+08:00",
        "message": {"id": "m1", "role": "customer", "text": "how do I change my address"},
    },
    {
        "event_id": "e6",
        "type": "message",
        "conversation_id": "c3",
        "occurred_at": "2026-11-30T10:03:00+08:00",
        "message": {"id": "m1", "role": "customer", "text": "my card was stolen"},
    },
]


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


class TestReplay:
    def test_writes_each_change_and_each_final_state(self, tmp_path: Path) -> None:
        events = _jsonl(tmp_path / "events.jsonl", EVENTS)
        out = tmp_path / "decisions.jsonl"
        result = CliRunner().invoke(app, ["replay", "--input", str(events), "--output", str(out)])
        assert result.exit_code == 0, result.output
        assert "3 conversations, 2 escalated" in result.output
        lines = _read(out)
        c1 = [x for x in lines if x["conversation_id"] == "c1"]
        assert [x["escalate"] for x in c1] == [False, True, True]
        assert [x["final"] for x in c1] == [False, False, True]
        final = c1[-1]
        assert final["decided_at_event"] == "e4"
        assert final["triggers"] == [
            {"name": "customer_request", "message_id": "m2", "evidence": "talk to a human"}
        ]
        c3 = next(x for x in lines if x["conversation_id"] == "c3" and x["final"])
        assert c3["category"] == "A"
        assert c3["triggers"][0]["topic"] == "security_incident"

    def test_every_escalation_names_triggers_with_evidence(self, tmp_path: Path) -> None:
        events = _jsonl(tmp_path / "events.jsonl", EVENTS)
        out = tmp_path / "d.jsonl"
        CliRunner().invoke(app, ["replay", "-i", str(events), "-o", str(out)])
        for line in _read(out):
            if line["escalate"]:
                assert line["triggers"]
                assert all(t["name"] and t["evidence"] for t in line["triggers"])  # type: ignore[index,union-attr]

    def test_shadow_mode_compares_two_rule_sets(self, tmp_path: Path) -> None:
        events = _jsonl(tmp_path / "events.jsonl", EVENTS)
        vip = tmp_path / "vip.yaml"
        vip.write_text(
            "business_rules:\n  - {name: gold, when: [{field: crm.tier, eq: gold}], effect: vip}\n"
        )
        result = CliRunner().invoke(
            app,
            ["replay", "-i", str(events), "-o", str(tmp_path / "d.jsonl"), "--compare", str(vip)],
        )
        assert result.exit_code == 0, result.output
        assert "always_human_topic:vip" in result.output
        assert "1 of 3 conversations decided differently" in result.output
        assert "c1: escalate C/normal (customer_request)" in result.output

    def test_a_bad_event_names_line_and_field(self, tmp_path: Path) -> None:
        bad = dict(EVENTS[1])
        bad["message"] = {"id": "m1", "role": "robot", "text": "x"}
        events = _jsonl(tmp_path / "events.jsonl", [EVENTS[0], bad])
        result = CliRunner().invoke(
            app, ["replay", "-i", str(events), "-o", str(tmp_path / "d.jsonl")]
        )
        assert result.exit_code == 2
        assert "events.jsonl:2: message.role" in result.output

    def test_a_bad_rules_file(self, tmp_path: Path) -> None:
        events = _jsonl(tmp_path / "events.jsonl", EVENTS)
        rules = tmp_path / "r.yaml"
        rules.write_text("loop:\n  repeats: 0\n")
        result = CliRunner().invoke(
            app, ["replay", "-i", str(events), "-o", str(tmp_path / "d.jsonl"), "-c", str(rules)]
        )
        assert result.exit_code == 2
        assert "r.yaml:2: loop.repeats" in result.output


class TestEvaluate:
    def test_precision_recall_f1_and_category_recall(self, tmp_path: Path) -> None:
        events = _jsonl(tmp_path / "events.jsonl", EVENTS)
        out = tmp_path / "d.jsonl"
        CliRunner().invoke(app, ["replay", "-i", str(events), "-o", str(out)])
        gold = _jsonl(
            tmp_path / "gold.jsonl",
            [
                {"conversation_id": "c1", "gold": "yes", "category": "C"},
                {"conversation_id": "c2", "gold": "yes", "category": "B"},
                {"conversation_id": "c3", "gold": "yes", "category": "A"},
            ],
        )
        result = CliRunner().invoke(
            app, ["evaluate", "--decisions", str(out), "--labels", str(gold)]
        )
        assert result.exit_code == 0, result.output
        assert "precision 1.000  recall 0.667  F1 0.800" in result.output
        assert "category A     recall 1.000" in result.output
        assert "category B     recall 0.000" in result.output

    def test_bad_gold_line(self, tmp_path: Path) -> None:
        decisions = _jsonl(tmp_path / "d.jsonl", [])
        gold = _jsonl(tmp_path / "g.jsonl", [{"conversation_id": "c1", "gold": "maybe"}])
        result = CliRunner().invoke(app, ["evaluate", "-d", str(decisions), "-l", str(gold)])
        assert result.exit_code == 2
        assert "g.jsonl:1: gold" in result.output
