"""A local Hugging Face causal LM as an :class:`~arm_gym.llm.base.LLM` (no server needed).

Batches are padded on the left, sorted by length and generated ``batch_size`` prompts at a time
under ``torch.inference_mode()``; ``stop`` strings end each sequence on its own. Sampling draws
from a generator seeded by the backend's own RNG inside ``torch.random.fork_rng``, so it is
reproducible for a seed and leaves torch's global RNG untouched. Base models without a chat
template use :meth:`complete`; :meth:`chat` says so instead of guessing a format.

Example:
    >>> from arm_gym.llm.gemma import gemma_hf_dir
    >>> llm = TransformersLLM(gemma_hf_dir())  # doctest: +SKIP
    >>> llm.complete("Q: 2 + 2 = ?\\nA:", max_tokens=4, stop=["\\n"])  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from arm_gym.llm.base import LLM, LLMError, Message, truncate_at_stop

logger = logging.getLogger(__name__)


class TransformersLLM(LLM):
    """Generate with a local ``transformers`` causal LM.

    Args:
        model: a Hugging Face id or local path, or an already loaded ``PreTrainedModel``.
        tokenizer: its tokenizer (loaded from ``model`` when omitted).
        gguf_file: a GGUF file name inside ``model`` (a directory) to load through ``gguf``
            (slow on CPU: prefer :func:`arm_gym.llm.gemma.gemma_hf_dir`, which converts once).
        device: ``"cuda"``, ``"cpu"``, ... (default: CUDA when available).
        dtype: a torch dtype name such as ``"bfloat16"`` (default: the checkpoint's, float32 on CPU).
        batch_size: prompts generated together.
        seed: seeds sampling (``temperature > 0``).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        *,
        gguf_file: str | None = None,
        device: str | None = None,
        dtype: str | None = None,
        batch_size: int = 8,
        seed: int | None = None,
    ):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, not {batch_size}")
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        extra = {"gguf_file": gguf_file} if gguf_file else {}
        if isinstance(model, (str, os.PathLike)):
            self.name = str(model)
            if tokenizer is None:
                tokenizer = AutoTokenizer.from_pretrained(model, **extra)
            torch_dtype = getattr(torch, dtype) if dtype else (None if self.device.type == "cuda" else torch.float32)
            model = AutoModelForCausalLM.from_pretrained(model, dtype=torch_dtype, **extra)
        else:
            self.name = getattr(getattr(model, "config", None), "_name_or_path", type(model).__name__)
            if tokenizer is None:
                raise ValueError("pass the tokenizer along with a loaded model")
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.batch_size = int(batch_size)
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()  # one generate at a time: the model is shared
        self.usage = {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.name!r}, device={str(self.device)!r}, batch_size={self.batch_size})"

    @property
    def has_chat_template(self) -> bool:
        """Whether the tokenizer defines a chat format (base models such as Gemma 270M do not)."""
        return bool(getattr(self.tokenizer, "chat_template", None))

    # ----------------------------------------------------------------- LLM API
    def complete(self, prompt: str, **kwargs: Any) -> list[str]:
        """``n`` continuations of ``prompt``."""
        return self.complete_batch([prompt], **kwargs)[0]

    def chat(self, messages: Sequence[Message], **kwargs: Any) -> list[str]:
        """``n`` replies to ``messages`` (needs a chat template)."""
        return self.chat_batch([messages], **kwargs)[0]

    def complete_batch(
        self,
        prompts: Sequence[str],
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 256,
        stop: Sequence[str] | None = None,
    ) -> list[list[str]]:
        """One list of ``n`` continuations per prompt, in input order (generated in batches)."""
        return self._generate(list(prompts), n, temperature, max_tokens, stop, add_special_tokens=True)

    def chat_batch(
        self,
        conversations: Sequence[Sequence[Message]],
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 256,
        stop: Sequence[str] | None = None,
    ) -> list[list[str]]:
        """One list of ``n`` replies per conversation, in input order."""
        if not self.has_chat_template:
            raise LLMError(f"{self.name} has no chat template (a base model): use complete() with a few-shot prompt")
        prompts = [
            self.tokenizer.apply_chat_template([dict(m) for m in c], tokenize=False, add_generation_prompt=True)
            for c in conversations
        ]
        return self._generate(prompts, n, temperature, max_tokens, stop, add_special_tokens=False)

    # ----------------------------------------------------------------- internals
    def _generate(
        self,
        prompts: list[str],
        n: int,
        temperature: float,
        max_tokens: int,
        stop: Sequence[str] | None,
        *,
        add_special_tokens: bool,
    ) -> list[list[str]]:
        import torch

        if n < 1 or max_tokens < 1 or temperature < 0:
            raise ValueError(
                f"need n >= 1, max_tokens >= 1 and temperature >= 0 (got {n}, {max_tokens}, {temperature})"
            )
        stop = [s for s in (stop or []) if s]
        lengths = [len(self.tokenizer(p, add_special_tokens=add_special_tokens)["input_ids"]) for p in prompts]
        order = sorted(range(len(prompts)), key=lambda i: lengths[i])
        results: list[list[str]] = [[] for _ in prompts]
        gen_kwargs: dict[str, Any] = {
            "max_new_tokens": int(max_tokens),
            "num_return_sequences": n,
            "pad_token_id": self.tokenizer.pad_token_id,
            "do_sample": temperature > 0,
        }
        if temperature > 0:
            gen_kwargs.update(temperature=float(temperature), top_k=0, top_p=1.0)
        else:
            gen_kwargs.update(temperature=None, top_k=None, top_p=None)
        if stop:
            gen_kwargs.update(stop_strings=list(stop), tokenizer=self.tokenizer)
        with self._lock:
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [prompts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=add_special_tokens
                ).to(self.device)
                width = batch["input_ids"].shape[1]
                seed = int(self._rng.integers(2**63))
                devices = [self.device.index or 0] if self.device.type == "cuda" else []
                with torch.random.fork_rng(devices=devices), torch.inference_mode():
                    torch.manual_seed(seed)
                    out = self.model.generate(**batch, **gen_kwargs)
                new = out[:, width:]
                texts = self.tokenizer.batch_decode(new, skip_special_tokens=True)
                pad = self.tokenizer.pad_token_id
                self.usage["requests"] += len(idx)
                self.usage["prompt_tokens"] += int(batch["attention_mask"].sum())
                self.usage["completion_tokens"] += int((new != pad).sum())
                for j, i in enumerate(idx):
                    results[i] = [truncate_at_stop(t, stop) for t in texts[j * n : (j + 1) * n]]
        return results
