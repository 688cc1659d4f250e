"""ARMAP-M: Monte-Carlo tree search over actions, with a scorer valuing finished rollouts.

The defaults follow ARMAP's UCT (``mcts_agents/uct.py``): 10 rollouts (100 on Game of 24), horizon 10,
γ = 0.9, c = 6.364; a decision node's children are built once, from ``width`` proposals of the policy (the
distinct ones; for a random policy, admissible actions); selection takes an unvisited child first, else
``max(sampled returns) + c·sqrt(log N_parent) / (1 + n_child)``; a new leaf is valued by rolling the policy out
to the end of the episode and scoring the finished trajectory (intermediate rewards are 0); the sampled return
of an action is that value discounted by γ per step below it; the answer is the finished rollout with the
highest score. Where this differs from ARMAP: the tree branches the env with ``get_state``/``set_state`` (the
env is the simulator, as in ARMAP), transitions are assumed deterministic (one child per action, as for every
arm_gym env), and a proposal that is not admissible is dropped where the env lists admissible actions.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs.synthesis import get_adapter
from arm_gym.planning.result import PlanResult
from arm_gym.planning.scorers import CachedScorer
from arm_gym.planning.search import candidate_rng
from arm_gym.policies.base import Policy
from arm_gym.trajectory import EpisodeRecorder, Trajectory, env_id_of


@dataclass
class _Chance:
    action: str
    returns: list[float] = field(default_factory=list)
    child: _Decision | None = None


@dataclass
class _Decision:
    state: Any
    observation: str
    info: dict[str, Any]
    trajectory: Trajectory
    done: bool
    visits: int = 0
    children: list[_Chance] | None = None


def admissible(action: str, listed: list[str]) -> bool:
    """Whether ``action`` is one of ``listed`` or fills one of its templates (``search[...]``)."""
    if not listed or action in listed:
        return True
    head = action.split("[", 1)[0]
    return "[" in action and f"{head}[...]" in listed


class MCTS:
    """UCT over one task; see the module docstring. Use :func:`mcts` for a one-call planner."""

    def __init__(
        self,
        env: gym.Env,
        policy: Policy,
        scorer: Any,
        *,
        iterations: int = 10,
        width: int = 10,
        horizon: int = 10,
        gamma: float = 0.9,
        c: float = 6.364,
        max_rollout_steps: int | None = None,
    ):
        if iterations < 1 or width < 1 or horizon < 1:
            raise ValueError("iterations, width and horizon must be >= 1")
        self.env, self.sim = env, env.unwrapped
        self.policy = policy.bind(get_adapter(env))
        self.scorer = scorer if isinstance(scorer, CachedScorer) else CachedScorer(scorer)
        self.iterations, self.width, self.horizon, self.gamma, self.c = iterations, width, horizon, gamma, c
        limit = getattr(getattr(env, "spec", None), "max_episode_steps", None)
        self.max_rollout_steps = max_rollout_steps or limit or 30
        self.env_steps = 0
        self._draws = 0

    def plan(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> PlanResult:
        start = time.perf_counter()
        obs, info = self.env.reset(seed=seed, options=options)
        self.seed = seed
        empty = EpisodeRecorder(env_id_of(self.env), obs, info, seed=seed).trajectory
        root = _Decision(self.sim.get_state(), str(obs), dict(info), empty, False)
        candidates: list[Trajectory] = []
        scores: list[float] = []
        for _ in range(self.iterations):
            trajectory, path = self._iterate(root)
            value = self.scorer.score_one(trajectory)
            candidates.append(trajectory)
            scores.append(value)
            for depth, (node, chance) in enumerate(path):
                node.visits += 1
                chance.returns.append(value * self.gamma ** (len(path) - 1 - depth))
        chosen = int(np.argmax(scores))
        best = candidates[chosen]
        best.meta["planner"] = "mcts"
        extra = {"iterations": self.iterations, "root_children": len(root.children or [])}
        return PlanResult(best, candidates, scores, chosen, self.env_steps, time.perf_counter() - start, extra)

    # ------------------------------------------------------------------ one iteration
    def _iterate(self, root: _Decision) -> tuple[Trajectory, list[tuple[_Decision, _Chance]]]:
        node, path = root, []
        self.sim.set_state(root.state)
        while not node.done and len(path) < self.horizon:
            if node.children is None:
                node.children = [_Chance(a) for a in self._propose(node)]
            if not node.children:
                break
            chance = self._select(node)
            path.append((node, chance))
            if chance.child is None:
                chance.child = self._step(node, chance.action)
                node = chance.child
                break
            node = chance.child
            self.sim.set_state(node.state)
        return self._rollout(node), path

    def _select(self, node: _Decision) -> _Chance:
        for chance in node.children:
            if not chance.returns:
                return chance
        log_n = math.log(max(node.visits, 1))
        return max(node.children, key=lambda ch: max(ch.returns) + self.c * math.sqrt(log_n) / (1 + len(ch.returns)))

    def _propose(self, node: _Decision) -> list[str]:
        """Distinct, admissible actions among ``width`` proposals of the policy in this state."""
        listed = [str(a) for a in node.info.get("admissible_actions") or []]
        seen: list[str] = []
        for _ in range(self.width):
            action = self.policy.act(node.observation, node.info, node.trajectory.steps, self._rng())
            if action not in seen and admissible(action, listed):
                seen.append(action)
        return seen

    def _step(self, node: _Decision, action: str) -> _Decision:
        recorder = EpisodeRecorder.resume(node.trajectory, node.info)
        obs, reward, terminated, truncated, info = self.sim.step(action)
        self.env_steps += 1
        done = recorder.step(action, obs, reward, terminated, truncated, info)
        done = done or len(recorder.trajectory.steps) >= self.max_rollout_steps
        return _Decision(self.sim.get_state(), str(obs), dict(info), recorder.trajectory, done)

    def _rollout(self, node: _Decision) -> Trajectory:
        """Play the policy from ``node`` to the end of the episode; the finished trajectory."""
        recorder = EpisodeRecorder.resume(node.trajectory, node.info)
        obs, info, done, rng = node.observation, node.info, node.done, self._rng()
        while not done:
            action = self.policy.act(obs, info, recorder.trajectory.steps, rng)
            listed = [str(a) for a in info.get("admissible_actions") or []]
            if not admissible(action, listed):  # never play an action the env does not list
                action = listed[int(rng.integers(len(listed)))]
            obs, reward, terminated, truncated, info = self.sim.step(action)
            self.env_steps += 1
            done = recorder.step(action, obs, reward, terminated, truncated, info)
            done = done or len(recorder.trajectory.steps) >= self.max_rollout_steps
        trajectory = recorder.trajectory
        trajectory.meta.pop("terminated", None)  # rollouts are scored, not recorded as episodes
        return trajectory

    def _rng(self) -> np.random.Generator:
        self._draws += 1
        return candidate_rng(self.seed, 1_000_000 + self._draws)


def mcts(
    env: gym.Env,
    policy: Policy,
    scorer: Any,
    *,
    iterations: int = 10,
    seed: int | None = None,
    options: dict[str, Any] | None = None,
    **settings: Any,
) -> PlanResult:
    """ARMAP-M on one task (``settings``: ``width``, ``horizon``, ``gamma``, ``c``, ``max_rollout_steps``)."""
    return MCTS(env, policy, scorer, iterations=iterations, **settings).plan(seed=seed, options=options)
