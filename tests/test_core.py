"""The TextEnv contract, through the small GenericTextEnv."""

from __future__ import annotations

import pickle

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import arm_gym  # noqa: F401
from arm_gym.core import CHARSET, LazyActions, ReplayState, sanitize
from arm_gym.trajectory import Step, Trajectory
from tests.testing_env import GenericTextEnv


def test_check_env_passes():
    check_env(GenericTextEnv(), skip_render_check=True)


def test_info_contract_keys_on_reset_and_step():
    env = GenericTextEnv()
    _, info = env.reset(seed=0)
    assert {"instruction", "admissible_actions", "task_id", "env_reward", "won"} <= info.keys()
    *_, info = env.step("good")
    assert info["env_reward"] == 0.0 and info["won"] is False


def test_reset_is_deterministic_for_a_seed():
    a, b = GenericTextEnv(n_tasks=50), GenericTextEnv(n_tasks=50)
    assert [a.reset(seed=s)[1]["task_id"] for s in range(10)] == [b.reset(seed=s)[1]["task_id"] for s in range(10)]


def test_options_pick_task_and_split():
    env = GenericTextEnv(n_tasks=4)
    assert env.reset(options={"task_id": "t3"})[1]["task_id"] == "t3"
    assert all(env.reset(options={"split": "test"})[1]["task_id"] in ("t2", "t3") for _ in range(10))


def test_unknown_task_and_split_are_clear_errors():
    env = GenericTextEnv(n_tasks=4)
    with pytest.raises(ValueError, match="unknown task_id 't33'.*Did you mean 't3'"):
        env.reset(options={"task_id": "t33"})
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        env.reset(options={"split": "dev"})
    with pytest.raises(ValueError, match="render_mode"):
        GenericTextEnv(render_mode="human")


def test_max_steps_truncates():
    env = GenericTextEnv(max_steps=2)
    env.reset(seed=0)
    assert env.step("junk")[3] is False
    assert env.step("junk")[3] is True


def test_non_string_actions_never_raise():
    env = GenericTextEnv()
    env.reset(seed=0)
    for action in (None, 3, b"good", ["good"]):
        obs, reward, *_ = env.step(action)  # type: ignore[arg-type]
        assert isinstance(obs, str) and reward == 0.0


def test_replay_state_round_trip():
    env = GenericTextEnv(goal_steps=3)
    env.reset(seed=5)
    env.step("good")
    state = env.get_state()
    assert isinstance(state, ReplayState)
    env.step("good")
    env.step("good")
    assert env.won
    env.set_state(state)
    assert env.progress == 1 and env.actions_taken == ["good"] and not env.won
    assert env.step("good")[4]["task_id"] == state.task_id


def test_render_ansi():
    env = GenericTextEnv(render_mode="ansi")
    env.reset(seed=0)
    assert "Instruction: say good" in env.render()
    assert GenericTextEnv().render() is None


def test_sanitize_maps_into_charset():
    text = sanitize("café ✓ 日本 ﬁ “quoted”")
    assert all(c in CHARSET for c in text)
    assert text.startswith("café ? ?? fi “quoted”")


def test_lazy_actions_compute_once_expire_and_pickle():
    calls = []

    def compute():
        calls.append(1)
        return ["a", "b"]

    lazy = LazyActions(compute)
    assert not lazy.computed and calls == []
    assert list(lazy) == ["a", "b"] and lazy == ["a", "b"] and len(lazy) == 2 and lazy[1] == "b"
    assert calls == [1]
    assert pickle.loads(pickle.dumps(lazy)) == ["a", "b"]
    stale = LazyActions(compute)
    stale.expire()
    with pytest.raises(RuntimeError, match="earlier step"):
        len(stale)


def test_trajectory_round_trip_and_errors():
    traj = Trajectory("ARM-X-v0", "t1", "do it", "start", [Step("a", "o", 1.0)], 1.0, True, 3, {"k": 1})
    assert Trajectory.from_dict(traj.to_dict()) == traj
    assert traj.actions == ["a"]
    with pytest.raises(ValueError, match="newer"):
        Trajectory.from_dict({**traj.to_dict(), "schema": 99})
    with pytest.raises(ValueError, match="not a trajectory record: no 'steps' field"):
        Trajectory.from_dict({"env_id": "x"})
    with pytest.raises(ValueError, match="a JSON list, not an object"):
        Trajectory.from_dict([1])
    with pytest.raises(ValueError, match="not a trajectory record"):
        Trajectory.from_dict({**traj.to_dict(), "env_return": "lots"})


def test_reset_options_an_env_does_not_take_are_refused_with_a_hint():
    class StrictEnv(GenericTextEnv):
        reset_options = frozenset({"difficulty"})

    env = StrictEnv()
    env.reset(options={"difficulty": 2, "split": "train"})
    with pytest.raises(ValueError, match=r"unknown reset options \['dificulty'\].*Did you mean 'difficulty'\?"):
        env.reset(options={"dificulty": 2})
    GenericTextEnv().reset(options={"anything": 1})  # reset_options = None: every key accepted


@pytest.mark.parametrize(("env_id", "typo"), [("ARM-Game24-v0", "taskid"), ("ARM-WebShop-v0", "gaol")])
def test_registered_envs_refuse_a_misspelt_reset_option(env_id, typo):
    env = gym.make(env_id)
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={typo: "x"})
