import gymnasium as gym
import numpy as np
import pytest
from arm_gym.wrappers import RewardModelWrapper, VectorRewardModelWrapper
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, SyncVectorEnv

from arm_gym.reward.model import RewardModel
from arm_gym.trajectory import Trajectory
from tests.reward.tiny_model import trained_checkpoint
from tests.testing_env import GenericTextEnv

EPISODE = ["wait", "good", "good", "good"]


@pytest.fixture(scope="module")
def rm(tmp_path_factory):
    out, _, _ = trained_checkpoint(tmp_path_factory.getbasetemp())
    return RewardModel.from_pretrained(out, device="cpu", precision="fp32")


class CountingScorer:
    """A real reward model that also counts its forward calls."""

    def __init__(self, model):
        self.model, self.calls, self.sizes = model, 0, []

    def score(self, pairs):
        self.calls += 1
        self.sizes.append(len(pairs))
        return self.model.score(pairs)


def play(env, actions, seed=0):
    env.reset(seed=seed, options={"task_id": "t1"})
    out = []
    for a in actions:
        out.append(env.step(a))
        if out[-1][2] or out[-1][3]:
            break
    return out


def empty_value(rm, normalize="raw"):
    """v(0): the model's score of task t1's empty trajectory (its instruction and first observation)."""
    env = GenericTextEnv()
    obs, info = env.reset(seed=0, options={"task_id": "t1"})
    raw = float(rm.score([(info["instruction"], Trajectory("", "", info["instruction"], obs))])[0])
    return 1 / (1 + np.exp(-raw)) if normalize == "sigmoid" else raw


@pytest.mark.parametrize("normalize", ["raw", "sigmoid"])
def test_shaped_rewards_sum_to_the_terminal_score_minus_the_origin(rm, normalize):
    terminal = play(RewardModelWrapper(GenericTextEnv(), rm, mode="terminal", normalize=normalize), EPISODE)
    zero = play(RewardModelWrapper(GenericTextEnv(), rm, mode="shaped", normalize=normalize, shaped_origin="zero"),
                EPISODE)
    shaped = play(RewardModelWrapper(GenericTextEnv(), rm, mode="shaped", normalize=normalize), EPISODE)
    v0 = empty_value(rm, normalize)
    assert [r for _, r, *_ in terminal[:-1]] == [0.0, 0.0, 0.0]
    assert sum(r for _, r, *_ in zero) == pytest.approx(terminal[-1][1], abs=1e-9)
    assert sum(r for _, r, *_ in shaped) == pytest.approx(terminal[-1][1] - v0, abs=1e-5)  # the default: "empty"
    assert shaped[0][1] == pytest.approx(zero[0][1] - v0, abs=1e-5)  # only the first step changes
    assert [r for _, r, *_ in shaped[1:]] == pytest.approx([r for _, r, *_ in zero[1:]], abs=1e-9)
    assert abs(v0) > 1e-3 and len({round(r, 6) for _, r, *_ in shaped}) > 1  # the per-step rewards really vary


def test_the_empty_origin_is_scored_once_at_reset_and_only_when_shaped(rm):
    for mode, origin, calls in (("shaped", "empty", 1), ("shaped", "zero", 0), ("terminal", "empty", 0)):
        scorer = CountingScorer(rm)
        env = RewardModelWrapper(GenericTextEnv(), scorer, mode=mode, shaped_origin=origin)
        env.reset(seed=0)
        assert scorer.calls == calls and scorer.sizes in ([], [1])


def test_info_keeps_the_env_reward_and_the_raw_score(rm):
    steps = play(RewardModelWrapper(GenericTextEnv(), rm, mode="terminal", normalize="sigmoid"), EPISODE)
    *_, last_info = steps[-1]
    assert last_info["env_reward"] == 1.0 and "rm_score" not in steps[0][4]
    assert steps[-1][1] == pytest.approx(1 / (1 + np.exp(-last_info["rm_score"])))


def test_the_learned_reward_prefers_winning(rm):
    win = play(RewardModelWrapper(GenericTextEnv(), rm), ["good", "good", "good"])[-1][1]
    lose = play(RewardModelWrapper(GenericTextEnv(), rm), ["good", "bad"])[-1][1]
    assert win > lose


def test_zscore_standardises_with_running_statistics(rm):
    env = RewardModelWrapper(GenericTextEnv(), rm, mode="terminal", normalize="zscore")
    rng = np.random.default_rng(0)
    finals = []
    for ep in range(12):
        actions = list(rng.choice(["good", "bad", "wait"], size=8, p=[0.6, 0.2, 0.2]))
        finals.append(play(env, actions, seed=ep)[-1][1])
    assert abs(np.mean(finals[4:])) < 1.5 and np.std(finals) > 0.1


class PlainTextEnv(gym.Env):
    """Not an arm_gym env: its info has no instruction, the goal is in the observation."""

    observation_space = spaces.Text(200)
    action_space = spaces.Text(50)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.n = 0
        return "goal: say good 3 times (t1)", {}

    def step(self, action):
        self.n += 1
        done = action != "good" or self.n == 3
        won = action == "good" and self.n == 3
        return ("good 3" if won else f"{action} {self.n}"), float(won), done, False, {}


def test_any_text_env_works_with_an_instruction_function(rm):
    env = RewardModelWrapper(PlainTextEnv(), rm, instruction_fn=lambda obs, info: obs.removeprefix("goal: "))
    steps = play(env, ["good", "good", "good"])
    assert steps[-1][4]["env_reward"] == 1.0 and np.isfinite(steps[-1][1])
    with pytest.raises(ValueError, match="instruction_fn"):
        RewardModelWrapper(PlainTextEnv(), rm).reset()


def test_bad_arguments_raise(rm):
    with pytest.raises(ValueError, match="mode"):
        RewardModelWrapper(GenericTextEnv(), rm, mode="dense")
    with pytest.raises(ValueError, match="normalize"):
        RewardModelWrapper(GenericTextEnv(), rm, normalize="tanh")
    with pytest.raises(ValueError, match="shaped_origin"):
        VectorRewardModelWrapper(SyncVectorEnv([GenericTextEnv]), rm, mode="shaped", shaped_origin="first")
    with pytest.raises(TypeError, match="score"):
        RewardModelWrapper(GenericTextEnv(), object())
    with pytest.raises(gym.error.ResetNeeded):
        RewardModelWrapper(GenericTextEnv(), rm).step("good")


def scripted_actions(n_envs, n_steps, seed=0):
    rng = np.random.default_rng(seed)
    return [
        tuple(str(a) for a in rng.choice(["good", "bad", "wait"], size=n_envs, p=[0.6, 0.2, 0.2]))
        for _ in range(n_steps)
    ]


@pytest.mark.parametrize("autoreset", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
@pytest.mark.parametrize("mode,origin", [("terminal", "empty"), ("shaped", "zero"), ("shaped", "empty")])
def test_the_vector_wrapper_matches_single_envs_with_one_forward_pass_per_step(rm, autoreset, mode, origin):
    n = 8
    scorer = CountingScorer(rm)
    envs = VectorRewardModelWrapper(
        SyncVectorEnv([GenericTextEnv for _ in range(n)], autoreset_mode=autoreset), scorer, mode=mode,
        shaped_origin=origin,
    )
    singles = [RewardModelWrapper(GenericTextEnv(), rm, mode=mode, shaped_origin=origin) for _ in range(n)]
    origin_scored = mode == "shaped" and origin == "empty"
    envs.reset(seed=list(range(n)))
    assert scorer.sizes == ([n] if origin_scored else [])  # every episode's v(0) in one pass
    for i, env in enumerate(singles):
        env.reset(seed=i)
    pending = np.zeros(n, dtype=bool)
    plan = scripted_actions(n, 8)
    for actions in plan:
        calls = scorer.calls
        _, rewards, term, trunc, info = envs.step(actions)
        done = np.logical_or(term, trunc)
        needed = ~pending & (done if mode == "terminal" else True)
        starting = pending | (done if autoreset == AutoresetMode.SAME_STEP else False)
        # every sub-env that needed a score, and the origins of the episodes that start, in one call
        assert scorer.calls - calls == int(needed.any() or (origin_scored and starting.any()))
        if origin_scored:
            assert scorer.sizes[-1] == needed.sum() + starting.sum()
        assert info["_rm_score"].tolist() == needed.tolist()
        for i, env in enumerate(singles):
            if pending[i]:  # next-step autoreset: this step reset sub-env i
                env.reset()
                assert rewards[i] == 0.0 and not info["_rm_score"][i]
                continue
            _, r, t, tr, single_info = env.step(actions[i])
            assert rewards[i] == pytest.approx(r, abs=1e-5)
            assert info["_rm_score"][i] == ("rm_score" in single_info)
            if (t or tr) and autoreset == AutoresetMode.SAME_STEP:
                env.reset()
        pending = done if autoreset == AutoresetMode.NEXT_STEP else np.zeros(n, dtype=bool)
    assert max(scorer.sizes) > 1


def test_the_vector_wrapper_handles_partial_resets_when_autoreset_is_disabled(rm):
    envs = VectorRewardModelWrapper(
        SyncVectorEnv([GenericTextEnv for _ in range(2)], autoreset_mode=AutoresetMode.DISABLED), rm
    )
    envs.reset(seed=0)
    _, rewards, term, _, info = envs.step(("bad", "good"))
    assert term.tolist() == [True, False] and info["_rm_score"].tolist() == [True, False]
    envs.reset(options={"reset_mask": np.array([True, False])})
    _, rewards, term, _, _ = envs.step(("good", "good"))
    assert rewards[0] == 0.0 and not term[0]


def test_a_partial_reset_scores_the_origin_of_the_reset_sub_envs_only(rm):
    scorer = CountingScorer(rm)
    envs = VectorRewardModelWrapper(
        SyncVectorEnv([GenericTextEnv for _ in range(3)], autoreset_mode=AutoresetMode.DISABLED), scorer,
        mode="shaped",
    )
    envs.reset(seed=0)
    envs.step(("bad", "good", "good"))
    envs.reset(options={"reset_mask": np.array([True, False, False])})
    assert scorer.sizes == [3, 3, 1]
