"""SB3 adapters: Discrete(K) actions with masks, embedded observations, ArmTextPolicy, TextVecEnv."""

import os
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("sb3_contrib")

import torch
from arm_gym.wrappers import (
    ArmTextPolicy,
    DiscreteActions,
    EmbedObservation,
    HashingEncoder,
    TextVecEnv,
    VectorRewardModelWrapper,
    make_sb3_env,
)
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from sb3_contrib import MaskablePPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecMonitor

from arm_gym.envs.synthesis import SynthesisAdapter
from arm_gym.reward.model import RewardModel
from tests.reward.tiny_model import tiny_backbone
from tests.testing_env import GenericTextEnv

PPO = {"n_steps": 64, "batch_size": 64, "n_epochs": 2, "seed": 0, "policy_kwargs": {"hidden_dim": 16}}


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def rm(tmp_path_factory):
    return RewardModel.from_pretrained(tiny_backbone(tmp_path_factory.getbasetemp()), device="cpu", precision="fp32")


class FillAdapter(SynthesisAdapter):
    def fill_template(self, action, instruction, rng):
        return f"say[{int(rng.integers(1000))}]" if action == "say[...]" else action


class TemplateEnv(GenericTextEnv):
    """Admissible: good, bad, a template, and ``extra`` more filler actions."""

    synthesis_adapter = FillAdapter

    def __init__(self, extra=0, **kwargs):
        super().__init__(**kwargs)
        self.extra = extra

    def admissible_actions(self):
        return ["good", "bad", "say[...]"] + [f"wait {i}" for i in range(self.extra)]


def stack(env, k=4, dim=32):
    return EmbedObservation(DiscreteActions(env, k), "hash", dim=dim)


def test_masks_equal_the_admissible_actions_and_padding_is_masked():
    env = DiscreteActions(GenericTextEnv(), max_actions=5)
    _, info = env.reset(seed=0)
    assert env.action_space == gym.spaces.Discrete(5)
    assert env.action_masks().tolist() == [True, True, False, False, False]
    assert info["action_candidates"] == info["admissible_actions"] == ["good", "bad"]
    _, _, _, _, info = env.step(0)
    assert info["action_text"] == "good" and info["action_mask"].sum() == len(info["admissible_actions"])
    _, reward, terminated, _, info = env.step(4)  # a padding slot plays an invalid (empty) action
    assert info["action_text"] == "" and reward == 0.0 and not terminated


def test_game24_masks_follow_the_admissible_actions_through_episodes():
    env = DiscreteActions(gym.make("ARM-Game24-v0"), max_actions=36)
    rng = np.random.default_rng(0)
    for seed in range(5):
        _, info = env.reset(seed=seed)
        done = False
        while not done:
            assert env.action_masks().sum() == len(info["admissible_actions"]) > 0
            assert info["action_candidates"] == list(info["admissible_actions"])
            _, _, terminated, truncated, info = env.step(rng.choice(np.flatnonzero(env.action_masks())))
            done = terminated or truncated


def test_templates_are_filled_from_the_episodes_own_seeded_generator():
    def candidates(seed):
        env = DiscreteActions(TemplateEnv(), max_actions=4)
        env.reset(seed=seed)
        first = list(env.candidates)
        env.step(3)  # the padding slot: an invalid action, the episode goes on
        return first, list(env.candidates)

    assert candidates(3) == candidates(3)
    assert candidates(3) != candidates(4)
    assert candidates(3)[0][2].startswith("say[") and candidates(3)[0][2] != "say[...]"


def test_more_admissible_actions_than_slots_are_subsampled_in_order():
    env = DiscreteActions(TemplateEnv(extra=20), max_actions=8)
    _, info = env.reset(seed=0)
    assert env.action_masks().all() and len(info["action_candidates"]) == 8
    order = [info["admissible_actions"].index(c) if not c.startswith("say[") else 2 for c in info["action_candidates"]]
    assert order == sorted(order)


def test_embedded_observation_rows_are_state_then_candidates():
    env = stack(GenericTextEnv(), k=4, dim=32)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (5, 32) and env.observation_space.contains(obs)
    enc = HashingEncoder(dim=32)
    np.testing.assert_allclose(obs[1:3], enc.encode(["good", "bad"]))
    assert not obs[3:].any() and obs[0].any()


def test_hashing_is_stable_across_processes():
    code = "from arm_gym.wrappers.text_encoders import HashingEncoder as H; print(H(dim=16).encode(['go north'])[0].tolist())"
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(s)}).stdout
        for s in (1, 2)
    }
    assert len(outs) == 1
    assert eval(outs.pop()) == pytest.approx(HashingEncoder(dim=16).encode(["go north"])[0].tolist())


def test_maskable_ppo_learns_the_generic_env_on_the_single_stack():
    env = make_sb3_env(GenericTextEnv(max_steps=8), max_actions=4, encoder_kwargs={"dim": 32})
    model = MaskablePPO("ArmTextPolicy", env, learning_rate=3e-3, **PPO).learn(1024)
    assert isinstance(model.policy, ArmTextPolicy)
    wins = []
    for seed in range(10):
        obs, _ = env.reset(seed=100 + seed)
        done = False
        while not done:
            action, _ = model.predict(obs, action_masks=env.get_wrapper_attr("action_masks")(), deterministic=True)
            obs, _, terminated, truncated, info = env.step(action)
            done = terminated or truncated
        wins.append(info["won"])
    assert np.mean(wins) >= 0.8  # random play wins 1/8


def test_learned_reward_under_the_adapters_and_evaluate_policy_reports_env_success(rm):
    env = make_sb3_env(GenericTextEnv(max_steps=8), max_actions=4, reward_model=rm, mode="shaped",
                       encoder_kwargs={"dim": 32})
    model = MaskablePPO("ArmTextPolicy", env, **PPO).learn(256)
    won = []

    def callback(locals_, _globals):
        if locals_["done"]:
            won.append(bool(locals_["info"]["won"]))
            assert "rm_score" in locals_["info"] and "env_return" in locals_["info"]

    evaluate_policy(model, env, n_eval_episodes=4, callback=callback, warn=False)
    assert len(won) == 4


@pytest.mark.parametrize("vec_cls", [DummyVecEnv, SubprocVecEnv])
def test_sb3_vec_envs_of_the_single_stack(rm, vec_cls):
    def make():
        return make_sb3_env(GenericTextEnv(max_steps=8), max_actions=4, encoder_kwargs={"dim": 32},
                            reward_model=rm if vec_cls is DummyVecEnv else None)

    venv = make_vec_env(make, n_envs=2, vec_env_cls=vec_cls)
    try:
        model = MaskablePPO(ArmTextPolicy, venv, **PPO).learn(256)
        masks = np.stack(venv.env_method("action_masks"))
        assert masks.tolist() == [[True, True, False, False]] * 2
        assert model.num_timesteps >= 256
    finally:
        venv.close()


def vector_text_env(n=3, **kwargs):
    return SyncVectorEnv([lambda: GenericTextEnv(max_steps=6, **kwargs)] * n, autoreset_mode=AutoresetMode.SAME_STEP)


def test_text_vec_env_masks_and_final_infos():
    venv = TextVecEnv(vector_text_env(2), max_actions=4, dim=32)
    venv.seed(0)
    obs = venv.reset()
    assert obs.shape == (2, 5, 32)
    assert venv.action_masks().tolist() == np.stack(venv.env_method("action_masks")).tolist()
    assert venv.action_masks()[:, :2].all() and not venv.action_masks()[:, 2:].any()
    venv.step_async(np.array([0, 1]))  # good / bad: env 1 ends lost
    obs, rewards, dones, infos = venv.step_wait()
    assert dones.tolist() == [False, True] and infos[1]["won"] is False
    assert infos[1]["terminal_observation"].shape == (5, 32) and infos[1]["action_text"] == "bad"
    for _ in range(2):
        venv.step_async(np.array([0, 0]))
        obs, rewards, dones, infos = venv.step_wait()
    assert dones[0] and infos[0]["won"] and infos[0]["env_reward"] == 1.0 and rewards[0] == 1.0


def test_text_vec_env_over_an_async_vector_env():
    from gymnasium.vector import AsyncVectorEnv

    env = AsyncVectorEnv([GenericTextEnv] * 2, shared_memory=False, autoreset_mode=AutoresetMode.SAME_STEP)
    venv = TextVecEnv(env, max_actions=4, dim=32)
    try:
        venv.seed(0)
        venv.reset()
        for _ in range(3):
            venv.step_async(np.array([0, 0]))
            _, rewards, dones, infos = venv.step_wait()
        assert dones.all() and all(i["won"] for i in infos) and rewards.tolist() == [1.0, 1.0]
    finally:
        venv.close()


def test_text_vec_env_rejects_next_step_autoreset():
    with pytest.raises(ValueError, match="same step"):
        TextVecEnv(SyncVectorEnv([GenericTextEnv]), max_actions=4)


@pytest.mark.parametrize("learned", [False, True])
def test_maskable_ppo_on_the_vector_stack(rm, learned):
    env = vector_text_env(4)
    if learned:
        env = VectorRewardModelWrapper(env, rm, mode="terminal")
    venv = VecMonitor(TextVecEnv(env, max_actions=4, dim=32), info_keywords=("won",))
    model = MaskablePPO("ArmTextPolicy", venv, **PPO).learn(512)
    assert model.num_timesteps >= 512 and len(model.ep_info_buffer) > 0
    assert all("won" in e for e in model.ep_info_buffer)


def test_a_policy_checkpoint_reloads_and_acts(tmp_path):
    env = stack(GenericTextEnv(), k=4, dim=32)
    model = MaskablePPO("ArmTextPolicy", env, **PPO).learn(128)
    model.save(tmp_path / "policy.zip")
    loaded = MaskablePPO.load(tmp_path / "policy.zip")
    assert isinstance(loaded.policy, ArmTextPolicy)
    obs, _ = env.reset(seed=5)
    masks = env.action_masks()
    for deterministic in (True, False):
        action, _ = loaded.predict(obs, action_masks=masks, deterministic=deterministic)
        assert masks[int(action)]
    a, _ = model.predict(obs, action_masks=masks, deterministic=True)
    b, _ = loaded.predict(obs, action_masks=masks, deterministic=True)
    assert int(a) == int(b)


def test_webshop_search_templates_become_concrete_candidates():
    env = DiscreteActions(gym.make("ARM-WebShop-v0"), max_actions=16)
    _, info = env.reset(seed=0)
    assert any(a.endswith("[...]") for a in info["admissible_actions"])
    searches = [c for c in info["action_candidates"] if c.startswith("search[")]
    assert searches and all(not c.endswith("[...]") for c in searches)


def test_minilm_encoder_is_batched_and_cached():
    from arm_gym.wrappers import MiniLMEncoder

    enc = MiniLMEncoder(device="cpu")
    v = enc.encode(["open the door", "go north", "open the door"])
    assert v.shape == (3, 384) and np.allclose(v[0], v[2]) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert len(enc._cache) == 2
