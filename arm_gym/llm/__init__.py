"""LLM backends: one small interface (:class:`LLM`: ``chat``/``complete``, batched) and its implementations.

- :class:`OpenAICompatibleLLM`: any OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama, OpenAI).
- :class:`TransformersLLM`: a local Hugging Face causal LM.
- :class:`LlamaServer`: starts/stops llama.cpp's server on 127.0.0.1 (default model: offline Gemma 3 270M).

Names resolve lazily, so ``import arm_gym.llm`` imports neither ``openai`` nor ``torch``.
"""

from __future__ import annotations

import importlib
from typing import Any

from arm_gym.llm.base import LLM, LLMError, Message, truncate_at_stop

_LAZY = {
    "OpenAICompatibleLLM": "arm_gym.llm.openai_compat",
    "TransformersLLM": "arm_gym.llm.transformers_backend",
    "LlamaServer": "arm_gym.llm.server",
    "gemma_gguf_path": "arm_gym.llm.gemma",
    "gemma_hf_dir": "arm_gym.llm.gemma",
}

__all__ = [
    "LLM",
    "LLMError",
    "LlamaServer",
    "Message",
    "OpenAICompatibleLLM",
    "TransformersLLM",
    "gemma_gguf_path",
    "gemma_hf_dir",
    "truncate_at_stop",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
