"""``TextVecEnv``: a Gymnasium vector env of text envs as an SB3 ``VecEnv`` with masks and embedded observations.

It does for all sub-envs at once what :class:`~arm_gym.wrappers.DiscreteActions` and
:class:`~arm_gym.wrappers.EmbedObservation` do for one: the candidates of every sub-env are built from its own
generator, and every state and candidate text of a step goes to the encoder in one batch (MiniLM pays one
forward pass per step, not one per sub-env). Below it, ``VectorRewardModelWrapper`` scores all sub-envs in one
pass too. The vector env must reset in the same step (``AutoresetMode.SAME_STEP``, SB3's convention):
:func:`make_text_vec_env` builds it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from arm_gym.wrappers.sb3_adapters import (
    DEFAULT_MAX_ACTIONS,
    build_candidates,
    embed_rows,
    embedding_space,
    episode_rng,
    mask_of,
    state_text,
)
from arm_gym.wrappers.text_encoders import make_encoder
from gymnasium.vector import AutoresetMode, VectorEnv
from stable_baselines3.common.vec_env import VecEnv

from arm_gym.envs.synthesis import SynthesisAdapter, get_adapter
from arm_gym.trajectory import split_infos


class TextVecEnv(VecEnv):
    """An SB3 ``VecEnv`` over a Gymnasium vector env of text envs: ``Discrete(K)`` actions with
    ``env_method("action_masks")`` and ``(K + 1, dim)`` embedded observations.

    Example:
        >>> import arm_gym
        >>> from arm_gym.wrappers import TextVecEnv, make_text_vec_env
        >>> venv = TextVecEnv(make_text_vec_env("ARM-Game24-v0", 4), max_actions=36, dim=64)
        >>> venv.seed(0); obs = venv.reset()
        [0, 1, 2, 3]
        >>> obs.shape, venv.action_masks().shape
        ((4, 37, 64), (4, 36))

    Args:
        env: a Gymnasium vector env of text envs with ``autoreset_mode=SAME_STEP`` (e.g. :func:`make_text_vec_env`,
            optionally under ``VectorRewardModelWrapper``).
        max_actions: ``K``.
        encoder: ``"hash"``, ``"minilm"`` or an encoder object; ``**encoder_kwargs`` are passed to it.
        adapter: fills template actions (default: the synthesis adapter of the vector env's env id).
        fallback_action: the one candidate when a sub-env lists none.

    ``infos[i]`` is sub-env ``i``'s info; at an episode's end it is the *final* step's info (``won``,
    ``env_reward``, ``rm_score``) with SB3's ``terminal_observation`` and ``TimeLimit.truncated``.
    """

    def __init__(
        self,
        env: VectorEnv,
        max_actions: int = DEFAULT_MAX_ACTIONS,
        encoder: str | Any = "hash",
        *,
        adapter: SynthesisAdapter | None = None,
        fallback_action: str | None = "look",
        **encoder_kwargs: Any,
    ):
        if env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP) != AutoresetMode.SAME_STEP:
            raise ValueError(
                "TextVecEnv needs a vector env that resets in the same step: "
                "make_text_vec_env(...) or gym.make_vec(..., vector_kwargs={'autoreset_mode': AutoresetMode.SAME_STEP})"
            )
        self.env = env
        self.max_actions = int(max_actions)
        self.encoder = make_encoder(encoder, **encoder_kwargs)
        self.adapter = adapter if adapter is not None else _adapter_of(env)
        self.fallback_action = fallback_action
        super().__init__(env.num_envs, embedding_space(self.max_actions, self.encoder.dim),
                         gym.spaces.Discrete(self.max_actions))
        self._rngs = [episode_rng(None) for _ in range(self.num_envs)]
        self._candidates: list[list[str]] = [[] for _ in range(self.num_envs)]
        self._actions: np.ndarray | None = None

    # ------------------------------------------------------------------ VecEnv API
    def reset(self) -> np.ndarray:
        seeds = list(self._seeds)
        options = self._options[0] if self._options and all(o == self._options[0] for o in self._options) else None
        obs, info = self.env.reset(seed=seeds if any(s is not None for s in seeds) else None, options=options or None)
        for i, seed in enumerate(seeds):
            if seed is not None:
                self._rngs[i] = episode_rng(seed)
        self._reset_seeds()
        self._reset_options()
        infos = split_infos(info, self.num_envs)
        self.reset_infos = infos
        return self._observe(list(obs), infos)

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions).reshape(self.num_envs)

    def step_wait(self):
        texts = []
        for i, index in enumerate(self._actions):
            cands = self._candidates[i]
            texts.append(cands[int(index)] if 0 <= int(index) < len(cands) else "")
        obs, rewards, terminated, truncated, info = self.env.step(tuple(texts))
        infos = split_infos(info, self.num_envs)
        finals = split_infos(info["final_info"], self.num_envs) if "final_info" in info else [{}] * self.num_envs
        dones = np.logical_or(terminated, truncated)
        out_infos: list[dict[str, Any]] = []
        terminal: list[int] = []
        for i in range(self.num_envs):
            if dones[i]:
                final = dict(finals[i])
                for key in ("rm_score",):  # the reward wrapper's per-step keys sit at the top level
                    if key in infos[i]:
                        final[key] = infos[i][key]
                final["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
                final["action_text"] = texts[i]
                out_infos.append(final)
                terminal.append(i)
            else:
                out_infos.append({**infos[i], "action_text": texts[i]})
        observations = self._observe(list(obs), infos)
        if terminal:
            final_obs = [info["final_obs"][i] for i in terminal]
            instructions = [str(out_infos[i].get("instruction", "")) for i in terminal]
            rows = embed_rows(self.encoder, [state_text(s, o) for s, o in zip(instructions, final_obs)],
                              [[] for _ in terminal], self.max_actions)
            for j, i in enumerate(terminal):
                out_infos[i]["terminal_observation"] = rows[j]
        return observations, np.asarray(rewards, dtype=np.float32), dones, out_infos

    def close(self) -> None:
        self.env.close()

    def action_masks(self) -> np.ndarray:
        """``(num_envs, K)`` masks of the current candidates."""
        return np.stack([mask_of(c, self.max_actions) for c in self._candidates])

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        if attr_name == "action_masks":
            return [lambda i=i: self.action_masks()[i] for i in self._get_indices(indices)]
        if attr_name == "render_mode":
            return [getattr(self.env, "render_mode", None) for _ in self._get_indices(indices)]
        values = self.env.get_attr(attr_name)
        return [values[i] for i in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        if indices is not None:
            raise NotImplementedError("TextVecEnv sets attributes on every sub-env at once")
        self.env.set_attr(attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: Any = None, **method_kwargs: Any) -> list[Any]:
        if method_name == "action_masks":
            masks = self.action_masks()
            return [masks[i] for i in self._get_indices(indices)]
        results = self.env.call(method_name, *method_args, **method_kwargs)
        return [results[i] for i in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: Any = None) -> list[bool]:
        from stable_baselines3.common.env_util import is_wrapped

        envs = getattr(self.env.unwrapped, "envs", None)
        return [bool(envs) and is_wrapped(envs[i], wrapper_class) for i in self._get_indices(indices)]

    # ------------------------------------------------------------------ helpers
    def _observe(self, obs: Sequence[Any], infos: list[dict[str, Any]]) -> np.ndarray:
        states = []
        for i, info in enumerate(infos):
            instruction = str(info.get("instruction", ""))
            self._candidates[i] = build_candidates(info.get("admissible_actions"), instruction, self.adapter,
                                                   self._rngs[i], self.max_actions, self.fallback_action)
            states.append(state_text(instruction, obs[i]))
        return embed_rows(self.encoder, states, self._candidates, self.max_actions)


def _adapter_of(env: VectorEnv) -> SynthesisAdapter:
    spec = getattr(env.unwrapped, "spec", None) or getattr(env, "spec", None)
    if spec is not None:
        try:
            return get_adapter(spec.id)
        except (ValueError, KeyError, gym.error.Error):
            pass
    envs = getattr(env.unwrapped, "envs", None)
    return get_adapter(envs[0]) if envs else SynthesisAdapter()


def make_text_vec_env(env_id: str, num_envs: int, vectorization_mode: str = "sync", **kwargs: Any) -> VectorEnv:
    """``arm_gym.make_vec`` with same-step autoreset, the vector env :class:`TextVecEnv` takes."""
    from arm_gym import make_vec

    vector_kwargs = {"autoreset_mode": AutoresetMode.SAME_STEP, **dict(kwargs.pop("vector_kwargs", None) or {})}
    return make_vec(env_id, num_envs=num_envs, vectorization_mode=vectorization_mode, vector_kwargs=vector_kwargs,
                    **kwargs)
