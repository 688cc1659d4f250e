"""TRL adapter: a text env as a ``GRPOTrainer`` environment, and the learned reward as a TRL reward function.

TRL 1.16's ``GRPOTrainer(environment_factory=...)`` gives every rollout its own environment instance. Before
generation it calls ``reset(**row)`` with the dataset row and appends the returned text to the last user message;
every public method of the class is offered to the model as a tool (type hints and a Google-style docstring make
its schema); ``get_reward()`` is called once per finished rollout as an extra reward source (weight 1). It needs
transformers >= 5.2 and a chat template whose tool calls TRL can parse (``trl.chat_template_utils.
add_response_schema`` knows Qwen 2.5/3, Llama 3.1/3.2, GPT-OSS, ...; not Gemma 3: use
:class:`~arm_gym.wrappers.trl_rollout.TextRollout` there).

:class:`TRLEnvironment` has one tool, ``act(action)``; it records the episode with the one
:class:`~arm_gym.trajectory.EpisodeRecorder`. :func:`reward_model_reward` scores every rollout's (instruction,
trajectory) with a reward model in one batch, exactly as :class:`~arm_gym.wrappers.RewardModelWrapper` scores it.

Example:
    >>> from trl import GRPOConfig, GRPOTrainer                                            # doctest: +SKIP
    >>> from arm_gym.wrappers import environment_factory, reward_model_reward, seed_dataset
    >>> factory = environment_factory("ARM-Game24-v0", reward=None)                        # doctest: +SKIP
    >>> trainer = GRPOTrainer("Qwen/Qwen3-0.6B", reward_funcs=reward_model_reward("runs/rm-game24"),
    ...                       train_dataset=seed_dataset(256), environment_factory=factory,
    ...                       args=GRPOConfig(max_completion_length=512))                  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from arm_gym.wrappers.reward_model import InstructionFn, _as_scorer, _instruction, _Normalizer

from arm_gym.envs import make_env
from arm_gym.trajectory import EpisodeRecorder, Trajectory, env_id_of

REWARDS = ("auto", "env", "model", None)
DEFAULT_PROMPT = "You act in a text environment. Call the `act` tool with one action at a time until the task is done."
EPISODE_OVER = "The episode is over; no further actions are taken."


def _make(env: Any, env_kwargs: Mapping[str, Any]) -> gym.Env:
    if isinstance(env, str):
        return make_env(env, **env_kwargs)  # an unknown id raises gymnasium's NameNotFound (with did-you-mean)
    if isinstance(env, gym.Env):
        if env_kwargs:
            raise ValueError("env_kwargs apply only when env is an id or a factory, not an env instance")
        return env
    if callable(env):
        made = env(**env_kwargs)
        if not isinstance(made, gym.Env):
            raise TypeError(f"the env factory returned {type(made).__name__}, not a gymnasium.Env")
        return made
    raise TypeError(f"env must be an env id, a zero-argument env factory or a gymnasium.Env, not {type(env).__name__}")


def prompt_text(prompt: Any) -> str:
    """The text of a TRL prompt: the string itself, or the last chat message's content (``""`` for none)."""
    if prompt is None or isinstance(prompt, str):
        return prompt or ""
    if isinstance(prompt, list) and prompt and isinstance(prompt[-1], dict):
        content = prompt[-1].get("content", "")
        return content if isinstance(content, str) else ""
    raise TypeError(f"a prompt is a string or a list of chat messages, not {type(prompt).__name__}")


def _separator(prompt: Any) -> str:
    """What goes between the row's prompt and the observation TRL appends to it (nothing after empty text)."""
    content = prompt_text(prompt)
    return "\n\n" if content and not content[-1].isspace() else ""


class TRLEnvironment:
    """A Gymnasium text env as a TRL ``GRPOTrainer`` environment with one tool, ``act(action)``.

    TRL turns every public method into a tool, so this class has exactly ``reset``, ``act`` and ``get_reward``;
    the rest is properties and private helpers.

    Example:
        >>> from arm_gym.wrappers import TRLEnvironment
        >>> env = TRLEnvironment("ARM-Game24-v0", max_actions_shown=3)
        >>> print(env.reset(seed=0))  # doctest: +ELLIPSIS
        Task: Use the numbers 3 3 4 4 and basic arithmetic operations (+ - * /) to obtain 24. ...
        <BLANKLINE>
        Observation: Numbers left: 3 3 4 4
        Valid actions: 3 + 3 = 6, 3 * 3 = 9, 3 - 3 = 0 (and 11 more)
        >>> print(env.act("3 * 4 = 12"))
        3 * 4 = 12 (left: 3 4 12)
        Valid actions: 3 + 4 = 7, 3 * 4 = 12, 4 - 3 = 1 (and 15 more)
        >>> env.get_reward(), env.trajectory.actions
        (0.0, ['3 * 4 = 12'])

    Args:
        env: an env id (``"ARM-Game24-v0"``, ``"package.module:Class"``), a zero-argument callable returning a
            text env, or an env instance (not shared between rollouts: give TRL a factory).
        env_kwargs: keyword arguments for ``gym.make`` (or for the factory).
        reward: what :meth:`get_reward` returns: ``"env"`` the env's return, ``"model"`` the learned score of the
            trajectory, ``None`` nothing (TRL ignores the column; rewards come from ``reward_funcs``), ``"auto"``
            ``"model"`` when a reward model is given, else ``"env"``.
        reward_model: a :class:`~arm_gym.reward.RewardModel`, a checkpoint path, or any object with
            ``score(pairs) -> np.ndarray`` (load it once and share it: see :func:`environment_factory`).
        normalize: ``"raw"``, ``"sigmoid"`` or ``"zscore"``, as in ``RewardModelWrapper`` (``zscore`` statistics are
            this instance's own; :func:`reward_model_reward` keeps one set for the whole run).
        instruction_fn: ``(reset_obs, reset_info) -> str``; default ``reset_info["instruction"]``.
        show_actions: list the admissible actions after each observation (at most ``max_actions_shown``).
    """

    def __init__(
        self,
        env: str | Callable[[], gym.Env] | gym.Env,
        *,
        env_kwargs: Mapping[str, Any] | None = None,
        reward: str | None = "auto",
        reward_model: Any = None,
        normalize: str = "raw",
        instruction_fn: InstructionFn | None = None,
        show_actions: bool = True,
        max_actions_shown: int = 20,
    ):
        if reward == "auto":
            reward = "env" if reward_model is None else "model"
        if reward not in REWARDS:
            raise ValueError(f"reward must be one of {REWARDS}, not {reward!r}")
        if reward == "model" and reward_model is None:
            raise ValueError("reward='model' needs a reward_model")
        self._env = _make(env, dict(env_kwargs or {}))
        self._reward = reward
        self._scorer = None if reward_model is None else _as_scorer(reward_model)
        self._normalizer = _Normalizer(normalize)
        self._instruction_fn = instruction_fn
        self._show_actions = show_actions
        self._max_actions_shown = max_actions_shown
        self._recorder: EpisodeRecorder | None = None

    # ------------------------------------------------------------------ the TRL contract
    def reset(self, **row: Any) -> str:
        """Start an episode for one dataset row; return its first observation, instruction included.

        The row's ``seed``, ``task_id``, ``split`` and ``options`` choose the task (rows of one GRPO group share
        them, so the group plays one task); every other column (``prompt``...) is ignored.
        """
        options = dict(row.get("options") or {})
        for key in ("task_id", "split"):
            if row.get(key) is not None:
                options[key] = row[key]
        seed = row.get("seed")
        seed = None if seed is None else int(seed)
        obs, info = self._env.reset(seed=seed, options=options or None)
        instruction = _instruction(self._instruction_fn, obs, info)
        self._recorder = EpisodeRecorder(env_id_of(self._env), obs, info, seed=seed, instruction=instruction)
        text = f"Task: {instruction}\n\nObservation: {obs}{self._actions_text(info)}"
        return _separator(row.get("prompt")) + text

    def act(self, action: str) -> str:
        """Take one action in the text environment and return what the environment answers.

        Args:
            action: The action to take, as plain text, e.g. one of the valid actions listed.

        Returns:
            The observation after the action (and the valid actions next), or a note that the episode is over.
        """
        if self._recorder is None:
            raise RuntimeError("call reset() before act()")
        if not isinstance(action, str):
            raise TypeError(f"act(action) takes the action as a string, got {type(action).__name__}: {action!r}")
        if self._recorder.done:
            return EPISODE_OVER
        obs, reward, terminated, truncated, info = self._env.step(action)
        if self._recorder.step(action, obs, reward, terminated, truncated, info):
            return f"{obs}\n\n{EPISODE_OVER}"
        return f"{obs}{self._actions_text(info)}"

    def get_reward(self) -> float | None:
        """The rollout's reward: the env's return, the learned score, or ``None`` (see ``reward``)."""
        if self._reward is None:
            return None
        if self._recorder is None:
            raise RuntimeError("call reset() before get_reward()")
        if self._reward == "env":
            return float(self._recorder.trajectory.env_return)
        return float(score_pairs(self._scorer, self._normalizer, [self.pair])[0])

    # ------------------------------------------------------------------ read-only state (properties are no tools)
    @property
    def env(self) -> gym.Env:
        """The wrapped text env."""
        return self._env

    @property
    def trajectory(self) -> Trajectory:
        """The episode so far (instruction, initial observation, steps, env return)."""
        if self._recorder is None:
            raise RuntimeError("no episode yet: call reset() first")
        return self._recorder.trajectory

    @property
    def pair(self) -> tuple[str, Trajectory]:
        """``(instruction, trajectory)``: what a reward model scores."""
        trajectory = self.trajectory
        return trajectory.instruction, trajectory

    @property
    def done(self) -> bool:
        """Whether the episode ended (terminated or truncated)."""
        return self._recorder is not None and self._recorder.done

    def _actions_text(self, info: Mapping[str, Any]) -> str:
        if not self._show_actions or "admissible_actions" not in info:
            return ""
        actions = [str(a) for a in info["admissible_actions"]]
        shown = ", ".join(actions[: self._max_actions_shown])
        more = len(actions) - self._max_actions_shown
        return f"\nValid actions: {shown}" + (f" (and {more} more)" if more > 0 else "")


def score_pairs(scorer: Any, normalizer: _Normalizer, pairs: Sequence[tuple[str, Trajectory]]) -> np.ndarray:
    """Normalised scores of ``(instruction, trajectory)`` pairs in one ``score`` call (RewardModelWrapper's value)."""
    if not pairs:
        return np.zeros(0)
    return normalizer(np.asarray(scorer.score(list(pairs)), dtype=np.float64))


def environment_factory(
    env: str | Callable[[], gym.Env],
    *,
    reward_model: Any = None,
    **kwargs: Any,
) -> Callable[[], TRLEnvironment]:
    """A zero-argument factory of :class:`TRLEnvironment` for ``GRPOTrainer(environment_factory=...)``.

    The reward model is loaded once here and shared by every instance; ``kwargs`` go to :class:`TRLEnvironment`.
    One instance is built now, so a bad id or argument fails here rather than inside the trainer.
    """
    if isinstance(env, gym.Env):
        raise TypeError("pass an env id or a zero-argument env factory: every rollout needs its own env instance")
    scorer = None if reward_model is None else _as_scorer(reward_model)
    factory = functools.partial(TRLEnvironment, env, reward_model=scorer, **kwargs)
    factory()
    return factory


def reward_model_reward(reward_model: Any, *, normalize: str = "raw") -> Callable[..., list[float]]:
    """A TRL reward function: the reward model's score of each rollout's (instruction, trajectory).

    It reads the trajectories from ``environments`` (the :class:`TRLEnvironment` instances TRL passes with
    ``environment_factory``) or from ``arm_trajectory`` (the column :class:`~arm_gym.wrappers.trl_rollout.
    TextRollout` returns) and scores them all in one batch. The value equals ``RewardModelWrapper``'s terminal
    reward for the same trajectory and normalisation (``zscore`` keeps running statistics over batches).
    """
    scorer = _as_scorer(reward_model)
    normalizer = _Normalizer(normalize)

    def arm_reward_model(
        prompts: list | None = None,
        completions: list | None = None,
        completion_ids: list | None = None,
        environments: Sequence[Any] | None = None,
        arm_trajectory: Sequence[Trajectory] | None = None,
        **kwargs: Any,
    ) -> list[float]:
        pairs = [(t.instruction, t) for t in rollout_trajectories(environments, arm_trajectory)]
        return [float(v) for v in score_pairs(scorer, normalizer, pairs)]

    return arm_reward_model


def env_return_reward(
    prompts: list | None = None,
    completions: list | None = None,
    completion_ids: list | None = None,
    environments: Sequence[Any] | None = None,
    arm_trajectory: Sequence[Trajectory] | None = None,
    **kwargs: Any,
) -> list[float]:
    """A TRL reward function: each rollout's env return (the sum of ``info["env_reward"]``)."""
    return [float(t.env_return) for t in rollout_trajectories(environments, arm_trajectory)]


def rollout_trajectories(
    environments: Sequence[Any] | None, arm_trajectory: Sequence[Trajectory] | None
) -> list[Trajectory]:
    """The recorded trajectories of a batch: from TRL's ``environments`` or from TextRollout's ``arm_trajectory``."""
    if environments is not None:
        return [environment.trajectory for environment in environments]
    if arm_trajectory is not None:
        return list(arm_trajectory)
    raise ValueError(
        "these rewards score recorded trajectories: pass environment_factory= (TRLEnvironment) or "
        "rollout_func= (TextRollout) to GRPOTrainer"
    )


def seed_dataset(
    n: int,
    *,
    start: int = 0,
    prompt: str = DEFAULT_PROMPT,
    split: str | None = None,
    conversational: bool = True,
) -> Any:
    """A ``datasets.Dataset`` of ``n`` rows (``prompt``, ``seed``, and ``split`` when given), seeds ``start..``.

    Each row's seed picks its task in ``reset(**row)``; GRPO repeats a row for its group, so a group plays one task.
    ``conversational=False`` gives plain-text prompts (for :class:`~arm_gym.wrappers.trl_rollout.TextRollout` on a
    model without a chat template).
    """
    from datasets import Dataset

    if n < 1:
        raise ValueError(f"n must be positive, not {n}")
    column = [[{"role": "user", "content": prompt}]] * n if conversational else [prompt] * n
    data: dict[str, list] = {"prompt": column, "seed": list(range(start, start + n))}
    if split is not None:
        data["split"] = [split] * n
    return Dataset.from_dict(data)


__all__ = [
    "DEFAULT_PROMPT",
    "EPISODE_OVER",
    "TRLEnvironment",
    "env_return_reward",
    "environment_factory",
    "prompt_text",
    "reward_model_reward",
    "rollout_trajectories",
    "score_pairs",
    "seed_dataset",
]
