"""The one small interface every LLM backend implements: chat and plain completion, batched."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TypedDict


class LLMError(RuntimeError):
    """A backend could not produce text (server unreachable, tries used up, bad request); the message says why."""


def truncate_at_stop(text: str, stop: Sequence[str] | None) -> str:
    """``text`` cut before the first occurrence of any ``stop`` string (servers differ in whether they include it)."""
    if not stop:
        return text
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=len(text))
    return text[:cut]


class Message(TypedDict):
    """One chat message."""

    role: str
    content: str


class LLM(ABC):
    """A text generator. ``chat`` for instruction-tuned models, ``complete`` for base models.

    Each call returns ``n`` strings. The ``*_batch`` variants take many prompts and return one list
    of ``n`` strings per prompt, in input order; backends run them concurrently.
    """

    @abstractmethod
    def chat(
        self,
        messages: Sequence[Message],
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 256,
        stop: Sequence[str] | None = None,
    ) -> list[str]:
        """Reply to a conversation."""

    @abstractmethod
    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 256,
        stop: Sequence[str] | None = None,
    ) -> list[str]:
        """Continue a plain-text prompt."""

    def chat_batch(self, conversations: Sequence[Sequence[Message]], **kwargs) -> list[list[str]]:
        """``chat`` for many conversations (sequential here; backends override to run concurrently)."""
        return [self.chat(c, **kwargs) for c in conversations]

    def complete_batch(self, prompts: Sequence[str], **kwargs) -> list[list[str]]:
        """``complete`` for many prompts (sequential here; backends override to run concurrently)."""
        return [self.complete(p, **kwargs) for p in prompts]
