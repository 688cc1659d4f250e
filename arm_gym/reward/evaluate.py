"""Evaluate a reward model: held-out pairwise accuracy, and agreement with the true env return.

On validation triplets: the fraction of pairs where the chosen trajectory scores higher.
On fresh trajectories (played on the env's *test* tasks by a policy other than the random
explorer that made the training data): the Spearman rank correlation between score and env
return, and the better-of-two accuracy (for two trajectories of the same task with different
returns, how often the higher-return one scores higher; score ties count one half).

The default fresh-trajectory policy is ``lookahead``: at each step it tries up to 16 admissible
actions (template actions like ``search[...]`` filled with words of the instruction), plays two
random rollouts after each (through ``get_state``/``set_state``) and takes the best; each episode mixes it with uniform random actions at a rate from 0 (first episode of a
task) to 1 (last), so the returns spread from expert-like to random.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

import gymnasium as gym

from arm_gym.data.rollout import play_episode
from arm_gym.data.triplets import Triplet
from arm_gym.envs import make_env
from arm_gym.policies import EpsilonPolicy, LookaheadPolicy, Policy, RandomPolicy
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

POLICIES = ("lookahead", "random")


# ---------------------------------------------------------------------- metrics
def pairwise_accuracy(model: Any, triplets: Sequence[Triplet]) -> float:
    """Fraction of triplets whose chosen trajectory outscores the rejected one (NaN when empty)."""
    if not triplets:
        return float("nan")
    chosen = model.score([(t.prompt, t.chosen_trajectory) for t in triplets])
    rejected = model.score([(t.prompt, t.rejected_trajectory) for t in triplets])
    return float(np.mean(np.asarray(chosen) > np.asarray(rejected)))


def spearman(scores: Sequence[float], returns: Sequence[float]) -> float:
    """Spearman rank correlation (ties averaged); NaN when either side is constant."""
    from scipy.stats import spearmanr

    scores, returns = np.asarray(scores, float), np.asarray(returns, float)
    if len(scores) < 2 or np.ptp(scores) == 0 or np.ptp(returns) == 0:
        return float("nan")
    return float(spearmanr(scores, returns).statistic)


def better_of_two_accuracy(scores: Sequence[float], returns: Sequence[float], groups: Sequence[str]) -> tuple[float, int]:
    """Accuracy of picking the higher-return trajectory of every same-group pair with different returns."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    hits, n = 0.0, 0
    for idx in by_group.values():
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                i, j = idx[a], idx[b]
                if returns[i] == returns[j]:
                    continue
                better, worse = (i, j) if returns[i] > returns[j] else (j, i)
                n += 1
                hits += 1.0 if scores[better] > scores[worse] else 0.5 if scores[better] == scores[worse] else 0.0
    return (hits / n if n else float("nan")), n


# ---------------------------------------------------------------------- fresh trajectories
def eval_policy(env: gym.Env, name: str, epsilon: float, lookahead: dict[str, int] | None = None) -> Policy:
    """The policy of one fresh episode: ``"random"``, or ``"lookahead"`` mixed with random actions at rate ``epsilon``."""
    if name == "random":
        return RandomPolicy(fallback_action="")
    if name == "lookahead":
        return EpsilonPolicy(LookaheadPolicy(env, **(lookahead or {})), epsilon)
    raise ValueError(f"unknown policy {name!r}; choose one of {POLICIES}")


def fresh_trajectories(
    env_id: str,
    *,
    n_tasks: int = 20,
    episodes_per_task: int = 4,
    policy: str = "lookahead",
    split: str = "test",
    seed: int = 12345,
    max_steps: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    progress: bool = True,
    lookahead: dict[str, int] | None = None,
) -> list[Trajectory]:
    """Trajectories on the first ``n_tasks`` tasks of ``split`` (random-action rate spread over episodes,
    from 0 for a task's first episode to 1 for its last). ``max_steps`` overrides the env's step limit."""
    from tqdm.auto import tqdm

    kwargs = dict(env_kwargs or {})
    if max_steps is not None:
        kwargs["max_episode_steps"] = max_steps
    env = make_env(env_id, **kwargs)
    try:
        tasks = list(env.unwrapped.task_ids(split))[:n_tasks]
        if not tasks:
            raise ValueError(f"{env_id} has no tasks in split {split!r}")
        out = []
        jobs = [(t, k) for t in tasks for k in range(episodes_per_task)]
        for n, (task, k) in enumerate(tqdm(jobs, desc=f"fresh {split} episodes", disable=not progress)):
            epsilon = k / (episodes_per_task - 1) if episodes_per_task > 1 else 0.0
            actor = eval_policy(env, policy, epsilon, lookahead)
            out.append(
                play_episode(
                    env, actor, seed=seed + n, options={"task_id": task, "split": split},
                    meta={"policy": policy, "epsilon": epsilon},
                )
            )
        return out
    finally:
        env.close()


# ---------------------------------------------------------------------- the whole evaluation
def evaluate_reward_model(
    model: Any,
    *,
    val_triplets: Sequence[Triplet] = (),
    trajectories: Sequence[Trajectory] = (),
) -> dict[str, Any]:
    """Metrics of ``model`` on validation triplets and on (fresh) trajectories with known env returns."""
    results: dict[str, Any] = {"n_val_pairs": len(val_triplets), "val_pairwise_accuracy": pairwise_accuracy(model, val_triplets)}
    if trajectories:
        scores = np.asarray(model.score([(t.instruction, t) for t in trajectories]), float)
        returns = np.asarray([t.env_return for t in trajectories], float)
        b2, n_pairs = better_of_two_accuracy(scores, returns, [t.task_id for t in trajectories])
        results.update(
            n_trajectories=len(trajectories),
            n_tasks=len({t.task_id for t in trajectories}),
            mean_env_return=float(returns.mean()),
            win_rate=float(np.mean([t.won for t in trajectories])),
            spearman=spearman(scores, returns),
            better_of_two_accuracy=b2,
            n_better_of_two_pairs=n_pairs,
        )
    return results


def format_table(results: dict[str, Any]) -> str:
    """A two-column text table of the metrics."""
    rows = [(k, f"{v:.4f}" if isinstance(v, float) else str(v)) for k, v in results.items() if not isinstance(v, (dict, list))]
    width = max((len(k) for k, _ in rows), default=0)
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    return "\n".join(lines)
