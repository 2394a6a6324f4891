"""Load the shipped text models (``text-models-v2.bin``) into :class:`core.nlp.models.TextModels`.

This is the I/O half of the engine's learned parts: the file is read here, once, and the
plain weights are handed to the pure engine. The file is a NumPy ``.npz`` archive named
``.bin`` so that packaging ships it; ``scripts/train_models.py`` writes it.
"""

from __future__ import annotations

import dataclasses
import io
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.nlp.models import (
    AveragedScorer,
    ConvScorer,
    EncoderLayer,
    IntentSpace,
    LinearScorer,
    MessageScorer,
    TextModels,
)

BUNDLED = "text-models-v2.bin"


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


#: the arrays of one encoder layer: :class:`EncoderLayer`'s fields but its head count
ENCODER_PARTS = tuple(
    f.name for f in dataclasses.fields(EncoderLayer) if f.init and f.name != "heads"
)


def _encoder(arrays: Any, prefix: str, info: dict[str, Any]) -> tuple[EncoderLayer, ...]:
    """A student's encoder layers (``{prefix}_encoder{n}_{part}``), if it has any."""
    return tuple(
        EncoderLayer(
            heads=int(info["heads"]),
            **{p: arrays[f"{prefix}_encoder{n}_{p}"].astype(np.float32) for p in ENCODER_PARTS},
        )
        for n in range(int(info.get("layers", 0)))
    )


def _optional(arrays: Any, name: str) -> np.ndarray | None:
    return arrays[name].astype(np.float32) if name in arrays else None


def conv_student(arrays: Any, prefix: str, info: dict[str, Any], threshold: float) -> ConvScorer:
    """One convolutional student from ``{prefix}_{array}`` entries and its settings."""
    return ConvScorer(
        name="frustration",
        vocab={w: i for i, w in enumerate(_words(arrays[f"{prefix}_vocab"]))},
        embeddings=arrays[f"{prefix}_embeddings"].astype(np.float32),
        kernel=arrays[f"{prefix}_kernel"].astype(np.float32),
        conv_bias=arrays[f"{prefix}_conv_bias"].astype(np.float32),
        widths=tuple(int(w) for w in info["widths"]),
        channels=int(info["channels"]),
        dense=arrays[f"{prefix}_dense"].astype(np.float32),
        bias=float(info["bias"]),
        threshold=threshold,
        mean_pool=bool(info["mean_pool"]),
        encoder=_encoder(arrays, prefix, info),
        positions=_optional(arrays, f"{prefix}_positions"),
        subwords=_optional(arrays, f"{prefix}_subwords"),
    )


def _frustration(arrays: Any, meta: dict[str, Any]) -> MessageScorer:
    """The convolutional student(s) when the archive holds any, else the logistic
    regression. Several students are averaged."""
    info = meta.get("frustration_cnn")
    if info is None:
        return _linear("frustration", arrays, meta["frustration"])
    threshold = float(info["threshold"])
    members = tuple(
        conv_student(arrays, f"frustration_cnn_{i}", member, threshold)
        for i, member in enumerate(info["members"])
    )
    if len(members) == 1:
        return members[0]
    return AveragedScorer(name="frustration", members=members, threshold=threshold)


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
