"""``baton replay`` and ``baton evaluate``: the engine over recorded events, and its scores.

    baton replay --input EVENTS.jsonl --output DECISIONS.jsonl [--config RULES] [--compare OTHER]
    baton evaluate --decisions DECISIONS.jsonl --labels GOLD.jsonl

``replay`` folds the events (DESIGN.md's schema, JSON Lines) into conversations exactly as
ingest does, decides after every customer message and handoff request, and writes one
decision object (DESIGN.md's decision schema, plus ``"final"``) each time a
conversation's decision changes, then each conversation's final state (``"final": true``).
CRM fields recorded on an event's ``metadata.crm`` feed the business rules. With
``--compare`` it also runs the other rules (shadow mode) and prints the escalation rate by
trigger under both and the conversations whose final decision differs.

``evaluate`` reads gold lines ``{"conversation_id", "gold": "yes"|"no", "category"}`` and
prints precision, recall and F1 of escalation, and recall per category.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from config.models import load_models
from config.rules import load_rules
from core.conversation import ConversationSnapshot, CustomerInfo, HandoffRequest, Turn
from core.decision import Decision
from core.engine import Engine
from core.errors import BatonError, ConfigError
from core.events import Event, EventBatchError, EventType, Role, parse_events


class ReplayError(BatonError):
    """An input file of ``replay``/``evaluate`` is unreadable or malformed."""

    who_acts = "config"


@dataclass
class _Conversation:
    conversation_id: str
    channel: str | None = None
    customer: CustomerInfo = field(default_factory=CustomerInfo)
    turns: list[Turn] = field(default_factory=list)
    message_ids: set[str] = field(default_factory=set)
    handoffs: list[HandoffRequest] = field(default_factory=list)
    ended: bool = False
    started_at: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    crm: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> ConversationSnapshot:
        return ConversationSnapshot(
            conversation_id=self.conversation_id,
            channel=self.channel,
            customer=self.customer,
            turns=tuple(self.turns),
            handoff_requests=tuple(self.handoffs),
            ended=self.ended,
            started_at=self.started_at,
            metadata=dict(self.metadata),
            crm=dict(self.crm),
        )


def read_events(path: Path) -> list[Event]:
    """Every event of a JSON Lines file (a JSON array is accepted too), validated.

    Errors name the file, the line and the field. Events are put in time order (ties keep
    file order) and duplicate ``event_id``s are dropped, as ingest does.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ReplayError(f"{path}: cannot read: {err.strerror or err}") from err
    items: list[tuple[int, Any]] = []
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = [(1, v) for v in json.loads(text)]
        except json.JSONDecodeError as err:
            raise ReplayError(f"{path}:{err.lineno}: malformed JSON: {err.msg}") from err
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    items.append((number, json.loads(line)))
                except json.JSONDecodeError as err:
                    raise ReplayError(f"{path}:{number}: malformed JSON: {err.msg}") from err
    events: list[Event] = []
    problems: list[str] = []
    for number, item in items:
        try:
            events.extend(parse_events([item], single=True))
        except EventBatchError as err:
            problems.extend(f"{path}:{number}: {p.field}: {p.message}" for p in err.problems)
    if problems:
        raise ReplayError("invalid events:\n  " + "\n  ".join(problems))
    seen: set[str] = set()
    unique = []
    for ev in events:
        if ev.event_id not in seen:
            seen.add(ev.event_id)
            unique.append(ev)
    return sorted(unique, key=lambda e: e.occurred_at)


def _apply(conv: _Conversation, ev: Event) -> bool:
    """Fold one event into the conversation; True when the engine decides after it."""
    conv.channel = ev.channel or conv.channel
    if ev.customer is not None:
        c, old = ev.customer, conv.customer
        conv.customer = CustomerInfo(
            id=c.id or old.id,
            email=c.email or old.email,
            name=c.name or old.name,
            phone=c.phone or old.phone,
        )
    if conv.started_at is None or ev.occurred_at < conv.started_at:
        conv.started_at = ev.occurred_at
    crm = ev.metadata.get("crm") if ev.metadata else None
    if isinstance(crm, dict):
        conv.crm.update(crm)
    if ev.type is EventType.CONVERSATION_STARTED and ev.metadata:
        conv.metadata.update({k: v for k, v in ev.metadata.items() if k != "crm"})
    if ev.type is EventType.MESSAGE and ev.message is not None:
        if ev.message.id in conv.message_ids:
            return False  # the same message re-sent under another event id
        conv.message_ids.add(ev.message.id)
        conv.turns.append(
            Turn(
                message_id=ev.message.id,
                role=ev.message.role,
                text=ev.message.text,
                occurred_at=ev.occurred_at,
                event_id=ev.event_id,
                intent=ev.bot.intent if ev.bot else None,
                confidence=ev.bot.confidence if ev.bot else None,
            )
        )
        return ev.message.role is Role.CUSTOMER and not conv.ended
    if ev.type is EventType.HANDOFF_REQUESTED:
        reason = ev.metadata.get("reason") if ev.metadata else None
        conv.handoffs.append(
            HandoffRequest(ev.event_id, ev.occurred_at, reason if isinstance(reason, str) else None)
        )
        return not conv.ended
    if ev.type is EventType.CONVERSATION_ENDED:
        conv.ended = True
    return False


def _state(d: Decision) -> tuple[Any, ...]:
    return (d.escalate, d.category, d.priority, d.trigger_keys)


def decision_line(d: Decision, final: bool) -> dict[str, Any]:
    """DESIGN.md's decision object (nulls omitted from triggers), plus ``final``."""
    return {
        "conversation_id": d.conversation_id,
        "escalate": d.escalate,
        "category": d.category.value,
        "priority": d.priority.value,
        "triggers": [t.model_dump(mode="json", exclude_none=True) for t in d.triggers],
        "decided_at_event": d.decided_at_event,
        "final": final,
    }


def run_replay(events: Iterable[Event], engine: Engine) -> Iterator[dict[str, Any]]:
    """Decision lines: one per change as events arrive, then each conversation's final one."""
    conversations: dict[str, _Conversation] = {}
    current: dict[str, Decision] = {}
    for ev in events:
        conv = conversations.setdefault(ev.conversation_id, _Conversation(ev.conversation_id))
        if not _apply(conv, ev):
            continue
        decision = engine.decide(conv.snapshot(), ev.event_id)
        before = current.get(ev.conversation_id)
        if before is None or _state(before) != _state(decision):
            current[ev.conversation_id] = decision
            yield decision_line(decision, final=False)
    for cid, conv in conversations.items():
        final = current.get(cid)
        if final is None:  # never decided (no customer message): the bot keeps it
            final = engine.decide(
                ConversationSnapshot(cid, conv.channel, conv.customer, (), ended=conv.ended)
            )
        yield decision_line(final, final=True)


def _finals(lines: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for line in lines:
        if line.get("final", True) or line["conversation_id"] not in out:
            out[line["conversation_id"]] = line
    return out


def _keys(line: dict[str, Any]) -> set[str]:
    return {f"{t['name']}:{t['topic']}" if t.get("topic") else t["name"] for t in line["triggers"]}


def _describe(line: dict[str, Any] | None) -> str:
    if line is None or not line["escalate"]:
        return "bot keeps it"
    return f"escalate {line['category']}/{line['priority']} ({', '.join(sorted(_keys(line)))})"


def compare_report(
    primary: dict[str, dict[str, Any]], other: dict[str, dict[str, Any]], names: tuple[str, str]
) -> list[str]:
    """Escalation rate by trigger under both rule sets, and the conversations that differ."""
    total = len(primary) or 1
    out = [f"{'':42} {names[0]:>14} {names[1]:>14}"]
    rate_a = sum(v["escalate"] for v in primary.values()) / total
    rate_b = sum(v["escalate"] for v in other.values()) / total
    out.append(f"{'escalation rate':42} {rate_a:>14.1%} {rate_b:>14.1%}")
    count_a = Counter(k for v in primary.values() if v["escalate"] for k in _keys(v))
    count_b = Counter(k for v in other.values() if v["escalate"] for k in _keys(v))
    for key in sorted(set(count_a) | set(count_b)):
        out.append(f"  {key:40} {count_a[key] / total:>12.1%} {count_b[key] / total:>14.1%}")
    differ = []
    for cid in primary:
        a, b = primary.get(cid), other.get(cid)
        if (
            a is None
            or b is None
            or (a["escalate"], a["category"], a["priority"], _keys(a))
            != (b["escalate"], b["category"], b["priority"], _keys(b))
        ):
            differ.append(f"  {cid}: {_describe(a)}  →  {_describe(b)}")
    out.append(f"{len(differ)} of {len(primary)} conversations decided differently")
    out.extend(differ)
    return out


def _engine(rules: str | None) -> Engine:
    return Engine(load_rules(rules), load_models())


def replay(
    input: Annotated[Path, typer.Option("--input", "-i", help="Recorded events (JSON Lines).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Decisions (JSON Lines).")],
    config: Annotated[
        str | None, typer.Option("--config", "-c", help="Rules: a preset name or a YAML file.")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare", help="Shadow mode: other rules to compare with (preset or file)."
        ),
    ] = None,
) -> None:
    """Run the decision engine over recorded events; write every decision change."""
    try:
        engine = _engine(config)
        shadow = _engine(compare) if compare else None
        events = read_events(input)
    except (ConfigError, ReplayError) as err:
        typer.echo(f"baton replay: {err}", err=True)
        raise typer.Exit(2) from err
    lines = list(run_replay(events, engine))
    with output.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    finals = _finals(lines)
    escalated = sum(v["escalate"] for v in finals.values())
    typer.echo(
        f"{len(events)} events, {len(finals)} conversations, {escalated} escalated, "
        f"{len(lines) - len(finals)} decision changes written to {output}"
    )
    if shadow is not None:
        other = _finals(run_replay(events, shadow))
        names = (config or "default", compare or "")
        for row in compare_report(finals, other, names):
            typer.echo(row)


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ReplayError(f"{path}: cannot read: {err.strerror or err}") from err
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            raise ReplayError(f"{path}:{number}: malformed JSON: {err.msg}") from err
        if not isinstance(value, dict) or "conversation_id" not in value:
            raise ReplayError(f"{path}:{number}: conversation_id: field required")
        yield number, value


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    tn: int
    category_recall: dict[str, tuple[float, int]]
    missing: int


def score(decisions: dict[str, dict[str, Any]], gold: dict[str, dict[str, Any]]) -> Scores:
    tp = fp = fn = tn = missing = 0
    per_category: dict[str, list[bool]] = {}
    for cid, label in gold.items():
        line = decisions.get(cid)
        if line is None:
            missing += 1
        predicted = bool(line and line["escalate"])
        expected = label["gold"] == "yes"
        tp += predicted and expected
        fp += predicted and not expected
        fn += expected and not predicted
        tn += not predicted and not expected
        category = label.get("category")
        if category:
            hit = (line["category"] if line else "C") == category and predicted == expected
            per_category.setdefault(str(category), []).append(hit)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    cats = {c: (sum(v) / len(v), len(v)) for c, v in sorted(per_category.items())}
    return Scores(precision, recall, f1, tp, fp, fn, tn, cats, missing)


def evaluate(
    decisions: Annotated[
        Path, typer.Option("--decisions", "-d", help="Output of baton replay (JSON Lines).")
    ],
    labels: Annotated[
        Path, typer.Option("--labels", "-l", help='Gold lines {"conversation_id", "gold", ...}.')
    ],
) -> None:
    """Score replayed decisions against gold labels: precision, recall, F1, per category."""
    try:
        finals = _finals(v for _, v in _read_jsonl(decisions))
        gold: dict[str, dict[str, Any]] = {}
        for number, value in _read_jsonl(labels):
            if value.get("gold") not in ("yes", "no"):
                raise ReplayError(f'{labels}:{number}: gold: must be "yes" or "no"')
            if value.get("category") not in (None, "A", "B", "C"):
                raise ReplayError(f"{labels}:{number}: category: must be A, B or C")
            gold[str(value["conversation_id"])] = value
    except ReplayError as err:
        typer.echo(f"baton evaluate: {err}", err=True)
        raise typer.Exit(2) from err
    s = score(finals, gold)
    typer.echo(f"conversations  {len(gold)} labelled, {s.missing} without a decision")
    typer.echo(
        f"escalation     precision {s.precision:.3f}  recall {s.recall:.3f}  "
        f"F1 {s.f1:.3f}   (tp {s.tp}, fp {s.fp}, fn {s.fn}, tn {s.tn})"
    )
    for category, (value, n) in s.category_recall.items():
        typer.echo(f"category {category}     recall {value:.3f}  (n={n})")
