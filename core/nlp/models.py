"""Learned text scorers, as plain weights: no I/O, no training code, pure Python + numpy.

The weights are produced by ``scripts/train_models.py`` and read from the shipped file
by ``config.models``; the engine receives a :class:`TextModels` (or none, in which case
the triggers fall back to their lexicon and cue rules).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class LinearScorer:
    """Logistic regression over the two feature blocks of :func:`core.nlp.text.text_features`.

    ``threshold`` is the detection threshold chosen at training time (cross-validated on
    the training split), so ``score >= threshold`` is the scorer's yes/no answer.
    """

    name: str
    weights: Mapping[str, float]
    bias: float
    threshold: float

    def score(self, words: Sequence[str], chars: Sequence[str]) -> float:
        get = self.weights.get
        z = self.bias
        if words:
            z += sum(get(f, 0.0) for f in words) / math.sqrt(len(words))
        if chars:
            z += sum(get(f, 0.0) for f in chars) / math.sqrt(len(chars))
        return _sigmoid(z)

    def strongest(self, words: Sequence[str], k: int = 3) -> tuple[str, ...]:
        """The word features that push the score up most: the evidence shown to agents."""
        scored = sorted(
            ((self.weights.get(f, 0.0), f) for f in words if not f.startswith("#")),
            reverse=True,
        )
        return tuple(f for w, f in scored[:k] if w > 0)


@dataclass(frozen=True, slots=True)
class IntentSpace:
    """A softmax over known customer-service intents: what a message *means*.

    Two messages mean the same when their intent distributions point the same way
    (cosine). Off-domain text gives a flat distribution, so a message whose most likely
    intent is below ``gate`` has no meaning vector and loops fall back to wording.
    """

    vocab: Mapping[str, int]
    matrix: FloatArray  # (features, intents)
    bias: FloatArray  # (intents,)
    labels: tuple[str, ...]
    gate: float = 0.3

    def meaning(self, words: Sequence[str], chars: Sequence[str]) -> FloatArray | None:
        """Unit vector of intent probabilities, or None when no intent is likely enough."""
        z = self.bias.copy()
        for block in (words, chars):
            rows = [self.vocab[f] for f in block if f in self.vocab]
            if rows:
                z += self.matrix[rows].sum(axis=0) / math.sqrt(len(block))
        z = np.exp(z - z.max())
        p = z / z.sum()
        if float(p.max()) < self.gate:
            return None
        out: FloatArray = (p / np.linalg.norm(p)).astype(np.float32)
        return out


@dataclass(frozen=True, slots=True)
class TextModels:
    """Everything learned that the engine can use; each part is optional."""

    frustration: LinearScorer | None = None
    topics: Mapping[str, LinearScorer] = field(default_factory=dict)
    intents: IntentSpace | None = None
    #: correctly spelled words seen in natural training text: never treated as typos
    known_words: frozenset[str] = frozenset()
    version: str = "none"
