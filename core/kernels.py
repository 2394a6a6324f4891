"""Numerical kernels compiled to machine code by Numba, for the models whose NumPy form
costs more in calls than in arithmetic.

A transformer layer over a dozen words of 64 dimensions is some 300,000 multiply-adds: a
few microseconds of arithmetic, but about forty NumPy calls of a microsecond each. Here a
layer is one call, and so are a student's filters and pooling: loops for the row-wise
parts, BLAS (``np.dot``, through SciPy) for the products. Each function is plain Python
as written (the tests run it so); :func:`compiled` compiles it on first use in a
process, so only a process that loads such a model imports Numba. Numba keeps what it
compiled in a cache (beside this file, else in the user's cache directory) and the next
process loads it instead of compiling again; where neither is writable it compiles in
memory, in a few seconds. This module is left out of the engine's mypyc build: Numba
compiles Python functions, not compiled ones.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Kernel = TypeVar("Kernel", bound=Callable[..., Any])

#: LLVM may reorder sums and fuse multiply-adds: a dot product's additions then run side
#: by side in vector registers instead of one after another. Not the rest of fastmath,
#: which assumes no infinities (a softmax here starts from -inf).
_FASTMATH = frozenset({"reassoc", "contract"})


def encoder_layer(
    given: FloatArray,
    heads: int,
    qkv_bias: FloatArray,
    out: FloatArray,
    up: FloatArray,
    up_bias: FloatArray,
    down: FloatArray,
    down_bias: FloatArray,
    epsilon: float,
) -> FloatArray:
    """One pre-norm transformer layer from its inputs, as :class:`core.nlp.models.
    EncoderLayer` lays them out (that class says what each weight holds).

    ``given`` is (words, 5 * dims): each word's vector plus the attention's output bias,
    the vector centred, and its queries, keys and values before the first norm's row
    scale. ``up`` is (dims, dims + hidden): the centring, then the feed-forward block's
    input weights.
    """
    words = given.shape[0]
    dims = out.shape[0]
    size = dims // heads
    hidden = up.shape[1] - dims
    qkv = np.empty((words, 3 * dims), dtype=np.float32)
    eps = np.float32(epsilon)
    for i in range(words):
        # a layer norm's row scale over sqrt(dims) (which the weights hold)
        squares = np.float32(0.0)
        for k in range(dims, 2 * dims):
            squares += given[i, k] * given[i, k]
        scale = np.float32(1.0) / np.sqrt(squares + eps)
        for k in range(3 * dims):
            qkv[i, k] = given[i, 2 * dims + k] * scale + qkv_bias[k]
    context = np.zeros((words, dims), dtype=np.float32)
    weights = np.empty(words, dtype=np.float32)
    for head in range(heads):
        q, key, value = head * size, dims + head * size, 2 * dims + head * size
        for i in range(words):
            top = np.float32(-np.inf)
            for j in range(words):
                z = np.float32(0.0)
                for k in range(size):
                    z += qkv[i, q + k] * qkv[j, key + k]
                weights[j] = z
                top = max(top, z)
            total = np.float32(0.0)
            for j in range(words):  # shifted by the row's largest score: exp cannot overflow
                weights[j] = np.exp(weights[j] - top)
                total += weights[j]
            for j in range(words):
                share = weights[j] / total
                for k in range(size):
                    context[i, q + k] += share * qkv[j, value + k]
    attended = np.dot(context, out)
    for i in range(words):
        for k in range(dims):
            attended[i, k] += given[i, k]
    both = np.dot(attended, up)
    units = np.empty((words, hidden), dtype=np.float32)
    for i in range(words):
        squares = np.float32(0.0)
        for k in range(dims):
            squares += both[i, k] * both[i, k]
        scale = np.float32(1.0) / np.sqrt(squares + eps)
        for k in range(hidden):
            units[i, k] = max(both[i, dims + k] * scale + up_bias[k], np.float32(0.0))
    result: FloatArray = np.dot(units, down)
    for i in range(words):
        for k in range(dims):
            result[i, k] += attended[i, k] + down_bias[k]
    return result


def filters(
    x: FloatArray,
    size: int,
    stacked: FloatArray,
    shifts: IntArray,
    conv_bias: FloatArray,
    widths: IntArray,
    channels: int,
    dense: FloatArray,
    bias: float,
) -> tuple[FloatArray, float]:
    """A convolutional scorer's activations after ReLU over one message's vectors ``x``
    (words, dims), and its log-odds, as :class:`core.nlp.models.ConvScorer` works them out
    from its tables.

    The activations are (``size``, widths * channels): a width ``w`` has ``max(words, w)
    - w + 1`` windows (one for a message shorter than the filter, over zero vectors past
    its end), zeros after. ``stacked`` holds every filter offset's kernel side by side:
    offset ``j`` feeds output column ``c`` from its column ``c + shifts[j]`` (offset ``j``
    feeds only the widths longer than ``j``). ``dense`` weighs the features max-pooled,
    then (when it is twice as long) the features mean-pooled.
    """
    words = x.shape[0]
    features = conv_bias.shape[0]
    products = np.dot(x, stacked)
    h = np.zeros((size, features), dtype=np.float32)
    top = np.zeros(features, dtype=np.float32)  # each feature pooled: max, then sum
    total = np.zeros(features, dtype=np.float32)
    logit = np.float32(bias)
    mean_pool = dense.shape[0] > features
    # the innermost loops run along a row's channels, which lie side by side in memory
    for k in range(len(widths)):
        width = widths[k]
        low, high = k * channels, (k + 1) * channels
        windows = max(words, width) - width + 1
        maxima, sums = top[low:high], total[low:high]
        for p in range(windows):
            row = h[p, low:high]
            row[:] = conv_bias[low:high]
            for j in range(min(width, words - p)):  # zero vectors past the end add 0
                column = shifts[j]
                row += products[p + j, column + low : column + high]
            for c in range(channels):
                value = max(row[c], np.float32(0.0))
                row[c] = value
                maxima[c] = max(maxima[c], value)
                sums[c] += value
        share = np.float32(1.0) / np.float32(windows)
        for c in range(low, high):
            logit += dense[c] * top[c]
            if mean_pool:
                logit += dense[features + c] * total[c] * share
    return h, float(logit)


def compiled(kernel: Kernel) -> Kernel:
    """``kernel`` compiled by Numba (cached per process; compiled on its first call)."""
    return cast(Kernel, _compiled(kernel))


@cache
def _compiled(kernel: Callable[..., Any]) -> Callable[..., Any]:
    import numba  # here: only a process that runs such a model pays for importing it

    options: dict[str, Any] = {"nogil": True, "fastmath": set(_FASTMATH)}
    try:
        return cast(Callable[..., Any], numba.njit(cache=True, **options)(kernel))
    except RuntimeError:  # no writable cache directory: compile in memory
        return cast(Callable[..., Any], numba.njit(**options)(kernel))
