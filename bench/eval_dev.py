"""All acceptance figures of the decision engine on the development data, side by side.

    .venv/bin/python bench/eval_dev.py [--data ../shared/data] [--config RULES.yaml]

Reads the labelled public sets in ``../shared/data/dev`` (never copied into the repo);
exits 0 with a message when they are absent. Every message is decided as a one-message
conversation by the engine with the given rules (default preset) and the shipped models,
exactly as the daemon would. Figures, with what each set measures:

1. explicit human requests: Bitext ``contact_human_agent`` (recall of ``customer_request``).
2. always-human: Bitext ``complaint`` and the six Banking77 account-security intents
   (category A recall); routine requests (Bitext's 24 other intents, Banking77's other 71)
   escalated by *any* trigger count as false escalations. The security head is trained on
   Banking77 *train*, so security recall is reported on *test* (train shown for contrast).
3. frustration: GoEmotions *dev* (anger, annoyance, disappointment, disapproval, disgust),
   ours (frustration >= the model's detection threshold) against VADER (compound <= -0.05),
   both computed here in the same run.
5. throughput: ``bench/bench_engine.py``'s warm figure (its conversations of mostly real
   requests, each run starting with empty token caches).
4. loops: Banking77 *test*, triples of three different people's paraphrases of one intent
   against triples of three different intents, half of them near intents (each intent's
   nearest neighbours by TF-IDF centroid on *train*, a representation the engine does not
   use). A triple is one conversation of three customer turns; a loop is the ``loop`` trigger.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.models import load_models  # noqa: E402
from config.rules import load_rules  # noqa: E402
from core.conversation import ConversationSnapshot, CustomerInfo, Turn  # noqa: E402
from core.decision import Category, Decision  # noqa: E402
from core.engine import Engine  # noqa: E402
from core.events import Role  # noqa: E402
from core.nlp.models import TextModels  # noqa: E402
from scripts.devdata import loop_triples, read_goemotions  # noqa: E402

SECURITY = {
    "compromised_card",
    "lost_or_stolen_card",
    "lost_or_stolen_phone",
    "card_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "direct_debit_payment_not_recognised",
}
BITEXT_EXCLUDED = {"contact_customer_service"}  # ambiguous (hours vs. someone): not scored
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday morning: business hours everywhere


def conversation(texts: Sequence[str], cid: str = "c") -> ConversationSnapshot:
    turns = tuple(
        Turn(f"{cid}-{i}", Role.CUSTOMER, t, T0 + timedelta(minutes=2 * i), f"e{i}")
        for i, t in enumerate(texts)
    )
    return ConversationSnapshot(cid, "web_chat", CustomerInfo(), turns)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def rate(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def f1(gold: Sequence[bool], pred: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def f1_gap_interval(
    gold: Sequence[bool], ours: Sequence[bool], theirs: Sequence[bool], draws: int = 2000
) -> tuple[float, float]:
    """95 % paired-bootstrap interval of F1(ours) - F1(theirs): how far the gap between two
    detectors on the same messages could move with another sample of the same size."""
    import numpy as np

    g, a, b = (np.asarray(x, dtype=bool) for x in (gold, ours, theirs))
    picks = np.random.default_rng(0).integers(0, len(g), size=(draws, len(g)))

    def scores(pred: np.ndarray) -> np.ndarray:
        gp, pp = g[picks], pred[picks]
        tp = (gp & pp).sum(axis=1)
        return 2 * tp / np.maximum(gp.sum(axis=1) + pp.sum(axis=1), 1)

    low, high = np.percentile(scores(a) - scores(b), [2.5, 97.5])
    return float(low), float(high)


class Evaluation:
    def __init__(self, data: Path, engine: Engine) -> None:
        self.data = data / "dev"
        self.engine = engine
        self.rows: list[tuple[str, str, str, str]] = []  # (figure, value, target, verdict)

    def decide(self, text: str, cid: str = "c") -> Decision:
        return self.engine.decide(conversation([text], cid), "e0")

    def add(
        self, figure: str, value: float, target: str = "", ok: bool | None = None, fmt: str = ".3f"
    ) -> None:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append((figure, format(value, fmt), target, verdict))

    def note(self, figure: str, value: str) -> None:
        self.rows.append((figure, value, "", ""))

    # 1 + 2 ------------------------------------------------------------------------
    def requests_and_topics(self) -> None:
        bitext = _csv(self.data / "bitext" / "bitext_cs_6480rows_2023-08-07.csv")
        test = _csv(self.data / "banking77" / "test.csv")
        train = _csv(self.data / "banking77" / "train.csv")
        decided = [(r["intent"], self.decide(r["instruction"])) for r in bitext]

        asked = [d for intent, d in decided if intent == "contact_human_agent"]
        recall = rate(["customer_request" in _names(d) for d in asked])
        self.add(
            f"human request recall (Bitext, n={len(asked)})", recall, ">= 0.98", recall >= 0.98
        )

        complaints = [d for intent, d in decided if intent == "complaint"]
        c_recall = rate([d.category is Category.A for d in complaints])
        sec_test = [self.decide(r["text"]) for r in test if r["category"] in SECURITY]
        s_recall = rate([d.category is Category.A for d in sec_test])
        both = rate([d.category is Category.A for d in complaints + sec_test])
        self.add(
            f"always-human recall: complaint + security (n={len(complaints) + len(sec_test)})",
            both,
            ">= 0.95",
            both >= 0.95,
        )
        self.add(f"  complaint recall (Bitext, n={len(complaints)})", c_recall)
        self.add(f"  security recall (Banking77 test, n={len(sec_test)})", s_recall)
        sec_train = [self.decide(r["text"]) for r in train if r["category"] in SECURITY]
        self.add(
            f"  security recall (Banking77 train, in-sample, n={len(sec_train)})",
            rate([d.category is Category.A for d in sec_train]),
        )

        routine_b = [
            d
            for intent, d in decided
            if intent not in BITEXT_EXCLUDED | {"contact_human_agent", "complaint"}
        ]
        routine_t = [self.decide(r["text"]) for r in test if r["category"] not in SECURITY]
        routine = routine_b + routine_t
        false_any = rate([d.escalate for d in routine])
        self.add(
            f"false escalation on routine requests, any trigger (n={len(routine)})",
            false_any,
            "<= 0.03",
            false_any <= 0.03,
        )
        self.add("  of which category A", rate([d.category is Category.A for d in routine]))
        self.add(f"  Bitext routine (n={len(routine_b)})", rate([d.escalate for d in routine_b]))
        self.add(
            f"  Banking77 test routine (n={len(routine_t)})", rate([d.escalate for d in routine_t])
        )
        counts: dict[str, int] = defaultdict(int)
        for d in routine:
            for key in d.trigger_keys:
                counts[key] += 1
        top = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:5])
        self.note("  routine escalations by trigger", top or "none")

    # 3 ----------------------------------------------------------------------------
    def frustration(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        texts, gold = read_goemotions(self.data / "goemotions", "dev")
        vader = SentimentIntensityAnalyzer()
        v_pred = [vader.polarity_scores(t)["compound"] <= -0.05 for t in texts]
        scorer = self.engine.models.frustration
        threshold = scorer.threshold if scorer is not None else self.engine.rules.sentiment.floor
        ours = [
            self.engine.analyze(conversation([t], f"g{i}").turns[0]) for i, t in enumerate(texts)
        ]
        o_pred = [a.frustration >= threshold for a in ours]
        _, _, v_f1 = f1(gold, v_pred)
        p, r, o_f1 = f1(gold, o_pred)
        self.add(f"frustration F1, VADER (GoEmotions dev, n={len(texts)})", v_f1)
        self.add(
            f"frustration F1, Baton (threshold {threshold:.2f})",
            o_f1,
            f">= VADER + 0.15 = {v_f1 + 0.15:.3f}",
            o_f1 >= v_f1 + 0.15,
        )
        low, high = f1_gap_interval(gold, o_pred, v_pred)
        self.note(
            "  Baton - VADER, 95 % paired-bootstrap interval",
            f"{o_f1 - v_f1:.3f} ({low:.3f} to {high:.3f}); the target asks 0.150",
        )
        self.add("  Baton precision", p)
        self.add("  Baton recall", r)
        if scorer is not None:
            # the model's own verdict, whatever the cues add on top
            model_only = [scorer.message_score(a.words, a.tokens) >= threshold for a in ours]
            self.add("  Baton model alone (no customer-service cues)", f1(gold, model_only)[2])
        lead = "I've been on hold for two hours and nobody has answered"
        a = self.engine.analyze(conversation([lead]).turns[0])
        self.note(
            f"  '{lead}'",
            f"Baton {a.frustration:.2f}, VADER {vader.polarity_scores(lead)['compound']:+.2f}",
        )

    # 4 ----------------------------------------------------------------------------
    def loops(self, triples: int = 1000) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        train = _csv(self.data / "banking77" / "train.csv")
        test = _csv(self.data / "banking77" / "test.csv")
        intents = sorted({r["category"] for r in train})
        tfidf = TfidfVectorizer(sublinear_tf=True).fit([r["text"] for r in train])
        centroids = []
        for intent in intents:
            m = tfidf.transform([r["text"] for r in train if r["category"] == intent]).mean(axis=0)
            v = m.A.ravel()
            centroids.append(v / (sum(x * x for x in v) ** 0.5))
        import numpy as np

        sims = np.array(centroids) @ np.array(centroids).T
        np.fill_diagonal(sims, -1)
        near = {
            intents[i]: [intents[j] for j in np.argsort(-sims[i])[:3]] for i in range(len(intents))
        }
        by_intent: dict[str, list[str]] = defaultdict(list)
        for r in test:
            by_intent[r["category"]].append(r["text"])
        rng = random.Random(7)
        same, different = loop_triples(by_intent, near, rng, triples)

        def loop_f1(engine: Engine) -> tuple[float, float, float]:
            pred = [
                "loop" in _names(engine.decide(conversation(t, f"l{i}"), "e"))
                for i, t in enumerate(same + different)
            ]
            return f1([True] * len(same) + [False] * len(different), pred)

        p, r, score = loop_f1(self.engine)
        self.add(
            f"loop F1 (Banking77 test triples, {triples} same vs {triples} different, "
            "half near intents)",
            score,
            ">= 0.90",
            score >= 0.90,
        )
        self.add("  loop precision", p)
        self.add("  loop recall", r)
        wording = Engine(self.engine.rules, TextModels(frustration=self.engine.models.frustration))
        self.add("  loop F1 by wording alone (no intent model)", loop_f1(wording)[2])
        # unrelated messages must not look like a loop: triples of random Reddit comments
        with (self.data / "goemotions" / "dev.tsv").open(encoding="utf-8") as fh:
            comments = [line.split("\t")[0] for line in fh]
        unrelated = [rng.sample(comments, 3) for _ in range(triples)]
        false_loops = rate(
            [
                "loop" in _names(self.engine.decide(conversation(t, f"u{i}"), "e"))
                for i, t in enumerate(unrelated)
            ]
        )
        self.add(
            f"  false loops on unrelated messages (GoEmotions dev, {triples} triples)", false_loops
        )

    def throughput(self) -> None:
        """The benchmark's warm figure, so that every acceptance figure is in one table."""
        sys.path.insert(0, str(ROOT / "bench"))
        import bench_engine

        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
        real = bench_engine.dev_texts(self.data.parent)
        work = bench_engine.snapshots(bench_engine.conversations(300, 10, real=real))
        speed = bench_engine.reference_loop(), bench_engine.reference_memory()
        runs = [
            bench_engine.run(Engine(self.engine.rules, self.engine.models), work, cold=False)
            for _ in range(3)
        ]
        best = min(runs, key=sum)
        rate = len(best) / (sum(best) / 1e6)
        ordered = sorted(best)
        self.add(
            f"throughput, msg/s on one core (bench_engine, {len(work)} messages, "
            "mostly real requests, best of 3)",
            rate,
            ">= 5,000",
            rate >= 5000,
            fmt=",.0f",
        )
        self.note("  engine", bench_engine.engine_build())
        self.note(
            "  latency per decision p50 / p99",
            f"{ordered[len(ordered) // 2]:.0f} / {ordered[int(len(ordered) * 0.99)]:.0f} µs",
        )
        after = bench_engine.reference_loop(), bench_engine.reference_memory()
        self.note(
            "  machine: reference Python loop (lower is faster)",
            f"{speed[0]:.0f} ns/iteration before, {after[0]:.0f} after",
        )
        self.note(
            "  machine: random memory read (lower is faster)",
            f"{speed[1]:.1f} ns before, {after[1]:.1f} after",
        )

    def print(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        print(f"{'figure':<{width}}  {'value':>7}  {'target':<22} verdict")
        print("-" * (width + 42))
        for figure, value, target, verdict in self.rows:
            print(f"{figure:<{width}}  {value:>7}  {target:<22} {verdict}")


def _names(decision: Decision) -> set[str]:
    return {t.name for t in decision.triggers}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Baton engine acceptance figures on dev data")
    default = Path(os.environ.get("BATON_DEV_DATA", ROOT.parent / "shared" / "data"))
    ap.add_argument("--data", type=Path, default=default)
    ap.add_argument("--config", default=None, help="rules: preset name or YAML (default preset)")
    ap.add_argument("--triples", type=int, default=1000)
    ap.add_argument("--models", default=None, help="text models archive (default: the shipped one)")
    args = ap.parse_args(argv)
    if not (args.data / "dev").is_dir():
        print(f"skipped: no development data under {args.data} (see shared/data/README.md)")
        return 0
    started = time.time()
    engine = Engine(load_rules(args.config), load_models(args.models))
    ev = Evaluation(args.data, engine)
    steps: list[Callable[[], None]] = [
        ev.requests_and_topics,
        ev.frustration,
        lambda: ev.loops(args.triples),
        ev.throughput,
    ]
    for step in steps:
        step()
    ev.print()
    failed = sum(r[3] == "FAIL" for r in ev.rows)
    print(f"\n{len(ev.rows)} figures, {failed} below target, {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
