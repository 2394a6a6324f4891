# Two checks on the *shipped* student (config/models), which need none of the other
# scripts' artefacts: (1) other ways to pick its threshold on the train holdout, (2) a new
# output layer fitted on gold labels over its pooled features. Every choice is made on the
# holdout (cross-validated where it fits something); dev is only scored.
# usage: python shipped.py
import numpy as np
from common import *
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from config.models import load_models

scorer = load_models().frustration
tx, _, y = read("train")
dx, _, dy = read("dev")
_, ho = split_idx(len(tx))
yh = y[ho]


def pooled(texts):
    """The student's features: max- then mean-pooled activations, as its output reads them."""
    out = []
    for t in texts:
        scorer._last.clear()
        h, _, length = scorer._activations(tokenize(t))
        windows = np.repeat([max(length, w) - w + 1 for w in scorer.widths], scorer.channels)
        out.append(np.concatenate([h.max(0), h.sum(0) / windows]))
    return np.array(out, np.float32)


Xh, Xd = pooled([tx[i] for i in ho]), pooled(dx)
zh, zd = Xh @ scorer.dense + scorer.bias, Xd @ scorer.dense + scorer.bias
np.save("out/shipped_ho_logit.npy", zh)  # for ens.py shipped lr
np.save("out/shipped_dev_logit.npy", zd)
sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731

# (1) thresholds
t_plain, f_plain = best_thr(yh, sig(zh))
print(
    f"shipped threshold {scorer.threshold:.3f}; holdout argmax {t_plain:.3f} (holdout F1 {f_plain:.4f})"
)
platt = LogisticRegression(C=1e6).fit(zh[:, None], yh)
a, b = platt.coef_[0, 0], platt.intercept_[0]
t_cal = best_thr(yh, sig(a * zh + b))[1] / 2  # F1-optimal = F1*/2 when calibrated (Lipton 2014)
t_lipton = float(sig((np.log(t_cal / (1 - t_cal)) - b) / a))
rng = np.random.RandomState(0)
t_boot = float(
    np.mean([best_thr(yh[s], sig(zh[s]))[0] for s in rng.randint(0, len(yh), (200, len(yh)))])
)
for name, t in (
    ("holdout argmax", t_plain),
    ("Platt + F1/2 rule", t_lipton),
    ("bootstrap mean", t_boot),
):
    print(f"  {name:<18} thr {t:.3f}  dev F1 {f1_at(dy, sig(zd), t):.4f}")
print(f"  (dev oracle, information only: {best_thr(dy, sig(zd))[1]:.4f})")

# (2) a new output layer on gold labels: the student's logit (scaled, so that the L2
# penalty barely touches it) plus standardised pooled features, fitted on the holdout
mu, sd = Xh.mean(0), Xh.std(0) + 1e-6
Fh = np.hstack([10 * zh[:, None], (Xh - mu) / sd])
Fd = np.hstack([10 * zd[:, None], (Xd - mu) / sd])
for C in (1e-4, 1e-3, 1e-2):
    oof = np.zeros(len(yh))
    for part, rest in StratifiedKFold(5, shuffle=True, random_state=0).split(Fh, yh):
        oof[rest] = (
            LogisticRegression(C=C, max_iter=2000)
            .fit(Fh[part], yh[part])
            .decision_function(Fh[rest])
        )
    t, f = best_thr(yh, sig(oof))
    head = LogisticRegression(C=C, max_iter=2000).fit(Fh, yh)
    print(
        f"refit head C={C:g}: cross-validated holdout F1 {f:.4f}, dev F1 {f1_at(dy, sig(head.decision_function(Fd)), t):.4f}"
    )
