# Continue distilling the *shipped* student with a second teacher: teacher.py with SEED=2
# labels the 90 % part and fresh transfer sets (aug.py seeds 8 to 11), which the student
# has never seen, and its weights train on them for one pass with a decaying learning
# rate. The holdout picks the step (0 = the shipped weights) and the threshold; dev is
# only scored. Writes out/NAME.npz (export.py's layout) for the step the holdout picks.
# usage: python continue_kd.py NAME out/aug8+out/aug9+... [lr=3e-4] [epochs=1]
import glob
import json
import sys
import time

import numpy as np
import torch
from common import *
from shipped_torch import check, sig, start, train_step

name, sets = sys.argv[1], sys.argv[2]
cfg = dict(lr=3e-4, epochs=1.0, bs=64, drop=0.3, edrop=0.1, wdrop=0.05, alpha=0.3, seed=0)
s, model, y, dy, tr, ho, X, DX = start(cfg, sys.argv[3:])
HX = [X[i] for i in ho]
teacher = sig(np.load("out/teacher_train_logits.npy")[:, 28])
trainX = [X[i] for i in tr]
trainY = list(cfg["alpha"] * y[tr] + (1 - cfg["alpha"]) * teacher[tr])
for pre in sets.split("+"):
    logits = np.concatenate([np.load(f) for f in sorted(glob.glob(pre + "_logits_*.npy"))])
    texts = json.load(open(pre + ".json"))[: len(logits)]
    trainX += [[s.vocab.get(t, 1) for t in toks][: s.max_tokens] or [1] for toks in texts]
    trainY += list(sig(logits[:, 28]))
trainY = torch.tensor(np.array(trainY, np.float32))
print(name, cfg, "messages", len(trainX), flush=True)
t0h, f0h = best_thr(y[ho], sig(model.predict(HX)))
best = (f0h, 0, t0h, {k: v.clone() for k, v in model.state_dict().items()})
print(f"step 0 (shipped) holdout F1 {f0h:.4f} thr {t0h:.3f}", flush=True)
opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
steps = int(cfg["epochs"] * len(trainX) / cfg["bs"])
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1 - k / steps)
rng = np.random.RandomState(cfg["seed"])
order = np.concatenate([rng.permutation(len(trainX)) for _ in range(int(np.ceil(cfg["epochs"])))])
start = time.time()
for step in range(1, steps + 1):
    b = order[(step - 1) * cfg["bs"] : step * cfg["bs"]]
    train_step(model, opt, [trainX[i] for i in b], trainY[b], cfg["wdrop"], rng)
    sched.step()
    if step % (steps // 8) == 0 or step == steps:
        t, f, dev, oracle = check(model, HX, y[ho], DX, dy)
        print(
            f"step {step}/{steps} holdout F1 {f:.4f} thr {t:.3f}; dev {dev:.4f}"
            f" (oracle {oracle:.4f}) {time.time() - start:.0f}s",
            flush=True,
        )
        if f > best[0]:
            best = (f, step, t, {k: v.clone() for k, v in model.state_dict().items()})
f, step, t, state = best
model.load_state_dict(state)
pd = sig(model.predict(DX))
print(
    f"RESULT {name} {cfg}: holdout's pick step {step}, holdout F1 {f:.4f} thr {t:.3f}; "
    f"dev {f1_at(dy, pd, t):.4f} (oracle {best_thr(dy, pd)[1]:.4f})",
    flush=True,
)
model.export(s, f"out/{name}.npz", t)
