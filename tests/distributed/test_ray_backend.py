"""The Ray backend on a local Ray with 2 workers: the same records as the local backend, nothing lost or
duplicated when an actor is killed mid-run."""

from __future__ import annotations

import json
import os

import pytest

from arm_gym.data.explore import collect
from arm_gym.data.synthesize import Synthesizer, synthesize
from arm_gym.trajectory import load_trajectories

ray = pytest.importorskip("ray")  # the `ray` extra is part of `all`, so CI always has it

from tests.distributed.ray_helpers import KillOnce, PidWorker  # after importorskip: needs ray


def test_map_runs_every_item_once_on_each_actors_own_copy_of_the_worker(ray_backend, tmp_path):
    results = list(ray_backend.map(PidWorker(tmp_path), range(40)))
    assert sorted(item for item, _ in results) == list(range(40))
    pids = {pid for _, pid in results}
    assert len(pids) == 2 and os.getpid() not in pids  # both actors worked, the driver did not
    assert {int(p.name) for p in tmp_path.iterdir()} == pids and ray_backend.actors == []  # closed and stopped
    assert list(ray_backend.map(PidWorker(tmp_path), [])) == []


def records(path):
    return {t.meta["episode_key"]: t.to_dict() for t in load_trajectories(path)}


def test_ray_collect_writes_the_same_records_as_the_local_backend(ray_backend, tmp_path):
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    collect("ARM-Game24-v0", local, episodes=40, num_envs=2, seed=7, progress=False)
    stats = collect("ARM-Game24-v0", remote, episodes=40, seed=7, progress=False, backend=ray_backend)
    assert stats.collected == 40 and records(local) == records(remote)  # order aside
    again = collect("ARM-Game24-v0", remote, episodes=48, seed=7, progress=False, backend=ray_backend)
    assert (again.skipped_existing, again.collected) == (40, 8)


def test_a_killed_actor_loses_and_duplicates_nothing(tmp_path):
    out = tmp_path / "t.jsonl"
    with KillOnce(num_workers=2, chunk_size=4, num_cpus=2) as killing:
        stats = collect("ARM-Game24-v0", out, episodes=48, seed=3, progress=False, backend=killing)
    assert killing.killed == 1
    keys = [json.loads(line)["meta"]["episode_key"] for line in out.read_text().splitlines()]
    assert stats.collected == 48 and len(keys) == len(set(keys)) == 48
    assert sorted(json.loads(line)["seed"] for line in out.read_text().splitlines()) == list(range(3, 51))


def test_ray_synthesis_matches_the_local_triplets(ray_backend, tmp_path):
    trajectories = tmp_path / "t.jsonl"
    collect("ARM-Game24-v0", trajectories, episodes=24, num_envs=2, progress=False)
    local, remote = tmp_path / "local_t.jsonl", tmp_path / "ray_t.jsonl"
    a = synthesize(trajectories, local, synthesizer=Synthesizer(), progress=False)
    b = synthesize(trajectories, remote, synthesizer=Synthesizer(), progress=False, backend=ray_backend)
    assert (a.kept, a.dropped_check, a.candidates) == (b.kept, b.dropped_check, b.candidates) and a.kept > 0

    def by_key(path):
        return {json.loads(line)["meta"]["key"]: json.loads(line) for line in path.read_text().splitlines()}

    assert by_key(local) == by_key(remote)


def test_the_cli_runs_collect_and_synthesize_on_ray(ray_backend, tmp_path, capsys):
    from arm_gym.cli import main

    out = tmp_path / "t.jsonl"
    ray_args = ["--backend", "ray", "--num-workers", "2", "--no-progress"]
    assert main(["collect", "ARM-Game24-v0", "-n", "12", "--out", str(out), *ray_args]) == 0
    assert "12 episodes collected" in capsys.readouterr().out
    assert main(["synthesize", str(out), "--out", str(tmp_path / "tr.jsonl"), *ray_args]) == 0
    assert "12 trajectories" in capsys.readouterr().out
