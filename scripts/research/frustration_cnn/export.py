"""Export a trained student (``out/NAME.pt``) as the engine's ConvScorer weights (NumPy only).

    python export.py NAME            # writes out/NAME.npz

Layout of ``core.nlp.models.ConvScorer``: one kernel (dims, sum(width * channels)) with
each width's per-offset filters side by side, pooled features ordered [max of every
width, then mean of every width], and the binary (frustrated) output of the 29-way head.
Embeddings are stored as float16 (int8 moved probabilities by up to 6e-3).

A student with subwords (``buckets=N``) has each known word's n-gram mean folded into
its row and its n-gram table as ``subwords``; one with attention layers (``attn=H``)
has ``positions``, ``heads``, ``layers`` and each layer's arrays as ``encoder{n}_{part}``
(``ConvScorer``'s ``EncoderLayer``).
"""

import json
import sys

import numpy as np
import torch
from common import REPO  # noqa: F401  (puts the repository on sys.path)

from core.nlp.models import subword_rows

name = sys.argv[1]
ck = torch.load(f"out/{name}.pt")
sd, cfg = ck["sd"], ck["cfg"]
if cfg.get("ctx"):  # the seventh round's window attention was not built into the engine
    sys.exit(f"export.py: {name} attends over its windows (ctx), which ConvScorer cannot read")
vocab = json.load(open("out/tokens.json"))["vocab"]
emb = sd["emb.weight"].numpy().copy()
extra = {}
if cfg.get("buckets"):  # fold each known word's n-gram mean into its row; keep the table
    ngrams = sd["ngram.weight"].numpy()[: cfg["buckets"]]
    for i, w in enumerate(vocab[2:], 2):
        rows = subword_rows(w, cfg["buckets"])
        if rows:
            emb[i] += ngrams[rows].mean(0)
    extra["subwords"] = ngrams.astype(np.float16)
if cfg.get("attn"):  # torch's layers as EncoderLayer's arrays (x @ w, so transposed)
    extra["positions"] = sd["pos.weight"].numpy()
    for n in range(cfg["layers"]):
        p = f"layers.{n}."
        t = {k[len(p) :]: v.numpy() for k, v in sd.items() if k.startswith(p)}
        extra |= {
            f"encoder{n}_norm1": np.stack([t["norm1.weight"], t["norm1.bias"]]),
            f"encoder{n}_qkv": t["self_attn.in_proj_weight"].T,
            f"encoder{n}_qkv_bias": t["self_attn.in_proj_bias"],
            f"encoder{n}_out": t["self_attn.out_proj.weight"].T,
            f"encoder{n}_out_bias": t["self_attn.out_proj.bias"],
            f"encoder{n}_norm2": np.stack([t["norm2.weight"], t["norm2.bias"]]),
            f"encoder{n}_up": t["linear1.weight"].T,
            f"encoder{n}_up_bias": t["linear1.bias"],
            f"encoder{n}_down": t["linear2.weight"].T,
            f"encoder{n}_down_bias": t["linear2.bias"],
        }
    extra["heads"], extra["layers"] = np.array(cfg["attn"]), np.array(cfg["layers"])
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
    embeddings=emb.astype(np.float16),
    kernel=np.concatenate(blocks, axis=1).astype(np.float32),
    conv_bias=np.concatenate(bias).astype(np.float32),
    widths=np.array(widths),
    channels=np.array(c),
    dense=np.concatenate(dense).astype(np.float32),
    bias=np.array(float(sd["out.bias"].numpy()[28])),
    threshold=np.array(float(ck["thr"])),
    mean_pool=np.array(per == 2),
    **{
        k: v.astype(np.float32) if v.dtype.kind == "f" and k != "subwords" else v
        for k, v in extra.items()
    },
)
print(f"out/{name}.npz written")
