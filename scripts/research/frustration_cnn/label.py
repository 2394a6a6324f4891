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
from teacher_model import load_teacher, predict

tok, model = load_teacher()

t0 = time.time()
tx, M, y = read("train")
if not os.path.exists("out/teacher_train_logits.npy"):
    np.save("out/teacher_train_logits.npy", predict(model, tok, tx))
    print("train done", time.time() - t0, flush=True)
NAME = sys.argv[1] if len(sys.argv) > 1 else "aug"  # the transfer set written by aug.py
A = [" ".join(t) for t in json.load(open(f"out/{NAME}.json"))]
CH = 40000
for c in range(0, len(A), CH):
    f = f"out/{NAME}_logits_{c // CH:02d}.npy"
    if os.path.exists(f):
        continue
    np.save(f, predict(model, tok, A[c : c + CH]))
    print("aug chunk", c // CH, time.time() - t0, flush=True)
