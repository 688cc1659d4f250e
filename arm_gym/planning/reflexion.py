"""ARMAP-R: Reflexion guided by a scorer. An attempt whose score falls below a threshold is reflected on, and
the policy tries again with the reflection in its prompt; the best-scored attempt is the answer, not the last.

The threshold is calibrated on validation triplets (:func:`calibrate_threshold`), not a raw logit: ARMAP's
ScienceWorld script hard-codes 7.25 for its model, which means nothing for another one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.core import shorten
from arm_gym.data.rollout import play_episode
from arm_gym.data.triplets import Triplet
from arm_gym.planning.result import PlanResult
from arm_gym.planning.scorers import CachedScorer
from arm_gym.planning.search import candidate_rng
from arm_gym.policies.base import Policy
from arm_gym.reward.evaluate import balanced_cut
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

REFLECTION_PROMPT = (
    "An agent tried a task and did not complete it. Read the attempt and write one sentence: what went wrong "
    "and what to do differently next time.\n\nTask: {task}\nAttempt:\n{attempt}\nLesson:"
)


def calibrate_threshold(scorer: Any, triplets: Sequence[Triplet]) -> float:
    """The score that best separates validation positives from negatives: the cut maximising the balanced
    accuracy of "score >= cut means the trajectory fulfils its intent"."""
    if not triplets:
        raise ValueError("calibrating a threshold needs validation triplets")
    good = scorer.score([(t.prompt, t.chosen_trajectory) for t in triplets])
    return balanced_cut(good, scorer.score([(t.prompt, t.rejected_trajectory) for t in triplets]))


def render_attempt(trajectory: Trajectory, max_steps: int = 15) -> str:
    """A compact record of an attempt for the reflection prompt (its last steps)."""
    lines = [f"> {shorten(s.action, 100)}\n{shorten(s.observation, 200)}" for s in trajectory.steps[-max_steps:]]
    return "\n".join(lines) or "(no action)"


class LLMReflector:
    """Writes a one-sentence reflection on a failed attempt with any :class:`~arm_gym.llm.base.LLM` backend.

    Args:
        llm: the backend; mode: ``"complete"`` (base models) or ``"chat"``.
    """

    def __init__(self, llm: Any, *, mode: str = "complete", max_tokens: int = 64):
        self.llm, self.mode, self.max_tokens = llm, mode, max_tokens

    def __call__(self, trajectory: Trajectory) -> str | None:
        prompt = REFLECTION_PROMPT.format(task=trajectory.instruction, attempt=render_attempt(trajectory))
        kwargs = {"n": 1, "temperature": 0.0, "max_tokens": self.max_tokens, "stop": ["\n\n"]}
        try:
            if self.mode == "chat":
                reply = self.llm.chat([{"role": "user", "content": prompt}], **kwargs)
            else:
                reply = self.llm.complete(prompt, **kwargs)
        except Exception as exc:  # a dead server costs the reflection, not the run
            logger.warning("reflection failed: %s", exc)
            return None
        text = (reply[0] if reply else "").strip().splitlines()
        return text[0].strip() if text and text[0].strip() else None


def reflexion(
    env: gym.Env,
    policy: Policy,
    scorer: Any,
    *,
    threshold: float,
    max_trials: int = 10,
    reflector: Any | None = None,
    seed: int | None = None,
    options: dict[str, Any] | None = None,
) -> PlanResult:
    """Up to ``max_trials`` attempts; stop at the first whose score reaches ``threshold``. After a failed attempt
    ``reflector(trajectory)`` (e.g. :class:`LLMReflector`) writes a lesson the policy sees in later attempts
    (:meth:`~arm_gym.policies.Policy.with_reflections`). Returns the best-scored attempt (ARMAP: 10 trials)."""
    if max_trials < 1:
        raise ValueError(f"max_trials must be >= 1, not {max_trials}")
    scorer = scorer if isinstance(scorer, CachedScorer) else CachedScorer(scorer)
    start = time.perf_counter()
    attempts: list[Trajectory] = []
    scores: list[float] = []
    reflections: list[str] = []
    for trial in range(max_trials):
        actor = policy.with_reflections(reflections) if reflections else policy
        attempt = play_episode(env, actor, seed=seed, options=options, rng=candidate_rng(seed, trial))
        attempts.append(attempt)
        scores.append(scorer.score_one(attempt))
        if scores[-1] >= threshold:
            break
        if reflector is not None and trial + 1 < max_trials:
            lesson = reflector(attempt)
            if lesson:
                reflections.append(lesson)
    chosen = int(np.argmax(scores))
    best = attempts[chosen]
    best.meta["planner"] = "reflexion"
    extra = {"threshold": threshold, "trials": len(attempts), "reflections": reflections}
    steps = sum(len(t.steps) for t in attempts)
    return PlanResult(best, attempts, scores, chosen, steps, time.perf_counter() - start, extra)
