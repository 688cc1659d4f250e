"""Trivial scorers that a reward model must beat, with the interface of :class:`~arm_gym.reward.model.RewardModel`.

Each scorer has a ``name`` and ``score(pairs) -> np.ndarray`` over ``(instruction, trajectory)`` pairs, so
evaluation treats the model and its baselines alike (:func:`arm_gym.reward.evaluate.evaluate_reward_model`):

- :class:`LengthScorer`: the number of steps; :class:`BrevityScorer`: the same, shorter scoring higher (on WebShop a
  random episode that ends early has bought something, so brevity alone ranks them well).
- :class:`InstructionOverlapScorer`: the fraction of the instruction's words found in the trajectory's actions
  and observations (a keyword matcher).
- :class:`OutcomeClaimScorer`: the env family's "the text claims success" heuristic
  (:meth:`~arm_gym.envs.synthesis.SynthesisAdapter.outcome_claim`: Game of 24's last step claims 24, WebShop's
  bought anything, the generic outcome-like phrase).
- :class:`LLMJudgeScorer`: an LLM asked whether the trajectory completes the instruction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from arm_gym.envs.synthesis import SynthesisAdapter, get_adapter
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

Pair = tuple[str, Trajectory]

_STOP_TEXT = (
    "the and for with that this from into your you then them have will are was were use using each one two "
    "any all its their than not but can could should would may might must what which who how also some"
)
STOPWORDS = frozenset(_STOP_TEXT.split())


def words(text: str) -> set[str]:
    """Content words of ``text``: lower-case letter runs of three or more letters (less stopwords) and numbers."""
    return {w for w in re.findall(r"[a-z]+|\d+", text.lower()) if w.isdigit() or (len(w) >= 3 and w not in STOPWORDS)}


class LengthScorer:
    """The number of steps of the trajectory (longer scores higher)."""

    name = "length"

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        return np.asarray([float(len(t.steps)) for _, t in pairs], float)


class BrevityScorer:
    """Minus the number of steps of the trajectory (shorter scores higher)."""

    name = "brevity"

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        return np.asarray([-float(len(t.steps)) for _, t in pairs], float)


class InstructionOverlapScorer:
    """The fraction of the instruction's content words (:func:`words`) that occur in the trajectory's actions and
    observations after the start (the initial observation is left out: it is the same for every try of a task)."""

    name = "instruction_overlap"

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        out = []
        for instruction, trajectory in pairs:
            wanted = words(instruction)
            seen = words(" ".join(f"{s.action} {s.observation}" for s in trajectory.steps))
            out.append(len(wanted & seen) / len(wanted) if wanted else 0.0)
        return np.asarray(out, float)


class OutcomeClaimScorer:
    """The env family's "the text claims success" score (:meth:`SynthesisAdapter.outcome_claim`).

    Args:
        adapter: the family's synthesis adapter, or an env (id, instance or class) to look it up.
    """

    name = "outcome_claim"

    def __init__(self, adapter: SynthesisAdapter | Any):
        self.adapter = adapter if isinstance(adapter, SynthesisAdapter) else get_adapter(adapter)

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        return np.asarray([float(self.adapter.outcome_claim(t)) for _, t in pairs], float)


JUDGE_PROMPT = """\
You are judging whether an agent completed a task. Read the task and what the agent did.

Task: {instruction}
{trajectory}

Question: Did the agent complete the task? Answer yes or no, or rate it from 0 (not at all) to 10 (fully).
Answer:"""


def judge_prompt(instruction: str, trajectory: Trajectory, max_chars: int = 3000) -> str:
    """The judge's prompt: the task, the start and the most recent steps that fit ``max_chars``."""
    lines = [f"Action: {s.action}\nObservation: {s.observation}" for s in trajectory.steps]
    budget = max(max_chars - len(trajectory.initial_observation), 200)
    kept: list[str] = []
    for line in reversed(lines):
        if len(line) > budget:
            if not kept:  # the last step alone is too long: its beginning
                kept.append(line[:budget])
            break
        kept.insert(0, line)
        budget -= len(line)
    dropped = len(lines) - len(kept)
    body = [f"Start: {trajectory.initial_observation}"]
    if dropped:
        body.append(f"({dropped} earlier steps left out)")
    return JUDGE_PROMPT.format(instruction=instruction, trajectory="\n".join(body + kept))


def parse_judgement(text: str) -> float | None:
    """A judge's reply as a score in [0, 1]: a number (0-10, or 0-1 when a fraction is given) or yes/no;
    ``None`` when the reply says neither."""
    text = text.strip().lower()
    match = re.match(r"^\W*(yes|no|y|n)\b", text)
    if match:
        return 1.0 if match.group(1).startswith("y") else 0.0
    match = re.search(r"(\d+(?:\.\d+)?)\s*(?:/\s*(\d+))?", text)
    if match:
        value, scale = float(match.group(1)), float(match.group(2) or (1 if "." in match.group(1) else 10))
        return float(min(max(value / scale if scale else 0.0, 0.0), 1.0))
    if re.search(r"\b(yes|completed?|success)", text):
        return 1.0
    if re.search(r"\b(no|not|fail)", text):
        return 0.0
    return None


class LLMJudgeScorer:
    """An LLM's judgement of whether the trajectory completes the instruction (LLM-as-judge).

    Args:
        llm: any :class:`arm_gym.llm.LLM` backend.
        mode: ``"complete"`` (a plain prompt, for base models) or ``"chat"`` (one user message).
        max_tokens: reply length (a yes/no or a number needs a few tokens).
        max_chars: the trajectory text's budget in the prompt (the most recent steps are kept).
        unparsed: the score of a reply that is neither a number nor yes/no.
    """

    name = "llm_judge"

    def __init__(self, llm: Any, *, mode: str = "complete", max_tokens: int = 6, max_chars: int = 3000,
                 unparsed: float = 0.5):
        if mode not in ("complete", "chat"):
            raise ValueError(f"mode must be 'complete' or 'chat', not {mode!r}")
        self.llm, self.mode, self.max_tokens, self.max_chars, self.unparsed = llm, mode, max_tokens, max_chars, unparsed
        self.n_unparsed = 0

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        prompts = [judge_prompt(i, t, self.max_chars) for i, t in pairs]
        kwargs = {"max_tokens": self.max_tokens, "temperature": 0.0, "stop": ["\n"]}
        if self.mode == "chat":
            replies = self.llm.chat_batch([[{"role": "user", "content": p}] for p in prompts], **kwargs)
        else:
            replies = self.llm.complete_batch(prompts, **kwargs)
        values = [parse_judgement(reply[0] if reply else "") for reply in replies]
        unparsed = sum(v is None for v in values)
        self.n_unparsed += unparsed
        if unparsed:
            logger.warning("LLM judge: %d of %d replies were neither a number nor yes/no (scored %g)", unparsed,
                           len(values), self.unparsed)
        out = [self.unparsed if v is None else v for v in values]
        return np.asarray(out, float)


def default_baselines(env: Any = None, *, llm: Any = None, llm_mode: str = "complete") -> list[Any]:
    """Length, brevity, instruction overlap and ``env``'s outcome claim (the generic one when ``env`` is ``None`` or
    unknown), plus the LLM judge when ``llm`` is given."""
    try:
        adapter = get_adapter(env) if env is not None else SynthesisAdapter()
    except Exception as exc:  # noqa: BLE001 - an unregistered id (recorded trajectories): generic claim
        logger.warning("no synthesis adapter for %r (%s): generic outcome claim", env, exc)
        adapter = SynthesisAdapter()
    scorers: list[Any] = [LengthScorer(), BrevityScorer(), InstructionOverlapScorer(), OutcomeClaimScorer(adapter)]
    if llm is not None:
        scorers.append(LLMJudgeScorer(llm, mode=llm_mode))
    return scorers
