import math
import os
import time

import numpy as np
import torch

os.environ["HF_HUB_OFFLINE"] = "1"
torch.set_num_threads(int(os.environ.get("NT", 2)))
from common import *
from teacher_model import Teacher, pad, predict
from transformers import AutoTokenizer

EPOCHS = float(os.environ.get("EPOCHS", 2))
SEED = int(os.environ.get("SEED", 1))  # batch order; and torch's, when not 1
if SEED != 1:
    torch.manual_seed(SEED)
BS = 32
LR = 6e-5
MAXLEN = 64
tok = AutoTokenizer.from_pretrained(MODEL_DIR)
tx, M, y = read("train")
dtx, dM, dy = read("dev")
tr, ho = split_idx(len(tx))


model = Teacher()
enc_all = tok(tx, truncation=True, max_length=MAXLEN)["input_ids"]
Y = np.concatenate([M, y[:, None].astype(np.float32)], 1)


def batches(idx, rng, shuffle=True):
    idx = np.array(idx)
    if shuffle:
        idx = idx[rng.permutation(len(idx))]
    out = []
    for c in range(0, len(idx), BS * 50):
        chunk = sorted(idx[c : c + BS * 50], key=lambda i: len(enc_all[i]))
        out += [chunk[j : j + BS] for j in range(0, len(chunk), BS)]
    if shuffle:
        rng.shuffle(out)
    return out


rng = np.random.RandomState(SEED)
nb = math.ceil(len(tr) / BS)
total = int(nb * EPOCHS)
opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min((s + 1) / (0.06 * total), max(0.0, (total - s) / (total * 0.94)))
)
posw = torch.ones(29)
posw[28] = 1.5
lossf = torch.nn.BCEWithLogitsLoss(pos_weight=posw, reduction="none")
wts = torch.ones(29)
wts[28] = 3.0
step = 0
t0 = time.time()
model.train()
while step < total:
    for b in batches(tr, rng):
        if step >= total:
            break
        ids, att = pad([enc_all[i] for i in b])
        tgt = torch.tensor(Y[b])
        out = model(ids, att)
        loss = (lossf(out, tgt) * wts).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        if step % 100 == 0:
            print(f"step {step}/{total} loss {loss.item():.4f} {time.time() - t0:.0f}s", flush=True)
model.eval()
torch.save(model.state_dict(), "out/teacher.pt")


lh = predict(model, tok, [tx[i] for i in ho], maxlen=MAXLEN)
thr, hf = best_thr(y[ho], 1 / (1 + np.exp(-lh[:, 28])))
ld = predict(model, tok, dtx, maxlen=MAXLEN)
pd_ = 1 / (1 + np.exp(-ld[:, 28]))
print(
    f"TEACHER holdout F1 {hf:.4f} thr {thr:.3f} | dev F1@thr {f1_at(dy, pd_, thr):.4f} | dev-oracle {best_thr(dy, pd_)[1]:.4f} | {time.time() - t0:.0f}s",
    flush=True,
)
np.save("out/teacher_dev_logits.npy", ld)
np.save("out/teacher_ho_logits.npy", lh)
