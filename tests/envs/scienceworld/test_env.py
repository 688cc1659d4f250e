"""ARM-ScienceWorld-v0 against the real ScienceWorld engine (one shared JVM for most tests)."""

from __future__ import annotations

import gc
import os
import pickle
import re
import signal
import subprocess
import sys

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arm_gym  # noqa: F401 - registers the ids
from arm_gym.core import LazyActions
from arm_gym.envs.scienceworld.env import FAILED_NOTE, ScienceWorldEnv, stable_ambiguity
from arm_gym.envs.scienceworld.jvm import JavaNotFoundError
from tests.envs.processes import gone, java_descendants

ENV_ID = "ARM-ScienceWorld-v0"


@pytest.fixture(scope="module")
def env():
    env = gym.make(ENV_ID, max_steps=None)
    yield env
    env.close()


def test_registering_and_importing_the_module_loads_no_simulator():
    code = "import sys, arm_gym, arm_gym.envs.scienceworld; print([m for m in ('scienceworld', 'py4j') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_check_env(env):
    check_env(env.unwrapped, skip_render_check=True)


def test_catalogue_has_30_tasks_with_the_engines_splits(env):
    sw = env.unwrapped
    catalogue = sw.catalogue
    assert len(catalogue.names) == 30
    for name in catalogue.names:
        splits = catalogue.splits(name)
        ids = set(splits["train"]) | set(splits["dev"]) | set(splits["test"])
        assert ids == set(range(catalogue.max_variations[name]))
        assert not set(splits["train"]) & (set(splits["dev"]) | set(splits["test"]))
    server = sw.jvm.server
    for name in ("identify-life-stages-2", "identify-life-stages-1", "power-component", "boil", "chemistry-mix"):
        server.load(name, 0, "", False)
        engine = {
            "train": tuple(server.getVariationsTrain()),
            "dev": tuple(server.getVariationsDev()),
            "test": tuple(server.getVariationsTest()),
        }
        assert engine == catalogue.splits(name), name
    assert "boil/0" in sw.task_ids("train") and "boil/29" in sw.task_ids("test")
    assert len(sw.task_ids("dev")) == sum(len(catalogue.splits(n)["dev"]) for n in catalogue.names)


def test_task_ids_round_trip_through_options(env):
    obs, info = env.reset(options={"task": "boil", "variation": 3})
    assert info["task_id"] == "boil/3"
    assert info["instruction"].startswith("Your task is to boil")
    assert "is called the" in obs
    again = env.reset(options={"task_id": info["task_id"]})
    assert again[0] == obs and again[1]["instruction"] == info["instruction"]
    index = env.unwrapped.catalogue.names.index("boil")
    assert env.reset(options={"task": index, "variation": 3})[1]["task_id"] == "boil/3"
    assert env.reset(options={"task": "1-1", "variation": 3})[1]["task_id"] == "boil/3"  # ScienceWorld's own id
    _, info = env.reset(options={"task": "melt", "split": "test"})
    assert info["task_id"] in env.unwrapped.task_ids("test")
    seeded = [env.reset(seed=7)[1]["task_id"] for _ in range(2)]
    assert seeded[0] == seeded[1]
    drawn = {env.reset(seed=s, options={"split": "dev"})[1]["task_id"] for s in range(6)}
    assert len(drawn) > 1 and drawn <= set(env.unwrapped.task_ids("dev"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"task": "boill"}, "Did you mean 'boil'"),
        ({"task": 30}, "out of range"),
        ({"task": "boil", "variation": 30}, "variations 0-29"),
        ({"task_id": "boil"}, "<task-name>/<variation>"),
        ({"variation": 2}, "needs options['task']"),
        ({"task_id": "boil/1", "task": "boil"}, "not both"),
        ({"split": "valid"}, "unknown split"),
        ({"task_id": "boil/1", "simplified": "openDoor"}, "Did you mean 'openDoors'"),
        ({"task_id": "power-component/0", "simplified": "noElectricalAction"}, "needs electrical actions"),
    ],
)
def test_bad_options_give_clear_errors(env, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        env.reset(options=options)


@pytest.mark.parametrize("task_id", ["find-living-thing/0", "chemistry-mix/0", "use-thermometer/0"])
def test_gold_action_sequence_wins_with_total_reward_one(env, task_id):
    env.reset(options={"task_id": task_id})
    gold = env.unwrapped.gold_actions()
    assert gold and not gold[0].startswith("ERROR")
    total, rewards = 0.0, []
    for action in gold:
        _obs, reward, terminated, truncated, info = env.step(action)
        rewards.append(reward)
        total += reward
        assert not truncated
        if terminated:
            break
    assert terminated and info["won"]  # a gold path may carry a few actions past completion
    assert total == pytest.approx(1.0)
    assert all(-1.0 <= r <= 1.0 for r in rewards) and any(0 < r < 1 for r in rewards)
    assert info["score"] == pytest.approx(1.0)
    assert env.unwrapped.gold_actions() == gold  # cached per task: no reload mid-episode


def test_gold_actions_of_an_unseen_task_need_the_episode_start(env):
    env.reset(options={"task_id": "boil/1"})
    env.step("look around")
    with pytest.raises(RuntimeError, match="before any step"):
        env.unwrapped.gold_actions()


def test_wrong_focus_ends_the_episode_without_stating_the_outcome(env):
    env.reset(options={"task_id": "boil/0"})
    obs, reward, terminated, truncated, info = env.step("focus on agent")
    assert terminated and not truncated and not info["won"]
    assert obs == "You focus on the agent."  # the engine's own text: why it ended is in info["score"]
    assert reward == 0.0 and info["score"] < 0


def test_reveal_outcome_says_the_task_failed(env):
    sw = env.unwrapped
    sw.reveal_outcome = True
    try:
        env.reset(options={"task_id": "boil/0"})
        obs, reward, terminated, _, info = env.step("focus on agent")
        assert terminated and reward == 0.0 and not info["won"] and info["score"] < 0
        assert obs.startswith("You focus on the agent.") and obs.endswith(FAILED_NOTE)
        assert "ScienceWorld ended this episode" in obs and "task failed" in obs
    finally:
        sw.reveal_outcome = False


def test_admissible_actions_are_lazy_and_valid(env):
    obs, info = env.reset(options={"task_id": "boil/0"})
    actions = info["admissible_actions"]
    assert isinstance(actions, LazyActions) and not actions.computed
    assert "open door to kitchen" in actions and actions.computed
    assert pickle.loads(pickle.dumps(actions)) == list(actions)
    obs, *_, info = env.step("open door to kitchen")
    assert "door is now open" in obs
    unread = info["admissible_actions"]
    assert "go to kitchen" in pickle.loads(pickle.dumps(info))["admissible_actions"]  # pickling computes them
    env.step("go to kitchen")
    info = env.step("look around")[-1]
    stale = info["admissible_actions"]
    env.step("look around")
    with pytest.raises(RuntimeError, match="earlier step"):
        list(stale)
    assert unread.computed


def test_simplified_mode_uses_scienceworlds_simplifications(env):
    full = list(env.reset(options={"task_id": "boil/0"})[1]["admissible_actions"])
    obs, easy = env.reset(options={"task_id": "boil/0", "simplified": True})
    assert "teleport to kitchen" in easy["admissible_actions"] and "teleport to kitchen" not in full
    assert len(easy["admissible_actions"]) < len(full)
    assert "(that is open)" in obs  # doors start open
    obs, *_ = env.step("teleport to kitchen")
    assert "teleport to the kitchen" in obs
    state = env.unwrapped.get_state()
    env.unwrapped.set_state(state)  # the replay keeps the simplification
    assert "teleport to kitchen" in env.unwrapped.admissible_actions()
    _, info = env.reset(options={"task_id": "boil/0", "simplified": "openDoors"})
    assert "teleport to kitchen" not in info["admissible_actions"]


def test_get_state_and_set_state_replay_the_episode(env):
    env.reset(options={"task_id": "boil/0"})
    env.step("open door to kitchen")
    before = env.step("go to kitchen")[0]
    state = env.unwrapped.get_state()
    env.step("pick up thermometer")
    env.unwrapped.set_state(state)
    assert env.unwrapped.last_observation == before
    assert env.unwrapped.actions_taken == ["open door to kitchen", "go to kitchen"]
    assert env.step("look around")[0] == env.step("look around")[0]


def test_truncation_and_render(env):
    sw = env.unwrapped
    sw.max_steps, sw.render_mode = 2, "ansi"
    try:
        env.reset(options={"task_id": "boil/0"})
        assert not env.step("look around")[3]
        assert env.step("look around")[3]
        assert sw.render().startswith("Instruction: Your task is to boil")
    finally:
        sw.max_steps, sw.render_mode = None, None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=()), max_size=60),
        st.sampled_from(["", " ", "\x00", "focus on", "1", "help", "objects", "go to", "x" * 5000]),
    )
)
def test_malformed_actions_never_raise(env, action):
    env.reset(options={"task_id": "melt/0"})
    obs, reward, _terminated, _truncated, info = env.step(action)
    assert isinstance(obs, str) and obs and env.observation_space.contains(obs)
    assert isinstance(reward, float) and isinstance(info["admissible_actions"], LazyActions)


def test_killed_jvm_is_reported_and_replaced_on_reset(env):
    env.reset(options={"task_id": "boil/0"})
    env.step("open door to kitchen")
    old_pid = env.unwrapped.jvm.pid
    os.kill(old_pid, signal.SIGKILL)
    obs, reward, terminated, _truncated, info = env.step("go to kitchen")
    assert terminated and reward == 0.0 and not info["won"]
    assert "ScienceWorld engine" in obs and "stopped" in obs and "reset()" in obs
    assert list(info["admissible_actions"]) == []
    obs, info = env.reset(options={"task_id": "boil/0"})
    assert "is called the" in obs and env.unwrapped.jvm.pid != old_pid
    assert "open door to kitchen" in info["admissible_actions"]
    assert gone(old_pid) and [p.pid for p in java_descendants()] == [env.unwrapped.jvm.pid]


def test_close_and_garbage_collection_stop_the_jvm(env):
    pid = env.unwrapped.jvm.pid
    env.close()
    assert env.unwrapped.jvm is None and gone(pid)
    env.reset(options={"task_id": "boil/0"})  # a closed env starts a new engine when used again
    other = ScienceWorldEnv()
    other.reset(options={"task_id": "melt/0"})
    other_pid = other.jvm.pid
    del other
    gc.collect()
    assert gone(other_pid)


def test_missing_java_gives_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(JavaNotFoundError, match="openjdk-17-jre-headless"):
        gym.make(ENV_ID)
    script = "import gymnasium as gym, arm_gym; gym.make('ARM-ScienceWorld-v0')"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("arm_gym.envs.scienceworld.jvm.JavaNotFoundError: ")
    assert result.stderr.count("Traceback") == 1 and "During handling" not in result.stderr  # one error, not a chain


def test_async_vector_env_runs_one_jvm_per_worker(env):
    before = {p.pid for p in java_descendants()}
    # shared_memory=False: gymnasium 1.4 reads Text observations from shared memory once, at construction
    envs = gym.vector.AsyncVectorEnv([lambda: gym.make(ENV_ID, max_steps=5)] * 2, shared_memory=False)
    try:
        obs, info = envs.reset(seed=0, options={"task_id": "boil/0"})
        assert all("is called the" in o for o in obs)
        workers = {p.pid for p in java_descendants()} - before
        assert len(workers) == 2
        obs, _reward, _terminated, _truncated, info = envs.step(["open door to kitchen", "xyzzy"])
        assert "door is now open" in obs[0] and "No known action" in obs[1]
        assert "go to kitchen" in info["admissible_actions"][0]  # computed in the worker when pickled
    finally:
        envs.close()
    assert all(gone(pid) for pid in workers)


def test_no_java_process_leaks(env):
    env.close()
    assert java_descendants() == []


def test_stable_ambiguity_sorts_and_renumbers_the_readings():
    head = "Ambiguous request: Please enter the number for the action you intended (or blank to cancel):"
    shuffled = f"{head}\n0:\topen door to kitchen\n1:\topen door to bedroom\n2:\topen door to attic\n"
    other = f"{head}\n0:\topen door to attic\n1:\topen door to kitchen\n2:\topen door to bedroom\n"
    listing, engine = stable_ambiguity(shuffled)
    assert listing == f"{head}\n0:\topen door to attic\n1:\topen door to bedroom\n2:\topen door to kitchen\n"
    assert engine == ["2", "1", "0"]
    assert stable_ambiguity(other) == (listing, ["0", "2", "1"])
    assert stable_ambiguity("The door is now open.") == ("The door is now open.", None)


def test_ambiguous_actions_list_and_resolve_the_same_way_every_run(env):
    """The engine's order of an ambiguous action's readings changes per run; the env's does not."""
    listings = set()
    for _ in range(4):
        env.reset(options={"task_id": "find-living-thing/0"})
        obs, *_ = env.step("open door")
        listings.add(obs)
        bedroom = next(line.split(":")[0] for line in obs.splitlines() if "bedroom" in line)
        assert env.step(bedroom)[0] == "The door is now open."
        assert "A door to the bedroom (that is open)" in env.step("look around")[0]
    assert len(listings) == 1
    state = env.unwrapped.get_state()  # reset-and-replay: the numbered answer must pick the bedroom again
    env.reset(options={"task_id": "boil/0"})
    env.unwrapped.set_state(state)
    assert "A door to the bedroom (that is open)" in env.step("look around")[0]
