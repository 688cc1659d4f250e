"""``arm-gym train-rl``: trains MaskablePPO, saves a checkpoint and the env-success curve, resumes."""

import csv
import json

import pytest

pytest.importorskip("sb3_contrib")

import torch

from arm_gym.cli import main
from tests.reward.tiny_model import tiny_backbone

SMALL = ["--num-envs", "2", "--n-steps", "64", "--batch-size", "64", "--n-epochs", "1", "--max-actions", "36",
         "--embed-dim", "32", "--hidden-dim", "16", "--window", "20"]


@pytest.fixture(autouse=True, scope="module")
def restore_torch_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def train(out, steps, *extra):
    return main(["train-rl", "ARM-Game24-v0", "--steps", str(steps), "--out", str(out), *SMALL, *extra])


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_rl_saves_a_checkpoint_and_the_curve_then_resumes(tmp_path, capsys):
    from sb3_contrib import MaskablePPO

    out = tmp_path / "run"
    assert train(out, 256, "--checkpoint-every", "128") == 0
    first = last_json(capsys)
    assert first["env_steps"] == 256 and first["resumed_from"] is None
    assert (out / "model.zip").exists() and (out / "checkpoints" / "last.zip").exists()
    rows = list(csv.DictReader((out / "curve.csv").open()))
    assert [int(r["env_steps"]) for r in rows] == [128, 256]
    assert json.loads((out / "curve.json").read_text())[-1]["episodes"] == first["episodes"] > 0

    assert train(out, 512) == 0
    second = last_json(capsys)
    assert second["resumed_from"] == 256 and second["env_steps"] == 512
    assert second["episodes"] > first["episodes"]
    assert [r["env_steps"] for r in json.loads((out / "curve.json").read_text())] == [128, 256, 384, 512]

    model = MaskablePPO.load(out / "model.zip")
    assert model.num_timesteps == 512
    from arm_gym.wrappers import make_sb3_env

    env = make_sb3_env("ARM-Game24-v0", max_actions=36, encoder_kwargs={"dim": 32})
    obs, _ = env.reset(seed=0)
    masks = env.get_wrapper_attr("action_masks")()
    action, _ = model.predict(obs, action_masks=masks, deterministic=True)
    assert masks[int(action)]

    assert train(out, 512) == 0  # already done: nothing more to train
    assert last_json(capsys)["env_steps"] == 512


def test_train_rl_with_a_learned_reward(tmp_path_factory, tmp_path, capsys):
    ckpt = tiny_backbone(tmp_path_factory.getbasetemp())
    assert train(tmp_path / "rm", 128, "--reward", f"rm:{ckpt}", "--mode", "terminal") == 0
    summary = last_json(capsys)
    assert summary["reward"] == f"rm:{ckpt}" and summary["mode"] == "terminal" and summary["env_steps"] == 128
    assert train(tmp_path / "zero", 128, "--reward", f"rm:{ckpt}", "--shaped-origin", "zero") == 0
    assert last_json(capsys)["shaped_origin"] == "zero"


def test_train_rl_reports_bad_settings(tmp_path, capsys):
    assert train(tmp_path / "a", 64, "--reward", "oracle") == 2
    assert "--reward must be" in capsys.readouterr().err
    assert train(tmp_path / "b", 64, "--reward", f"rm:{tmp_path / 'missing'}") == 2
    assert "no such reward-model checkpoint" in capsys.readouterr().err
    assert train(tmp_path / "c", 128) == 0
    capsys.readouterr()
    assert train(tmp_path / "c", 256, "--embed-dim", "64") == 2
    assert "other settings (embed_dim)" in capsys.readouterr().err
    config = tmp_path / "c" / "config.json"  # a run from before shaped_origin started shaped rewards at 0
    config.write_text(json.dumps({k: v for k, v in json.loads(config.read_text()).items() if k != "shaped_origin"}))
    assert train(tmp_path / "c", 256) == 2
    assert "other settings (shaped_origin)" in capsys.readouterr().err
    assert train(tmp_path / "c", 256, "--shaped-origin", "zero") == 0
