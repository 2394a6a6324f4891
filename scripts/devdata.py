"""Readers of the labelled development data in ``../shared/data/dev`` (never copied here).

Shared by the trainer (``scripts/train_models.py``) and the evaluation
(``bench/eval_dev.py``) so that both use one definition of each label.
"""

from __future__ import annotations

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
