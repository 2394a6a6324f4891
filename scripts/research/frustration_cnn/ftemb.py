# Word vectors from the fine-tuned teacher (Tang et al.'s students gain most from good word
# vectors): each vocabulary word is run alone through the teacher's encoder and mean-pooled,
# as the teacher's head would see it (the model2vec recipe, on the fine-tuned model), then
# reduced by PCA. Writes out/ftemb.npz (emb: vocab x 128) for cnn.py's init=out/ftemb.npz.
import json
import os

import numpy as np
import torch

os.environ["HF_HUB_OFFLINE"] = "1"
torch.set_num_threads(int(os.environ.get("NT", 2)))
from common import *
from teacher_model import load_teacher, pad

tok, model = load_teacher()
vocab = json.load(open("out/tokens.json"))["vocab"]
enc = tok(vocab[2:], truncation=True, max_length=16)["input_ids"]
pooled = np.zeros((len(vocab), 384), np.float32)
with torch.inference_mode():
    for j in range(0, len(enc), 512):
        ids, att = pad(enc[j : j + 512])
        h = model.enc(input_ids=ids, attention_mask=att).last_hidden_state
        m = att.unsqueeze(-1).float()
        pooled[2 + j : 2 + j + len(ids)] = ((h * m).sum(1) / m.sum(1)).numpy()
X = pooled[2:] - pooled[2:].mean(0)
U, S, Vt = np.linalg.svd(X, full_matrices=False)
emb = np.zeros((len(vocab), 128), np.float32)
emb[2:] = X @ Vt[:128].T
np.savez("out/ftemb.npz", emb=emb)
print("explained var of 64 dims", (S[:64] ** 2).sum() / (S**2).sum())
V = emb[2:, :64] / np.linalg.norm(emb[2:, :64], axis=1, keepdims=True)
for w in ["angry", "hate", "love", "stupid", "good", "waiting"]:
    i = vocab.index(w) - 2
    print(w, [vocab[k + 2] for k in np.argsort(-(V @ V[i]))[1:9]])
