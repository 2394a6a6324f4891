# Kim-style CNN student. usage: python cnn.py NAME [key=val ...]
import json
import sys
import time

import numpy as np
import shipped_torch
import torch
import torch.nn as nn
import torch.nn.functional as F
from common import *

cfg = dict(
    d=64,
    C=128,
    widths="1,2,3",
    epochs=12,
    lr=2e-3,
    bs=64,
    drop=0.5,
    edrop=0.2,
    wdrop=0.1,
    wbin=3.0,
    seed=0,
    distill="",
    alpha=0.5,
    aug="",
    threads=1,
    pool="maxmean",
    emb_lr=1.0,
    maxlen=64,
    init="",
    kd="bce",
    clip=8.0,
)
name = sys.argv[1]
for a in sys.argv[2:]:
    k, v = a.split("=")
    cfg[k] = type(cfg[k])(v)
torch.set_num_threads(cfg["threads"])
torch.manual_seed(cfg["seed"])
np.random.seed(cfg["seed"])
widths = [int(w) for w in cfg["widths"].split(",")]
KMAX = max(widths)
J = json.load(open("out/tokens.json"))
vocab = J["vocab"]
w2i = {w: i for i, w in enumerate(vocab)}


def ids(toks):
    return [w2i.get(t, 1) for t in toks][: cfg["maxlen"]] or [1]


tx, M, y = read("train")
dtx, dM, dy = read("dev")
X = [ids(t) for t in J["train_tokens"]]
DX = [ids(t) for t in J["dev_tokens"]]
tr, ho = split_idx(len(X))
Y = np.concatenate([M, y[:, None].astype(np.float32)], 1)
trainX = [X[i] for i in tr]
trainY = Y[tr]
if cfg["distill"]:  # teacher logits for train (29), mixed with hard labels
    TL = np.load(cfg["distill"])  # logits for all train rows
    P = 1 / (1 + np.exp(-TL[tr]))
    trainY = cfg["alpha"] * trainY + (1 - cfg["alpha"]) * P
    if cfg["kd"] == "mse":  # Tang et al. 2019: match the teacher's logits
        trainY = np.clip(TL[tr], -cfg["clip"], cfg["clip"])
if cfg["aug"]:
    import glob

    for pre in cfg["aug"].split("+"):  # several transfer sets: out/aug+out/augB
        AL = np.concatenate([np.load(f) for f in sorted(glob.glob(pre + "_logits_*.npy"))])
        A = json.load(open(pre + ".json"))[: len(AL)]
        trainX += [ids(t) for t in A]
        soft = (
            np.clip(AL, -cfg["clip"], cfg["clip"]) if cfg["kd"] == "mse" else 1 / (1 + np.exp(-AL))
        )
        trainY = np.concatenate([trainY, soft]).astype(np.float32)
print(name, cfg, "n_train", len(trainX), flush=True)
P0 = np.load("out/prep.npz")
proj = (P0["vecs"] - P0["mu"]) @ P0["Vt"][: cfg["d"]].T
if cfg["init"]:  # word vectors from elsewhere, e.g. the fine-tuned teacher (ftemb.py)
    proj = np.load(cfg["init"])["emb"][:, : cfg["d"]].copy()
proj /= proj[2:].std()
proj[0] = 0
proj[1] = 0


class CNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(len(vocab), cfg["d"], padding_idx=0)
        s.emb.weight.data = torch.tensor(proj, dtype=torch.float32)
        s.convs = nn.ModuleList([nn.Conv1d(cfg["d"], cfg["C"], k) for k in widths])
        npool = 2 if cfg["pool"] == "maxmean" else 1
        s.out = nn.Linear(npool * cfg["C"] * len(widths), 29)
        s.drop = nn.Dropout(cfg["drop"])
        s.edrop = nn.Dropout(cfg["edrop"])

    def forward(s, x, lens):
        e = s.edrop(s.emb(x))  # B,L,d  (L = max(maxlen, KMAX) in batch)
        e = F.pad(e.transpose(1, 2), (0, KMAX - 1))  # B,d,L+KMAX-1
        Lp = x.shape[1]
        feats = []
        t = torch.arange(Lp)[None, :]
        for k, conv in zip(widths, s.convs):
            h = F.relu(conv(e)[:, :, :Lp])  # B,C,Lp
            nk = torch.clamp(lens, min=k) - k + 1  # valid windows
            m = (t < nk[:, None]).float()[:, None, :]
            feats.append((h * m - (1 - m) * 1e4).max(2).values)  # h>=0 so fine
            if cfg["pool"] == "maxmean":
                feats.append((h * m).sum(2) / nk[:, None].float())
        return s.out(s.drop(torch.cat(feats, 1)))


def batch(seqs):
    return shipped_torch.batch(seqs, KMAX)


def predict(model, seqs, bs=512):
    return shipped_torch.predict(model, seqs, KMAX, bs)


model = CNN()
params = [
    {"params": [p for n, p in model.named_parameters() if not n.startswith("emb")]},
    {"params": model.emb.parameters(), "lr": cfg["lr"] * cfg["emb_lr"]},
]
opt = torch.optim.Adam(params, lr=cfg["lr"])
wv = torch.ones(29)
wv[28] = cfg["wbin"]
HX = [X[i] for i in ho]
best = (-1, None, 0)
nsteps = cfg["epochs"] * ((len(trainX) + cfg["bs"] - 1) // cfg["bs"])
sched = torch.optim.lr_scheduler.OneCycleLR(
    opt, max_lr=[cfg["lr"], cfg["lr"] * cfg["emb_lr"]], total_steps=nsteps, pct_start=0.1
)
t0 = time.time()
rng = np.random.RandomState(cfg["seed"])
trainY_t = torch.tensor(trainY, dtype=torch.float32)
for ep in range(cfg["epochs"]):
    model.train()
    perm = rng.permutation(len(trainX))
    for j in range(0, len(perm), cfg["bs"]):
        b = perm[j : j + cfg["bs"]]
        seqs = [trainX[i] for i in b]
        if cfg["wdrop"] > 0:
            seqs = [[1 if (rng.rand() < cfg["wdrop"]) else w for w in q] for q in seqs]
        x, l = batch(seqs)
        if cfg["kd"] == "mse":
            loss = (F.mse_loss(model(x, l), trainY_t[b], reduction="none") * wv).mean()
        else:
            loss = (
                F.binary_cross_entropy_with_logits(model(x, l), trainY_t[b], reduction="none") * wv
            ).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    ph = 1 / (1 + np.exp(-predict(model, HX)[:, 28]))
    thr, hf = best_thr(y[ho], ph)
    print(
        f"ep {ep} loss {loss.item():.4f} holdout F1 {hf:.4f} thr {thr:.3f} {time.time() - t0:.0f}s",
        flush=True,
    )
    if hf > best[0]:
        best = (hf, {k: v.clone() for k, v in model.state_dict().items()}, thr, ep)
hf, sd, thr, ep = best
model.load_state_dict(sd)
pdv = 1 / (1 + np.exp(-predict(model, DX)[:, 28]))
res = dict(
    name=name,
    holdout_f1=hf,
    thr=thr,
    epoch=ep,
    dev_f1=float(f1_at(dy, pdv, thr)),
    dev_oracle=best_thr(dy, pdv)[1],
    train_s=time.time() - t0,
    cfg=cfg,
)
print("RESULT", json.dumps(res), flush=True)
torch.save({"sd": sd, "cfg": cfg, "thr": thr}, f"out/{name}.pt")
np.save(f"out/{name}_dev_logit.npy", predict(model, DX)[:, 28])
np.save(f"out/{name}_ho_logit.npy", predict(model, HX)[:, 28])
