"""Readers of the labelled development data in ``../shared/data/dev`` (never copied here).

Shared by the trainer (``scripts/train_models.py``) and the evaluation
(``bench/eval_dev.py``) so that both use one definition of each label.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path

#: GoEmotions emotions that count as a frustrated customer (see ../shared/data/README.md).
FRUSTRATED = ("anger", "annoyance", "disappointment", "disapproval", "disgust")


def read_goemotions(folder: Path, split: str) -> tuple[list[str], list[bool]]:
    """Texts of ``{split}.tsv`` and whether each is labelled frustrated."""
    names = (folder / "emotions.txt").read_text().split()
    wanted = {names.index(e) for e in FRUSTRATED}
    texts, labels = [], []
    with (folder / f"{split}.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            text, ids, _ = line.rstrip("\n").split("\t")
            texts.append(text)
            labels.append(any(int(i) in wanted for i in ids.split(",")))
    return texts, labels


def loop_triples(
    by_intent: Mapping[str, Sequence[str]],
    near: Mapping[str, Sequence[str]],
    rng: random.Random,
    count: int,
) -> tuple[list[list[str]], list[list[str]]]:
    """``count`` triples of one intent's paraphrases (a loop) and ``count`` triples of three
    different intents (not a loop), every other one made of an intent and its ``near``
    neighbours (at least three per intent, nearest first), the hardest case."""
    intents = sorted(by_intent)
    same = [rng.sample(by_intent[rng.choice(intents)], 3) for _ in range(count)]
    different = []
    for k in range(count):
        a = rng.choice(intents)
        if k % 2 == 0:
            b = near[a][0]
            c = rng.choice([x for x in [*near[a][1:], *near[b][:2]] if x not in (a, b)])
        else:
            b, c = rng.sample([x for x in intents if x != a], 2)
        different.append([rng.choice(by_intent[x]) for x in (a, b, c)])
    return same, different
