"""RecordTrajectory: one line per episode in the trajectory schema, safe across interruptions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import gymnasium as gym
import pytest
from arm_gym.wrappers import RecordTrajectory, load_trajectories

import arm_gym  # noqa: F401
from arm_gym.trajectory import SCHEMA_VERSION
from arm_gym.envs.game24.puzzles import solve
from tests.testing_env import GenericTextEnv


def test_records_each_finished_episode(tmp_path):
    path = tmp_path / "t.jsonl"
    env = RecordTrajectory(gym.make("ARM-Game24-v0"), path, meta={"policy": "solver"})
    for task in ("4 8 8 10", "1 1 4 6"):
        env.reset(seed=7, options={"task_id": task})
        for action in solve([int(x) for x in task.split()]):
            env.step(action)
    env.close()
    trajs = load_trajectories(path)
    assert [t.task_id for t in trajs] == ["4 8 8 10", "1 1 4 6"]
    first = trajs[0]
    assert first.env_id == "ARM-Game24-v0" and first.schema == SCHEMA_VERSION and first.seed == 7
    assert first.won and first.env_return == 1.0 and len(first.steps) == 3
    assert first.initial_observation == "Numbers left: 4 8 8 10"
    assert first.steps[-1].reward == 1.0 and first.meta["policy"] == "solver" and first.meta["complete"]
    assert first.meta["options"] == {"task_id": "4 8 8 10"}


def test_truncated_and_abandoned_episodes(tmp_path):
    path = tmp_path / "t.jsonl"
    env = RecordTrajectory(GenericTextEnv(max_steps=2), path)
    env.reset(seed=0)
    env.step("x")
    env.step("x")  # truncated: written complete
    env.reset(seed=1)
    env.step("good")
    env.reset(seed=2)  # abandoned with one step: written incomplete
    env.close()  # nothing stepped: nothing written
    trajs = load_trajectories(path)
    assert [t.meta["complete"] for t in trajs] == [True, False]
    assert trajs[0].meta["terminated"] is False and trajs[0].env_id == "GenericTextEnv"
    assert env.episodes_written == 2


def test_appends_across_runs(tmp_path):
    path = tmp_path / "t.jsonl"
    for seed in range(2):
        env = RecordTrajectory(GenericTextEnv(), path)
        env.reset(seed=seed)
        env.step("bad")
        env.close()
    assert len(load_trajectories(path)) == 2


def test_killed_writer_leaves_earlier_lines_loadable(tmp_path):
    path = tmp_path / "t.jsonl"
    script = textwrap.dedent(
        f"""
        import gymnasium as gym, arm_gym, os, signal
        from arm_gym.wrappers import RecordTrajectory
        env = RecordTrajectory(gym.make("ARM-Game24-v0"), {str(path)!r})
        for seed in range(5):
            env.reset(seed=seed)
            trunc = False
            while not trunc:  # invalid answers until max_steps truncates the episode
                trunc = env.step("answer: 1")[3]
        # killed in the middle of writing the next line
        with open({str(path)!r}, "a") as fh:
            fh.write('{{"schema": 1, "env_id": "ARM-Ga')
            fh.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd(), timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert len(load_trajectories(path)) == 5
    env = RecordTrajectory(GenericTextEnv(), path)
    env.reset(seed=0)
    env.step("bad")
    env.close()
    assert len(load_trajectories(path)) == 6


def test_a_record_that_is_not_a_trajectory_is_named(tmp_path):
    path = tmp_path / "t.jsonl"
    env = RecordTrajectory(gym.make("ARM-Game24-v0"), path)
    env.reset(seed=0, options={"task_id": "4 8 8 10"})
    for action in solve([4, 8, 8, 10]):
        env.step(action)
    env.close()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"prompt": "a triplet, not a trajectory"}) + "\n")
    for strict in (True, False):  # strict=False skips lines that are not JSON, not records of another kind
        with pytest.raises(ValueError, match=r"t\.jsonl: record 2: not a trajectory record: no 'steps' field"):
            load_trajectories(path, strict=strict)
