"""``arm-gym plan``: planners on a split through the real CLI, resumable, with clear errors for bad input."""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sys

import pytest

from arm_gym.cli import main
from arm_gym.commands.common import build_llm
from arm_gym.commands.plan import ProcessLLM, parse_target
from arm_gym.reward.model import METADATA_FILE
from arm_gym.trajectory import load_trajectories
from tests.reward.tiny_model import trained_checkpoint


def test_plan_writes_answers_with_their_scores_and_resumes(tmp_path, capsys):
    out = tmp_path / "plans.jsonl"
    args = ["plan", "ARM-Game24-v0", "--planner", "best-of-n", "--n", "8", "--scorer", "env", "--out", str(out),
            "--split", "train", "--no-progress"]
    assert main([*args, "--tasks", "3"]) == 0
    assert "3 tasks planned (0 already in the file)" in capsys.readouterr().out
    assert main([*args, "--tasks", "5"]) == 0
    assert "2 tasks planned (3 already in the file)" in capsys.readouterr().out
    plans = load_trajectories(out)
    assert len(plans) == 5 and len({p.meta["plan_key"] for p in plans}) == 5
    for p in plans:
        assert p.meta["planner"] == "best-of-n" and p.meta["candidates"] == 8
        assert p.meta["score"] == max(p.meta["candidate_scores"]) == p.env_return  # the oracle picks the best return
        assert p.meta["best_possible"] == max(p.meta["candidate_returns"])


def test_a_retrained_checkpoint_at_the_same_path_plans_anew(tmp_path, tmp_path_factory, capsys):
    checkpoint = tmp_path / "rm"
    shutil.copytree(trained_checkpoint(tmp_path_factory.getbasetemp())[0], checkpoint)
    out = tmp_path / "plans.jsonl"
    args = ["plan", "ARM-Game24-v0", "--planner", "best-of-n", "--n", "3", "--scorer", f"rm:{checkpoint}",
            "--tasks", "2", "--out", str(out), "--device", "cpu", "--no-progress"]
    assert main(args) == 0 and "2 tasks planned (0 already in the file)" in capsys.readouterr().out
    assert main(args) == 0 and "0 tasks planned (2 already in the file)" in capsys.readouterr().out
    meta = json.loads((checkpoint / METADATA_FILE).read_text())
    meta["saved_at"] = "2099-01-01T00:00:00+00:00"  # what a re-run of train-rm into the same folder changes
    (checkpoint / METADATA_FILE).write_text(json.dumps(meta))
    assert main(args) == 0 and "2 tasks planned (0 already in the file)" in capsys.readouterr().out
    assert len({p.meta["plan_key"] for p in load_trajectories(out)}) == 4


def test_plan_mcts_with_a_baseline_scorer_and_a_target(tmp_path, capsys):
    out = tmp_path / "mcts.jsonl"
    assert main(["plan", "ARM-Game24-v0", "--planner", "mcts", "--iterations", "6", "--width", "4",
                 "--scorer", "baseline:length", "--target", "steps=0.5", "--tasks", "2", "--out", str(out),
                 "--no-progress"]) == 0
    plans = load_trajectories(out)
    assert [p.meta["planner"] for p in plans] == ["mcts", "mcts"] and all(p.meta["candidates"] == 6 for p in plans)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scorer", "rm"], "--scorer takes"),
        (["--scorer", "baseline:nope"], "unknown baseline"),
        (["--planner", "reflexion", "--scorer", "env"], "reflexion needs --threshold"),
        (["--target", "steps"], "--target takes TERM=WEIGHT"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, capsys, extra, message):
    assert main(["plan", "ARM-Game24-v0", "--out", str(tmp_path / "x.jsonl"), "--no-progress", *extra]) == 2
    assert message in capsys.readouterr().err


def test_parse_target():
    assert parse_target(["steps=0.1", "price=2"]) == {"steps": 0.1, "price": 2.0}


def test_an_llm_policy_travels_to_ray_workers_as_its_options():
    from arm_gym.llm import OpenAICompatibleLLM
    from arm_gym.policies import LLMPolicy

    args = argparse.Namespace(llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_mode="complete",
                              llm_timeout=5.0, llm_concurrency=2, backend="ray", out="x.jsonl")
    with pytest.raises(TypeError, match="build one per process"):
        pickle.dumps(build_llm(args))  # why the workers get ProcessLLM
    copy = pickle.loads(pickle.dumps(LLMPolicy(ProcessLLM(args), mode="complete")))
    assert copy.llm._llm is None and vars(copy.llm.options) == {k: v for k, v in vars(args).items() if "llm" in k}
    assert copy.llm.base_url == "http://127.0.0.1:9/v1" and isinstance(copy.llm._llm, OpenAICompatibleLLM)


def test_plan_on_ray_without_the_extra_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as it does without the extra
    out = tmp_path / "x.jsonl"
    assert main(["plan", "ARM-Game24-v0", "--out", str(out), "--tasks", "1", "--backend", "ray", "--no-progress"]) == 2
    assert 'pip install "arm-gym[ray]"' in capsys.readouterr().err and not out.exists()
