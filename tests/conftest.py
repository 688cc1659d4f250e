"""Shared fixtures: a real llama.cpp server serving Gemma 3 270M, a mock OpenAI-style client, and a
TextWorld game cache.

``llama_server`` starts ``python -m llama_cpp.server`` once per test session on 127.0.0.1 (a free
port) and stops it at the end; tests get its base URL and model name. ``mock_openai_client`` is an
object shaped like ``openai.OpenAI`` (``.completions.create``, ``.chat.completions.create``) that
records every request and answers from a script, for unit tests of prompt handling.

Hypothesis: ``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) derandomizes the property tests, so a CI
run is reproducible; a plain ``python -m pytest`` draws fresh examples every run and finds new ones.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def textworld_cache(tmp_path_factory):
    """A TextWorld game cache holding ``tests.envs.textworld_games_used.TEXTWORLD_GAMES``, compiled once per session."""
    from arm_gym.envs.textworld.games import GameSpec, build_game
    from tests.envs.textworld_games_used import TEXTWORLD_GAMES

    root = tmp_path_factory.getbasetemp() / "arm_gym_textworld_cache"
    for task_id in TEXTWORLD_GAMES.values():
        build_game(GameSpec.parse(task_id), root)
    return root


@dataclass(frozen=True)
class LlamaServerInfo:
    """What a test needs to reach the session's llama.cpp server."""

    base_url: str
    model: str
    server: Any


@pytest.fixture(scope="session")
def llama_server() -> Iterator[LlamaServerInfo]:
    """llama.cpp's OpenAI-compatible server serving the offline Gemma 3 270M on 127.0.0.1 (one per session)."""
    from arm_gym.llm.server import LlamaServer

    server = LlamaServer(n_ctx=4096, n_threads=2)
    server.start()
    try:
        yield LlamaServerInfo(base_url=server.base_url, model=server.model_alias, server=server)
    finally:
        server.stop()


@dataclass
class MockOpenAIClient:
    """An ``openai.OpenAI`` look-alike: records requests and replies with ``reply(request) -> str | list[str]``.

    Each request is recorded as a dict with ``kind`` (``"completion"`` or ``"chat"``) and the keyword
    arguments it was called with. Replies fill ``n`` choices (a list reply gives one choice each).
    """

    reply: Callable[[dict[str, Any]], str | list[str]] = lambda request: "Action: look"
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = "http://mock.invalid/v1"

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.completions = SimpleNamespace(create=lambda **kw: self._create("completion", kw))
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=lambda **kw: self._create("chat", kw)))
        self.models = SimpleNamespace(list=lambda: SimpleNamespace(data=[SimpleNamespace(id="mock-model")]))

    def _create(self, kind: str, kwargs: dict[str, Any]) -> SimpleNamespace:
        request = {"kind": kind, **kwargs}
        with self._lock:
            self.requests.append(request)
        texts = self.reply(request)
        texts = [texts] * int(kwargs.get("n", 1)) if isinstance(texts, str) else list(texts)
        if kind == "completion":
            choices = [SimpleNamespace(index=i, text=t) for i, t in enumerate(texts)]
        else:
            choices = [SimpleNamespace(index=i, message=SimpleNamespace(content=t)) for i, t in enumerate(texts)]
        usage = SimpleNamespace(prompt_tokens=10, completion_tokens=sum(len(t.split()) for t in texts))
        return SimpleNamespace(choices=choices, usage=usage)

    def close(self) -> None:
        pass


@pytest.fixture
def mock_openai_client() -> MockOpenAIClient:
    """A fresh :class:`MockOpenAIClient`; set ``.reply`` to script its answers."""
    return MockOpenAIClient()
