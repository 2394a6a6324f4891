# Fine-tune the *shipped* student on gold labels (the 90 % train part), with its own
# earlier probabilities mixed into the targets so that it does not drift far from what the
# teacher taught it; the step count is chosen on the holdout, dev is only scored. Needs
# the repository and torch.
# usage: python gold_tune.py [lr=3e-4] [alpha=0.5] [steps=2400] [freeze_emb=0]
import sys
import time

import numpy as np
import torch
from common import *
from shipped_torch import check, sig, start, train_step

cfg = dict(
    lr=3e-4, alpha=0.5, steps=2400, freeze_emb=0, bs=64, drop=0.5, edrop=0.2, wdrop=0.1, seed=0
)
s, model, y, dy, tr, ho, X, DX = start(cfg, sys.argv[1:])
HX = [X[i] for i in ho]
sample = [tokenize(t) for t in read("dev")[0][:200]]
ours = model.predict([model.ids(s, t) for t in sample])
theirs = []
for t in sample:
    s._last.clear()
    theirs.append(s.logit(t))
print(f"torch vs ConvScorer logits: max difference {np.abs(ours - np.array(theirs)).max():.2e}")
p_before = sig(model.predict([X[i] for i in tr]))
target = cfg["alpha"] * y[tr] + (1 - cfg["alpha"]) * p_before
t0h, f0h = best_thr(y[ho], sig(model.predict(HX)))
print(
    f"shipped: holdout F1 {f0h:.4f} thr {t0h:.3f}; dev {f1_at(dy, sig(model.predict(DX)), t0h):.4f}"
)
if cfg["freeze_emb"]:
    model.emb.weight.requires_grad_(False)
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg["lr"])
rng = np.random.RandomState(cfg["seed"])
trX = [X[i] for i in tr]
target_t = torch.tensor(target, dtype=torch.float32)
start = time.time()
best = (f0h, 0, t0h)
for step in range(1, cfg["steps"] + 1):
    b = rng.randint(0, len(trX), cfg["bs"])
    train_step(model, opt, [trX[i] for i in b], target_t[b], cfg["wdrop"], rng)
    if step % 300 == 0:
        t, f, dev, oracle = check(model, HX, y[ho], DX, dy)
        print(
            f"step {step} ({step * cfg['bs'] / len(trX):.2f} epochs) holdout F1 {f:.4f} thr {t:.3f};"
            f" dev {dev:.4f} (oracle {oracle:.4f}) {time.time() - start:.0f}s",
            flush=True,
        )
        if f > best[0]:
            best = (f, step, t)
print(f"RESULT {cfg} holdout's pick: step {best[1]} holdout F1 {best[0]:.4f} thr {best[2]:.3f}")
