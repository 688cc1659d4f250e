"""Negative synthesis and the environment check of every triplet.

For an (intent, positive) pair, a negative is a trajectory that fails the intent in a plausible way.
Generic kinds, for any text env:

* ``stop_short``: the positive without its last action (a rollout that stops short);
* ``deviate``: the positive up to its last step, then another admissible action and a random
  continuation (the env's adapter may name it, e.g. Game of 24's ``miss_24``);
* ``explored``: another explored trajectory of the same task, or, for an ``original`` intent whose
  positive is an expert path, the explored trajectory itself.

An env family adds its own kinds through its adapter
(:meth:`~arm_gym.envs.synthesis.SynthesisAdapter.negatives`: WebShop's near-miss products, Game of 24's
false claims of 24). :class:`LLMNegativeProposer` asks an LLM for a near-miss action sequence. Whatever the
source, :func:`check_triplet` replays both action sequences in the env under the intent: the positive's
env return must exceed the negative's, or the candidate is dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from arm_gym.core import shorten
from arm_gym.envs.synthesis import Candidate, Intent, get_adapter, pose, replay_actions
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)


@dataclass
class CheckResult:
    """The replayed positive and negative, their returns, and whether the triplet passes."""

    positive: Trajectory
    negative: Trajectory
    passed: bool
    reason: str = ""


def check_triplet(
    env: Any, intent: Intent, positive: Sequence[str] | Trajectory, negative_actions: Sequence[str]
) -> CheckResult:
    """Replay both under ``intent``; pass when the positive's return is higher.

    ``positive`` is an action sequence, or a trajectory already replayed under ``intent`` (reused
    when one positive is checked against many negatives).
    """
    if not isinstance(positive, Trajectory):
        positive = replay_actions(env, intent, positive)
    negative = replay_actions(env, intent, negative_actions)
    if list(positive.actions) == list(negative.actions):
        return CheckResult(positive, negative, False, "same actions")
    if positive.env_return > negative.env_return:
        return CheckResult(positive, negative, True)
    return CheckResult(
        positive, negative, False, f"positive return {positive.env_return:g} <= negative {negative.env_return:g}"
    )


def _play_prefix(env: Any, intent: Intent, prefix: Sequence[str]) -> dict[str, Any] | None:
    """Pose ``intent`` and play ``prefix``; the last ``info``, or ``None`` if the episode ended on the way."""
    _, info = pose(env, intent)
    for action in prefix:
        _, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return None
    return info


# ------------------------------------------------------------------------------------------ env-grounded
def stop_short(positive_actions: Sequence[str]) -> list[Candidate]:
    """The positive without its last action."""
    if len(positive_actions) < 2:
        return []
    return [Candidate("stop_short", list(positive_actions[:-1]))]


def deviate(
    env: Any, intent: Intent, positive_actions: Sequence[str], rng: np.random.Generator, *, extra_steps: int = 3
) -> list[Candidate]:
    """The positive up to its last step, another admissible action there, then random admissible actions."""
    if not positive_actions:
        return []
    prefix = list(positive_actions[:-1])
    info = _play_prefix(env, intent, prefix)  # one replay: the env is left where the new step goes
    options = [a for a in (info or {}).get("admissible_actions") or [] if a != positive_actions[-1]]
    if not options:
        return []
    actions = prefix + [options[int(rng.integers(len(options)))]]
    _, _, terminated, truncated, info = env.step(actions[-1])
    if not (terminated or truncated):
        for _ in range(extra_steps):
            admissible = list(info.get("admissible_actions") or [])
            if not admissible:
                break
            action = admissible[int(rng.integers(len(admissible)))]
            actions.append(action)
            _, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                break
    return [Candidate(get_adapter(env).deviate_kind, actions)]


def explored(
    pool: Sequence[Trajectory], positive_actions: Sequence[str], rng: np.random.Generator, *, limit: int = 1
) -> list[Candidate]:
    """Up to ``limit`` other explored trajectories (same env and task), in random order."""
    others = [t for t in pool if list(t.actions) != list(positive_actions) and t.steps]
    order = rng.permutation(len(others)) if others else []
    return [
        Candidate("explored", list(others[i].actions), note=str(others[i].meta.get("episode_key", "")))
        for i in order[:limit]
    ]


def env_negatives(
    env: Any,
    intent: Intent,
    positive_actions: Sequence[str],
    pool: Sequence[Trajectory],
    rng: np.random.Generator,
    *,
    max_negatives: int = 4,
) -> list[Candidate]:
    """Env-grounded negative candidates for (intent, positive), at most ``max_negatives``, one per kind first
    (the env's own kinds, then stop short, deviate, explored)."""
    groups = list(get_adapter(env).negatives(env, intent, positive_actions, rng))
    groups.append(stop_short(positive_actions))
    groups.append(deviate(env, intent, positive_actions, rng))
    groups.append(explored(pool, positive_actions, rng, limit=max_negatives))
    out: list[Candidate] = []
    seen: set[tuple[str, ...]] = {tuple(positive_actions)}
    depth = 0
    while len(out) < max_negatives and any(depth < len(g) for g in groups):
        for group in groups:
            if depth < len(group) and len(out) < max_negatives and tuple(group[depth].actions) not in seen:
                seen.add(tuple(group[depth].actions))
                out.append(group[depth])
        depth += 1
    return out


# ------------------------------------------------------------------------------------------ LLM
NEGATIVE_PROMPT_HEADER = (
    "For each task below, a successful action sequence is followed by a near-miss: a sequence that looks "
    "similar but does NOT complete the task (a wrong item, a wrong option, a wrong number, or stopping early). "
    "Write one action per line and end the near-miss with a blank line.\n\n"
)
def build_negative_prompt(
    intent: Intent, positive: Trajectory, examples: Sequence[tuple[str, str, str]] | None = None
) -> str:
    """A few-shot completion prompt ending where the near-miss's first action goes (the examples default
    to the intent's env's ``negative_examples``)."""
    if examples is None:
        examples = get_adapter(intent.env_id).negative_examples
    parts = [NEGATIVE_PROMPT_HEADER]
    for task, good, bad in examples:
        parts.append(f"Task: {task}\nSuccessful:\n{good}\nNear-miss:\n{bad}\n\n")
    actions = "\n".join(shorten(a, 120) for a in positive.actions)
    parts.append(f"Task: {shorten(intent.text, 300)}\nSuccessful:\n{actions}\nNear-miss:\n")
    return "".join(parts)


_ACTION_PREFIX = re.compile(r"^\s*(?:[-*\d.)\s]+\s)?(?:action\s*:\s*)?", re.IGNORECASE)


def parse_action_lines(reply: str, *, max_actions: int = 30) -> list[str]:
    """Actions from an LLM reply: one per line, until a blank line or a new section."""
    actions = []
    for line in reply.splitlines():
        if not line.strip():
            if actions:
                break
            continue
        if re.match(r"^\s*(task|successful|near-miss)\s*:", line, re.IGNORECASE):
            break
        action = (
            _ACTION_PREFIX.sub("", line, count=1).strip()
            if line.lstrip().lower().startswith("action")
            else line.strip()
        )
        if action:
            actions.append(action[:4096])
        if len(actions) >= max_actions:
            break
    return actions


class LLMNegativeProposer:
    """LLM-proposed negatives: given the intent and the positive's actions, the LLM writes a near-miss
    action sequence; it is replayed and checked like any other candidate.

    Args:
        llm: any :class:`arm_gym.llm.base.LLM`.
        n: proposals per (intent, positive) (sampled with ``temperature`` when ``n > 1``).
        mode: ``"complete"`` (base models) or ``"chat"``.
    """

    def __init__(
        self, llm: Any, *, n: int = 1, mode: str = "complete", max_tokens: int = 128, temperature: float = 0.7
    ):
        if mode not in ("complete", "chat"):
            raise ValueError(f"mode must be 'complete' or 'chat', not {mode!r}")
        self.llm, self.n, self.mode = llm, n, mode
        self.max_tokens, self.temperature = max_tokens, temperature

    def propose(self, items: Sequence[tuple[Intent, Trajectory]]) -> list[list[Candidate]]:
        """Candidates for each (intent, positive), one LLM batch for all."""
        prompts = [build_negative_prompt(i, p) for i, p in items]
        temperature = self.temperature if self.n > 1 else 0.0
        kwargs = {"n": self.n, "temperature": temperature, "max_tokens": self.max_tokens, "stop": ["\n\n"]}
        try:
            if self.mode == "chat":
                replies = self.llm.chat_batch([[{"role": "user", "content": p}] for p in prompts], **kwargs)
            else:
                replies = self.llm.complete_batch(prompts, **kwargs)
        except Exception as exc:  # counted as no candidates; the run goes on
            logger.warning("LLM negative proposal failed for %d items: %s", len(prompts), exc)
            return [[] for _ in prompts]
        out = []
        for reply_set in replies:
            cands = []
            for reply in reply_set:
                actions = parse_action_lines(reply)
                if actions:
                    cands.append(Candidate("llm", actions))
            out.append(cands)
        return out
