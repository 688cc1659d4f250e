import json

import pytest

from arm_gym.cli import main
from arm_gym.data.jsonl import append_jsonl
from arm_gym.reward.model import METADATA_FILE
from tests.reward.tiny_model import make_triplets, tiny_backbone


@pytest.fixture(scope="module")
def triplets_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "triplets.jsonl"
    append_jsonl(path, (t.to_dict() for t in make_triplets(48)))
    return path


def test_train_rm_trains_saves_and_reports(tmp_path_factory, triplets_file, tmp_path, capsys):
    backbone = tiny_backbone(tmp_path_factory.getbasetemp())
    out = tmp_path / "rm"
    code = main(
        [
            "train-rm",
            str(triplets_file),
            "--out",
            str(out),
            "--backbone",
            str(backbone),
            "--max-steps",
            "3",
            "--batch-size",
            "8",
            "--max-tokens",
            "64",
            "--val-fraction",
            "0.25",
            "--precision",
            "fp32",
            "--no-progress",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "n_train" in printed and "val_accuracy" in printed
    assert json.loads(printed.strip().splitlines()[-1])["out"] == str(out)
    meta = json.loads((out / METADATA_FILE).read_text())
    assert meta["render"]["max_tokens"] == 64 and meta["backbone"] == str(backbone)
    assert (out / "model.safetensors").exists() and (out / "val_triplets.jsonl").exists()


def test_train_rm_reports_bad_input_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "only a prompt"}\n')
    assert main(["train-rm", str(bad), "--out", str(tmp_path / "rm")]) == 2
    assert "record 1" in capsys.readouterr().err
    assert main(["train-rm", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "rm")]) == 2


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["train-rm", "--help"])
    assert "--max-tokens" in capsys.readouterr().out
