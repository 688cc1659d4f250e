"""Negative synthesis and the environment check of every triplet.

For an (intent, positive) pair, a negative is a trajectory that fails the intent in a plausible way.
Env-grounded kinds:

* ``stop_short``: the positive without its last action (a rollout that stops short);
* ``deviate``: the positive up to its last step, then another admissible action and a random
  continuation (for Game of 24, ``miss_24``: a different last combination, a path that misses 24);
* ``explored``: another explored trajectory of the same task, or, for an ``original`` intent whose
  positive is an expert path, the explored trajectory itself;
* WebShop (:mod:`arm_gym.data.webshop_negatives`): ``near_miss`` (a similar product that lacks what
  the goal asks), ``wrong_option`` (the same product with another option value) and ``over_price``
  (a similar product above the price bound);
* Game of 24 with ``check_arithmetic=False``: ``false_24`` (the last step with another operation,
  still claiming 24).

:class:`LLMNegativeProposer` asks an LLM for a near-miss action sequence. Whatever the source,
:func:`check_triplet` replays both action sequences in the env under the intent: the positive's env
return must exceed the negative's, or the candidate is dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from arm_gym.core import Step, Trajectory, shorten
from arm_gym.data.intents import Intent, env_family

logger = logging.getLogger(__name__)


@dataclass
class Candidate:
    """A proposed negative: its kind and the actions to replay under the intent."""

    kind: str
    actions: list[str]
    note: str = ""


def pose(env: Any, intent: Intent) -> tuple[str, dict[str, Any]]:
    """Reset ``env`` so that it poses ``intent`` (its options and seed)."""
    options = dict(intent.options)
    if isinstance(options.get("goal"), dict):
        from arm_gym.envs.webshop import Goal

        options["goal"] = Goal.from_dict(options["goal"])
    return env.reset(seed=intent.seed, options=options)


def replay_actions(env: Any, intent: Intent, actions: Sequence[str], *, keep_info: bool = False) -> Trajectory:
    """Play ``actions`` in ``env`` under ``intent``, until they run out or the episode ends.

    The returned trajectory's ``env_return`` sums ``info["env_reward"]``: the env's own return
    under the intent, whatever the actions did when they were first played. With ``keep_info``,
    the env-specific keys of the last ``info`` go to ``meta["final_info"]`` (as in :func:`collect`).
    """
    obs, info = pose(env, intent)
    trajectory = Trajectory(
        env_id=intent.env_id,
        task_id=str(info.get("task_id", intent.task_id)),
        instruction=intent.text,
        initial_observation=str(obs),
        seed=intent.seed,
    )
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        trajectory.steps.append(Step(action, str(obs), float(reward)))
        trajectory.env_return += float(info.get("env_reward", reward))
        trajectory.won = bool(info.get("won", False))
        if terminated or truncated:
            trajectory.meta["terminated"] = bool(terminated)
            break
    if keep_info:
        from arm_gym.data.explore import extra_info

        trajectory.meta["final_info"] = extra_info(info)
    return trajectory


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


def false_24(positive_actions: Sequence[str]) -> list[Candidate]:
    """Game of 24 without arithmetic checks: the positive's last step with another operation, still
    claiming 24. It reads like a solution; only the arithmetic says otherwise."""
    from arm_gym.envs.game24.env import parse_step
    from arm_gym.envs.game24.puzzles import TARGET, apply, fmt

    try:
        step = parse_step(positive_actions[-1]) if positive_actions else None
    except ValueError:  # a number that cannot be read
        return []
    if step is None:
        return []
    a, op, b, _ = step
    for other in "+-*/":
        value = apply(a, other, b)
        if other != op and value is not None and value != TARGET:
            return [Candidate("false_24", [*positive_actions[:-1], f"{fmt(a)} {other} {fmt(b)} = 24"])]
    return []


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
    kind = "miss_24" if env_family(intent.env_id) == "game24" else "deviate"
    return [Candidate(kind, actions)]


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


def expert_positive(intent: Intent, env: Any) -> list[str] | None:
    """An expert action sequence for an ``original`` intent: Game of 24's solver, WebShop's expert,
    ScienceWorld's gold sequence (``gold_actions()``), TextWorld's walkthrough; ``None`` where none exists."""
    family = env_family(intent.env_id)
    if family == "game24":
        from arm_gym.envs.game24.puzzles import parse_numbers, solve

        try:
            return solve(parse_numbers(intent.task_id))
        except ValueError:
            return None
    if family == "webshop":
        from arm_gym.data.webshop_negatives import webshop_expert

        return webshop_expert(env, intent)
    # ScienceWorld's gold action sequence, TextWorld's walkthrough: read right after posing the task
    sim = env.unwrapped
    gold = getattr(sim, "gold_actions", None)
    if callable(gold) or hasattr(sim, "walkthrough"):
        try:
            pose(env, intent)
            actions = gold() if callable(gold) else getattr(sim, "walkthrough", ())
        except (RuntimeError, ValueError, KeyError) as exc:
            logger.debug("no expert path for %s: %s", intent.task_id, exc)
            return None
        return [str(a) for a in actions] or None
    return None


def env_negatives(
    env: Any,
    intent: Intent,
    positive_actions: Sequence[str],
    pool: Sequence[Trajectory],
    rng: np.random.Generator,
    *,
    max_negatives: int = 4,
) -> list[Candidate]:
    """Env-grounded negative candidates for (intent, positive), at most ``max_negatives``, one per kind first."""
    family = env_family(intent.env_id)
    groups: list[list[Candidate]] = []
    if family == "webshop":
        from arm_gym.data.webshop_negatives import webshop_negatives

        groups.extend(webshop_negatives(env, intent, positive_actions, rng))
    if family == "game24" and not getattr(env.unwrapped, "check_arithmetic", True):
        groups.append(false_24(positive_actions))
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
NEGATIVE_EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "i need a blue cotton t-shirt in size large, and price lower than 20.00 dollars",
        "search[blue cotton t-shirt]\nclick[b01a]\nclick[large]\nclick[blue]\nclick[buy now]",
        "search[blue cotton t-shirt]\nclick[b01a]\nclick[small]\nclick[blue]\nclick[buy now]",
    ),
    (
        "Use the numbers 1 2 3 4 and basic arithmetic operations (+ - * /) to obtain 24.",
        "1 * 2 = 2\n2 * 3 = 6\n4 * 6 = 24",
        "1 + 2 = 3\n3 * 3 = 9\n4 + 9 = 13",
    ),
)


def build_negative_prompt(
    intent: Intent, positive: Trajectory, examples: Sequence[tuple[str, str, str]] = NEGATIVE_EXAMPLES
) -> str:
    """A few-shot completion prompt ending where the near-miss's first action goes."""
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
