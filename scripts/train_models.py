"""Train the small text models the decision engine ships with (reproducible, offline).

    .venv/bin/python scripts/train_models.py [--data ../shared/data] [--out FILE]
        [--frustration-cnn STUDENT.npz ...] [--frustration-threshold T]

Three models, all linear over the same features the engine computes at run time
(``core.nlp.text.text_features``), so training and serving cannot drift apart:

- ``frustration``: logistic regression, GoEmotions *train* split; "frustrated" = any of
  anger, annoyance, disappointment, disapproval, disgust. Its detection threshold is the
  F1-best threshold of 3-fold out-of-fold predictions on the train split (dev is never seen).
  With ``--frustration-cnn``, the engine's frustration scorer is instead a small CNN
  distilled from a fine-tuned transformer (``scripts/research/frustration_cnn/``, which
  needs torch and a few hours on two cores); the regression stays in the archive for comparison.
- ``security_incident`` topic head: logistic regression, Banking77 *train* split, the six
  account-security intents against the other 71 (test split never seen); threshold by
  out-of-fold F2, since missing a security incident costs more than one extra ticket.
- ``known_words``: words of six letters or more written at least twice in GoEmotions and
  Banking77 train (natural text), which the lexicon never reads as typos.
- ``intents``: multinomial logistic regression over Banking77 *train* (77 intents) and
  Bitext (27 intents); its softmax is the "meaning" the loop trigger compares. Small
  weights are pruned and the rest quantised to int8. The loop trigger's similarity
  threshold is calibrated on a held-out fifth of Banking77 *train* (``calibrate_loops``).

Needs the ``dev`` extra (scikit-learn). Takes a few minutes on one core. The output is a
NumPy ``.npz`` archive (``.bin`` so that packaging ships it), read by ``config.models``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import fbeta_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.models import ENCODER_PARTS  # noqa: E402
from core.nlp.models import IntentSpace  # noqa: E402
from core.nlp.signals import Wording, content_words, cosine, wording_vector  # noqa: E402
from core.nlp.text import text_features, tokenize, word_features  # noqa: E402
from scripts.devdata import loop_triples, read_goemotions  # noqa: E402

SECURITY = (
    "compromised_card",
    "lost_or_stolen_card",
    "lost_or_stolen_phone",
    "card_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "direct_debit_payment_not_recognised",
)
SEED = 13
GATE = 0.3  # an intent at least 30 % likely (30x uniform over 104) gives a message a meaning
KEEP = 0.07  # fraction of intent weights kept (the rest pruned to zero)


def features(texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    return [text_features(tokenize(t)) for t in texts]


class Vectorizer:
    """Feature strings → columns, with the engine's per-block 1/sqrt(n) scaling."""

    def __init__(self, feats: list[tuple[list[str], list[str]]], min_df: int) -> None:
        df: Counter[str] = Counter()
        for words, chars in feats:
            df.update(words)
            df.update(chars)
        self.vocab = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= min_df))}

    def matrix(self, feats: list[tuple[list[str], list[str]]]) -> csr_matrix:
        rows, cols, vals = [], [], []
        for r, (words, chars) in enumerate(feats):
            for block in (words, chars):
                if not block:
                    continue
                v = 1.0 / np.sqrt(len(block))
                for f in block:
                    j = self.vocab.get(f)
                    if j is not None:
                        rows.append(r)
                        cols.append(j)
                        vals.append(v)
        return csr_matrix((vals, (rows, cols)), shape=(len(feats), len(self.vocab)))


def best_threshold(y: np.ndarray, p: np.ndarray, beta: float = 1.0) -> tuple[float, float]:
    """The threshold with the best F-beta (beta 2 weighs recall: always-human topics)."""
    grid = np.arange(0.2, 0.9, 0.01)
    scores = [fbeta_score(y, p >= t, beta=beta) for t in grid]
    i = int(np.argmax(scores))
    return float(round(grid[i], 2)), float(scores[i])


def oof(make: callable, x: csr_matrix, y: np.ndarray, folds: int = 3) -> np.ndarray:  # type: ignore[valid-type]
    out = np.zeros(len(y))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, y):
        out[te] = make().fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]
    return out


def linear_head(
    name: str,
    texts: list[str],
    y: np.ndarray,
    *,
    c: float,
    keep: int,
    min_df: int,
    beta: float = 1.0,
) -> tuple[dict[str, float], float, float, dict[str, float]]:
    feats = features(texts)
    vec = Vectorizer(feats, min_df)
    x = vec.matrix(feats)

    def make() -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=3000, class_weight="balanced")

    threshold, cv_f1 = best_threshold(y, oof(make, x, y), beta)
    model = make().fit(x, y)
    coef = model.coef_.ravel()
    top = np.argsort(-np.abs(coef))[:keep]
    inverse = {i: f for f, i in vec.vocab.items()}
    weights = {inverse[int(i)]: float(coef[i]) for i in top if coef[i] != 0}
    print(
        f"{name}: {len(vec.vocab)} features, kept {len(weights)}, "
        f"threshold {threshold} (out-of-fold F1 {cv_f1:.3f} on train)"
    )
    info = {f"oof_f{beta:g}_train": round(cv_f1, 4)}
    return weights, float(model.intercept_[0]), threshold, info


def goemotions(data: Path) -> tuple[list[str], np.ndarray]:
    texts, labels = read_goemotions(data / "dev" / "goemotions", "train")
    return texts, np.array(labels, dtype=int)


def banking_train(data: Path) -> list[dict[str, str]]:
    with (data / "dev" / "banking77" / "train.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def bitext(data: Path) -> list[dict[str, str]]:
    path = data / "dev" / "bitext" / "bitext_cs_6480rows_2023-08-07.csv"
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def intent_space(rows: list[tuple[str, str]], keep_fraction: float) -> dict[str, np.ndarray]:
    texts = [t for t, _ in rows]
    labels = sorted({label for _, label in rows})
    y = np.array([labels.index(label) for _, label in rows])
    feats = features(texts)
    vec = Vectorizer(feats, min_df=3)
    model = LogisticRegression(C=5, max_iter=3000).fit(vec.matrix(feats), y)
    w = model.coef_.T.astype(np.float32)  # (features, intents)
    cut = np.quantile(np.abs(w), 1 - keep_fraction)
    w[np.abs(w) < cut] = 0.0
    used = np.flatnonzero(np.abs(w).sum(axis=1) > 0)
    inverse = {i: f for f, i in vec.vocab.items()}
    scale = float(np.abs(w).max() / 127.0)
    q = np.round(w[used] / scale).astype(np.int8)
    print(
        f"intents: {len(labels)} intents, {len(vec.vocab)} features, kept {len(used)} rows, "
        f"{int((q != 0).sum())} weights"
    )
    return {
        "vocab": [inverse[int(i)] for i in used],
        "matrix": q,
        "bias": model.intercept_.astype(np.float32),
        "labels": labels,
        "scale": scale,
    }


def _space_object(space: dict[str, Any]) -> IntentSpace:
    return IntentSpace(
        vocab={f: i for i, f in enumerate(space["vocab"])},
        matrix=space["matrix"].astype(np.float32) * np.float32(space["scale"]),
        bias=space["bias"],
        labels=tuple(space["labels"]),
        gate=GATE,
    )


def calibrate_loops(bank: list[dict[str, str]], extra: list[tuple[str, str]]) -> float:
    """The loop similarity threshold, chosen on Banking77 *train* alone: the intent space
    is fitted on 80 % of it (plus Bitext) and triples are drawn from the other 20 %
    (same intent vs three different intents, half of them near), exactly as the
    evaluation builds them from *test*. The threshold with the best F1 is kept."""
    rng = random.Random(SEED)
    by_intent: dict[str, list[str]] = defaultdict(list)
    for r in bank:
        by_intent[r["category"]].append(r["text"])
    fit, held = [], defaultdict(list)
    for intent, texts in by_intent.items():
        texts = texts[:]
        rng.shuffle(texts)
        cut = len(texts) // 5
        held[intent] = texts[:cut]
        fit += [(t, "b77:" + intent) for t in texts[cut:]]
    space = _space_object(intent_space(fit + extra, keep_fraction=KEEP))
    intents = sorted(held)
    centroid = {}
    for intent in intents:
        counts: Counter[str] = Counter()
        for t, label in fit:
            if label == "b77:" + intent:
                counts.update(set(tokenize(t)))
        centroid[intent] = counts

    def overlap(a: Counter[str], b: Counter[str]) -> float:
        return sum((a & b).values()) / (sum(a.values()) * sum(b.values())) ** 0.5

    near = {
        a: sorted((b for b in intents if b != a), key=lambda b: -overlap(centroid[a], centroid[b]))[
            :3
        ]
        for a in intents
    }

    def vectors(text: str) -> tuple[Wording, Any]:
        toks = tokenize(text)
        words = [t for t in toks if t not in ("!", "?")]
        return wording_vector(content_words(words)), space.meaning(word_features(toks), toks)

    def similarity(a: tuple[Wording, Any], b: tuple[Wording, Any]) -> float:
        if a[1] is not None and b[1] is not None:
            return float(np.sqrt(max(float(a[1] @ b[1]), 0.0)))
        return cosine(a[0], b[0])

    def mean(triple: list[str]) -> float:
        v = [vectors(t) for t in triple]
        return (similarity(v[0], v[1]) + similarity(v[0], v[2]) + similarity(v[1], v[2])) / 3

    same_texts, different_texts = loop_triples(held, near, rng, 600)
    same = [mean(t) for t in same_texts]
    different = [mean(t) for t in different_texts]
    scores = np.array(same + different)
    gold = np.array([1] * len(same) + [0] * len(different))
    grid = np.arange(0.3, 0.8, 0.01)
    f1s = [fbeta_score(gold, scores >= t, beta=1.0) for t in grid]
    best = int(np.argmax(f1s))
    print(f"loops: similarity threshold {grid[best]:.2f} (F1 {f1s[best]:.3f} on held-out train)")
    return float(round(grid[best], 2))


STUDENT_ARRAYS = ("vocab", "embeddings", "kernel", "conv_bias", "dense")
#: a student that reads words in context (attention layers) or from subwords also has these
CONTEXT_ARRAYS = ("positions", "subwords")


def _student_arrays(z: Any) -> list[str]:
    names = [*STUDENT_ARRAYS, *(k for k in CONTEXT_ARRAYS if k in z.files)]
    layers = int(z["layers"]) if "layers" in z.files else 0
    return names + [f"encoder{n}_{part}" for n in range(layers) for part in ENCODER_PARTS]


def conv_students(
    paths: Sequence[Path], threshold: float | None
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Convolutional frustration students exported by
    ``scripts/research/frustration_cnn/export.py``: their settings and arrays. One student
    keeps its own threshold; several are averaged, at ``threshold`` (chosen on the train
    holdout by ``thr.py``)."""
    students = [np.load(path) for path in paths]
    if threshold is None:
        if len(students) > 1:
            raise SystemExit("several students need --frustration-threshold (thr.py prints it)")
        threshold = float(students[0]["threshold"])
    members = [
        {
            "widths": [int(w) for w in z["widths"]],
            "channels": int(z["channels"]),
            "bias": float(z["bias"]),
            "mean_pool": bool(z["mean_pool"]),
            **{k: int(z[k]) for k in ("heads", "layers") if k in z.files},
            "file": path.name,
        }
        for path, z in zip(paths, students, strict=True)
    ]
    info = {
        "threshold": threshold,
        "members": members,
        "trained_on": "GoEmotions train, distilled from a fine-tuned all-MiniLM-L6-v2",
    }
    names = ", ".join(p.name for p in paths)
    print(f"frustration: {len(paths)} student(s) ({names}), threshold {threshold:.3f}")
    arrays = {
        f"frustration_cnn_{i}_{k}": z[k] for i, z in enumerate(students) for k in _student_arrays(z)
    }
    return info, arrays


def _blob(items: Sequence[str]) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "config" / "models" / "text-models-v2.bin")
    ap.add_argument(
        "--frustration-cnn",
        type=Path,
        nargs="+",
        help="students exported by scripts/research/frustration_cnn/export.py to ship as the "
        "frustration scorer in place of the logistic regression (several: averaged)",
    )
    ap.add_argument("--frustration-threshold", type=float, help="threshold of averaged students")
    args = ap.parse_args(argv)
    if not (args.data / "dev").is_dir():
        print(f"no development data under {args.data}: nothing to train", file=sys.stderr)
        return 2
    started = time.time()
    texts, y = goemotions(args.data)
    f_w, f_b, f_t, f_info = linear_head("frustration", texts, y, c=2.0, keep=50_000, min_df=2)

    bank = banking_train(args.data)
    ys = np.array([r["category"] in SECURITY for r in bank], dtype=int)
    s_w, s_b, s_t, s_info = linear_head(
        "security_incident", [r["text"] for r in bank], ys, c=5.0, keep=15_000, min_df=2, beta=2.0
    )

    rows = [(r["text"], "b77:" + r["category"]) for r in bank]
    rows += [(r["instruction"], "bitext:" + r["intent"]) for r in bitext(args.data)]
    loop_threshold = calibrate_loops(bank, rows[len(bank) :])
    space = intent_space(rows, keep_fraction=KEEP)

    # Words people spell this way on their own (natural text only: Bitext adds typos on
    # purpose): the lexicon never treats them as a typo of a lexicon word.
    counts: Counter[str] = Counter()
    for text in texts + [r["text"] for r in bank]:
        counts.update(t for t in tokenize(text) if t.isalpha() and len(t) >= 6)
    known = sorted(w for w, n in counts.items() if n >= 2)
    print(f"known words: {len(known)}")

    meta = {
        "version": "text-models-v2",
        "features": "core.nlp.text.text_features",
        "frustration": {"bias": f_b, "threshold": f_t, "trained_on": "GoEmotions train", **f_info},
        "topics": {
            "security_incident": {
                "bias": s_b,
                "threshold": s_t,
                "trained_on": "Banking77 train",
                **s_info,
            }
        },
        "intents": {
            "labels": space["labels"],
            "scale": space["scale"],
            "gate": GATE,
            "chars": True,
            "loop_similarity": loop_threshold,
            "trained_on": "Banking77 train + Bitext",
        },
    }
    student: dict[str, np.ndarray] = {}
    if args.frustration_cnn:
        meta["frustration_cnn"], student = conv_students(
            args.frustration_cnn, args.frustration_threshold
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as fh:
        np.savez_compressed(
            fh,
            meta=_blob([json.dumps(meta, sort_keys=True)]),
            frustration_vocab=_blob(list(f_w)),
            frustration_weights=np.array(list(f_w.values()), dtype=np.float16),
            security_incident_vocab=_blob(list(s_w)),
            security_incident_weights=np.array(list(s_w.values()), dtype=np.float16),
            intents_vocab=_blob(space["vocab"]),
            intents_matrix=space["matrix"],
            intents_bias=space["bias"],
            known_words=_blob(known),
            **student,
        )
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KiB) in {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
