"""The teacher (all-MiniLM-L6-v2 + a 29-way head over mean-pooled tokens), batch padding,
loading the fine-tuned teacher and its logits for a list of texts; shared by teacher.py
(fine-tuning), label.py (labelling transfer sets) and ftemb.py (word vectors)."""

import os

import numpy as np
import torch
from common import MODEL_DIR

os.environ["HF_HUB_OFFLINE"] = "1"
from transformers import AutoModel, AutoTokenizer


class Teacher(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s.enc = AutoModel.from_pretrained(MODEL_DIR)
        s.head = torch.nn.Linear(384, 29)
        s.drop = torch.nn.Dropout(0.1)

    def forward(s, ids, att):
        h = s.enc(input_ids=ids, attention_mask=att).last_hidden_state
        m = att.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        return s.head(s.drop(pooled))


def pad(seqs):
    """Token id lists → (ids, attention mask), zero-padded to the longest."""
    L = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), L, dtype=torch.long)
    att = torch.zeros_like(ids)
    for k, s in enumerate(seqs):
        ids[k, : len(s)] = torch.tensor(s)
        att[k, : len(s)] = 1
    return ids, att


def load_teacher(path="out/teacher.pt"):
    """(tokenizer, fine-tuned teacher in eval mode) from teacher.py's weights."""
    model = Teacher()
    model.load_state_dict(torch.load(path))
    model.eval()
    return AutoTokenizer.from_pretrained(MODEL_DIR), model


@torch.inference_mode()
def predict(model, tok, texts, bs=256, maxlen=64):
    """The 29 logits of every text, batched by length (little padding)."""
    e = tok(texts, truncation=True, max_length=maxlen)["input_ids"]
    order = np.argsort([len(s) for s in e])
    res = np.zeros((len(texts), 29), np.float32)
    for j in range(0, len(texts), bs):
        b = order[j : j + bs]
        ids, att = pad([e[i] for i in b])
        res[b] = model(ids, att).numpy()
    return res
