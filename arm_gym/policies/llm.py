"""An LLM policy: a ReAct-style agent over any :class:`~arm_gym.llm.base.LLM` backend.

Example:
    >>> from arm_gym.llm import OpenAICompatibleLLM                                   # doctest: +SKIP
    >>> policy = LLMPolicy(OpenAICompatibleLLM(base_url="http://127.0.0.1:8080/v1"), mode="complete")  # doctest: +SKIP
    >>> action = policy.act(obs, info)                                               # doctest: +SKIP
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from arm_gym.core import ACTION_MAX_LENGTH
from arm_gym.envs.synthesis import SynthesisAdapter, get_adapter
from arm_gym.llm.base import LLM
from arm_gym.policies import prompts
from arm_gym.policies.base import Policy
from arm_gym.trajectory import split_infos

logger = logging.getLogger(__name__)

_ACTION_LINE = re.compile(r"^[\s*>#-]*action\s*(?:\d+\s*)?:\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)
_WRAPPERS = "`'\"*"


class LLMPolicy(Policy):
    """A ReAct-style LLM agent: prompt from instruction, history and admissible actions; reply parsed to one action.

    Args:
        llm: any :class:`~arm_gym.llm.base.LLM` backend.
        mode: ``"chat"`` (instruction-tuned models: Thought + Action) or ``"complete"`` (base models:
            few-shot text ending in ``Action:``, stopped at the newline).
        examples: few-shot episodes in the prompt format (default: those of the env the policy is bound to,
            see :meth:`bind`; the env of ``env_id`` when given).
        env_id: an env id whose adapter gives the default examples before the policy is bound.
        name: the policy's name in episode keys and records (default ``"llm"``).
        temperature: sampling temperature (0: greedy).
        max_tokens: reply budget (default 48 in complete mode, 256 in chat mode).
        max_history: past steps shown.
        max_actions: admissible actions listed.
        fuzzy_threshold: a reply within this rapidfuzz ratio (0–100) of an admissible action is mapped to it.

    A reply that matches no admissible action is sent to the env as written (stripped, at most
    :data:`~arm_gym.core.ACTION_MAX_LENGTH` characters): the env's invalid-action path answers it.
    """

    name = "llm"

    def __init__(
        self,
        llm: LLM,
        *,
        mode: str = "chat",
        examples: Sequence[str] | None = None,
        env_id: str | None = None,
        system_prompt: str = prompts.SYSTEM_PROMPT,
        temperature: float = 0.0,
        max_tokens: int | None = None,
        max_history: int = 8,
        max_actions: int = 40,
        fuzzy_threshold: float = 85.0,
        name: str = "llm",
    ):
        mode = {"completion": "complete"}.get(mode, mode)
        if mode not in ("chat", "complete"):
            raise ValueError(f"mode must be 'chat' or 'complete', not {mode!r}")
        self.llm = llm
        self.mode = mode
        self.name = name
        self._own_examples = examples is not None
        if examples is not None:
            self.examples = tuple(examples)
        else:
            self.examples = (get_adapter(env_id) if env_id else SynthesisAdapter()).policy_examples
        self.system_prompt = system_prompt
        self.temperature = temperature
        self.max_tokens = max_tokens or (48 if mode == "complete" else 256)
        self.max_history = max_history
        self.max_actions = max_actions
        self.fuzzy_threshold = fuzzy_threshold
        self.reflections: tuple[str, ...] = ()
        """Lessons from earlier failed attempts, shown in the prompt (set by :meth:`with_reflections`)."""
        self.last_replies: list[str] = []
        """The raw replies behind the latest actions (for logging and debugging)."""

    def bind(self, adapter: SynthesisAdapter) -> LLMPolicy:
        """Use the env family's few-shot examples unless examples were given."""
        if not self._own_examples:
            self.examples = adapter.policy_examples
        return self

    def with_reflections(self, reflections: Sequence[str]) -> LLMPolicy:
        """A copy whose prompts show ``reflections`` (Reflexion)."""
        clone = copy.copy(self)
        clone.reflections = tuple(reflections)
        return clone

    def greedy(self) -> LLMPolicy:
        """A copy that decodes at temperature 0."""
        clone = copy.copy(self)
        clone.temperature = 0.0
        return clone

    def __repr__(self) -> str:
        return f"LLMPolicy(llm={self.llm!r}, mode={self.mode!r}, examples={len(self.examples)})"

    # ----------------------------------------------------------------- prompt and parse
    def build_prompt(
        self, observation: str, info: Mapping[str, Any], history: Sequence[Any] = ()
    ) -> str | list[prompts.Message]:
        """The completion text (complete mode) or chat messages (chat mode) for one step."""
        episode = prompts.render_episode(
            str(info.get("instruction", "")),
            observation,
            list(info.get("admissible_actions") or ()),
            history,
            max_history=self.max_history,
            max_actions=self.max_actions,
            reflections=self.reflections,
        )
        if self.mode == "complete":
            return prompts.completion_prompt(episode, self.examples)
        return prompts.chat_messages(episode, self.examples, self.system_prompt)

    def parse(self, reply: str, admissible: Sequence[str]) -> str:
        """One action from ``reply``: the ``Action:`` line (or first line), snapped to an admissible action if close."""
        text = str(reply or "")
        matches = _ACTION_LINE.findall(text)
        if matches:
            candidate = matches[-1]
        else:
            candidate = next((line for line in text.splitlines() if line.strip()), "")
        candidate = candidate.strip().strip(_WRAPPERS).strip()
        if candidate.endswith(".") and candidate[:-1] in admissible:
            candidate = candidate[:-1]
        candidate = candidate[:ACTION_MAX_LENGTH]
        return match_action(candidate, admissible, self.fuzzy_threshold)

    # ----------------------------------------------------------------- acting
    def act(
        self,
        observation: str,
        info: Mapping[str, Any],
        history: Sequence[Any] = (),
        rng: np.random.Generator | None = None,
    ) -> str:
        return self.act_batch([observation], [info], [history])[0]

    def act_batch(
        self,
        observations: Sequence[str],
        infos: Sequence[Mapping[str, Any]] | Mapping[str, Any],
        histories: Sequence[Sequence[Any]] | None = None,
        rngs: Sequence[np.random.Generator | None] | None = None,
    ) -> list[str]:
        """One action per episode from one concurrent batch of LLM calls (the LLM samples; ``rngs`` are unused)."""
        infos = split_infos(infos, len(observations))
        histories = histories if histories is not None else [()] * len(observations)
        requests = [self.build_prompt(o, i, h) for o, i, h in zip(observations, infos, histories)]
        kwargs = {"n": 1, "temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.mode == "complete":
            replies = self.llm.complete_batch(requests, stop=["\n"], **kwargs)  # type: ignore[arg-type]
        else:
            replies = self.llm.chat_batch(requests, stop=["\nObservation:"], **kwargs)  # type: ignore[arg-type]
        self.last_replies = [r[0] if r else "" for r in replies]
        actions = [self.parse(r, list(i.get("admissible_actions") or ())) for r, i in zip(self.last_replies, infos)]
        for reply, action in zip(self.last_replies, actions):
            logger.debug("LLM reply %r -> action %r", reply[:200], action)
        return actions


def match_action(candidate: str, admissible: Sequence[str], threshold: float = 85.0) -> str:
    """``candidate`` mapped onto ``admissible``: exact, then ignoring case and spaces, then the longest
    admissible prefix, then the closest rapidfuzz ratio ≥ ``threshold``; else ``candidate`` unchanged."""
    if not admissible or candidate in admissible:
        return candidate
    squeezed = _squeeze(candidate)
    for action in admissible:
        if _squeeze(action) == squeezed:
            return action
    prefixes = [a for a in admissible if a and candidate.startswith(a) and not candidate[len(a)].isalnum()]
    if prefixes:
        return max(prefixes, key=len)
    from rapidfuzz import fuzz, process

    best = process.extractOne(candidate, list(admissible), scorer=fuzz.ratio, score_cutoff=threshold)
    return best[0] if best is not None else candidate


def _squeeze(text: str) -> str:
    return "".join(text.lower().split())
