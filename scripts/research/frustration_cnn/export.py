"""Export a trained student (``out/NAME.pt``) as the engine's ConvScorer weights (NumPy only).

    python export.py NAME            # writes out/NAME.npz

Layout of ``core.nlp.models.ConvScorer``: one kernel (dims, sum(width * channels)) with
each width's per-offset filters side by side, pooled features ordered [max of every
width, then mean of every width], and the binary (frustrated) output of the 29-way head.
Embeddings are stored as float16 (int8 moved probabilities by up to 6e-3).
"""

import json
import sys

import numpy as np
import torch

name = sys.argv[1]
ck = torch.load(f"out/{name}.pt")
sd, cfg = ck["sd"], ck["cfg"]
if cfg.get("buckets") or cfg.get("attn"):  # the sixth round's students were not shipped
    sys.exit(f"export.py: {name} has subwords or attention layers, which ConvScorer cannot read")
vocab = json.load(open("out/tokens.json"))["vocab"]
widths = [int(w) for w in cfg["widths"].split(",")]
d, c = cfg["d"], cfg["C"]
blocks, bias = [], []
for n, k in enumerate(widths):
    w = sd[f"convs.{n}.weight"].numpy()  # (channels, dims, width)
    blocks += [w[:, :, j].T for j in range(k)]
    bias.append(sd[f"convs.{n}.bias"].numpy())
head = sd["out.weight"].numpy()[28]  # torch order: per width [max C, mean C]
per = 2 if cfg["pool"] == "maxmean" else 1
dense = [head[(n * per) * c : (n * per + 1) * c] for n in range(len(widths))]
if per == 2:
    dense += [head[(n * per + 1) * c : (n * per + 2) * c] for n in range(len(widths))]
np.savez_compressed(
    f"out/{name}.npz",
    vocab=np.frombuffer("\n".join(vocab).encode(), np.uint8),
    embeddings=sd["emb.weight"].numpy().astype(np.float16),
    kernel=np.concatenate(blocks, axis=1).astype(np.float32),
    conv_bias=np.concatenate(bias).astype(np.float32),
    widths=np.array(widths),
    channels=np.array(c),
    dense=np.concatenate(dense).astype(np.float32),
    bias=np.array(float(sd["out.bias"].numpy()[28])),
    threshold=np.array(float(ck["thr"])),
    mean_pool=np.array(per == 2),
)
print(f"out/{name}.npz written")
