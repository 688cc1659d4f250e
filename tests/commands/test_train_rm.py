import json
import os
import socket
import subprocess
import sys

import pytest

from arm_gym.cli import main
from arm_gym.jsonl import append_jsonl
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
            "--max-optimizer-steps",
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
    printed = capsys.readouterr().out
    assert "--max-tokens" in printed and "--prefix-pairs" in printed


def test_train_rm_prefix_pairs_flag_adds_prefix_pairs(tmp_path_factory, triplets_file, tmp_path, capsys):
    backbone = tiny_backbone(tmp_path_factory.getbasetemp())
    common = [str(triplets_file), "--backbone", str(backbone), "--max-optimizer-steps", "1", "--max-tokens", "64",
              "--precision", "fp32", "--no-progress"]
    assert main(["train-rm", *common, "--out", str(tmp_path / "a"), "--prefix-pairs", "--max-prefix-pairs", "1"]) == 0
    assert main(["train-rm", *common, "--out", str(tmp_path / "b")]) == 0  # off by default
    a, b = (json.loads((tmp_path / x / "train_summary.json").read_text()) for x in "ab")
    assert a["n_prefix"] > 0 and b["n_prefix"] == 0 and a["n_train"] == b["n_train"] + a["n_prefix"]


def test_train_rm_runs_in_two_processes_under_torchrun(tmp_path_factory, triplets_file, tmp_path):
    """The distributed path (what `accelerate launch` uses on many GPUs), here with two CPU processes over gloo."""
    backbone = tiny_backbone(tmp_path_factory.getbasetemp())
    out = tmp_path / "rm"
    port = _free_port()
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
        "--master_addr", "127.0.0.1", "--master_port", str(port),
        "-m", "arm_gym.cli", "train-rm", str(triplets_file), "--out", str(out), "--backbone", str(backbone),
        "--max-optimizer-steps", "2", "--batch-size", "4", "--max-tokens", "64", "--val-fraction", "0.25",
        "--precision", "fp32", "--no-progress",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    reports = [line for line in proc.stdout.splitlines() if line.startswith('{"out"')]
    assert len(reports) == 1  # rank 0 only
    summary = json.loads((out / "train_summary.json").read_text())
    # two processes of 4 pairs per step: 2 steps cover 16 pairs, twice what one process would
    assert summary["epochs"][-1]["epoch"] == pytest.approx(16 / summary["n_train"], rel=0.2)
    assert (out / "model.safetensors").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
