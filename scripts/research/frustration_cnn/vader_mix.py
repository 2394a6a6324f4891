# Does VADER's lexicon add to the shipped student? A logistic regression over the
# student's logit and VADER's scores, fitted on the train holdout (C cross-validated
# there); dev is only scored.
# usage: python vader_mix.py
import numpy as np
from common import *
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from config.models import load_models

scorer = load_models().frustration
vader = SentimentIntensityAnalyzer()
tx, _, y = read("train")
dx, _, dy = read("dev")
_, ho = split_idx(len(tx))
hx, yh = [tx[i] for i in ho], y[ho]


def feats(texts):
    rows = []
    for t in texts:
        scorer._last.clear()
        z = scorer.logit(tokenize(t))
        v = vader.polarity_scores(t)
        rows.append([z, v["compound"], v["neg"], v["pos"]])
    return np.array(rows)


Fh, Fd = feats(hx), feats(dx)
sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
t0, f0 = best_thr(yh, sig(Fh[:, 0]))
print(f"student alone: holdout F1 {f0:.4f} thr {t0:.3f}; dev {f1_at(dy, sig(Fd[:, 0]), t0):.4f}")
for cols, name in (([0, 1], "logit + compound"), ([0, 1, 2, 3], "logit + compound, neg, pos")):
    for C in (0.01, 0.1, 1.0, 10.0):
        oof = np.zeros(len(yh))
        for part, rest in StratifiedKFold(5, shuffle=True, random_state=0).split(Fh, yh):
            m = LogisticRegression(C=C, max_iter=1000).fit(Fh[part][:, cols], yh[part])
            oof[rest] = m.decision_function(Fh[rest][:, cols])
        t, f = best_thr(yh, sig(oof))
        m = LogisticRegression(C=C, max_iter=1000).fit(Fh[:, cols], yh)
        pd = sig(m.decision_function(Fd[:, cols]))
        print(
            f"{name:28s} C={C:<5g} cv holdout F1 {f:.4f} thr {t:.3f}; dev {f1_at(dy, pd, t):.4f}"
            f" (dev oracle {best_thr(dy, pd)[1]:.4f}) coef {np.round(m.coef_[0], 3)}"
        )
