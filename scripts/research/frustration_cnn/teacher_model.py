"""The teacher (all-MiniLM-L6-v2 + a 29-way head over mean-pooled tokens) and batch padding,
shared by teacher.py (fine-tuning) and label.py (labelling transfer sets)."""

import os

import torch
from common import MODEL_DIR

os.environ["HF_HUB_OFFLINE"] = "1"
from transformers import AutoModel


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
