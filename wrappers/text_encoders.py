"""Text encoders for the SB3 adapters: a text in, a fixed-size ``float32`` vector out, cached by text.

Two encoders share one interface, ``encode(texts) -> np.ndarray`` of shape ``(len(texts), dim)``:

* :class:`HashingEncoder` (the light default): word unigrams and bigrams hashed into ``dim`` signed buckets
  with ``hashlib.blake2b`` (stable across processes and runs, unlike Python's salted ``hash()``), L2-normalised.
  No torch, no model; thousands of texts per second.
* :class:`MiniLMEncoder`: mean-pooled, L2-normalised sentence embeddings from a transformers encoder (default:
  the packaged all-MiniLM-L6-v2, ``dim`` 384), loaded offline, run in batches under ``torch.inference_mode``.

Both keep an LRU cache keyed by text, so the instruction and recurring candidate actions are encoded once.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

ENCODERS = ("hash", "minilm")
_TOKEN = re.compile(r"[a-z]+|\d+(?:/\d+)?|[^\sa-z\d]", re.IGNORECASE)


class _CachedEncoder:
    """An LRU cache by text around :meth:`_encode_batch` (only the misses are encoded, in one batch)."""

    dim: int

    def __init__(self, cache_size: int = 100_000):
        self.cache_size = int(cache_size)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32 embeddings."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            hit = self._cache.get(text)
            if hit is None:
                missing.setdefault(text, []).append(i)
            else:
                self._cache.move_to_end(text)
                out[i] = hit
        if missing:
            fresh = self._encode_batch(list(missing))
            for (text, rows), vector in zip(missing.items(), fresh):
                out[rows] = vector
                self._cache[text] = vector
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:  # SubprocVecEnv pickles env factories: ship no cache
        state = dict(self.__dict__)
        state["_cache"] = OrderedDict()
        return state


class HashingEncoder(_CachedEncoder):
    """Signed feature hashing of word unigrams and bigrams (stable: ``hashlib.blake2b``).

    Example:
        >>> from arm_gym.wrappers.text_encoders import HashingEncoder
        >>> enc = HashingEncoder(dim=64)
        >>> v = enc.encode(["3 + 4 = 7", "3 + 4 = 7", "go north"])
        >>> v.shape, bool((v[0] == v[1]).all()), round(float((v[0] ** 2).sum()), 3)
        ((3, 64), True, 1.0)

    Args:
        dim: the vector size.
        bigrams: also hash adjacent word pairs (word order matters: ``8 - 3`` differs from ``3 - 8``).
        cache_size: texts kept in the LRU cache.
    """

    def __init__(self, dim: int = 256, *, bigrams: bool = True, cache_size: int = 100_000):
        super().__init__(cache_size)
        if dim < 2:
            raise ValueError(f"dim must be at least 2, not {dim}")
        self.dim = int(dim)
        self.bigrams = bigrams

    def _features(self, text: str) -> list[str]:
        words = [w.lower() for w in _TOKEN.findall(text)]
        feats = list(words)
        if self.bigrams:
            feats += [f"{a} {b}" for a, b in itertools.pairwise(words)]
        return feats

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                digest = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
                out[row, digest % self.dim] += 1.0 if (digest >> 63) & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


class MiniLMEncoder(_CachedEncoder):
    """Mean-pooled sentence embeddings from a transformers encoder (default: the packaged all-MiniLM-L6-v2).

    Example:
        >>> from arm_gym.wrappers.text_encoders import MiniLMEncoder
        >>> enc = MiniLMEncoder()                       # doctest: +SKIP
        >>> enc.encode(["open the door"]).shape         # doctest: +SKIP
        (1, 384)

    Args:
        backbone: a Hugging Face id or local path (``None``: the packaged MiniLM, offline).
        max_tokens: texts are cut to this many tokens.
        batch_size: texts per forward pass.
        device: ``"cpu"``, ``"cuda"`` or ``None`` (CUDA when available); bf16 autocast on CUDA.
        cache_size: texts kept in the LRU cache.
    """

    def __init__(
        self,
        backbone: str | os.PathLike | None = None,
        *,
        max_tokens: int = 128,
        batch_size: int = 64,
        device: str | None = None,
        cache_size: int = 100_000,
    ):
        super().__init__(cache_size)
        self.backbone, self.max_tokens, self.batch_size, self.device = backbone, max_tokens, batch_size, device
        self._model: Any = None
        self._tokenizer: Any = None
        self.dim = int(self._load().config.hidden_size)

    def _load(self) -> Any:
        if self._model is None:
            import torch
            from transformers import AutoModel, AutoTokenizer

            from arm_gym.reward.model import check_checkpoint, resolve_backbone

            path = resolve_backbone(self.backbone)
            check_checkpoint(path)
            local = os.path.isdir(path)
            self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
            device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
            self._model = AutoModel.from_pretrained(path, local_files_only=local).to(device).eval()
        return self._model

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self._load()
        device = next(model.parameters()).device
        chunks = []
        for start in range(0, len(texts), self.batch_size):
            batch = self._tokenizer(
                texts[start : start + self.batch_size], padding=True, truncation=True,
                max_length=self.max_tokens, return_tensors="pt",
            ).to(device)
            with torch.inference_mode(), torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda"):
                hidden = model(**batch).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy())
        return np.concatenate(chunks).astype(np.float32)

    def __getstate__(self) -> dict[str, Any]:  # a subprocess loads its own copy of the model
        state = super().__getstate__()
        state["_model"] = state["_tokenizer"] = None
        return state


def make_encoder(encoder: str | Any = "hash", **kwargs: Any) -> Any:
    """An encoder by name (``"hash"`` or ``"minilm"``, ``kwargs`` passed on); any object with ``encode`` and
    ``dim`` is returned as it is."""
    if not isinstance(encoder, str):
        if not callable(getattr(encoder, "encode", None)) or not hasattr(encoder, "dim"):
            raise TypeError("an encoder needs encode(texts) -> np.ndarray and a dim attribute")
        return encoder
    if encoder == "hash":
        return HashingEncoder(**kwargs)
    if encoder == "minilm":
        return MiniLMEncoder(**kwargs)
    raise ValueError(f"encoder must be one of {ENCODERS} or an encoder object, not {encoder!r}")
