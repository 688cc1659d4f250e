import json
import shutil

import pytest

from arm_gym.cli import main
from arm_gym.jsonl import append_jsonl
from arm_gym.reward.model import METADATA_FILE
from arm_gym.trajectory import Step, Trajectory, load_trajectories
from tests.llm.test_openai_compat import ScriptedServer
from tests.reward.tiny_model import trained_checkpoint

GENERIC = "tests.testing_env:GenericTextEnv"
KWARGS = '{"n_tasks": 40}'  # test tasks t20..t39; the tiny model trained on t0..t19


def with_provenance(source, target, provenance):
    """A copy of the checkpoint ``source`` whose metadata records ``provenance`` (dropped when ``None``)."""
    shutil.copytree(source, target)
    meta = json.loads((target / METADATA_FILE).read_text())
    meta.pop("provenance", None)
    if provenance is not None:
        meta["provenance"] = provenance
    (target / METADATA_FILE).write_text(json.dumps(meta))
    return target


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory.getbasetemp())[0]


@pytest.fixture(scope="module")
def checkpoint(trained, tmp_path_factory):
    provenance = {"env_ids": [GENERIC], "env_kwargs": {"n_tasks": 40}, "train_task_ids": [f"t{i}" for i in range(20)]}
    return with_provenance(trained, tmp_path_factory.mktemp("ckpt") / "rm", provenance)


@pytest.fixture
def scripted():
    """The scripted OpenAI-style server of tests/llm on 127.0.0.1."""
    server = ScriptedServer()
    yield server
    server.close()


@pytest.fixture
def no_llm_env(monkeypatch):
    for name in ("ARM_GYM_LLM_BASE_URL", "OPENAI_BASE_URL", "ARM_GYM_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)


def eval_rm(checkpoint, *extra):
    return main(["eval-rm", str(checkpoint), "--env", GENERIC, "--env-kwargs", KWARGS, "--tasks", "4",
                 "--bootstrap", "200", "--no-progress", *extra])


def test_eval_rm_prints_histogram_and_baselines_and_writes_json_and_plot(checkpoint, tmp_path, capsys):
    out_json, trajs, plot = tmp_path / "eval.json", tmp_path / "trajs.jsonl", tmp_path / "scores.png"
    assert eval_rm(checkpoint, "--json", str(out_json), "--save-trajectories", str(trajs), "--plot", str(plot)) == 0
    printed = capsys.readouterr().out
    assert "env return histogram" in printed and "margin over the best baseline" in printed
    for row in ("reward_model", "length", "instruction_overlap", "outcome_claim"):
        assert row in printed
    results = json.loads(out_json.read_text())
    assert results["n_trajectories"] == 16 and results["val_pairwise_accuracy"] >= 0.9
    assert results["policy"] == "mix" and results["split"] == "test" and results["refused"] is None
    for name, row in results["scorers"].items():
        assert set(row) == {"val_pairwise_accuracy", "spearman", "concordance", "better_of_two_accuracy"}, name
    assert results["spearman"] is not None and results["better_of_two_accuracy"] is not None
    assert len(results["per_trajectory"]["scores"]["reward_model"]) == 16
    assert plot.read_bytes()[:4] == b"\x89PNG"
    # the same trajectories, recorded, score the same
    assert eval_rm(checkpoint, "--trajectories", str(trajs), "--json", str(tmp_path / "again.json")) == 0
    again = json.loads((tmp_path / "again.json").read_text())
    assert again["spearman"] == results["spearman"] and again["policy"] == "recorded"
    assert again["scorers"] == results["scorers"]


def test_eval_rm_refuses_metrics_without_a_win(checkpoint, tmp_path, capsys):
    lost = tmp_path / "lost.jsonl"
    append_jsonl(lost, (Trajectory(GENERIC, f"t2{i}", "say good 3 times", "start", [Step("bad", "bad", 0.0)] * k,
                                   env_return=0.0).to_dict() for i in range(3) for k in (1, 2)))
    out_json = tmp_path / "eval.json"
    assert eval_rm(checkpoint, "--trajectories", str(lost), "--json", str(out_json)) == 0  # exit code unchanged
    printed = capsys.readouterr().out
    assert "refused: no won trajectory among 6" in printed
    results = json.loads(out_json.read_text())
    assert results["spearman"] is None and results["better_of_two_accuracy"] is None
    assert "no won trajectory" in results["refused"] and results["val_pairwise_accuracy"] >= 0.9


def test_eval_rm_checks_the_checkpoint_provenance(trained, checkpoint, tmp_path, capsys):
    assert main(["eval-rm", str(checkpoint), "--env", "ARM-Game24-v0", "--tasks", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"trained on {GENERIC}, not on ARM-Game24-v0" in err and "--force" in err
    assert eval_rm(checkpoint, "--env-kwargs", '{"n_tasks": 8}') == 2
    assert 'env kwargs {"n_tasks": 40}, the evaluation uses {"n_tasks": 8}' in capsys.readouterr().err
    assert eval_rm(checkpoint, "--env-kwargs", '{"n_tasks": 8}', "--force") == 0
    assert "warning" in capsys.readouterr().err
    leaky = with_provenance(trained, tmp_path / "leaky", {"env_ids": [GENERIC], "env_kwargs": {"n_tasks": 40},
                                                          "train_task_ids": ["t20", "t21"]})
    assert eval_rm(leaky) == 2
    assert "2 evaluation task(s) were training tasks: 't20', 't21'" in capsys.readouterr().err
    old = with_provenance(trained, tmp_path / "old", None)
    assert eval_rm(old) == 0
    assert "no provenance" in capsys.readouterr().err


def test_eval_rm_reports_bad_input(checkpoint, tmp_path, capsys):
    assert main(["eval-rm", str(tmp_path / "nope"), "--env", "ARM-Game24-v0"]) == 2
    assert "no reward-model checkpoint" in capsys.readouterr().err
    assert main(["eval-rm", str(checkpoint), "--env", "ARM-Nope-v0", "--tasks", "1", "--force"]) == 2
    assert "ARM-Nope" in capsys.readouterr().err


def test_eval_rm_plays_fresh_episodes_with_the_llm_policy_and_keeps_the_llm_judge(checkpoint, scripted, tmp_path,
                                                                               capsys):
    # 4 tasks x 2 episodes: " good" x3 wins, " bad" loses; then every judge request (in any order) answers "yes"
    scripted.script = ([("ok", " good")] * 3 + [("ok", " bad")]) * 4 + [("ok", " yes")]
    out_json, trajs = tmp_path / "eval.json", tmp_path / "trajs.jsonl"
    assert eval_rm(checkpoint, "--episodes-per-task", "2", "--policy", "llm", "--llm-base-url", scripted.base_url,
                   "--llm-model", "scripted-model", "--llm-temperature", "0.5", "--json", str(out_json),
                   "--save-trajectories", str(trajs)) == 0
    results = json.loads(out_json.read_text())
    assert results["policy"] == "llm" and results["n_trajectories"] == 8 and "llm_judge" in results["scorers"]
    played = load_trajectories(trajs)
    assert [t.actions for t in played] == [["good"] * 3, ["bad"]] * 4  # the server's answers
    assert all(t.meta["policy"] == "llm" and t.meta["temperature"] == 0.5 for t in played)
    policy_requests, judge_requests = scripted.requests[:16], scripted.requests[16:]
    assert len(judge_requests) >= 8 and all(r["path"] == "/v1/completions" for r in scripted.requests)
    assert all(r["body"]["temperature"] == 0.5 and r["body"]["prompt"].endswith("Action:") for r in policy_requests)
    assert all(r["body"]["temperature"] == 0.0 for r in judge_requests)


def test_eval_rm_refuses_the_llm_policy_without_an_llm_or_on_ray(checkpoint, no_llm_env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        eval_rm(checkpoint, "--policy", "llm")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--policy llm plays the episodes with an LLM agent and needs its server: --llm-base-url" in err
    assert "usage: arm-gym eval-rm" in err
    with pytest.raises(SystemExit):
        eval_rm(checkpoint, "--policy", "llm", "--llm-base-url", "http://127.0.0.1:9/v1", "--backend", "ray")
    assert "use --backend local" in capsys.readouterr().err
