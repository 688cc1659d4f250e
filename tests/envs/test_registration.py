"""Every ARM-* id registers on import, builds with gym.make, and passes check_env."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import arm_gym
from arm_gym.envs import ENV_SPECS


def test_every_spec_is_registered():
    assert arm_gym.env_ids() == [s.id for s in ENV_SPECS]
    for env_id in arm_gym.env_ids():
        assert env_id in gym.registry


@pytest.mark.parametrize("env_id", [s.id for s in ENV_SPECS])
def test_check_env_on_every_registered_id(env_id):
    env = gym.make(env_id)
    try:
        check_env(env.unwrapped, skip_render_check=True)
    finally:
        env.close()


def test_module_prefixed_id_works():
    env = gym.make("arm_gym:ARM-Game24-v0")
    assert env.reset(seed=0)[0].startswith("Numbers left:")


def test_import_stays_light():
    code = "import sys, arm_gym, arm_gym.wrappers, arm_gym.cli; print(sorted(m for m in ('torch', 'transformers', 'scienceworld', 'textworld', 'trl', 'openai') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_make_vec_async_returns_real_text_observations():
    envs = arm_gym.make_vec("ARM-Game24-v0", num_envs=2, vectorization_mode="async")
    try:
        obs, info = envs.reset(seed=0)
        assert all(o.startswith("Numbers left:") for o in obs)
        actions = [a[0] for a in info["admissible_actions"]]
        obs, reward, terminated, truncated, info = envs.step(actions)
        assert all("(left:" in o for o in obs)
    finally:
        envs.close()
