# Thresholds chosen on the train holdout and dev pooled (9,767 gold messages that neither
# the teacher nor the students trained on), and what that choice is worth on text it did
# not see: dev cross-fitted, each of K folds scored at the threshold chosen on the holdout
# and the other K-1 folds (20 random splits per K; mean, min and max).
# usage: python pooled.py NAME [NAME ...]   (reads out/NAME_ho_logit.npy, out/NAME_dev_logit.npy)
import sys

import numpy as np
from common import *

tx, M, y = read("train")
_, _, dy = read("dev")
tr, ho = split_idx(len(tx))
yh = y[ho]


def sig(z):
    return 1 / (1 + np.exp(-z))


for name in sys.argv[1:]:
    ph = sig(np.load(f"out/{name}_ho_logit.npy"))
    pd_ = sig(np.load(f"out/{name}_dev_logit.npy"))
    t_ho = best_thr(yh, ph)[0]
    t_pool = best_thr(np.r_[yh, dy], np.r_[ph, pd_])[0]
    out = [
        f"{name}: holdout thr {t_ho:.3f} dev {f1_at(dy, pd_, t_ho):.4f}",
        f"pooled thr {t_pool:.3f} dev {f1_at(dy, pd_, t_pool):.4f} (in-sample)",
    ]
    for K in (2, 5, 10):
        found = []
        for rep in range(20):
            fold = np.random.RandomState(rep).randint(0, K, len(dy))
            pred = np.zeros(len(dy), bool)
            for k in range(K):
                m = fold == k
                t = best_thr(np.r_[yh, dy[~m]], np.r_[ph, pd_[~m]])[0]
                pred[m] = pd_[m] >= t
            tp = (pred & (dy == 1)).sum()
            found.append(2 * tp / (pred.sum() + dy.sum()))
        out.append(f"cross-fitted K={K} {np.mean(found):.4f} ({min(found):.4f}-{max(found):.4f})")
    print(" | ".join(out), flush=True)
