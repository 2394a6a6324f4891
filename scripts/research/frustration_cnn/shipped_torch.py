"""The shipped student (``config/models``) as a torch module, and back as an export.py npz;
the batching, training step and holdout/dev check the torch scripts share."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from common import best_thr, f1_at, read, split_idx, tokenize


def batch(seqs, kmax):
    """Token-id sequences as a zero-padded (batch, length) tensor and their lengths."""
    L = max(max(len(q) for q in seqs), kmax)
    x = torch.zeros(len(seqs), L, dtype=torch.long)
    for i, q in enumerate(seqs):
        x[i, : len(q)] = torch.tensor(q)
    return x, torch.tensor([len(q) for q in seqs])


@torch.no_grad()
def predict(model, seqs, kmax, bs=512):
    """The model's outputs for every sequence, in eval mode."""
    model.eval()
    return np.concatenate(
        [model(*batch(seqs[j : j + bs], kmax)).numpy() for j in range(0, len(seqs), bs)]
    )


def sig(z):
    return 1 / (1 + np.exp(-z))


def train_step(model, opt, seqs, targets, wdrop, rng):
    """One step of binary cross-entropy on ``seqs`` (each word dropped with ``wdrop``)."""
    model.train()
    seqs = [[1 if rng.rand() < wdrop else w for w in q] for q in seqs]
    loss = F.binary_cross_entropy_with_logits(model(*model.batch(seqs)), targets)
    opt.zero_grad()
    loss.backward()
    opt.step()


def check(model, holdout, yh, dev, dy):
    """(threshold, F1) on the holdout, dev F1 at that threshold, and dev's oracle F1."""
    t, f = best_thr(yh, sig(model.predict(holdout)))
    pd = sig(model.predict(dev))
    return t, f, f1_at(dy, pd, t), best_thr(dy, pd)[1]


def start(cfg, args):
    """The common start of the scripts that train the shipped student further: ``key=value``
    arguments over ``cfg``, torch's threads and seed, the shipped scorer ``s`` and its torch
    module, and token ids of train (``X``) and dev (``DX``) with the holdout split.
    Returns (s, model, y, dy, tr, ho, X, DX); the texts are ``common.read``'s."""
    from config.models import load_models

    for a in args:
        k, v = a.split("=")
        cfg[k] = type(cfg[k])(v)
    torch.set_num_threads(2)
    torch.manual_seed(cfg["seed"])
    s = load_models().frustration
    model = Student(s, cfg["drop"], cfg["edrop"])
    tx, _, y = read("train")
    dx, _, dy = read("dev")
    tr, ho = split_idx(len(tx))
    X = [model.ids(s, tokenize(t)) for t in tx]
    DX = [model.ids(s, tokenize(t)) for t in dx]
    return s, model, y, dy, tr, ho, X, DX


class Student(nn.Module):
    """A ``ConvScorer``'s weights in cnn.py's forward (binary head only)."""

    def __init__(self, s, drop=0.5, edrop=0.2):
        super().__init__()
        self.widths, c, d = s.widths, s.channels, s.embeddings.shape[1]
        self.kmax = max(s.widths)
        emb = torch.tensor(np.asarray(s.embeddings, np.float32))
        self.emb = nn.Embedding.from_pretrained(emb, freeze=False, padding_idx=0)
        self.convs = nn.ModuleList()
        start = 0
        for k, w in enumerate(s.widths):
            conv = nn.Conv1d(d, c, w)
            block = s.kernel[:, start : start + w * c].reshape(d, w, c)  # [offset j | ...]
            conv.weight.data = torch.tensor(block.transpose(2, 0, 1).copy())
            conv.bias.data = torch.tensor(s.conv_bias[k * c : (k + 1) * c].copy())
            self.convs.append(conv)
            start += w * c
        n = c * len(s.widths)
        # cnn.py orders features [max w1, mean w1, max w2, ...]; ConvScorer [all max | all mean]
        order = []
        for k in range(len(s.widths)):
            order += [s.dense[k * c : (k + 1) * c], s.dense[n + k * c : n + (k + 1) * c]]
        self.out = nn.Linear(2 * n, 1)
        self.out.weight.data = torch.tensor(np.concatenate(order)[None, :])
        self.out.bias.data = torch.tensor([s.bias], dtype=torch.float32)
        self.drop, self.edrop = nn.Dropout(drop), nn.Dropout(edrop)

    def forward(self, x, lens):
        e = self.edrop(self.emb(x))
        e = F.pad(e.transpose(1, 2), (0, self.kmax - 1))
        Lp = x.shape[1]
        t = torch.arange(Lp)[None, :]
        feats = []
        for w, conv in zip(self.widths, self.convs):
            h = F.relu(conv(e)[:, :, :Lp])
            nk = torch.clamp(lens, min=w) - w + 1
            m = (t < nk[:, None]).float()[:, None, :]
            feats.append((h * m - (1 - m) * 1e4).max(2).values)
            feats.append((h * m).sum(2) / nk[:, None].float())
        return self.out(self.drop(torch.cat(feats, 1)))[:, 0]

    def ids(self, s, toks):
        return [s.vocab.get(t, 1) for t in toks][: s.max_tokens] or [1]

    def batch(self, seqs):
        return batch(seqs, self.kmax)

    def predict(self, seqs, bs=512):
        return predict(self, seqs, self.kmax, bs)

    def export(self, s, path, threshold):
        """Write the weights in export.py's layout (what train_models.py --frustration-cnn reads)."""
        c = s.channels
        blocks, bias = [], []
        for conv, k in zip(self.convs, self.widths):
            w = conv.weight.detach().numpy()  # (channels, dims, width)
            blocks += [w[:, :, j].T for j in range(k)]
            bias.append(conv.bias.detach().numpy())
        head = self.out.weight.detach().numpy()[0]
        dense = [head[2 * n * c : (2 * n + 1) * c] for n in range(len(self.widths))]
        dense += [head[(2 * n + 1) * c : (2 * n + 2) * c] for n in range(len(self.widths))]
        vocab = sorted(s.vocab, key=s.vocab.get)
        np.savez_compressed(
            path,
            vocab=np.frombuffer("\n".join(vocab).encode(), np.uint8),
            embeddings=self.emb.weight.detach().numpy().astype(np.float16),
            kernel=np.concatenate(blocks, axis=1).astype(np.float32),
            conv_bias=np.concatenate(bias).astype(np.float32),
            widths=np.array(self.widths),
            channels=np.array(c),
            dense=np.concatenate(dense).astype(np.float32),
            bias=np.array(float(self.out.bias.detach().numpy()[0])),
            threshold=np.array(float(threshold)),
            mean_pool=np.array(True),
        )
