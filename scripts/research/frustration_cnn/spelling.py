# Words the student never saw share one row. Can their embeddings be guessed from their
# spelling? A ridge map from character n-grams to the student's trained embeddings, fitted on
# its vocabulary (the idea of Pinter et al. 2017, MIMICK, with a linear map).
# The holdout met fewer unknown words than dev does (2.3 % of tokens against 3.8 %): the
# student's vocabulary counted words over all of train, holdout included. Here the holdout
# is scored as unseen text is: words that are in the vocabulary only thanks to holdout
# messages count as unknown. Then the shipped student (unknown words share one row) and
# the student with spelled-out rows each get their threshold on that holdout;
# dev is only scored.
# usage: python spelling.py
import dataclasses
from collections import Counter

import numpy as np
from common import *
from scipy import sparse
from sklearn.linear_model import Ridge

from config.models import load_models
from core.nlp.text import char_grams


def design_for(grams, words):
    """Rows of 1/sqrt(n)-scaled indicators of each word's known character n-grams."""
    r, c = [], []
    for k, w in enumerate(words):
        found = {grams[g] for g in char_grams(w) if g in grams}
        r += [k] * len(found)
        c += sorted(found)
    X = sparse.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(len(words), len(grams)))
    n = np.sqrt(np.asarray(X.sum(1)).ravel()) + 1e-6
    return sparse.diags(1 / n) @ X


def fit_spelling(scorer, words, alpha):
    """A function from words to guessed embeddings, a ridge map from the n-grams of
    ``words`` (grams seen in two or more of them) to the student's embeddings."""
    count = {}
    for w in words:
        for g in set(char_grams(w)):
            count[g] = count.get(g, 0) + 1
    grams = {g: i for i, g in enumerate(g for g, n in count.items() if n >= 2)}
    rows = [scorer.vocab[w] for w in words]
    model = Ridge(alpha=alpha).fit(design_for(grams, words), scorer.embeddings[rows])
    return lambda ws: model.predict(design_for(grams, ws)).astype(np.float32)


scorer = load_models().frustration
tx, _, y = read("train")
dx, _, dy = read("dev")
tr, ho = split_idx(len(tx))
seen = Counter(t for i in tr for t in tokenize(tx[i]))
ht = [tokenize(tx[i]) for i in ho]
dt = [tokenize(t) for t in dx]
yh = y[ho]
# words the vocabulary holds only because the holdout has them
leaked = {w for w in scorer.vocab if seen[w] < 2 and scorer.vocab[w] >= 2}
hidden_h = [[t if t not in leaked else "\x00unknown" for t in ts] for ts in ht]
share = lambda ts: sum(t not in scorer.vocab for x in ts for t in x) / sum(map(len, ts))  # noqa: E731
print(
    f"{len(leaked)} words in the vocabulary only thanks to the holdout; unknown-token share: "
    f"holdout {share(ht):.2%} -> {share(hidden_h):.2%}, dev {share(dt):.2%}"
)
sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731


def logits(s, toks):
    out = []
    for t in toks:
        s._last.clear()
        out.append(s.logit(t))
    return np.array(out)


def report(name, s, h_tokens):
    lh, ld = logits(s, h_tokens), logits(s, dt)
    t, f = best_thr(yh, sig(lh))
    print(
        f"{name:44s} holdout F1 {f:.4f} thr {t:.3f}; dev {f1_at(dy, sig(ld), t):.4f} "
        f"(dev oracle {best_thr(dy, sig(ld))[1]:.4f})"
    )


report("shipped, holdout as scored before", scorer, ht)
report("shipped, holdout words unseen", scorer, hidden_h)
known = [w for w in scorer.vocab if scorer.vocab[w] >= 2 and w not in leaked]
for alpha in (0.3, 1.0):
    spell = fit_spelling(scorer, known, alpha)
    unknown = sorted(
        {t for ts in ht + dt for t in ts if t not in scorer.vocab or t in leaked} - {"!", "?"}
    )
    guess = spell(unknown)
    vocab = {w: i for w, i in scorer.vocab.items() if w not in leaked}
    vocab.update({w: len(scorer.embeddings) + i for i, w in enumerate(unknown)})
    grown = dataclasses.replace(
        scorer,
        vocab=vocab,
        embeddings=np.vstack([scorer.embeddings, guess]),
        _offsets=(),
        _last={},
        _means={},
    )
    report(f"spelled-out rows (alpha {alpha:g}), holdout words unseen", grown, ht)
