"""Fresh evaluation trajectories: test-task episodes from policies other than the explorer that made the data.

Fresh trajectories come from the env's *test* tasks and from policies other than the random explorer that made
the training data (:data:`POLICIES`): ``mix`` (default) plays ``lookahead`` (an env-oracle policy that tries up
to 16 admissible actions with two random rollouts each) mixed with random actions at rates spread from 0 up to
below 1, and, where the env's adapter can corrupt actions, half the episodes with :class:`ErrorfulPolicy` over
the lookahead (a wrong step at ``error_rate`` per step: real mistakes, e.g. a false claim of 24). Where neither
wins (ScienceWorld: the lookahead finds no rewarded step), ``expert-mix`` plays the first ``k / n`` of the env's
expert path (:class:`ExpertPrefixPolicy`, ``k = 1 .. n``) and random actions after it: the full path wins where
the expert path wins, shorter prefixes keep part of its progress, and the random moves after them may lose it.
``llm`` plays every episode with the caller's LLM agent (e.g. :class:`arm_gym.policies.LLMPolicy`: its own
mistakes; it samples, so a task's episodes differ), in this process only (its LLM client stays here).

Episodes run in this process or on a backend with ``map(worker, items)`` (e.g.
:class:`arm_gym.distributed.RayBackend`): :class:`FreshEpisodes` is the picklable worker either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import gymnasium as gym

from arm_gym.data.rollout import play_episode
from arm_gym.envs import make_env
from arm_gym.envs.lazy import LazyEnv
from arm_gym.envs.synthesis import get_adapter, overrides
from arm_gym.policies import (
    EpsilonPolicy,
    ErrorfulPolicy,
    ExpertPrefixPolicy,
    LookaheadPolicy,
    Policy,
    RandomPolicy,
    can_corrupt,
)
from arm_gym.trajectory import Trajectory

POLICIES = ("mix", "lookahead", "errorful", "expert-mix", "llm")
"""Fresh-trajectory policies: ``mix`` (lookahead at spread random-action rates, plus errorful lookahead where the
env can make mistakes), ``lookahead`` (the spread only), ``errorful`` (errorful lookahead only), ``expert-mix``
(expert-path prefixes of spread lengths, random actions after them), ``llm`` (the caller's LLM policy, every
episode)."""


class PlannedEpisode(NamedTuple):
    """One episode of a task's plan: the lookahead's random-action rate ``epsilon`` (1: random actions only), its
    mistakes per step ``error_rate``, and the part of the expert path played first ``expert_share`` (0: none).
    An ``llm`` episode is ``(0, 0, 0)``: the LLM policy plays every step, with no random or injected actions."""

    epsilon: float
    error_rate: float = 0.0
    expert_share: float = 0.0


def episode_plan(
    policy: str, episodes_per_task: int, *, corruptible: bool, error_rate: float, has_expert: bool = True
) -> list[PlannedEpisode]:
    """The :class:`PlannedEpisode` of each episode of a task under ``policy`` (see :data:`POLICIES`): random-action
    rates ``k / n`` for ``n`` plain episodes (never 1), errorful episodes at ``error_rate`` with epsilon 0;
    ``expert-mix``: expert shares ``k / n`` for ``k = 1 .. n``, random actions after the prefix; ``llm``: ``n``
    episodes ``(0, 0, 0)`` of the LLM policy."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; choose one of {POLICIES}")
    if policy == "errorful" and not corruptible:
        raise ValueError("the 'errorful' policy needs an env whose synthesis adapter can corrupt actions "
                         "(SynthesisAdapter.corrupt_action)")
    if policy == "expert-mix" and not has_expert:
        raise ValueError("the 'expert-mix' policy needs an env whose synthesis adapter has an expert path "
                         "(SynthesisAdapter.expert_actions); without one it would replay the random explorer")
    if policy == "llm":
        return [PlannedEpisode(0.0)] * episodes_per_task
    if policy == "expert-mix":
        return [PlannedEpisode(1.0, 0.0, k / episodes_per_task) for k in range(1, episodes_per_task + 1)]
    n_err = {"lookahead": 0, "errorful": episodes_per_task}[policy] if policy != "mix" else (
        episodes_per_task // 2 if corruptible else 0)
    n_plain = episodes_per_task - n_err
    return [PlannedEpisode(k / n_plain) for k in range(n_plain)] + [PlannedEpisode(0.0, error_rate)] * n_err


def eval_policy(env: gym.Env, epsilon: float, error_rate: float = 0.0,
                lookahead: dict[str, int] | None = None, expert_share: float = 0.0) -> Policy:
    """The lookahead policy mixed with random actions at rate ``epsilon`` (1: random actions only), after the
    first ``expert_share`` of the env's expert path, making mistakes at ``error_rate``."""
    policy: Policy = (RandomPolicy(fallback_action="") if epsilon >= 1.0 else
                      EpsilonPolicy(LookaheadPolicy(env, **(lookahead or {})), epsilon))
    if expert_share > 0:
        policy = ExpertPrefixPolicy(policy, expert_share, env=env)
    return ErrorfulPolicy(policy, error_rate) if error_rate > 0 else policy


def fresh_trajectories(
    env_id: str,
    *,
    n_tasks: int = 20,
    episodes_per_task: int = 4,
    policy: str = "mix",
    error_rate: float = 0.3,
    split: str = "test",
    seed: int = 12345,
    max_steps: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    progress: bool = True,
    lookahead: dict[str, int] | None = None,
    task_check: Callable[[Sequence[str]], Any] | None = None,
    backend: Any = None,
    llm_policy: Policy | None = None,
) -> list[Trajectory]:
    """Trajectories on the first ``n_tasks`` tasks of ``split``, ``episodes_per_task`` each, by the episode plan
    of ``policy`` (:func:`episode_plan`). ``max_steps`` overrides the env's step limit; ``task_check`` is called
    with the task ids before any episode is played (e.g. to refuse training tasks). ``backend``: where the
    episodes run, ``None`` (this process) or an object with ``map(worker, items)`` (e.g.
    :class:`arm_gym.distributed.RayBackend`); the same trajectories in the same order either way. ``llm_policy``:
    the agent of ``policy="llm"`` (e.g. :class:`arm_gym.policies.LLMPolicy`), which runs in this process only."""
    from tqdm.auto import tqdm

    check_llm_policy(policy, llm_policy)
    if llm_policy is not None and backend is not None:
        raise ValueError("the 'llm' policy plays in this process only (its LLM client is not sent to backend "
                         "workers): run it without a backend")
    kwargs = dict(env_kwargs or {})
    if max_steps is not None:
        kwargs["max_episode_steps"] = max_steps
    env = make_env(env_id, **kwargs)
    try:
        tasks = list(env.unwrapped.task_ids(split))[:n_tasks]
        if not tasks:
            raise ValueError(f"{env_id} has no tasks in split {split!r}")
        if task_check is not None:
            task_check(tasks)
        adapter = get_adapter(env)
        plan = episode_plan(policy, episodes_per_task, corruptible=can_corrupt(adapter), error_rate=error_rate,
                            has_expert=overrides(adapter, "expert_actions"))
    except BaseException:
        env.close()
        raise
    if backend is not None:
        env.close()  # the workers make their own
    jobs = [(n, task, k) for n, (task, k) in enumerate((t, k) for t in tasks for k in range(episodes_per_task))]
    player = FreshEpisodes(env_id, kwargs, plan, policy=policy, split=split, seed=seed, lookahead=lookahead,
                           env=env if backend is None else None, llm_policy=llm_policy)
    played: dict[int, Trajectory] = {}
    try:
        episodes = player(jobs) if backend is None else backend.map(player, jobs)
        for trajectory in tqdm(episodes, total=len(jobs), desc=f"fresh {split} episodes", disable=not progress):
            played.setdefault(trajectory.seed, trajectory)  # a chunk retried on a restarted worker comes back twice
    finally:
        player.close()
    return [played[seed + n] for n, _, _ in jobs]


def check_llm_policy(policy: str, llm_policy: Policy | None) -> None:
    """``ValueError`` unless ``llm_policy`` is given exactly when ``policy`` is ``"llm"``."""
    if policy == "llm" and llm_policy is None:
        raise ValueError("the 'llm' policy needs llm_policy=... (e.g. arm_gym.policies.LLMPolicy over an LLM backend)")
    if policy != "llm" and llm_policy is not None:
        raise ValueError(f"llm_policy is played by the 'llm' policy only, not by {policy!r}: pass policy='llm'")


class FreshEpisodes:
    """Plays fresh episodes ``(n, task_id, k)`` (seed ``seed + n``, entry ``k`` of the episode ``plan``) and yields
    their trajectories. Picklable: the env is made on first use where it runs (each Ray actor makes its own) or
    lent with ``env`` (never pickled), and closed by :meth:`close`. ``policy="llm"`` plays every episode with
    ``llm_policy`` (not picklable in general: keep it in this process)."""

    def __init__(self, env_id: str, env_kwargs: dict[str, Any], plan: list[PlannedEpisode], *, policy: str,
                 split: str, seed: int, lookahead: dict[str, int] | None = None, env: gym.Env | None = None,
                 llm_policy: Policy | None = None):
        check_llm_policy(policy, llm_policy)
        self.envs, self.plan, self.policy = LazyEnv(env_id, env_kwargs, env), plan, policy
        self.split, self.seed, self.lookahead, self.llm_policy = split, seed, lookahead, llm_policy

    def __call__(self, jobs: Iterable[tuple[int, str, int]]) -> Iterator[Trajectory]:
        for n, task, k in jobs:
            env = self.envs.get()
            epsilon, rate, share = self.plan[k]
            meta = {"eval_policy": self.policy, "epsilon": epsilon, "error_rate": rate, "expert_share": share}
            if self.llm_policy is not None:  # its name is the trajectory's meta["policy"]
                meta["temperature"] = getattr(self.llm_policy, "temperature", None)
            policy = (self.llm_policy if self.llm_policy is not None else
                      eval_policy(env, epsilon, rate, self.lookahead, share))
            yield play_episode(env, policy, seed=self.seed + n, options={"task_id": task, "split": self.split},
                               meta=meta)

    def close(self) -> None:
        self.envs.close()
