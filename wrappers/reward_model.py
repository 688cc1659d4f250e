"""RewardModelWrapper and VectorRewardModelWrapper: a learned trajectory reward in place of the env's.

Both override ``step`` only (a ``RewardWrapper`` would see just the scalar, not the trajectory).
The env's own reward stays in ``info["env_reward"]``, the raw model score (a logit) goes to
``info["rm_score"]`` whenever the step was scored.

Modes:
    ``terminal``: reward 0 until the episode ends (terminated or truncated), then the score of the
    whole trajectory.
    ``shaped``: every step is scored and the reward is ``v(t) - v(t-1)``, where ``v(t)`` is the (normalised)
    score of the first ``t`` steps. An episode's rewards always sum to ``v(T) - v(0)``. ``v(0)`` is set by
    ``shaped_origin``: ``"empty"`` (default) scores the empty trajectory (the instruction and the first
    observation) at reset, a potential that depends on the task only, so the first step pays what that step
    changed, not the model's offset for the task; ``"zero"`` takes ``v(0) = 0``, so the rewards sum to the
    terminal reward. Why ``"empty"`` is the default: ``benchmarks/shaping.py`` and ``benchmarks/rl_sb3.py`` (figures
    in the README).

Normalisations (applied to the score before the difference): ``raw`` (the logit), ``sigmoid``
(a probability-like 0..1 value), ``zscore`` (standardised with a running mean and variance of the
scores seen so far).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv, VectorWrapper
from gymnasium.wrappers.utils import RunningMeanStd

from arm_gym.trajectory import Step, Trajectory

MODES = ("terminal", "shaped")
SHAPED_ORIGINS = ("empty", "zero")
NORMALIZATIONS = ("raw", "sigmoid", "zscore")
InstructionFn = Callable[[Any, dict], str]


def _as_scorer(reward_model: Any) -> Any:
    if isinstance(reward_model, (str, os.PathLike)):
        from arm_gym.reward.model import RewardModel

        return RewardModel.from_pretrained(reward_model)
    if not callable(getattr(reward_model, "score", None)):
        raise TypeError("reward_model must be a RewardModel, a checkpoint path, or have score(pairs) -> np.ndarray")
    return reward_model


def _configure(
    wrapper: Any, reward_model: Any, mode: str, normalize: str, instruction_fn: Any, shaped_origin: str
) -> None:
    """Check and set what both wrappers share: the scorer, mode, origin, normalizer and instruction function."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if shaped_origin not in SHAPED_ORIGINS:
        raise ValueError(f"shaped_origin must be one of {SHAPED_ORIGINS}, not {shaped_origin!r}")
    wrapper.reward_model = _as_scorer(reward_model)
    wrapper.mode = mode
    wrapper.shaped_origin = shaped_origin
    # Whether a new episode's v(0) is the model's score of its empty trajectory (one more pair to score).
    wrapper._score_origin = mode == "shaped" and shaped_origin == "empty"
    wrapper.normalizer = _Normalizer(normalize)
    wrapper.instruction_fn = instruction_fn


class _Normalizer:
    def __init__(self, kind: str):
        if kind not in NORMALIZATIONS:
            raise ValueError(f"normalize must be one of {NORMALIZATIONS}, not {kind!r}")
        self.kind = kind
        self.stats = RunningMeanStd(shape=())

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=np.float64)
        if self.kind == "sigmoid":
            return 1.0 / (1.0 + np.exp(-raw))
        if self.kind == "zscore" and raw.size:
            self.stats.update(raw)
            return (raw - self.stats.mean) / np.sqrt(self.stats.var + 1e-8)
        return raw


def _instruction(instruction_fn: InstructionFn | None, obs: Any, info: dict) -> str:
    if instruction_fn is not None:
        return str(instruction_fn(obs, info))
    if "instruction" not in info:
        raise ValueError(
            "the reward model needs the task instruction: this env's reset info has no 'instruction'; "
            "pass instruction_fn=lambda obs, info: ... to the wrapper"
        )
    return str(info["instruction"])


class _Episode:
    """What the wrappers remember of one running episode."""

    __slots__ = ("potential", "trajectory")

    def __init__(self, instruction: str, observation: Any):
        self.trajectory = Trajectory(env_id="", task_id="", instruction=instruction, initial_observation=str(observation))
        self.potential = 0.0

    def pair(self) -> tuple[str, Trajectory]:
        return self.trajectory.instruction, self.trajectory


class RewardModelWrapper(gym.Wrapper):
    """Replace a text env's reward by a learned trajectory reward (see the module docstring for modes).

    Example:
        >>> import gymnasium as gym, arm_gym
        >>> from arm_gym.wrappers import RewardModelWrapper
        >>> env = RewardModelWrapper(gym.make("ARM-Game24-v0"), "runs/rm-game24", mode="shaped")  # doctest: +SKIP
        >>> obs, info = env.reset(seed=0)                                                        # doctest: +SKIP
        >>> obs, reward, terminated, truncated, info = env.step("4 + 8 = 12")                    # doctest: +SKIP
        >>> info["env_reward"], info["rm_score"]                                                 # doctest: +SKIP

    Args:
        env: any Gymnasium env with text observations and actions (arm_gym's or not).
        reward_model: a :class:`~arm_gym.reward.RewardModel`, a checkpoint path, or any object with
            ``score(pairs) -> np.ndarray``.
        mode: ``"terminal"`` or ``"shaped"``.
        normalize: ``"raw"``, ``"sigmoid"`` or ``"zscore"``.
        instruction_fn: ``(reset_obs, reset_info) -> str``; default ``reset_info["instruction"]``.
        shaped_origin: ``v(0)`` of the shaped mode, ``"empty"`` (the score of the empty trajectory, scored at
            reset) or ``"zero"``; ignored in the terminal mode.
    """

    def __init__(
        self,
        env: gym.Env,
        reward_model: Any,
        *,
        mode: str = "terminal",
        normalize: str = "raw",
        instruction_fn: InstructionFn | None = None,
        shaped_origin: str = "empty",
    ):
        super().__init__(env)
        _configure(self, reward_model, mode, normalize, instruction_fn, shaped_origin)
        self._episode: _Episode | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self._episode = _Episode(_instruction(self.instruction_fn, obs, info), obs)
        if self._score_origin:
            raw = np.asarray(self.reward_model.score([self._episode.pair()]), dtype=np.float64)
            self._episode.potential = float(self.normalizer(raw)[0])
        return obs, info

    def step(self, action: Any):
        if self._episode is None:
            raise gym.error.ResetNeeded("call reset before step")
        obs, env_reward, terminated, truncated, info = self.env.step(action)
        info = dict(info)
        info.setdefault("env_reward", env_reward)
        episode = self._episode
        episode.trajectory.steps.append(Step(str(action), str(obs), float(env_reward)))
        reward = 0.0
        if self.mode == "shaped" or terminated or truncated:
            raw = float(np.asarray(self.reward_model.score([episode.pair()]))[0])
            value = float(self.normalizer(np.array([raw]))[0])
            info["rm_score"] = raw
            reward = value - episode.potential if self.mode == "shaped" else value
            episode.potential = value
        return obs, reward, terminated, truncated, info


def _sub_info(info: dict, i: int) -> dict:
    """Sub-env ``i``'s entries of a vector env's info dict (keys whose ``_key`` mask is set)."""
    out = {}
    for key, value in info.items():
        if key.startswith("_") or not isinstance(value, np.ndarray):
            continue
        mask = info.get(f"_{key}")
        if mask is None or bool(mask[i]):
            out[key] = value[i]
    return out


class VectorRewardModelWrapper(VectorWrapper):
    """:class:`RewardModelWrapper` for ``gymnasium.vector`` envs: every sub-env that needs a score is
    scored in one batched forward pass per step.

    Supports the ``next-step`` (default), ``same-step`` and ``disabled`` autoreset modes. ``info``
    gains ``env_reward`` (when the sub-envs do not report it) and ``rm_score`` with its ``_rm_score``
    mask (NaN where a sub-env's step was not scored this step). With ``shaped_origin="empty"`` the empty
    trajectories of the episodes that start in a step are scored in that step's forward pass as well.

    Example:
        >>> import gymnasium as gym, arm_gym
        >>> from arm_gym.wrappers import VectorRewardModelWrapper
        >>> envs = gym.make_vec("ARM-Game24-v0", num_envs=16, vectorization_mode="sync")  # doctest: +SKIP
        >>> envs = VectorRewardModelWrapper(envs, "runs/rm-game24")                          # doctest: +SKIP

    Args: as :class:`RewardModelWrapper`; ``instruction_fn`` gets one sub-env's observation and info.
    """

    def __init__(
        self,
        env: VectorEnv,
        reward_model: Any,
        *,
        mode: str = "terminal",
        normalize: str = "raw",
        instruction_fn: InstructionFn | None = None,
        shaped_origin: str = "empty",
    ):
        super().__init__(env)
        _configure(self, reward_model, mode, normalize, instruction_fn, shaped_origin)
        self.autoreset_mode = env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP)
        self._episodes: list[_Episode | None] = [None] * self.num_envs
        self._autoreset = np.zeros(self.num_envs, dtype=bool)

    def reset(self, *, seed: int | Sequence[int] | None = None, options: dict[str, Any] | None = None):
        mask = (options or {}).get("reset_mask")  # read first: the vector env pops it
        obs, info = self.env.reset(seed=seed, options=options)
        indices = range(self.num_envs) if mask is None else np.flatnonzero(mask)
        started = [self._start(int(i), obs[i], info) for i in indices]
        self._score([], started)
        self._autoreset[list(indices)] = False
        return obs, info

    def _start(self, i: int, obs: Any, info: dict) -> _Episode:
        episode = _Episode(_instruction(self.instruction_fn, obs, _sub_info(info, i)), obs)
        self._episodes[i] = episode
        return episode

    def _score(self, stepped: list[tuple[int, _Episode]], started: list[_Episode]) -> tuple[np.ndarray, np.ndarray]:
        """One forward pass for the stepped episodes (``(sub-env, episode)``) and, when the origin is scored, the
        empty trajectories of the started ones; returns this step's rewards and raw scores (NaN: not scored)."""
        started = started if self._score_origin else []
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        scores = np.full(self.num_envs, np.nan)
        episodes = [e for _, e in stepped] + started
        if not episodes:
            return rewards, scores
        raw = np.asarray(self.reward_model.score([e.pair() for e in episodes]), dtype=np.float64)
        values = self.normalizer(raw)
        for j, (i, episode) in enumerate(stepped):
            scores[i] = raw[j]
            rewards[i] = values[j] - episode.potential if self.mode == "shaped" else values[j]
            episode.potential = float(values[j])
        for episode, value in zip(started, values[len(stepped):]):
            episode.potential = float(value)
        return rewards, scores

    def step(self, actions: Any):
        obs, env_rewards, terminated, truncated, info = self.env.step(actions)
        env_rewards = np.asarray(env_rewards, dtype=np.float64)
        done = np.logical_or(terminated, truncated)
        same_step = self.autoreset_mode == AutoresetMode.SAME_STEP
        stepped: list[tuple[int, _Episode]] = []
        started: list[_Episode] = []
        for i in range(self.num_envs):
            if self.autoreset_mode == AutoresetMode.NEXT_STEP and self._autoreset[i]:
                started.append(self._start(i, obs[i], info))  # this step reset sub-env i; its action was ignored
                continue
            episode = self._episodes[i]
            if episode is None:
                raise gym.error.ResetNeeded(f"sub-env {i} was stepped before reset")
            final_obs = info["final_obs"][i] if same_step and done[i] else obs[i]
            episode.trajectory.steps.append(Step(str(actions[i]), str(final_obs), float(env_rewards[i])))
            if self.mode == "shaped" or done[i]:
                stepped.append((i, episode))
        if same_step:  # the new episodes start now: their origins join this step's forward pass
            started += [self._start(int(i), obs[i], info) for i in np.flatnonzero(done)]
        rewards, scores = self._score(stepped, started)
        self._autoreset = done.copy()
        info = dict(info)
        if "env_reward" not in info:
            info["env_reward"], info["_env_reward"] = env_rewards, np.ones(self.num_envs, dtype=bool)
        info["rm_score"] = scores
        info["_rm_score"] = ~np.isnan(scores)
        return obs, rewards, terminated, truncated, info
