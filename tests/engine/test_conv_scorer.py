"""The NumPy convolutional scorer against a plain, loop-by-loop reading of its definition."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import zlib
from importlib import resources

import numpy as np
import pytest

from config.models import BUNDLED, ENCODER_PARTS, read_models
from core.errors import ConfigError
from core.kernels import compiled, encoder_layer, filters
from core.nlp.models import AveragedScorer, ConvScorer, EncoderLayer, subword_rows
from core.nlp.text import is_cjk


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
    z = _reference_filters(s, s.embeddings[rows].astype(np.float64), length)
    return 1 / (1 + math.exp(-z))


def _reference_filters(s: ConvScorer, x: np.ndarray, length: int) -> float:
    """The log-odds from the filters, pooling and output over a message's vectors ``x``
    (zero past its end)."""
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
    return sum(f * float(d) for f, d in zip(feats, s.dense, strict=True)) + s.bias


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
            # the bundled archive's other models; its own student goes, layers and all
            arrays = {k: v for k, v in z.items() if not k.startswith("frustration_cnn_")}
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

    def _archive_in_context(self, layers: int) -> bytes:
        student = _in_context(layers=2)
        with np.load(io.BytesIO(self._archive())) as z:
            arrays = dict(z)
        meta = json.loads(arrays["meta"].tobytes().decode())
        meta["frustration_cnn"]["members"][0] |= {
            "heads": 2,
            "layers": layers,
            "bias": student.bias,
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        prefix = "frustration_cnn_0"
        arrays[f"{prefix}_embeddings"] = student.embeddings.astype(np.float16)
        arrays[f"{prefix}_kernel"] = student.kernel
        arrays[f"{prefix}_conv_bias"] = student.conv_bias
        arrays[f"{prefix}_dense"] = student.dense
        arrays[f"{prefix}_positions"] = student.positions
        arrays[f"{prefix}_subwords"] = student.subwords
        for n, layer in enumerate(student.encoder):
            for part in ENCODER_PARTS:
                arrays[f"{prefix}_encoder{n}_{part}"] = getattr(layer, part)
        out = io.BytesIO()
        np.savez(out, **arrays)
        return out.getvalue()

    def test_a_student_in_context_is_read_with_its_layers_and_subwords(self) -> None:
        scorer = read_models(self._archive_in_context(layers=2)).frustration
        assert isinstance(scorer, ConvScorer)
        assert len(scorer.encoder) == 2
        text = ["this", "is", "disliked"]
        expected = _in_context(layers=2).logit(text)
        assert scorer.logit(text) == pytest.approx(expected, rel=1e-3)  # float16 rows

    def test_a_student_missing_a_layer_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="encoder2_norm1"):
            read_models(self._archive_in_context(layers=3))


def test_an_average_takes_the_mean_log_odds_and_pools_the_evidence() -> None:
    a, b = _scorer(True, seed=3), _scorer(False, seed=4)
    both = AveragedScorer(name="frustration", members=(a, b), threshold=0.5)
    text = ["this", "is", "awful", "!"]
    expected = 1 / (1 + math.exp(-(a.logit(text) + b.logit(text)) / 2))
    assert both.score(text) == pytest.approx(expected)
    assert set(both.evidence(text, text)) <= {"this", "is", "awful"}
    with pytest.raises(ValueError, match="no scorers"):
        AveragedScorer(name="frustration", members=(), threshold=0.5)


def _layer(rng: np.random.Generator, dims: int, heads: int, hidden: int) -> EncoderLayer:
    def normal(*shape: int) -> np.ndarray:
        return rng.normal(scale=0.5, size=shape).astype(np.float32)

    return EncoderLayer(
        heads=heads,
        norm1=np.stack([1 + normal(dims), normal(dims)]),
        qkv=normal(dims, 3 * dims),
        qkv_bias=normal(3 * dims),
        out=normal(dims, dims),
        out_bias=normal(dims),
        norm2=np.stack([1 + normal(dims), normal(dims)]),
        up=normal(dims, hidden),
        up_bias=normal(hidden),
        down=normal(hidden, dims),
        down_bias=normal(dims),
    )


def _in_context(subwords: bool = True, layers: int = 1, seed: int = 5) -> ConvScorer:
    rng = np.random.default_rng(seed)
    plain = _scorer(True, seed)
    dims = plain.embeddings.shape[1] + 1  # 6: two heads of three
    words = plain.embeddings.shape[0]
    emb = rng.normal(size=(words, dims)).astype(np.float32)
    emb[0] = 0.0
    return dataclasses.replace(
        plain,
        embeddings=emb,
        kernel=rng.normal(size=(dims, plain.kernel.shape[1])).astype(np.float32),
        max_tokens=12,
        encoder=tuple(_layer(rng, dims, 2, 10) for _ in range(layers)),
        positions=rng.normal(size=(67, dims)).astype(np.float32),
        subwords=rng.normal(size=(40, dims)).astype(np.float32) if subwords else None,
    )


def _reference_layer(layer: EncoderLayer, x: np.ndarray) -> np.ndarray:
    """A pre-norm transformer layer written out, head by head and word by word."""

    def norm(v: np.ndarray, params: np.ndarray) -> np.ndarray:
        centred = v - v.mean()
        return centred / math.sqrt((centred**2).mean() + 1e-5) * params[0] + params[1]

    words, dims = x.shape
    size = dims // layer.heads
    qkv = np.array([norm(v, layer.norm1) for v in x]) @ layer.qkv + layer.qkv_bias
    context = np.zeros_like(x)
    for head in range(layer.heads):
        part = slice(head * size, (head + 1) * size)
        q, k, v = (qkv[:, i * dims : (i + 1) * dims][:, part] for i in range(3))
        for i in range(words):
            scores = [float(q[i] @ k[j]) / math.sqrt(size) for j in range(words)]
            top = max(scores)
            weights = [math.exp(z - top) for z in scores]
            context[i, part] = sum(w * v[j] for j, w in enumerate(weights)) / sum(weights)
    y = x + context @ layer.out + layer.out_bias
    hidden = np.maximum(np.array([norm(v, layer.norm2) for v in y]) @ layer.up + layer.up_bias, 0)
    return y + hidden @ layer.down + layer.down_bias


def _reference_in_context(s: ConvScorer, tokens: list[str]) -> float:
    assert s.positions is not None
    x = []
    for t in tokens[: s.max_tokens]:
        row = s.vocab.get(t, 1)
        vector = s.embeddings[row].astype(np.float64)
        pieces = s.subwords is not None and not is_cjk(t) and subword_rows(t, len(s.subwords))
        if row == 1 and pieces:
            vector = vector + s.subwords[subword_rows(t, len(s.subwords))].mean(axis=0)
        x.append(vector)
    length = len(x)
    h = np.array(x) + s.positions[:length]
    for layer in s.encoder:
        h = _reference_layer(layer, h)
    padded = np.zeros((max(length, max(s.widths)), h.shape[1]))
    padded[:length] = h
    return _reference_filters(s, padded, length)


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize(
    "tokens",
    [
        ["this", "is", "awful", "!"],
        ["thanks"],
        ["awful", "!"],
        ["never", "seen", "this", "disliked", "unnecessarily"],
        ["this", "is", "awful"] * 6,  # cut at max_tokens
        [""],
    ],
)
def test_in_context_matches_the_definition(layers: int, tokens: list[str]) -> None:
    s = _in_context(layers=layers)
    assert s.logit(tokens) == pytest.approx(_reference_in_context(s, tokens), rel=1e-5, abs=1e-5)


def test_in_context_a_word_reads_its_neighbours() -> None:
    s = _in_context()
    # the same first word, then different second words: with filters of width 1 alone
    # the first word's windows would not change; attention carries its neighbours in
    first = dataclasses.replace(
        s,
        widths=(1,),
        kernel=s.kernel[:, :4],
        conv_bias=s.conv_bias[:4],
        dense=np.concatenate([s.dense[:4], s.dense[12:16]]),
    )
    a, b = first._activations(["awful", "this"])[0], first._activations(["awful", "thanks"])[0]
    assert not np.allclose(a[0], b[0])


def test_subwords_tell_unknown_words_apart() -> None:
    with_pieces, without = _in_context(subwords=True), _in_context(subwords=False)
    assert with_pieces.logit(["zzzz", "is"]) != pytest.approx(with_pieces.logit(["qqqq", "is"]))
    assert without.logit(["zzzz", "is"]) == pytest.approx(without.logit(["qqqq", "is"]))
    # known words are read from their rows alone (their n-grams are folded into them)
    assert with_pieces.logit(["this", "is"]) == pytest.approx(without.logit(["this", "is"]))
    # and a CJK character keeps the unknown row: English training left its n-grams noise
    assert with_pieces.logit(["我", "is"]) == pytest.approx(without.logit(["我", "is"]))
    assert with_pieces.logit(["我", "is"]) == pytest.approx(
        _reference_in_context(with_pieces, ["我", "is"]), rel=1e-5, abs=1e-5
    )


def test_subword_rows_are_the_training_hash() -> None:
    # CRC-32 of "# la", "#lat"…: the training scripts hash the same way, in any process
    assert subword_rows("late", 16384)[:3] == [
        zlib.crc32(g.encode()) % 16384 for g in ("# la", "#lat", "#ate")
    ]
    assert subword_rows("!", 16384) == []
    assert len(subword_rows("x" * 40, 16384)) == 32


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"positions": None}, "positions have shape None"),
        ({"max_tokens": 70}, "67 positions for messages of up to 70"),
        ({"subwords": np.zeros((8, 3), np.float32)}, "subwords have shape"),
        ({"encoder": ()}, "positions and subwords need encoder layers"),
    ],
)
def test_a_student_in_context_that_does_not_fit_is_refused(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(_in_context(), **change)


def test_an_encoder_layer_that_does_not_fit_is_refused() -> None:
    layer = _layer(np.random.default_rng(0), 6, 2, 10)
    with pytest.raises(ValueError, match="do not split into 4 heads"):
        dataclasses.replace(layer, heads=4)
    with pytest.raises(ValueError, match="down has shape"):
        dataclasses.replace(layer, down=np.zeros((9, 6), np.float32))


def test_attention_stays_exact_when_rows_differ_hugely() -> None:
    # scores far apart across rows underflow a shared shift: each row is shifted instead
    layer = _layer(np.random.default_rng(1), 6, 2, 10)
    loud = dataclasses.replace(layer, qkv=layer.qkv * 40, qkv_bias=layer.qkv_bias * 40)
    x = np.random.default_rng(2).normal(size=(5, 6)).astype(np.float32)
    got = loud.apply(x)
    assert np.isfinite(got).all()
    assert got == pytest.approx(_reference_layer(loud, x.astype(np.float64)), rel=1e-3, abs=1e-3)


@pytest.mark.parametrize("length", [1, 2, 5, 12])
def test_compiled_kernels_compute_what_their_python_says(length: int) -> None:
    # the tests above check the compiled kernels against the definition; this checks
    # that Numba compiled the Python that this module's readers read
    s = _in_context()
    layer = s.encoder[0]
    x = np.random.default_rng(length).normal(size=(length, 6)).astype(np.float32)
    given = layer.inputs(x) + layer._input_bias
    parts = (layer._qkv_bias, layer._out, layer._up, layer._up_bias, layer._down)
    args = (given, layer.heads, *parts, layer._down_bias, layer._epsilon)
    assert compiled(encoder_layer)(*args) == pytest.approx(encoder_layer(*args), abs=1e-5)
    size = max(length, 3)  # windows: one per word, or one per filter for a short message
    tail = (s._stacked, s._stacked_shifts, s._conv_bias, s._widths, s.channels, s._dense, s.bias)
    fast, slow = compiled(filters)(x, size, *tail), filters(x, size, *tail)
    assert fast[0] == pytest.approx(slow[0], abs=1e-5)
    assert fast[1] == pytest.approx(slow[1], abs=1e-5)
