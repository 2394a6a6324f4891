# Fine-tune the *shipped* student on gold labels (the 90 % train part), with its own
# earlier probabilities mixed into the targets so that it does not drift far from what the
# teacher taught it; the step count is chosen on the holdout, dev is only scored. Needs
# the repository and torch.
# usage: python gold_tune.py [lr=3e-4] [alpha=0.5] [steps=2400] [freeze_emb=0]
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from common import *

from config.models import load_models

cfg = dict(
    lr=3e-4, alpha=0.5, steps=2400, freeze_emb=0, bs=64, drop=0.5, edrop=0.2, wdrop=0.1, seed=0
)
for a in sys.argv[1:]:
    k, v = a.split("=")
    cfg[k] = type(cfg[k])(v)
torch.set_num_threads(2)
torch.manual_seed(cfg["seed"])
s = load_models().frustration
c, widths, d = s.channels, s.widths, s.embeddings.shape[1]
KMAX = max(widths)


class Student(nn.Module):
    """The shipped ConvScorer's weights as a torch module (cnn.py's forward, binary head)."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding.from_pretrained(
            torch.tensor(s.embeddings), freeze=False, padding_idx=0
        )
        self.convs = nn.ModuleList()
        start = 0
        for k, w in enumerate(widths):
            conv = nn.Conv1d(d, c, w)
            block = s.kernel[:, start : start + w * c].reshape(d, w, c)  # [offset j | ...]
            conv.weight.data = torch.tensor(block.transpose(2, 0, 1).copy())
            conv.bias.data = torch.tensor(s.conv_bias[k * c : (k + 1) * c].copy())
            self.convs.append(conv)
            start += w * c
        self.out = nn.Linear(2 * c * len(widths), 1)
        dense, n = s.dense, c * len(widths)
        # cnn.py orders features [max w1, mean w1, max w2, ...]; ConvScorer [all max | all mean]
        order = []
        for k in range(len(widths)):
            order += [dense[k * c : (k + 1) * c], dense[n + k * c : n + (k + 1) * c]]
        self.out.weight.data = torch.tensor(np.concatenate(order)[None, :])
        self.out.bias.data = torch.tensor([s.bias], dtype=torch.float32)
        self.drop, self.edrop = nn.Dropout(cfg["drop"]), nn.Dropout(cfg["edrop"])

    def forward(self, x, lens):
        e = self.edrop(self.emb(x))
        e = F.pad(e.transpose(1, 2), (0, KMAX - 1))
        Lp = x.shape[1]
        t = torch.arange(Lp)[None, :]
        feats = []
        for w, conv in zip(widths, self.convs):
            h = F.relu(conv(e)[:, :, :Lp])
            nk = torch.clamp(lens, min=w) - w + 1
            m = (t < nk[:, None]).float()[:, None, :]
            feats.append((h * m - (1 - m) * 1e4).max(2).values)
            feats.append((h * m).sum(2) / nk[:, None].float())
        return self.out(self.drop(torch.cat(feats, 1)))[:, 0]


def ids(toks):
    return [s.vocab.get(t, 1) for t in toks][: s.max_tokens] or [1]


def batch(seqs):
    L = max(max(len(q) for q in seqs), KMAX)
    x = torch.zeros(len(seqs), L, dtype=torch.long)
    for i, q in enumerate(seqs):
        x[i, : len(q)] = torch.tensor(q)
    return x, torch.tensor([len(q) for q in seqs])


@torch.no_grad()
def predict(model, seqs, bs=512):
    model.eval()
    return np.concatenate(
        [model(*batch(seqs[j : j + bs])).numpy() for j in range(0, len(seqs), bs)]
    )


tx, _, y = read("train")
dx, _, dy = read("dev")
tr, ho = split_idx(len(tx))
X = [ids(tokenize(t)) for t in tx]
DX = [ids(tokenize(t)) for t in dx]
HX = [X[i] for i in ho]
model = Student()
check = [tokenize(t) for t in dx[:200]]
ours = predict(model, [ids(t) for t in check])
theirs = []
for t in check:
    s._last.clear()
    theirs.append(s.logit(t))
print(f"torch vs ConvScorer logits: max difference {np.abs(ours - np.array(theirs)).max():.2e}")
sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
p_before = sig(predict(model, [X[i] for i in tr]))
target = cfg["alpha"] * y[tr] + (1 - cfg["alpha"]) * p_before
t0h, f0h = best_thr(y[ho], sig(predict(model, HX)))
print(
    f"shipped: holdout F1 {f0h:.4f} thr {t0h:.3f}; dev {f1_at(dy, sig(predict(model, DX)), t0h):.4f}"
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
    model.train()
    b = rng.randint(0, len(trX), cfg["bs"])
    seqs = [[1 if rng.rand() < cfg["wdrop"] else w for w in trX[i]] for i in b]
    loss = F.binary_cross_entropy_with_logits(model(*batch(seqs)), target_t[b])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 300 == 0:
        t, f = best_thr(y[ho], sig(predict(model, HX)))
        pd = sig(predict(model, DX))
        print(
            f"step {step} ({step * cfg['bs'] / len(trX):.2f} epochs) holdout F1 {f:.4f} thr {t:.3f};"
            f" dev {f1_at(dy, pd, t):.4f} (oracle {best_thr(dy, pd)[1]:.4f}) {time.time() - start:.0f}s",
            flush=True,
        )
        if f > best[0]:
            best = (f, step, t)
print(f"RESULT {cfg} holdout's pick: step {best[1]} holdout F1 {best[0]:.4f} thr {best[2]:.3f}")
