"""eval-rm's fresh trajectories and the planners on a local Ray with 2 workers: the same trajectories and plan
records as the local backend for the same seeds, nothing lost or duplicated when an actor dies mid-plan."""

from __future__ import annotations

import json
import pickle

import pytest

from arm_gym.cli import main
from arm_gym.planning import EnvReturnScorer
from arm_gym.planning.run import CheckpointScorer, PlanConfig, run_plans
from arm_gym.policies import RandomPolicy
from arm_gym.reward.fresh import fresh_trajectories
from arm_gym.trajectory import load_trajectories
from tests.reward.tiny_model import make_triplets, trained_checkpoint

ray = pytest.importorskip("ray")  # the `ray` extra is part of `all`, so CI always has it

from tests.distributed.ray_helpers import KillOnce  # after importorskip: needs ray

GENERIC = "tests.testing_env:GenericTextEnv"
RAY = ["--backend", "ray", "--num-workers", "2", "--no-progress"]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory.getbasetemp())[0]


def plans_by_key(path):
    """The plan records by key, without the wall time (the one field that differs between runs)."""
    out = {}
    for plan in load_trajectories(path):
        record = plan.to_dict()
        record["meta"].pop("seconds")
        out[plan.meta["plan_key"]] = record
    return out


def test_fresh_trajectories_on_ray_are_the_local_ones_in_the_same_order(ray_backend):
    kwargs = {"n_tasks": 3, "episodes_per_task": 4, "seed": 5, "progress": False,
              "env_kwargs": {"check_arithmetic": False}, "lookahead": {"candidates": 4, "rollouts": 1}}
    local = fresh_trajectories("ARM-Game24-v0", **kwargs)
    remote = fresh_trajectories("ARM-Game24-v0", backend=ray_backend, **kwargs)
    assert [t.to_dict() for t in remote] == [t.to_dict() for t in local]
    assert len(local) == 12 and {t.meta["error_rate"] > 0 for t in local} == {True, False}  # errorful ones too


def test_eval_rm_cli_on_ray_plays_and_scores_the_local_trajectories(ray_backend, checkpoint, tmp_path, capsys):
    def eval_rm(name, *extra):
        assert main(["eval-rm", str(checkpoint), "--env", GENERIC, "--env-kwargs", '{"n_tasks": 40}', "--tasks", "4",
                     "--bootstrap", "50", "--force", "--no-progress", "--json", str(tmp_path / f"{name}.json"),
                     "--save-trajectories", str(tmp_path / f"{name}.jsonl"), *extra]) == 0
        return json.loads((tmp_path / f"{name}.json").read_text()), (tmp_path / f"{name}.jsonl").read_text()

    local, local_lines = eval_rm("local")
    remote, remote_lines = eval_rm("ray", *RAY)
    assert remote_lines == local_lines and len(local_lines.splitlines()) == 16  # same episodes, same order
    assert remote == local  # scored here, so every metric and interval agrees
    assert "reward_model" in capsys.readouterr().out


def test_plan_cli_on_ray_writes_the_local_records_and_resumes(ray_backend, tmp_path, capsys):
    args = ["plan", "ARM-Game24-v0", "--planner", "best-of-n", "--n", "4", "--scorer", "env", "--split", "train",
            "--seed", "3"]
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert main([*args, "--tasks", "6", "--out", str(local), "--no-progress"]) == 0
    assert main([*args, "--tasks", "4", "--out", str(remote), *RAY]) == 0
    assert "4 tasks planned (0 already in the file)" in capsys.readouterr().out
    assert main([*args, "--tasks", "6", "--out", str(remote), *RAY]) == 0
    assert "2 tasks planned (4 already in the file)" in capsys.readouterr().out
    assert plans_by_key(remote) == plans_by_key(local) and len(plans_by_key(local)) == 6  # order aside


def test_plan_cli_on_ray_loads_the_reward_model_in_each_actor(ray_backend, checkpoint, tmp_path):
    args = ["plan", GENERIC, "--env-kwargs", '{"n_tasks": 40}', "--planner", "best-of-n", "--n", "3",
            "--scorer", f"rm:{checkpoint}", "--tasks", "4", "--device", "cpu"]
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert main([*args, "--out", str(local), "--no-progress"]) == 0
    assert main([*args, "--out", str(remote), *RAY]) == 0
    local_plans, remote_plans = plans_by_key(local), plans_by_key(remote)
    assert local_plans.keys() == remote_plans.keys() and len(local_plans) == 4
    for key, plan in local_plans.items():
        scores = plan["meta"].pop("candidate_scores")
        assert remote_plans[key]["meta"].pop("candidate_scores") == pytest.approx(scores, abs=1e-4)
        assert remote_plans[key]["meta"].pop("score") == pytest.approx(plan["meta"].pop("score"), abs=1e-4)
        assert remote_plans[key] == plan


def test_a_checkpoint_scorer_travels_as_its_path(checkpoint):
    scorer = CheckpointScorer(checkpoint, device="cpu", precision="fp32")
    pairs = [(t.prompt, t.chosen_trajectory) for t in make_triplets(4)]
    scores = scorer.score(pairs)
    copy = pickle.loads(pickle.dumps(scorer))
    assert copy._model is None and copy.checkpoint == str(checkpoint)  # the model did not travel
    assert copy.score(pairs) == pytest.approx(scores)
    with pytest.raises(FileNotFoundError, match="no reward-model checkpoint"):
        CheckpointScorer(checkpoint.parent / "nope")


def test_a_killed_actor_mid_plan_loses_and_duplicates_nothing(tmp_path):
    config = PlanConfig(planner="best-of-n", n=4)
    common = {"policy": RandomPolicy(fallback_action=""), "scorer": EnvReturnScorer(), "scorer_name": "env",
              "config": config, "split": "train", "tasks": 12, "seed": 11, "progress": False}
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_plans("ARM-Game24-v0", local, **common)
    with KillOnce(num_workers=2, chunk_size=2, num_cpus=2) as killing:
        stats = run_plans("ARM-Game24-v0", remote, backend=killing, **common)
    assert killing.killed == 1 and stats.planned == 12
    keys = [json.loads(line)["meta"]["plan_key"] for line in remote.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == 12
    assert plans_by_key(remote) == plans_by_key(local)

