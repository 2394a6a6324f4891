"""Learned text scorers, as plain weights: no I/O, no training code, pure Python + numpy.

The weights are produced by ``scripts/train_models.py`` and read from the shipped file
by ``config.models``; the engine receives a :class:`TextModels` (or none, in which case
the triggers fall back to their lexicon and cue rules).
"""

from __future__ import annotations

import heapq
import itertools
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from core.kernels import IntArray, compiled, encoder_layer, filters
from core.nlp.signals import STOPWORDS
from core.nlp.text import char_grams, is_cjk

FloatArray = npt.NDArray[np.float32]
_TOKEN_CACHE = 200_000
_MASKED = np.float32(-1e30)  # any window touching it is zeroed by the ReLU
_NOT_EVIDENCE = STOPWORDS | {"!", "?"}


def _no_ints() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _no_floats() -> FloatArray:
    return np.zeros((0, 0), dtype=np.float32)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class MessageScorer(Protocol):
    """A learned yes/no scorer of one message: ``message_score >= threshold`` is yes."""

    @property
    def name(self) -> str: ...

    @property
    def threshold(self) -> float: ...

    def message_score(self, words: Sequence[str], tokens: Sequence[str]) -> float:
        """Probability, from the message's word features and its tokens."""
        ...

    def evidence(self, words: Sequence[str], tokens: Sequence[str], k: int = 3) -> tuple[str, ...]:
        """Up to ``k`` words or phrases that pushed the score up: what agents are shown."""
        ...


@dataclass(frozen=True)
class LinearScorer:
    """Logistic regression over the two feature blocks of :func:`core.nlp.text.text_features`.

    ``threshold`` is the detection threshold chosen at training time (cross-validated on
    the training split), so ``score >= threshold`` is the scorer's yes/no answer.
    """

    name: str
    #: a dict, not any Mapping: compiled, the lookups below then skip a method call each
    weights: dict[str, float]
    bias: float
    threshold: float

    _token_sums: dict[str, tuple[float, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def _sum(self, features: Sequence[str]) -> float:
        """The features' summed weights (a plain loop, which mypyc compiles to dict calls)."""
        weights = self.weights
        total = 0.0
        for feature in features:
            total += weights.get(feature, 0.0)
        return total

    def score(self, words: Sequence[str], chars: Sequence[str]) -> float:
        """Probability from word features and the character n-grams of the message."""
        z = self.bias
        if words:
            z += self._sum(words) / math.sqrt(len(words))
        if chars:
            z += self._sum(chars) / math.sqrt(len(chars))
        return _sigmoid(z)

    def score_tokens(self, words: Sequence[str], tokens: Sequence[str]) -> float:
        """Same as :meth:`score` with the character block summed token by token (cached)."""
        z = self.bias
        if words:
            z += self._sum(words) / math.sqrt(len(words))
        total, count = 0.0, 0
        sums = self._token_sums
        for tok in tokens:
            cached = sums.get(tok)
            if cached is None:
                grams = char_grams(tok)
                cached = (self._sum(grams), len(grams))
                if len(sums) > _TOKEN_CACHE:
                    sums.clear()
                sums[tok] = cached
            total += cached[0]
            count += cached[1]
        if count:
            z += total / math.sqrt(count)
        return _sigmoid(z)

    def strongest(self, words: Sequence[str], k: int = 3) -> tuple[str, ...]:
        """The word features that push the score up most: the evidence shown to agents."""
        get = self.weights.get
        scored = [(w, f) for f in words if (w := get(f, 0.0)) > 0 and not f.startswith("#")]
        return tuple(f for _, f in heapq.nlargest(k, scored))

    # -- the MessageScorer protocol ----------------------------------------------------

    def message_score(self, words: Sequence[str], tokens: Sequence[str]) -> float:
        return self.score_tokens(words, tokens)

    def evidence(self, words: Sequence[str], tokens: Sequence[str], k: int = 3) -> tuple[str, ...]:
        return self.strongest(words, k)


#: a word's character n-grams read by a student with subwords (its 3-grams first)
SUBWORD_NGRAMS = 32
_NORM_EPS = 1e-5


def subword_rows(token: str, buckets: int) -> list[int]:
    """The rows of a student's subword table that ``token`` reads: CRC-32 of each of its
    :func:`char_grams` (UTF-8), modulo ``buckets`` (fastText's hashing trick, with a hash
    that is the same in every process, unlike Python's salted ``hash``)."""
    return [zlib.crc32(g.encode("utf-8")) % buckets for g in char_grams(token)[:SUBWORD_NGRAMS]]


@dataclass(frozen=True)
class EncoderLayer:
    """One pre-norm transformer encoder layer (Vaswani et al., 2017; torch's
    ``TransformerEncoderLayer`` with ``norm_first=True`` and ReLU), in NumPy.

    Every word's vector is read in context: multi-head self-attention over the message,
    then a feed-forward block, each fed through a layer norm and added back. Weights are
    laid out for ``x @ w`` (torch's transposed).

    A message's vectors are small (a dozen rows of 64), so NumPy calls would cost more in
    overhead than in arithmetic: the layer runs as one compiled kernel
    (:func:`core.kernels.encoder_layer`). A layer norm followed by a product is linear
    but for one scale per row, ``LN(x) @ W = (x @ C·diag(g)·W) * sqrt(d / |Cx|²) + b @ W``
    with ``C`` the centring matrix, so the centring, the norms' parameters and
    1/sqrt(head size) are folded into the weights and each row is scaled after the
    product. The layer's input half is then linear in ``x`` (:meth:`inputs`): a scorer
    works it out once per word and once per position.
    """

    heads: int
    norm1: FloatArray  # (2, dims): the first layer norm's scale, then shift
    qkv: FloatArray  # (dims, 3 * dims): queries, keys and values side by side
    qkv_bias: FloatArray  # (3 * dims,)
    out: FloatArray  # (dims, dims)
    out_bias: FloatArray  # (dims,)
    norm2: FloatArray  # (2, dims)
    up: FloatArray  # (dims, hidden)
    up_bias: FloatArray  # (hidden,)
    down: FloatArray  # (hidden, dims)
    down_bias: FloatArray  # (dims,)
    #: ``[I | C | C·diag(g1)·qkv·s]``: a row's vector, centred, and its queries, keys and
    #: values before the norm's row scale (``s``: sqrt(dims), and 1/sqrt(head size) on
    #: the queries); ``_input_bias`` puts the attention's output bias on the vector
    _inputs: FloatArray = field(init=False, compare=False, repr=False)
    _input_bias: FloatArray = field(init=False, compare=False, repr=False)
    _qkv_bias: FloatArray = field(init=False, compare=False, repr=False)
    #: ``[C | C·diag(g2)·up·sqrt(dims)]``: the feed-forward block's input, centred, and
    #: its hidden units before the norm's row scale
    _up: FloatArray = field(init=False, compare=False, repr=False)
    _up_bias: FloatArray = field(init=False, compare=False, repr=False)
    _out: FloatArray = field(init=False, compare=False, repr=False)
    _down: FloatArray = field(init=False, compare=False, repr=False)
    _down_bias: FloatArray = field(init=False, compare=False, repr=False)
    _epsilon: float = field(init=False, compare=False, repr=False)  # dims * the norms' eps

    def __post_init__(self) -> None:
        dims, hidden = self.up.shape
        if self.heads < 1 or dims % self.heads:
            raise ValueError(f"encoder: {dims} dimensions do not split into {self.heads} heads")
        expected = {
            "norm1": (2, dims),
            "qkv": (dims, 3 * dims),
            "qkv_bias": (3 * dims,),
            "out": (dims, dims),
            "out_bias": (dims,),
            "norm2": (2, dims),
            "up_bias": (hidden,),
            "down": (hidden, dims),
            "down_bias": (dims,),
        }
        for part, want in expected.items():
            got = getattr(self, part).shape
            if got != want:
                raise ValueError(f"encoder: {part} has shape {got}, expected {want}")
        # worked out in float64, stored in float32
        centre = np.eye(dims) - 1.0 / dims
        root = math.sqrt(dims)
        scale = np.ones(3 * dims)
        scale[:dims] = 1.0 / math.sqrt(dims // self.heads)
        qkv = np.asarray(self.qkv, dtype=np.float64)
        up = np.asarray(self.up, dtype=np.float64)
        norm1 = np.asarray(self.norm1, dtype=np.float64)
        norm2 = np.asarray(self.norm2, dtype=np.float64)
        inputs = np.concatenate(
            [np.eye(dims), centre, centre @ (norm1[0][:, None] * qkv) * (scale * root)], axis=1
        )
        input_bias = np.zeros(inputs.shape[1])
        input_bias[:dims] = self.out_bias
        # Row-major copies: torch's weights arrive transposed (column-major), and a small
        # product with a column-major matrix takes about three times as long.
        for name, value in (
            ("_inputs", inputs),
            ("_input_bias", input_bias),
            ("_qkv_bias", (norm1[1] @ qkv + self.qkv_bias) * scale),
            ("_up", np.concatenate([centre, centre @ (norm2[0][:, None] * up) * root], axis=1)),
            ("_up_bias", norm2[1] @ up + self.up_bias),
            ("_out", self.out),
            ("_down", self.down),
            ("_down_bias", self.down_bias),
        ):
            object.__setattr__(self, name, np.ascontiguousarray(value, dtype=np.float32))
        object.__setattr__(self, "_epsilon", dims * _NORM_EPS)

    def inputs(self, x: FloatArray) -> FloatArray:
        """What :meth:`apply_inputs` reads for vectors ``x``, (rows, 5 * dims): linear in
        ``x`` but for a bias, so a sum of vectors has the sum of their inputs (the bias
        once)."""
        out: FloatArray = x @ self._inputs
        return out

    def apply(self, x: FloatArray) -> FloatArray:
        """The layer's output for one message's vectors, (words, dims)."""
        return self.apply_inputs(_plus(x @ self._inputs, self._input_bias))

    def apply_inputs(self, given: FloatArray) -> FloatArray:
        """The layer's output from its inputs (:meth:`inputs` plus ``_input_bias``)."""
        return compiled(encoder_layer)(
            given,
            self.heads,
            self._qkv_bias,
            self._out,
            self._up,
            self._up_bias,
            self._down,
            self._down_bias,
            self._epsilon,
        )


@dataclass(frozen=True)
class ConvScorer:
    """A small convolutional text classifier (Kim, 2014) over word embeddings.

    Each token is looked up in ``embeddings`` (row 0: padding, row 1: an unknown word);
    filters of every width in ``widths`` slide over the token sequence, ``channels`` per
    width, followed by ReLU, max-pooling (and mean-pooling when ``mean_pool``) over the
    positions, and a logistic output. ``kernel`` holds every filter's per-offset weights
    side by side, so one matrix product serves all widths: for width ``w`` the
    ``w * channels`` columns from its offset are ``[offset 0 | offset 1 | …]``.

    A student may also read words in context: ``encoder`` layers (with learnt
    ``positions``) run over the message's vectors before the filters. And it may read
    words it has no row for from their pieces: with ``subwords``, an unknown word's vector
    is the unknown row plus the mean of its character n-grams' rows (:func:`subword_rows`;
    fastText, Bojanowski et al., 2017); a known word's row already holds its n-grams.
    Such a student's layers, filters and pooling run as compiled kernels
    (:mod:`core.kernels`), compiled when it is built.
    """

    name: str
    vocab: dict[str, int]  # a dict for the compiled lookups, as LinearScorer.weights
    embeddings: FloatArray  # (words, dims)
    kernel: FloatArray  # (dims, sum(w * channels))
    conv_bias: FloatArray  # (len(widths) * channels,)
    widths: tuple[int, ...]
    channels: int
    dense: FloatArray  # (pooled features,)
    bias: float
    threshold: float
    mean_pool: bool = False
    max_tokens: int = 64
    encoder: tuple[EncoderLayer, ...] = ()
    positions: FloatArray | None = None  # (at least max_tokens, dims); with an encoder
    subwords: FloatArray | None = None  # (buckets, dims); with an encoder
    #: per filter offset j: the first output column it feeds, and every word's product with
    #: its filters, (words, columns); offset 0's includes the filters' biases
    _offsets: tuple[tuple[int, FloatArray], ...] = field(default=(), compare=False, repr=False)
    #: the last message's activations: its evidence is asked for right after its score
    _last: dict[tuple[str, ...], tuple[FloatArray, float]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: the row past the vocabulary that masks positions after the message
    _mask: int = field(default=0, compare=False, repr=False)
    #: per message length, the mean-pooled features' dense weights over their windows
    _means: dict[int, FloatArray] = field(default_factory=dict, compare=False, repr=False)
    #: with an encoder: the kernel laid out by offset as for ``_offsets``, in one matrix,
    #: and per offset, its first column there less the first output column it feeds
    _stacked: FloatArray = field(default_factory=_no_floats, compare=False, repr=False)
    _stacked_shifts: IntArray = field(default_factory=_no_ints, compare=False, repr=False)
    _widths: IntArray = field(default_factory=_no_ints, compare=False, repr=False)
    _conv_bias: FloatArray = field(default_factory=_no_floats, compare=False, repr=False)
    _dense: FloatArray = field(default_factory=_no_floats, compare=False, repr=False)
    #: with an encoder: the first layer's inputs (:meth:`EncoderLayer.inputs`) for every
    #: word's row, and for every position (with the layer's input bias)
    _word_inputs: FloatArray = field(default_factory=_no_floats, compare=False, repr=False)
    _position_inputs: FloatArray = field(default_factory=_no_floats, compare=False, repr=False)
    #: the first layer's inputs for unknown words read from their subwords, as they are met
    _token_sums: dict[str, FloatArray] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Re-lay the kernel by offset: offset j feeds only the widths longer than j, which
        # (widths ascending) are the last ones, so one product per offset over their
        # channels serves every width at once.
        if list(self.widths) != sorted(self.widths):
            raise ValueError(f"{self.name}: filter widths must be ascending, not {self.widths}")
        c, dims = self.channels, self.embeddings.shape[1]
        pooled = len(self.widths) * c * (2 if self.mean_pool else 1)
        expected = {
            "kernel": ((dims, sum(self.widths) * c), self.kernel.shape),
            "conv_bias": ((len(self.widths) * c,), self.conv_bias.shape),
            "dense": ((pooled,), self.dense.shape),
        }
        for part, (want, got) in expected.items():
            if want != got:
                raise ValueError(f"{self.name}: {part} has shape {got}, expected {want}")
        if self.encoder:
            self._check_context(dims)
        elif self.positions is not None or self.subwords is not None:
            raise ValueError(f"{self.name}: positions and subwords need encoder layers")
        starts = list(itertools.accumulate((w * c for w in self.widths), initial=0))
        by_offset = []
        for j in range(max(self.widths)):
            first = next(k for k, w in enumerate(self.widths) if w > j)
            cols = np.zeros((dims, (len(self.widths) - first) * c), dtype=np.float32)
            for k in range(first, len(self.widths)):
                block = self.kernel[:, starts[k] + j * c : starts[k] + (j + 1) * c]
                cols[:, (k - first) * c : (k - first + 1) * c] = block
            by_offset.append((first * c, cols))
        if self.encoder:
            # Vectors in context differ from message to message, so there are no per-word
            # products to work out in advance: one product per message serves every
            # offset, its columns side by side (row-major: column-major takes 3x longer).
            stacked = np.ascontiguousarray(np.concatenate([m for _, m in by_offset], axis=1))
            object.__setattr__(self, "_stacked", stacked)
            # offset j's columns start where offset j-1's end (the last start, past them
            # all, is not needed), and feed output columns from its first one on
            begins = itertools.accumulate((m.shape[1] for _, m in by_offset), initial=0)
            shifts = [b - first for b, (first, _) in zip(begins, by_offset, strict=False)]
            object.__setattr__(self, "_stacked_shifts", np.array(shifts, dtype=np.int64))
            object.__setattr__(self, "_widths", np.array(self.widths, dtype=np.int64))
            # contiguous float32 copies: the compiled kernels are built for that layout
            for name in ("conv_bias", "dense"):
                value = np.ascontiguousarray(getattr(self, name), dtype=np.float32)
                object.__setattr__(self, f"_{name}", value)
            # The first layer's inputs are linear in a word's vector and its position's:
            # worked out per word (words x 5 * dims floats: 17 MB for 13k words of 64)
            # and per position, a message sums two rows instead of a product and a norm.
            assert self.positions is not None  # checked above
            layer = self.encoder[0]
            vectors = np.asarray(self.embeddings, dtype=np.float32)
            object.__setattr__(self, "_word_inputs", layer.inputs(vectors))
            at = layer.inputs(np.asarray(self.positions[: self.max_tokens], dtype=np.float32))
            object.__setattr__(self, "_position_inputs", _plus(at, layer._input_bias))
            # Compile the kernels now (or load them from Numba's cache), not on the first
            # message a customer sends.
            self.logit([""])
            self._last.clear()
            return
        words = self.embeddings.shape[0]
        embeddings = np.asarray(self.embeddings, dtype=np.float32)  # no copy
        offsets = []
        for j, (first_column, cols) in enumerate(by_offset):
            # The convolution is linear up to its ReLU, so each word's product with each
            # offset's filters is worked out once here (words x columns floats: 31 MB for
            # 13k words and 576 columns) and a message costs a few row gathers and
            # additions instead of matrix products.
            # One extra row, past the vocabulary, masks the positions after the message:
            # so hugely negative that any window touching it is zeroed by the ReLU,
            # as training left it out.
            table = np.empty((words + 1, cols.shape[1]), dtype=np.float32)
            np.matmul(embeddings, cols, out=table[:words])
            table[words] = _MASKED
            if j == 0:
                table[:words] += self.conv_bias  # every window has exactly one offset-0 word
            offsets.append((first_column, table))
        object.__setattr__(self, "_offsets", tuple(offsets))
        object.__setattr__(self, "_mask", words)

    def _check_context(self, dims: int) -> None:
        if self.positions is None or self.positions.shape[1:] != (dims,):
            got = None if self.positions is None else self.positions.shape
            raise ValueError(f"{self.name}: positions have shape {got}, expected (n, {dims})")
        if self.positions.shape[0] < self.max_tokens:
            raise ValueError(
                f"{self.name}: {self.positions.shape[0]} positions for messages of up to "
                f"{self.max_tokens} tokens"
            )
        if self.subwords is not None and self.subwords.shape[1:] != (dims,):
            raise ValueError(
                f"{self.name}: subwords have shape {self.subwords.shape}, expected (n, {dims})"
            )
        for layer in self.encoder:
            if layer.out.shape[0] != dims:
                raise ValueError(f"{self.name}: an encoder layer of {layer.out.shape[0]} dims")

    def _unknown_inputs(self, token: str) -> FloatArray:
        """The first layer's inputs for a word with no row: the unknown row plus the mean
        of its n-gram rows (none without n-grams), worked out once per word."""
        assert self.subwords is not None
        found = self._token_sums.get(token)
        if found is None:
            rows = subword_rows(token, self.subwords.shape[0])
            vector = self.embeddings[1].astype(np.float32)
            if rows:
                vector = vector + self.subwords.take(rows, axis=0).mean(axis=0)
            found = self.encoder[0].inputs(vector[None, :])[0]
            if len(self._token_sums) >= _TOKEN_CACHE:
                self._token_sums.clear()
            self._token_sums[token] = found
        return found

    def _convolve_in_context(
        self, rows: list[int], kept: list[str], length: int
    ) -> tuple[FloatArray, float]:
        """:meth:`_convolve` and :meth:`_pooled` for a student with encoder layers: the
        filters run over the vectors the layers give (zero past the message, as in
        training), in one compiled call."""
        index = np.array(rows[:length], dtype=np.intp)
        given: FloatArray = self._word_inputs.take(index, axis=0)
        if self.subwords is not None:
            for p, row in enumerate(rows[:length]):
                # Unknown: read it from its pieces. Not a CJK character: English-trained
                # n-gram rows hold only other n-grams' collisions for it (a Chinese
                # request for an order read as 0.35 frustrated), so it keeps the unknown row.
                if row == 1 and not is_cjk(kept[p]):
                    given[p] = self._unknown_inputs(kept[p])
        _plus(given, self._position_inputs[:length], out=given)
        first, *rest = self.encoder
        x = first.apply_inputs(given)
        for layer in rest:
            x = layer.apply(x)
        size = len(rows) - self.widths[-1] + 1
        return compiled(filters)(
            x,
            size,
            self._stacked,
            self._stacked_shifts,
            self._conv_bias,
            self._widths,
            self.channels,
            self._dense,
            self.bias,
        )

    def _positions(self, tokens: Sequence[str]) -> tuple[list[int], list[str], int]:
        """Table rows of the (cut) message padded for the widest filter, the tokens
        (padding as ""), and the message's length."""
        vocab = self.vocab
        kept = list(tokens[: self.max_tokens]) or [""]
        length, widest = len(kept), self.widths[-1]
        # Usually every window past the end is masked. A message shorter than a filter
        # gives that filter one window, over padding words (row 0), as in training.
        pad = [self._mask] * (widest - 1) if length >= widest else [0] * (2 * widest - length - 1)
        return [vocab.get(t, 1) for t in kept] + pad, kept + [""] * len(pad), length

    def _convolve(self, rows: list[int], length: int) -> FloatArray:
        """Activations after ReLU, shape (positions, widths * channels); a width ``w`` has
        ``max(length, w) - w + 1`` windows (one for a message shorter than the filter, as
        in training) and its later positions are zero, which leaves max and sum as they are."""
        size = len(rows) - self.widths[-1] + 1
        index = np.array(rows, dtype=np.intp)
        h = self._offsets[0][1].take(index[:size], axis=0)  # offset 0 feeds every width
        for j in range(1, len(self._offsets)):
            first, table = self._offsets[j]
            part = h[:, first:]
            _plus(part, table.take(index[j : j + size], axis=0), out=part)
        np.maximum(h, 0.0, out=h)
        if length < self.widths[-1]:  # no mask row here: zero the windows past the end
            c = self.channels
            for k, w in enumerate(self.widths):
                windows = max(length, w) - w + 1
                if windows < size:
                    h[windows:, k * c : (k + 1) * c] = 0.0
        return h

    def _activations(self, tokens: Sequence[str]) -> tuple[FloatArray, list[str], int]:
        """The message's activations after ReLU, its tokens and its length."""
        h, _, kept, length = self._scored(tokens)
        return h, kept, length

    def _scored(self, tokens: Sequence[str]) -> tuple[FloatArray, float, list[str], int]:
        rows, kept, length = self._positions(tokens)
        key = tuple(kept)
        found = self._last.get(key)
        if found is None:
            if self.encoder:
                found = self._convolve_in_context(rows, kept, length)
            else:
                h = self._convolve(rows, length)
                found = (h, self._pooled(h, length))
            self._last.clear()
            self._last[key] = found
        return found[0], found[1], kept, length

    def _mean_weights(self, length: int) -> FloatArray:
        """The dense weights of the mean-pooled features divided by each width's number
        of windows, so that one dot product with the activations' sums gives their part."""
        found = self._means.get(length)
        if found is None:
            windows = [max(length, w) - w + 1 for w in self.widths]
            per_column = np.repeat(np.array(windows, dtype=np.float32), self.channels)
            found = self._means[length] = (
                self.dense[len(self.widths) * self.channels :] / per_column
            )
        return found

    def _pooled(self, h: FloatArray, length: int) -> float:
        """The log-odds from a message's activations: its features pooled, weighed."""
        z = float(_max(h, axis=0) @ self.dense[: h.shape[1]]) + self.bias
        if self.mean_pool:
            z += float(_add(h, axis=0) @ self._mean_weights(length))
        return z

    def logit(self, tokens: Sequence[str]) -> float:
        """The raw score (log-odds) of a token sequence."""
        return self._scored(tokens)[1]

    def score(self, tokens: Sequence[str]) -> float:
        """Probability of the class the scorer detects."""
        return _sigmoid(self.logit(tokens))

    def message_score(self, words: Sequence[str], tokens: Sequence[str]) -> float:
        return self.score(tokens)

    def evidence(self, words: Sequence[str], tokens: Sequence[str], k: int = 3) -> tuple[str, ...]:
        return self.strongest(tokens, k)

    def strongest(self, tokens: Sequence[str], k: int = 3) -> tuple[str, ...]:
        """The words whose windows won the max-pool of the channels pushing the score up
        most: the evidence shown to agents."""
        h, kept, _ = self._activations(tokens)
        winners = h.argmax(axis=0)
        gains = h.max(axis=0) * self.dense[: h.shape[1]]
        c = self.channels
        credit = np.zeros(len(kept))
        for i, w in enumerate(self.widths):  # a window's gain is shared by its w words
            block = slice(i * c, (i + 1) * c)
            up = gains[block] > 0
            starts, shares = winners[block][up], gains[block][up] / w
            for offset in range(w):
                credit += np.bincount(starts + offset, shares, minlength=len(kept))
        credited = np.flatnonzero(credit > 0)
        best = credited[np.argsort(-credit[credited], kind="stable")].tolist()
        # function words ("is", "the") can win a window but tell an agent nothing
        words = [kept[p] for p in best if kept[p] and kept[p] not in _NOT_EVIDENCE]
        return tuple(dict.fromkeys(words))[:k]


@dataclass(frozen=True)
class AveragedScorer:
    """Several convolutional students as one: their log-odds averaged, which ranks messages
    better than any one of them (their errors differ), at their summed cost."""

    name: str
    members: tuple[ConvScorer, ...]
    threshold: float

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError(f"{self.name}: an average of no scorers")

    def score(self, tokens: Sequence[str]) -> float:
        """Probability of the class the members detect."""
        return _sigmoid(sum(m.logit(tokens) for m in self.members) / len(self.members))

    def message_score(self, words: Sequence[str], tokens: Sequence[str]) -> float:
        return self.score(tokens)

    def evidence(self, words: Sequence[str], tokens: Sequence[str], k: int = 3) -> tuple[str, ...]:
        ranked = itertools.zip_longest(*(m.strongest(tokens, k) for m in self.members))
        found = (w for w in itertools.chain.from_iterable(ranked) if w is not None)
        return tuple(dict.fromkeys(found))[:k]


@dataclass(frozen=True)
class IntentSpace:
    """A softmax over known customer-service intents: what a message *means*.

    Two messages mean the same when their intent distributions point the same way
    (cosine). Off-domain text gives a flat distribution, so a message whose most likely
    intent is below ``gate`` has no meaning vector and loops fall back to wording.
    """

    vocab: dict[str, int]  # a dict for the compiled lookups, as LinearScorer.weights
    matrix: FloatArray  # (features, intents)
    bias: FloatArray  # (intents,)
    labels: tuple[str, ...]
    gate: float = 0.3
    #: whether the character block is part of the model (else words only)
    chars: bool = True
    #: the loop similarity threshold calibrated with this model at training time
    loop_similarity: float = 0.5
    #: the least share of a message's words the model must know to give it a meaning
    coverage: float = 0.3
    _token_sums: dict[str, tuple[FloatArray | None, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def _rows(self, features: Sequence[str]) -> FloatArray | None:
        vocab = self.vocab
        rows = [i for f in features if (i := vocab.get(f)) is not None]
        if not rows:
            return None
        out: FloatArray = _add(self.matrix.take(rows, axis=0), axis=0)
        return out

    def meaning(self, words: Sequence[str], tokens: Sequence[str]) -> FloatArray | None:
        """Unit vector of intent probabilities, or None when no intent is likely enough.

        ``tokens`` give the character block (token by token, cached), as in training. A
        message whose words the model mostly never saw (another language, another domain)
        has no meaning without any arithmetic: fewer than ``coverage`` of its words known.
        (Plain ufunc calls below: on 104 numbers NumPy's Python wrappers cost more than
        the arithmetic.)
        """
        vocab = self.vocab
        unigrams = [t for t in tokens if t not in ("!", "?")]
        if not unigrams:
            return None
        known = sum([t in vocab for t in unigrams])
        if known < self.coverage * len(unigrams):
            return None
        z = self.bias.copy()
        if words:
            part = self._rows(words)
            if part is not None:
                _multiply(part, 1.0 / math.sqrt(len(words)), out=part)
                _plus(z, part, out=z)
        sums = self._token_sums
        vectors: list[FloatArray] = []
        count = 0
        for tok in tokens if self.chars else ():
            cached = sums.get(tok)
            if cached is None:
                grams = char_grams(tok)
                cached = (self._rows(grams), len(grams))
                if len(sums) > _TOKEN_CACHE:
                    sums.clear()
                sums[tok] = cached
            vec, n = cached
            if vec is not None:
                vectors.append(vec)
            count += n
        if vectors:
            # one reduction over the stacked rows beats an add per token
            chars = _add(np.array(vectors), axis=0) if len(vectors) > 1 else vectors[0].copy()
            _multiply(chars, 1.0 / math.sqrt(count), out=chars)
            _plus(z, chars, out=z)
        _minus(z, _max(z), out=z)
        np.exp(z, out=z)
        total = float(_add(z))
        # the most likely intent has probability 1/total (its exp is 1 after the shift)
        if 1.0 / total < self.gate:
            return None
        _multiply(z, 1.0 / math.sqrt(float(z @ z)), out=z)
        return z


_add = np.add.reduce
_max = np.maximum.reduce
_plus = np.add
_minus = np.subtract
_multiply = np.multiply


@dataclass(frozen=True, slots=True)
class TextModels:
    """Everything learned that the engine can use; each part is optional."""

    frustration: MessageScorer | None = None
    topics: Mapping[str, LinearScorer] = field(default_factory=dict)
    intents: IntentSpace | None = None
    #: correctly spelled words seen in natural training text: never treated as typos
    known_words: frozenset[str] = frozenset()
    version: str = "none"

    def clear_caches(self) -> None:
        """Forget the per-token sums the scorers remember (benchmarks start cold with this)."""
        char_grams.cache_clear()
        for part in (self.frustration, self.intents, *self.topics.values()):
            sums = getattr(part, "_token_sums", None)
            if sums is not None:
                sums.clear()
