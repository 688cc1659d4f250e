"""``ArmTextPolicy``: a MaskablePPO policy that scores every (state, candidate action) pair with one shared scorer.

The DRRN idea (He et al., 2016; Jericho's DRRN): candidates are told apart by what they say, not by their slot.
The observation is what :class:`~arm_gym.wrappers.EmbedObservation` (or :class:`~arm_gym.wrappers.TextVecEnv`)
emits, a ``(K + 1, dim)`` array: row 0 the state, rows ``1..K`` the candidates. Every row goes through one shared
projection (:class:`TextPairExtractor`); :class:`CandidateScorer` maps ``[s, a_k, s * a_k]`` to the logit of
slot ``k`` with one MLP shared by all slots, and the state alone to the value. Padding slots are masked by
MaskablePPO, so their logits never count.

Importing this module registers the name with sb3-contrib: ``MaskablePPO("ArmTextPolicy", env)``; passing the
class works too, and ``policy_kwargs={"hidden_dim": 256}`` sizes the network.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import torch as th
from sb3_contrib import MaskablePPO
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn


class TextPairExtractor(BaseFeaturesExtractor):
    """One shared ``Linear(dim, hidden_dim)`` + activation over each of the ``K + 1`` rows, flattened."""

    def __init__(self, observation_space: gym.spaces.Box, hidden_dim: int = 128):
        rows, dim = observation_space.shape
        super().__init__(observation_space, features_dim=rows * hidden_dim)
        self.rows, self.hidden_dim = rows, hidden_dim
        self.project = nn.Sequential(nn.Linear(dim, hidden_dim), nn.ReLU())

    def forward(self, observations: th.Tensor) -> th.Tensor:
        return self.project(observations).flatten(1)


class CandidateScorer(nn.Module):
    """The policy's ``mlp_extractor``: ``K`` logits from one pair scorer (``latent_dim_pi = K``), and the state's
    value features (``latent_dim_vf = hidden_dim``)."""

    def __init__(self, rows: int, hidden_dim: int):
        super().__init__()
        self.rows, self.hidden_dim = rows, hidden_dim
        self.latent_dim_pi = rows - 1
        self.latent_dim_vf = hidden_dim
        self.scorer = nn.Sequential(nn.Linear(3 * hidden_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, 1))
        self.critic = nn.Sequential(nn.Linear(hidden_dim, hidden_dim), nn.ReLU())

    def _rows(self, features: th.Tensor) -> th.Tensor:
        return features.view(features.shape[0], self.rows, self.hidden_dim)

    def forward_actor(self, features: th.Tensor) -> th.Tensor:
        rows = self._rows(features)
        state, cands = rows[:, :1], rows[:, 1:]
        pairs = th.cat([state.expand_as(cands), cands, state * cands], dim=-1)
        return self.scorer(pairs).squeeze(-1)

    def forward_critic(self, features: th.Tensor) -> th.Tensor:
        return self.critic(self._rows(features)[:, 0])

    def forward(self, features: th.Tensor) -> tuple[th.Tensor, th.Tensor]:
        return self.forward_actor(features), self.forward_critic(features)


class ArmTextPolicy(MaskableActorCriticPolicy):
    """MaskablePPO's actor-critic with a shared (state, candidate) scorer (see the module docstring).

    Example:
        >>> import gymnasium as gym, arm_gym
        >>> from sb3_contrib import MaskablePPO
        >>> from arm_gym.wrappers import ArmTextPolicy, make_sb3_env
        >>> env = make_sb3_env("ARM-Game24-v0", max_actions=36, encoder_kwargs={"dim": 64})
        >>> model = MaskablePPO("ArmTextPolicy", env, n_steps=64, batch_size=32, seed=0)
        >>> _ = model.learn(128)
        >>> obs, _ = env.reset(seed=1)
        >>> action, _ = model.predict(obs, action_masks=env.get_wrapper_attr("action_masks")())
        >>> bool(env.get_wrapper_attr("action_masks")()[action])
        True

    Args: as ``MaskableActorCriticPolicy``, plus ``hidden_dim`` (the width of the projection and the scorer,
    default 128). ``net_arch`` is unused (the scorer is the network).
    """

    def __init__(self, observation_space: gym.spaces.Space, action_space: gym.spaces.Space, lr_schedule: Any,
                 hidden_dim: int | None = None, **kwargs: Any):
        if not isinstance(observation_space, gym.spaces.Box) or len(observation_space.shape) != 2:
            raise ValueError("ArmTextPolicy needs (K + 1, dim) observations: wrap the env in EmbedObservation")
        if observation_space.shape[0] != action_space.n + 1:
            raise ValueError(f"observation rows {observation_space.shape[0]} != 1 + action slots {action_space.n}")
        kwargs.setdefault("features_extractor_class", TextPairExtractor)
        extractor_kwargs = dict(kwargs.pop("features_extractor_kwargs", None) or {})
        if hidden_dim is not None:
            extractor_kwargs["hidden_dim"] = hidden_dim
        kwargs["features_extractor_kwargs"] = extractor_kwargs
        kwargs.setdefault("net_arch", [])
        super().__init__(observation_space, action_space, lr_schedule, **kwargs)

    def _build_mlp_extractor(self) -> None:
        rows = self.observation_space.shape[0]
        self.mlp_extractor = CandidateScorer(rows, self.features_dim // rows)

    def _build(self, lr_schedule: Any) -> None:
        super()._build(lr_schedule)
        self.action_net = nn.Identity()  # the scorer already gives one logit per slot
        if self.ortho_init:  # small initial logits, as SB3 initialises its action head
            self.init_weights(self.mlp_extractor.scorer[-1], gain=0.01)
        self.optimizer = self.optimizer_class(self.parameters(), lr=lr_schedule(1), **self.optimizer_kwargs)


MaskablePPO.policy_aliases.setdefault("ArmTextPolicy", ArmTextPolicy)
