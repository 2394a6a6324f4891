# logit-average ensemble: weight and threshold chosen on the train holdout only
import sys

import numpy as np
from common import *

_, _, y = read("train")
_, _, dy = read("dev")
tr, ho = split_idx(len(y))
yh = y[ho]
a, b = sys.argv[1], sys.argv[2]
ha, da = np.load(f"out/{a}_ho_logit.npy"), np.load(f"out/{a}_dev_logit.npy")
hb, db = np.load(f"out/{b}_ho_logit.npy"), np.load(f"out/{b}_dev_logit.npy")
sd_a, sd_b = ha.std(), hb.std()
best = max(
    (best_thr(yh, 1 / (1 + np.exp(-(w * ha / sd_a + (1 - w) * hb / sd_b))))[1], w)
    for w in np.linspace(0, 1, 21)
)
w = best[1]
lh = w * ha / sd_a + (1 - w) * hb / sd_b
ld = w * da / sd_a + (1 - w) * db / sd_b
thr, hf = best_thr(yh, 1 / (1 + np.exp(-lh)))
pd_ = 1 / (1 + np.exp(-ld))
print(
    f"ENS {a}+{b}: w={w:.2f} holdout F1 {hf:.4f} thr {thr:.3f} dev F1 {f1_at(dy, pd_, thr):.4f} dev-oracle {best_thr(dy, pd_)[1]:.4f}"
)
