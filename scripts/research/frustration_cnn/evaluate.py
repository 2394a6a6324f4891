"""Score GoEmotions dev with an exported student through the engine's own ConvScorer.

    OMP_NUM_THREADS=1 python evaluate.py NAME      # reads out/NAME.npz

Prints the dev F1 at the threshold chosen on the train holdout (dev is only scored),
the dev-oracle F1 (information only), agreement with the torch model's probabilities
when ``out/NAME_dev_logit.npy`` is there, mean µs per message on one core (tokens
given; ``tokenize`` not included) and the file size.
"""

import os
import sys
import timeit
from pathlib import Path

import numpy as np
from common import best_thr, f1_at, read, tokenize

from config.models import conv_student
from scripts.train_models import conv_students

name = sys.argv[1]
path = f"out/{name}.npz"
# the arrays and settings exactly as train_models.py puts them into the shipped archive
info, arrays = conv_students([Path(path)], None)
scorer = conv_student(arrays, "frustration_cnn_0", info["members"][0], info["threshold"])
texts, _, gold = read("dev")
tokens = [tokenize(t) for t in texts]
p = np.array([scorer.score(t) for t in tokens])
print(
    f"{name}: dev F1 {f1_at(gold, p, scorer.threshold):.4f} at the holdout threshold "
    f"{scorer.threshold:.3f} (dev-oracle {best_thr(gold, p)[1]:.4f}, information only)"
)
if os.path.exists(f"out/{name}_dev_logit.npy"):
    ref = 1 / (1 + np.exp(-np.load(f"out/{name}_dev_logit.npy")))
    print(f"max |p(ConvScorer) - p(torch)| = {np.abs(p - ref).max():.2e}")
# distinct messages, each once: the scorer remembers its last message's activations
started = timeit.default_timer()
for t in tokens:
    scorer.score(t)
per_message = (timeit.default_timer() - started) / len(tokens) * 1e6
print(f"{per_message:.1f} µs/message on average over dev; {os.path.getsize(path) / 1e6:.2f} MB")
