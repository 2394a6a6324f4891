"""The NumPy convolutional scorer against a plain, loop-by-loop reading of its definition."""

from __future__ import annotations

import dataclasses
import io
import json
import math
from importlib import resources

import numpy as np
import pytest

from config.models import BUNDLED, read_models
from core.errors import ConfigError
from core.nlp.models import AveragedScorer, ConvScorer


def _scorer(mean_pool: bool, seed: int = 3) -> ConvScorer:
    rng = np.random.default_rng(seed)
    dims, channels, widths = 5, 4, (1, 2, 3)
    words = ["<pad>", "<unk>", "this", "is", "awful", "thanks", "!"]
    emb = rng.normal(size=(len(words), dims)).astype(np.float32)
    emb[0] = 0.0
    kernel = rng.normal(size=(dims, sum(widths) * channels)).astype(np.float32)
    pooled = len(widths) * channels * (2 if mean_pool else 1)
    return ConvScorer(
        name="frustration",
        vocab={w: i for i, w in enumerate(words) if i >= 2},
        embeddings=emb,
        kernel=kernel,
        conv_bias=rng.normal(size=len(widths) * channels).astype(np.float32),
        widths=widths,
        channels=channels,
        dense=rng.normal(size=pooled).astype(np.float32),
        bias=-0.2,
        threshold=0.5,
        mean_pool=mean_pool,
    )


def _reference(s: ConvScorer, tokens: list[str]) -> float:
    """Kim (2014) written out: filter (width w, channel c) has weights W[w][j][:, c]."""
    rows = [s.vocab.get(t, 1) for t in tokens]
    length = len(rows)
    rows += [0] * (max(s.widths) - len(rows))
    x = s.embeddings[rows].astype(np.float64)
    maxes, means, col = [], [], 0
    for k, w in enumerate(s.widths):
        c0 = s.channels
        per_offset = [s.kernel[:, col + j * c0 : col + (j + 1) * c0] for j in range(w)]
        for c in range(s.channels):
            acts = []
            # windows that start on a word; a message shorter than the filter gets one
            for t in range(max(length, w) - w + 1):
                v = sum(float(x[t + j] @ per_offset[j][:, c]) for j in range(w))
                acts.append(max(v + float(s.conv_bias[k * s.channels + c]), 0.0))
            maxes.append(max(acts))
            means.append(sum(acts) / len(acts))
        col += w * s.channels
    feats = maxes + (means if s.mean_pool else [])
    z = sum(f * float(d) for f, d in zip(feats, s.dense, strict=True)) + s.bias
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize("mean_pool", [False, True])
@pytest.mark.parametrize(
    "tokens",
    [["this", "is", "awful", "!"], ["thanks"], ["awful", "!"], ["never", "seen", "this"], []],
)
def test_matches_the_definition(mean_pool: bool, tokens: list[str]) -> None:
    s = _scorer(mean_pool)
    assert s.score(tokens) == pytest.approx(_reference(s, tokens or [""]), abs=1e-5)


def test_unknown_words_share_one_row_and_order_matters() -> None:
    s = _scorer(False)
    assert s.score(["zzz", "is"]) == pytest.approx(s.score(["qqq", "is"]))
    assert s.score(["this", "is", "awful"]) != pytest.approx(s.score(["awful", "is", "this"]))


def test_long_messages_are_cut_at_max_tokens() -> None:
    s = _scorer(False)
    head = ["this", "is", "awful"] * 30
    assert s.score(head[: s.max_tokens]) == pytest.approx(s.score(head + ["thanks"] * 10))


def test_evidence_names_words_of_the_message() -> None:
    s = _scorer(False)
    found = s.strongest(["this", "is", "awful", "!"])
    assert found == ("awful",)  # function words may win a window but are no evidence


def test_filter_widths_out_of_order_are_refused() -> None:
    s = _scorer(False)
    with pytest.raises(ValueError, match="ascending"):
        dataclasses.replace(s, widths=(3, 2, 1))


class TestArchive:
    """A models archive that carries the student ships it as the frustration scorer."""

    def _archive(self, members: int = 1, **changes: object) -> bytes:
        student = _scorer(True)
        bundled = resources.files("config.models").joinpath(BUNDLED).read_bytes()
        with np.load(io.BytesIO(bundled)) as z:
            arrays = dict(z)
        meta = json.loads(arrays["meta"].tobytes().decode())
        vocab = ["<pad>", "<unk>", *sorted(student.vocab, key=student.vocab.__getitem__)]
        member = {
            "widths": list(student.widths),
            "channels": student.channels,
            "bias": student.bias,
            "mean_pool": True,
            **changes,
        }
        meta["frustration_cnn"] = {"threshold": 0.4, "members": [member] * members}
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        for i in range(members):
            prefix = f"frustration_cnn_{i}"
            arrays[f"{prefix}_vocab"] = np.frombuffer("\n".join(vocab).encode(), np.uint8)
            arrays[f"{prefix}_embeddings"] = student.embeddings.astype(np.float16)
            arrays[f"{prefix}_kernel"] = student.kernel
            arrays[f"{prefix}_conv_bias"] = student.conv_bias
            arrays[f"{prefix}_dense"] = student.dense
        out = io.BytesIO()
        np.savez(out, **arrays)
        return out.getvalue()

    def test_the_student_is_the_frustration_scorer(self) -> None:
        scorer = read_models(self._archive()).frustration
        assert isinstance(scorer, ConvScorer)
        assert scorer.threshold == 0.4
        text = ["this", "is", "awful"]
        assert scorer.score(text) == pytest.approx(_scorer(True).score(text), abs=1e-3)

    def test_several_students_are_averaged(self) -> None:
        scorer = read_models(self._archive(members=2)).frustration
        assert isinstance(scorer, AveragedScorer)
        assert len(scorer.members) == 2
        text = ["this", "is", "awful"]
        assert scorer.score(text) == pytest.approx(_scorer(True).score(text), abs=1e-3)

    def test_a_broken_student_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="kernel has shape"):
            read_models(self._archive(channels=7))  # kernel no longer fits


def test_an_average_takes_the_mean_log_odds_and_pools_the_evidence() -> None:
    a, b = _scorer(True, seed=3), _scorer(False, seed=4)
    both = AveragedScorer(name="frustration", members=(a, b), threshold=0.5)
    text = ["this", "is", "awful", "!"]
    expected = 1 / (1 + math.exp(-(a.logit(text) + b.logit(text)) / 2))
    assert both.score(text) == pytest.approx(expected)
    assert set(both.evidence(text, text)) <= {"this", "is", "awful"}
    with pytest.raises(ValueError, match="no scorers"):
        AveragedScorer(name="frustration", members=(), threshold=0.5)
