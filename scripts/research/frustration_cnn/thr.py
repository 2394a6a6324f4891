# Threshold of a trained student chosen on the train holdout by the bootstrap-averaged F1
# curve (less at the mercy of a few holdout messages than the plain argmax), then dev scored.
# usage: python thr.py NAME [NAME ...]  (reads out/NAME_ho_logit.npy, out/NAME_dev_logit.npy;
# several names: their logits averaged)
import sys

import numpy as np
from common import *

tx, M, y = read("train")
_, _, dy = read("dev")
tr, ho = split_idx(len(tx))
yh = y[ho]
names = sys.argv[1:]
zh = np.mean([np.load(f"out/{n}_ho_logit.npy") for n in names], 0)
zd = np.mean([np.load(f"out/{n}_dev_logit.npy") for n in names], 0)
ph, pd_ = 1 / (1 + np.exp(-zh)), 1 / (1 + np.exp(-zd))
grid = np.unique(np.quantile(ph, np.linspace(0.5, 0.99, 400)))
rng = np.random.RandomState(0)
curves = []
for _ in range(300):
    s = rng.randint(0, len(yh), len(yh))
    curves.append([f1_at(yh[s], ph[s], t) for t in grid])
mean = np.mean(curves, 0)
t_boot = float(grid[int(np.argmax(mean))])
t_plain, f_plain = best_thr(yh, ph)
print(
    f"{'+'.join(names)}: plain thr {t_plain:.3f} dev {f1_at(dy, pd_, t_plain):.4f} | "
    f"bootstrap thr {t_boot:.3f} dev {f1_at(dy, pd_, t_boot):.4f} | oracle {best_thr(dy, pd_)[1]:.4f}"
)
