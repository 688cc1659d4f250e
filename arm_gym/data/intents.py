"""LLM intent synthesis (ARMAP's idea): an LLM reads a trajectory and writes the instruction it completes.

The env-grounded intent (the env's adapter, :meth:`~arm_gym.envs.synthesis.SynthesisAdapter.relabel`)
says how the intent is posed and checked; the LLM only writes its text, which the adapter aligns
(e.g. WebShop's price bound) and guards (:meth:`~arm_gym.envs.synthesis.SynthesisAdapter.intent_names_task`).
The few-shot examples come from the trajectory's env (a small model copies the domain of its examples).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from arm_gym.core import sanitize, shorten
from arm_gym.envs.synthesis import Intent, get_adapter
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

INTENT_PROMPT_HEADER = (
    "Each record below shows what an agent did in an environment, then the task instruction that the "
    "agent's actions complete. The instruction is written by the user, before the agent acts.\n\n"
)


def render_for_prompt(trajectory: Trajectory, *, max_actions: int = 20, max_chars: int = 300) -> str:
    """A compact record of a trajectory for an LLM prompt: the start (when short), the actions, and the
    outcome (the last observation). Intermediate pages are left out: a small model copies noise.

    The instruction the agent was given is blanked out (WebShop pages repeat it): the LLM must
    describe what the actions did, not copy the task they may have failed.
    """

    def clean(text: str) -> str:
        if trajectory.instruction:
            text = text.replace(trajectory.instruction, "...")
        text = re.sub(r"\s*(\[SEP\]\s*)+", " | ", text).replace("Instruction: | ... |", "")
        return shorten(re.sub(r"\s+", " ", text).strip(" |"), max_chars)

    lines = []
    start = clean(trajectory.initial_observation) if trajectory.initial_observation else ""
    if start and len(start) <= 120:
        lines.append(f"Start: {start}")
    actions = [shorten(a, 80) for a in trajectory.actions[-max_actions:]]
    lines.append("Actions: " + "; ".join(actions))
    if trajectory.steps:
        lines.append(f"Outcome: {clean(trajectory.steps[-1].observation)}")
    return "\n".join(lines)


def build_intent_prompt(trajectory: Trajectory, examples: Sequence[tuple[str, str]] | None = None) -> str:
    """A few-shot completion prompt that ends with ``"Instruction:"`` (works for base models); the
    examples default to those of the trajectory's env (its adapter's ``intent_examples``)."""
    if examples is None:
        examples = get_adapter(trajectory.env_id).intent_examples
    parts = [INTENT_PROMPT_HEADER]
    for record, instruction in examples:
        parts.append(f"Record:\n{record}\nInstruction: {instruction}\n\n")
    parts.append(f"Record:\n{render_for_prompt(trajectory)}\nInstruction:")
    return "".join(parts)


INTENT_STOP = ["\n\n", "\nRecord:"]
"""Where an intent reply ends; its first non-empty line is the instruction (a reply may open with a newline)."""

_REPLY_PREFIX = re.compile(r"^\s*(?:instruction\s*:\s*)?", re.IGNORECASE)


def parse_intent_reply(reply: str, *, min_chars: int = 8, max_chars: int = 500) -> str | None:
    """The first line of an LLM reply, cleaned; ``None`` when nothing usable came back."""
    for line in reply.splitlines():
        line = _REPLY_PREFIX.sub("", line).strip().strip('"').strip()
        if line:
            line = sanitize(line)[:max_chars]
            return line if len(line) >= min_chars else None
    return None


class LLMIntentSynthesizer:
    """ARMAP's intent synthesis: an LLM writes the instruction a trajectory completes.

    The text comes from the LLM; how the intent is posed and checked comes from the env-grounded
    intent (the adapter's ``relabel``), so a trajectory without one gets no LLM intent either.

    Args:
        llm: any :class:`arm_gym.llm.base.LLM`.
        mode: ``"complete"`` (few-shot completion, for base models such as Gemma 3 270M) or ``"chat"``.
        max_tokens, temperature: generation settings.
    """

    def __init__(self, llm: Any, *, mode: str = "complete", max_tokens: int = 64, temperature: float = 0.0):
        if mode not in ("complete", "chat"):
            raise ValueError(f"mode must be 'complete' or 'chat', not {mode!r}")
        self.llm = llm
        self.mode = mode
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.last_error: Exception | None = None
        """The backend error of the latest :meth:`texts` call (``None`` when the LLM answered)."""

    def texts(self, trajectories: Sequence[Trajectory]) -> list[str | None]:
        """One instruction (or ``None``) per trajectory, generated in one batch."""
        prompts = [build_intent_prompt(t) for t in trajectories]
        kwargs = {"n": 1, "temperature": self.temperature, "max_tokens": self.max_tokens, "stop": INTENT_STOP}
        try:
            if self.mode == "chat":
                replies = self.llm.chat_batch(
                    [[{"role": "user", "content": p + "\n(Reply with the instruction only.)"}] for p in prompts],
                    **kwargs,
                )
            else:
                replies = self.llm.complete_batch(prompts, **kwargs)
        except Exception as exc:  # a dead server must not lose the run: these intents are counted as failed
            logger.warning("LLM intent synthesis failed for %d trajectories: %s", len(prompts), exc)
            self.last_error = exc
            return [None] * len(prompts)
        self.last_error = None
        return [parse_intent_reply(r[0]) if r else None for r in replies]

    def __call__(self, trajectory: Trajectory, env: Any | None = None) -> Intent | None:
        grounded = get_adapter(env if env is not None else trajectory.env_id).relabel(trajectory, env)
        if grounded is None:
            return None
        return self.pose(self.texts([trajectory])[0], grounded)

    @staticmethod
    def pose(text: str | None, grounded: Intent) -> Intent | None:
        """The LLM's ``text`` posed like ``grounded`` (aligned by the env's adapter), or ``None`` when there
        is no text or it does not name the task."""
        if not text:
            return None
        adapter = get_adapter(grounded.env_id)
        text = adapter.align_intent_text(text, grounded)
        return adapter.with_text(grounded, text, source="llm") if adapter.intent_names_task(text, grounded) else None
