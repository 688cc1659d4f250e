"""SB3 adapters for text envs: admissible actions as ``Discrete(K)`` with masks, and text embedded into a ``Box``.

Stable-Baselines3 takes no ``Text`` spaces, and sb3-contrib's ``MaskablePPO`` reads ``action_masks()`` before every
step. Two wrappers, stacked in this order on any text env (arm_gym's or one whose info lists its actions):

* :class:`DiscreteActions`: slot ``k`` of ``Discrete(K)`` plays the ``k``-th admissible action; ``action_masks()``
  marks the filled slots (``K`` is fixed per env, the rest is padding). Template actions (WebShop's ``search[...]``)
  are filled into concrete candidates by the env's synthesis adapter, drawing from the wrapper's own generator
  (seeded by ``reset(seed=...)``). ``info`` gains ``action_candidates`` and ``action_mask``.
* :class:`EmbedObservation`: the observation becomes a ``(K + 1, dim)`` float array: row 0 embeds the
  instruction and the observation, row ``k + 1`` the ``k``-th candidate (zeros for padding), so a policy can
  score each (state, candidate) pair with one shared scorer (:class:`~arm_gym.wrappers.sb3_policy.ArmTextPolicy`).

The learned reward goes *under* them (``RewardModelWrapper`` scores text), SB3's ``Monitor`` over them.
:class:`~arm_gym.wrappers.sb3_vec.TextVecEnv` does the same for a whole Gymnasium vector env in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from arm_gym.wrappers.text_encoders import make_encoder
from gymnasium import spaces

from arm_gym.envs.synthesis import SynthesisAdapter, get_adapter

DEFAULT_MAX_ACTIONS = 64
InstructionFn = Callable[[Any, dict], str]


def episode_rng(seed: int | None) -> np.random.Generator:
    """The generator an adapter fills templates from: seeded by the episode's reset seed (its own stream)."""
    return np.random.default_rng(None if seed is None else [int(seed), 0x5B3])


def build_candidates(
    actions: Sequence[str] | None,
    instruction: str,
    adapter: SynthesisAdapter,
    rng: np.random.Generator,
    max_actions: int,
    fallback_action: str | None = "look",
) -> list[str]:
    """At most ``max_actions`` concrete actions from the admissible ones, in their order.

    Templates are filled by ``adapter.fill_template``; when there are more actions than slots, ``max_actions``
    of them are drawn from ``rng`` (order kept); with none, ``[fallback_action]`` (so a mask is never empty).
    """
    actions = [str(a) for a in (actions or ())]
    if len(actions) > max_actions:
        keep = np.sort(rng.choice(len(actions), size=max_actions, replace=False))
        actions = [actions[i] for i in keep]
    if not actions and fallback_action is not None:
        actions = [fallback_action]
    return [adapter.fill_template(a, instruction, rng) for a in actions]


def mask_of(candidates: Sequence[str], max_actions: int) -> np.ndarray:
    """The ``(max_actions,)`` boolean mask of the filled slots."""
    mask = np.zeros(max_actions, dtype=bool)
    mask[: len(candidates)] = True
    return mask


def state_text(instruction: str, observation: Any) -> str:
    """What the state row embeds: the instruction, then the observation."""
    return f"{instruction}\n{observation}"


def embed_rows(encoder: Any, states: Sequence[str], candidates: Sequence[Sequence[str]], max_actions: int) -> np.ndarray:
    """``(len(states), max_actions + 1, dim)``: each state and its candidates, all texts in one ``encode`` call."""
    texts = list(states)
    for cands in candidates:
        texts.extend(cands)
    vectors = encoder.encode(texts) if texts else np.zeros((0, encoder.dim), dtype=np.float32)
    out = np.zeros((len(states), max_actions + 1, encoder.dim), dtype=np.float32)
    out[:, 0] = vectors[: len(states)]
    start = len(states)
    for i, cands in enumerate(candidates):
        out[i, 1 : 1 + len(cands)] = vectors[start : start + len(cands)]
        start += len(cands)
    return out


def embedding_space(max_actions: int, dim: int) -> spaces.Box:
    """The observation space of embedded states: ``(max_actions + 1, dim)`` in ``[-1, 1]``."""
    return spaces.Box(-1.0, 1.0, shape=(max_actions + 1, dim), dtype=np.float32)


def _instruction(instruction_fn: InstructionFn | None, obs: Any, info: dict, default: str = "") -> str:
    if instruction_fn is not None:
        return str(instruction_fn(obs, info))
    return str(info.get("instruction", default))


class DiscreteActions(gym.Wrapper):
    """Admissible actions as ``Discrete(max_actions)`` with ``action_masks()`` (sb3-contrib's MaskablePPO contract).

    Example:
        >>> import gymnasium as gym, arm_gym
        >>> from arm_gym.wrappers import DiscreteActions
        >>> env = DiscreteActions(gym.make("ARM-Game24-v0"), max_actions=36)
        >>> obs, info = env.reset(seed=0)
        >>> int(env.action_masks().sum()) == len(info["admissible_actions"])
        True
        >>> obs, reward, terminated, truncated, info = env.step(0)
        >>> info["action_text"]
        '3 + 3 = 6'

    Args:
        env: a text env whose ``info["admissible_actions"]`` lists its valid actions.
        max_actions: ``K``, the number of slots (fixed per env; extra admissible actions are subsampled).
        adapter: fills template actions (default: the env's synthesis adapter, ``get_adapter(env)``).
        fallback_action: the one candidate when the env lists none.
        instruction_fn: ``(obs, info) -> str`` for envs whose info has no ``instruction``.

    A masked or out-of-range index plays an empty action (a text env answers it as invalid, reward 0).
    """

    def __init__(
        self,
        env: gym.Env,
        max_actions: int = DEFAULT_MAX_ACTIONS,
        *,
        adapter: SynthesisAdapter | None = None,
        fallback_action: str | None = "look",
        instruction_fn: InstructionFn | None = None,
    ):
        super().__init__(env)
        if max_actions < 1:
            raise ValueError(f"max_actions must be positive, not {max_actions}")
        self.max_actions = int(max_actions)
        self.adapter = adapter if adapter is not None else get_adapter(env)
        self.fallback_action = fallback_action
        self.instruction_fn = instruction_fn
        self.action_space = spaces.Discrete(self.max_actions)
        self.candidates: list[str] = []
        self.instruction = ""
        self._rng = episode_rng(None)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        if seed is not None:
            self._rng = episode_rng(seed)
        self.instruction = _instruction(self.instruction_fn, obs, info)
        return obs, self._update(info)

    def step(self, action: Any):
        index = int(action)
        text = self.candidates[index] if 0 <= index < len(self.candidates) else ""
        obs, reward, terminated, truncated, info = self.env.step(text)
        info = self._update(info)
        info["action_text"] = text
        return obs, reward, terminated, truncated, info

    def _update(self, info: dict) -> dict:
        info = dict(info)
        instruction = str(info.get("instruction", self.instruction)) if self.instruction_fn is None else self.instruction
        self.candidates = build_candidates(
            info.get("admissible_actions"), instruction, self.adapter, self._rng, self.max_actions, self.fallback_action
        )
        info["action_candidates"] = list(self.candidates)
        info["action_mask"] = self.action_masks()
        return info

    def action_masks(self) -> np.ndarray:
        """The ``(max_actions,)`` boolean mask of the current candidates."""
        return mask_of(self.candidates, self.max_actions)


class EmbedObservation(gym.Wrapper):
    """The state (instruction + observation) and the ``K`` candidate actions embedded into a ``Box`` of shape
    ``(K + 1, dim)``; goes over :class:`DiscreteActions` (it reads ``info["action_candidates"]``).

    Example:
        >>> import gymnasium as gym, arm_gym
        >>> from arm_gym.wrappers import DiscreteActions, EmbedObservation
        >>> env = EmbedObservation(DiscreteActions(gym.make("ARM-Game24-v0"), max_actions=36), "hash", dim=64)
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, env.observation_space.contains(obs)
        ((37, 64), True)

    Args:
        env: a :class:`DiscreteActions`-wrapped text env (possibly under a ``RewardModelWrapper``).
        encoder: ``"hash"`` (:class:`~arm_gym.wrappers.text_encoders.HashingEncoder`, default), ``"minilm"``, or an
            object with ``encode(texts)`` and ``dim``.
        instruction_fn: ``(obs, info) -> str`` for envs whose info has no ``instruction``.
        **encoder_kwargs: passed to the encoder (``dim=``, ``backbone=``, ...).
    """

    def __init__(self, env: gym.Env, encoder: str | Any = "hash", *, instruction_fn: InstructionFn | None = None,
                 **encoder_kwargs: Any):
        super().__init__(env)
        if not isinstance(env.action_space, spaces.Discrete):
            raise TypeError("EmbedObservation goes over DiscreteActions (its action space must be Discrete)")
        self.encoder = make_encoder(encoder, **encoder_kwargs)
        self.max_actions = int(env.action_space.n)
        self.instruction_fn = instruction_fn
        self.observation_space = embedding_space(self.max_actions, self.encoder.dim)
        self.instruction = ""

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self.instruction = _instruction(self.instruction_fn, obs, info)
        return self._embed(obs, info), info

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        return self._embed(obs, info), reward, terminated, truncated, info

    def action_masks(self) -> np.ndarray:
        """The masks of the :class:`DiscreteActions` below (Gymnasium wrappers do not forward attributes)."""
        return self.env.get_wrapper_attr("action_masks")()

    def _embed(self, obs: Any, info: dict) -> np.ndarray:
        if "action_candidates" not in info:
            raise ValueError("EmbedObservation needs info['action_candidates']: wrap the env in DiscreteActions first")
        instruction = self.instruction if self.instruction_fn else str(info.get("instruction", self.instruction))
        return embed_rows(self.encoder, [state_text(instruction, obs)], [info["action_candidates"]], self.max_actions)[0]


def make_sb3_env(
    env: gym.Env | str,
    *,
    max_actions: int = DEFAULT_MAX_ACTIONS,
    encoder: str | Any = "hash",
    reward_model: Any = None,
    mode: str = "terminal",
    normalize: str = "raw",
    monitor: bool = True,
    env_kwargs: dict[str, Any] | None = None,
    encoder_kwargs: dict[str, Any] | None = None,
) -> gym.Env:
    """The whole single-env stack: ``env`` (an id or an env) → optional ``RewardModelWrapper`` →
    :class:`DiscreteActions` → :class:`EmbedObservation` → SB3's ``Monitor`` recording ``won`` and ``env_return``.

    Example:
        >>> import arm_gym
        >>> from arm_gym.wrappers import make_sb3_env
        >>> env = make_sb3_env("ARM-Game24-v0", max_actions=36, encoder_kwargs={"dim": 64})  # doctest: +SKIP
        >>> from sb3_contrib import MaskablePPO                                              # doctest: +SKIP
        >>> MaskablePPO("ArmTextPolicy", env, n_steps=64).learn(256)                          # doctest: +SKIP
    """
    if isinstance(env, str):
        env = gym.make(env, **(env_kwargs or {}))
    if reward_model is not None:
        from arm_gym.wrappers.reward_model import RewardModelWrapper

        env = RewardModelWrapper(env, reward_model, mode=mode, normalize=normalize)
    env = EmbedObservation(DiscreteActions(env, max_actions), encoder, **(encoder_kwargs or {}))
    if monitor:
        from stable_baselines3.common.monitor import Monitor

        env = Monitor(EnvReturn(env), info_keywords=("won", "env_return"))
    return env


class EnvReturn(gym.Wrapper):
    """Adds ``info["env_return"]`` (the running sum of ``info["env_reward"]``, the env's own reward, whatever
    reward the wrappers below put in its place) so ``Monitor(info_keywords=("won", "env_return"))`` logs it.

    Example:
        >>> import gymnasium as gym, arm_gym
        >>> from arm_gym.wrappers import EnvReturn
        >>> env = EnvReturn(gym.make("ARM-Game24-v0"))
        >>> _ = env.reset(seed=0)
        >>> env.step("3 + 3 = 6")[4]["env_return"]
        0.0
    """

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._return = 0.0
        return self.env.reset(seed=seed, options=options)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._return += float(info.get("env_reward", reward))
        info = dict(info)
        info["env_return"] = self._return
        info.setdefault("won", False)
        return obs, reward, terminated, truncated, info
