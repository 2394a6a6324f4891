# teacher logits (29) for all train texts and one augmented transfer set; writes chunks as it goes
# usage: python label.py [NAME]   (NAME of out/NAME.json from aug.py; default aug)
import json
import os
import sys
import time

import numpy as np
import torch

os.environ["HF_HUB_OFFLINE"] = "1"
torch.set_num_threads(int(os.environ.get("NT", 2)))
from common import *
from teacher_model import Teacher, pad
from transformers import AutoTokenizer

tok = AutoTokenizer.from_pretrained(MODEL_DIR)


model = Teacher()
model.load_state_dict(torch.load("out/teacher.pt"))
model.eval()


@torch.inference_mode()
def predict(texts, bs=256):
    e = tok(texts, truncation=True, max_length=64)["input_ids"]
    order = np.argsort([len(s) for s in e])
    res = np.zeros((len(texts), 29), np.float32)
    for j in range(0, len(texts), bs):
        b = order[j : j + bs]
        ids, att = pad([e[i] for i in b])
        res[b] = model(ids, att).numpy()
    return res


t0 = time.time()
tx, M, y = read("train")
if not os.path.exists("out/teacher_train_logits.npy"):
    np.save("out/teacher_train_logits.npy", predict(tx))
    print("train done", time.time() - t0, flush=True)
NAME = sys.argv[1] if len(sys.argv) > 1 else "aug"  # the transfer set written by aug.py
A = [" ".join(t) for t in json.load(open(f"out/{NAME}.json"))]
CH = 40000
for c in range(0, len(A), CH):
    f = f"out/{NAME}_logits_{c // CH:02d}.npy"
    if os.path.exists(f):
        continue
    np.save(f, predict(A[c : c + CH]))
    print("aug chunk", c // CH, time.time() - t0, flush=True)
