import json

import pytest

from arm_gym.cli import main
from tests.reward.tiny_model import trained_checkpoint


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory.getbasetemp())[0]


def test_eval_rm_prints_a_table_and_writes_json(checkpoint, tmp_path, capsys):
    out_json = tmp_path / "eval.json"
    trajs = tmp_path / "trajs.jsonl"
    code = main(
        [
            "eval-rm",
            str(checkpoint),
            "--env",
            "ARM-Game24-v0",
            "--tasks",
            "2",
            "--episodes-per-task",
            "3",
            "--json",
            str(out_json),
            "--save-trajectories",
            str(trajs),
            "--no-progress",
        ]
    )
    assert code == 0
    table = capsys.readouterr().out
    assert "spearman" in table and "better_of_two_accuracy" in table
    results = json.loads(out_json.read_text())
    assert results["n_trajectories"] == 6 and results["val_pairwise_accuracy"] >= 0.9
    assert results["policy"] == "lookahead" and results["split"] == "test"
    # the same trajectories, recorded, score the same
    assert (
        main(
            [
                "eval-rm",
                str(checkpoint),
                "--env",
                "ARM-Game24-v0",
                "--trajectories",
                str(trajs),
                "--json",
                str(tmp_path / "again.json"),
            ]
        )
        == 0
    )
    again = json.loads((tmp_path / "again.json").read_text())
    assert again["spearman"] == results["spearman"] and again["policy"] == "recorded"


def test_eval_rm_reports_bad_input(checkpoint, tmp_path, capsys):
    assert main(["eval-rm", str(tmp_path / "nope"), "--env", "ARM-Game24-v0"]) == 2
    assert "no reward-model checkpoint" in capsys.readouterr().err
    assert main(["eval-rm", str(checkpoint), "--env", "ARM-Nope-v0", "--tasks", "1"]) == 2
    assert "ARM-Nope" in capsys.readouterr().err
