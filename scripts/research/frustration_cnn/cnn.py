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
    buckets=0,  # > 0: fastText subwords, character 3-5-grams hashed into this many rows
    attn=0,  # > 0: pre-norm transformer layers before the filters, with this many heads
    layers=1,  # how many such layers (with attn)
    ctx=0,  # > 0: self-attention over the filters' windows (queries and keys this wide), pooled too
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


SUB = cfg["buckets"] > 0
if SUB:  # every distinct token gets an id; words past the vocabulary share row 1 plus n-grams
    from subwords import MAX_NGRAMS, ngram_buckets

    ext = dict(w2i)
    ext_ngrams = [[] for _ in vocab]
    for w in vocab[2:]:
        ext_ngrams[w2i[w]] = ngram_buckets(w, cfg["buckets"])


def ids(toks):
    if not SUB:
        return [w2i.get(t, 1) for t in toks][: cfg["maxlen"]] or [1]
    out = []
    for t in toks[: cfg["maxlen"]]:
        i = ext.get(t)
        if i is None:
            i = ext[t] = len(ext)
            ext_ngrams.append([] if t == "[MASK]" else ngram_buckets(t, cfg["buckets"]))
        out.append(i)
    return out or [1]


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


def subword_tables():
    """Per token id: its vocabulary row (1 past the vocabulary), its n-gram rows padded
    with the zero row ``buckets``, and how many it has (at least 1)."""
    n = len(ext_ngrams)
    NG = torch.full((n, MAX_NGRAMS), cfg["buckets"], dtype=torch.long)
    for i, g in enumerate(ext_ngrams):
        NG[i, : len(g)] = torch.tensor(g, dtype=torch.long)
    cnt = torch.tensor([max(len(g), 1) for g in ext_ngrams], dtype=torch.float32)
    wrow = torch.arange(n)
    wrow[len(vocab) :] = 1
    return wrow, NG, cnt


class CNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(len(vocab), cfg["d"], padding_idx=0)
        s.emb.weight.data = torch.tensor(proj, dtype=torch.float32)
        if SUB:
            s.ngram = nn.Embedding(cfg["buckets"] + 1, cfg["d"], padding_idx=cfg["buckets"])
            s.ngram.weight.data.zero_()
        if cfg["attn"]:  # words read in context, as the teacher reads them
            s.pos = nn.Embedding(cfg["maxlen"] + KMAX, cfg["d"])
            s.pos.weight.data.zero_()
            s.layers = nn.ModuleList(
                nn.TransformerEncoderLayer(
                    cfg["d"], cfg["attn"], 2 * cfg["d"], 0.1, batch_first=True, norm_first=True
                )
                for _ in range(cfg["layers"])
            )
        s.convs = nn.ModuleList([nn.Conv1d(cfg["d"], cfg["C"], k) for k in widths])
        npool = 2 if cfg["pool"] == "maxmean" else 1
        if cfg["ctx"]:  # windows read each other after the filters: per-word tables survive
            F_ = cfg["C"] * len(widths)
            s.wq, s.wk = nn.Linear(F_, cfg["ctx"]), nn.Linear(F_, cfg["ctx"])
            npool *= 2
        s.out = nn.Linear(npool * cfg["C"] * len(widths), 29)
        s.drop = nn.Dropout(cfg["drop"])
        s.edrop = nn.Dropout(cfg["edrop"])

    def forward(s, x, lens):
        e = s.edrop(s.embed(x))  # B,L,d  (L = max(maxlen, KMAX) in batch)
        if cfg["attn"]:
            pad = torch.arange(x.shape[1])[None, :] >= lens[:, None]
            e = e + s.pos.weight[: x.shape[1]]
            for layer in s.layers:
                e = layer(e, src_key_padding_mask=pad)
            e = e.masked_fill(pad[:, :, None], 0.0)
        e = F.pad(e.transpose(1, 2), (0, KMAX - 1))  # B,d,L+KMAX-1
        Lp = x.shape[1]
        feats = []
        t = torch.arange(Lp)[None, :]
        hs = []
        for k, conv in zip(widths, s.convs):
            h = F.relu(conv(e)[:, :, :Lp])  # B,C,Lp
            nk = torch.clamp(lens, min=k) - k + 1  # valid windows
            m = (t < nk[:, None]).float()[:, None, :]
            hs.append(h * m)
            feats.append((h * m - (1 - m) * 1e4).max(2).values)  # h>=0 so fine
            if cfg["pool"] == "maxmean":
                feats.append((h * m).sum(2) / nk[:, None].float())
        if cfg["ctx"]:
            H = torch.cat(hs, 1).transpose(1, 2)  # B,Lp,F: every window's features
            n1 = torch.clamp(lens, min=1)  # positions that start a window of width 1
            valid = t < n1[:, None]  # B,Lp
            sc = s.wq(H) @ s.wk(H).transpose(1, 2) / cfg["ctx"] ** 0.5  # B,Lp,Lp
            sc = sc.masked_fill(~valid[:, None, :], -1e9)
            c = torch.softmax(sc, -1) @ H  # B,Lp,F
            vm = valid[:, :, None].float()
            feats.append((c * vm - (1 - vm) * 1e4).max(1).values)
            feats.append((c * vm).sum(1) / n1[:, None].float())
        return s.out(s.drop(torch.cat(feats, 1)))

    def embed(s, x):
        if not SUB:
            return s.emb(x)
        # a negative id -i-1 is word i with its vocabulary row dropped (word dropout keeps
        # the n-grams: the model learns to read words it has no row for)
        dropped = x < 0
        x = torch.where(dropped, -x - 1, x)
        wrow = WROW[x].masked_fill(dropped, 1)
        u, inv = torch.unique(x, return_inverse=True)
        sub = s.ngram(NGT[u]).sum(1) / NGC[u, None]
        return s.emb(wrow) + sub[inv]


def batch(seqs):
    return shipped_torch.batch(seqs, KMAX)


def predict(model, seqs, bs=512):
    return shipped_torch.predict(model, seqs, KMAX, bs)


if SUB:
    WROW, NGT, NGC = subword_tables()
model = CNN()
params = [
    {"params": [p for n, p in model.named_parameters() if not n.startswith(("emb", "ngram"))]},
    {
        "params": [p for n, p in model.named_parameters() if n.startswith(("emb", "ngram"))],
        "lr": cfg["lr"] * cfg["emb_lr"],
    },
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
            seqs = [
                [(-w - 1 if SUB else 1) if (rng.rand() < cfg["wdrop"]) else w for w in q]
                for q in seqs
            ]
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
