# tokenise, vocabulary (count>=2 in train text), MiniLM-wordpiece-mean init embeddings (PCA).
# PART=1 counts the vocabulary on the 90 % part only, so that the holdout meets words the
# student never saw as often as new text does (the full-train count leaked 803 words).
import collections
import json
import os

import numpy as np

os.environ["HF_HUB_OFFLINE"] = "1"
from common import *
from safetensors.numpy import load_file
from transformers import AutoTokenizer

tx, M, y = read("train")
dtx, dM, dy = read("dev")
tt = [tokenize(t) for t in tx]
dt = [tokenize(t) for t in dtx]
counted = split_idx(len(tt))[0] if os.environ.get("PART") == "1" else range(len(tt))
cnt = collections.Counter(w for i in counted for w in tt[i])
vocab = ["<pad>", "<unk>"] + sorted([w for w, c in cnt.items() if c >= 2], key=lambda w: -cnt[w])
print("vocab", len(vocab))
tok = AutoTokenizer.from_pretrained(MODEL_DIR)
W = load_file(MODEL_DIR + "/model.safetensors")
key = [k for k in W if "word_embeddings" in k][0]
WE = W[key].astype(np.float32)
vecs = np.zeros((len(vocab), WE.shape[1]), np.float32)
for i, w in enumerate(vocab[2:], 2):
    ids = tok(w, add_special_tokens=False)["input_ids"]
    vecs[i] = WE[ids].mean(0) if ids else 0
mu = vecs[2:].mean(0)
X = vecs[2:] - mu
U, S, Vt = np.linalg.svd(X, full_matrices=False)
np.savez("out/prep.npz", vecs=vecs, mu=mu, Vt=Vt[:128], S=S[:128])
json.dump({"vocab": vocab, "train_tokens": tt, "dev_tokens": dt}, open("out/tokens.json", "w"))
print("done; explained var of 64 dims", (S[:64] ** 2).sum() / (S**2).sum())
