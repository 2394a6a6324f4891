"""Load the shipped text models (``text-models-v1.bin``) into :class:`core.nlp.models.TextModels`.

This is the I/O half of the engine's learned parts: the file is read here, once, and the
plain weights are handed to the pure engine. The file is a NumPy ``.npz`` archive named
``.bin`` so that packaging ships it; ``scripts/train_models.py`` writes it.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.nlp.models import (
    ConvScorer,
    IntentSpace,
    LinearScorer,
    MessageScorer,
    TextModels,
)

BUNDLED = "text-models-v1.bin"


def _words(blob: np.ndarray) -> list[str]:
    text = blob.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def _linear(name: str, arrays: Any, meta: dict[str, Any]) -> LinearScorer:
    vocab = _words(arrays[f"{name}_vocab"])
    weights = arrays[f"{name}_weights"].astype(np.float64).tolist()
    return LinearScorer(
        name=name,
        weights=dict(zip(vocab, weights, strict=True)),
        bias=float(meta["bias"]),
        threshold=float(meta["threshold"]),
    )


def _frustration(arrays: Any, meta: dict[str, Any]) -> MessageScorer:
    """The convolutional student when the archive holds one, else the logistic regression."""
    info = meta.get("frustration_cnn")
    if info is None:
        return _linear("frustration", arrays, meta["frustration"])
    vocab = _words(arrays["frustration_cnn_vocab"])
    return ConvScorer(
        name="frustration",
        vocab={w: i for i, w in enumerate(vocab)},
        embeddings=arrays["frustration_cnn_embeddings"].astype(np.float32),
        kernel=arrays["frustration_cnn_kernel"].astype(np.float32),
        conv_bias=arrays["frustration_cnn_conv_bias"].astype(np.float32),
        widths=tuple(int(w) for w in info["widths"]),
        channels=int(info["channels"]),
        dense=arrays["frustration_cnn_dense"].astype(np.float32),
        bias=float(info["bias"]),
        threshold=float(info["threshold"]),
        mean_pool=bool(info["mean_pool"]),
    )


def read_models(data: bytes) -> TextModels:
    """Parse a models archive (bytes of the ``.npz``)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
            topics = {name: _linear(name, arrays, info) for name, info in meta["topics"].items()}
            space_meta = meta["intents"]
            vocab = _words(arrays["intents_vocab"])
            matrix = arrays["intents_matrix"].astype(np.float32) * np.float32(space_meta["scale"])
            intents = IntentSpace(
                vocab={f: i for i, f in enumerate(vocab)},
                matrix=matrix,
                bias=arrays["intents_bias"].astype(np.float32),
                labels=tuple(space_meta["labels"]),
                gate=float(space_meta["gate"]),
                chars=bool(space_meta.get("chars", True)),
                loop_similarity=float(space_meta.get("loop_similarity", 0.5)),
            )
            return TextModels(
                frustration=_frustration(arrays, meta),
                topics=topics,
                intents=intents,
                known_words=frozenset(_words(arrays["known_words"])),
                version=str(meta["version"]),
            )
    except (OSError, ValueError, KeyError) as err:
        raise ConfigError(f"text models archive is unreadable: {err}") from err


@lru_cache(maxsize=4)
def load_models(path: str | None = None) -> TextModels:
    """The text models from ``path``, or the bundled ones. Cached: load once per process."""
    if path is None:
        data = resources.files(__name__).joinpath(BUNDLED).read_bytes()
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise ConfigError(f"{path}: cannot read text models: {err}") from err
    return read_models(data)
