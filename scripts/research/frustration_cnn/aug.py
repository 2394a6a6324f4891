# Tang et al. 2019 transfer set from the train-part (holdout excluded): masking, nearest-embedding swaps, n-gram sampling
import json
import sys

import numpy as np
from common import *

# usage: python aug.py NCOPY SEED NAME   (writes out/NAME.json)
NCOPY = int(sys.argv[1]) if len(sys.argv) > 1 else 6
J = json.load(open("out/tokens.json"))
vocab = J["vocab"]
w2i = {w: i for i, w in enumerate(vocab)}
tt = J["train_tokens"]
tr, ho = split_idx(len(tt))
P0 = np.load("out/prep.npz")
V = (P0["vecs"] - P0["mu"]) @ P0["Vt"][:128].T
V /= np.linalg.norm(V, axis=1, keepdims=True) + 1e-9
NB = 8
nbr = np.zeros((len(vocab), NB), np.int32)
for j in range(0, len(vocab), 2000):
    s = V[j : j + 2000] @ V[2:].T
    for r in range(s.shape[0]):
        s[r, j + r - 2] = -9 if j + r >= 2 else s[r, 0]
    nbr[j : j + 2000] = np.argpartition(-s, NB, axis=1)[:, :NB] + 2
rng = np.random.RandomState(int(sys.argv[2]))
out = []
for c in range(NCOPY):
    for i in tr:
        toks = tt[i]
        if not toks:
            continue
        new = []
        for t in toks:
            r = rng.rand()
            if r < 0.1:
                new.append("[MASK]")
            elif r < 0.2 and t in w2i and t not in ("!", "?"):
                new.append(vocab[nbr[w2i[t], rng.randint(NB)]])
            else:
                new.append(t)
        if rng.rand() < 0.25 and len(new) > 2:
            n = rng.randint(1, min(5, len(new)) + 1)
            s = rng.randint(0, len(new) - n + 1)
            new = new[s : s + n]
        out.append(new)
json.dump(out, open("out/" + sys.argv[3] + ".json", "w"))
print(len(out), "augmented;", out[:3])
for w in ["angry", "hate", "love", "stupid", "good"]:
    print(w, [vocab[k] for k in nbr[w2i[w]]])
