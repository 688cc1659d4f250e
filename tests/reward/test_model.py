import json
import subprocess
import sys

import numpy as np
import pytest

from arm_gym.trajectory import Step, Trajectory
from arm_gym.reward.model import (
    BF16_CPU_TOLERANCE,
    METADATA_FILE,
    CorruptCheckpointError,
    RewardModel,
    UnsafeCheckpointError,
    check_checkpoint,
    default_backbone_path,
)
from arm_gym.reward.render import TEMPLATE_VERSION, RenderConfig
from tests.reward.tiny_model import make_triplets, tiny_backbone


@pytest.fixture(scope="module")
def backbone(tmp_path_factory):
    return tiny_backbone(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def pairs():
    triplets = make_triplets(12, seed=3)
    out = []
    for t in triplets:
        out += [(t.prompt, t.chosen_trajectory), (t.prompt, t.rejected_trajectory)]
    long_steps = [Step(f"wait {i}", f"nothing happens {i} " * 8, 0.0) for i in range(40)]
    out.append(("say good 3 times (t1)", Trajectory("E", "t1", "", steps=long_steps)))
    return out


def test_import_arm_gym_reward_does_not_import_torch():
    code = "import sys, arm_gym.reward, arm_gym.wrappers; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_default_backbone_is_the_packaged_minilm():
    path = default_backbone_path()
    assert (path / "config.json").exists() and (path / "model.safetensors").exists()


def test_scores_come_back_in_input_order_whatever_the_batching(backbone, pairs):
    rm = RewardModel.from_pretrained(backbone, precision="fp32", device="cpu", render=RenderConfig(max_tokens=128))
    reference = np.array([rm.score([p])[0] for p in pairs])  # one at a time
    for batch_size, max_batch_tokens in [(64, 100_000), (3, 100_000), (64, 300)]:
        rm.batch_size, rm.max_batch_tokens = batch_size, max_batch_tokens
        np.testing.assert_allclose(rm.score(pairs), reference, rtol=0, atol=1e-5)
    order = np.random.default_rng(0).permutation(len(pairs))
    np.testing.assert_allclose(rm.score([pairs[i] for i in order]), reference[order], rtol=0, atol=1e-5)
    assert len(set(np.round(reference, 5))) > len(pairs) // 2  # not a constant: the test can see a mix-up


def test_bf16_scores_stay_within_the_stated_tolerance(backbone, pairs):
    render = RenderConfig(template=2)  # texts that differ enough for this tiny random backbone to tell apart in bf16
    fp32 = RewardModel.from_pretrained(backbone, precision="fp32", device="cpu", render=render).score(pairs)
    bf16 = RewardModel.from_pretrained(backbone, precision="bf16", device="cpu", render=render).score(pairs)
    assert bf16.dtype == np.float32
    assert np.all(np.abs(bf16 - fp32) <= BF16_CPU_TOLERANCE * np.maximum(1.0, np.abs(fp32)))
    assert len(set(bf16.tolist())) == len(set(fp32.tolist()))  # the fp32 head keeps scores from collapsing into ties


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_save_then_load_gives_identical_scores_and_metadata(backbone, pairs, tmp_path, precision):
    rm = RewardModel.from_pretrained(backbone, precision=precision, device="cpu", render=RenderConfig(96, "right"))
    before = rm.score(pairs)
    rm.save(tmp_path / "ckpt", train_data_sha256="abc123", backbone="tiny")
    assert (tmp_path / "ckpt" / "model.safetensors").exists()
    assert not list((tmp_path / "ckpt").glob("*.bin"))
    meta = json.loads((tmp_path / "ckpt" / METADATA_FILE).read_text())
    assert meta["render"] == {"max_tokens": 96, "truncation_side": "right", "template": TEMPLATE_VERSION}
    assert meta["train_data_sha256"] == "abc123" and meta["backbone"] == "tiny"
    loaded = RewardModel.from_pretrained(tmp_path / "ckpt", precision=precision, device="cpu")
    assert loaded.render_config == RenderConfig(96, "right")
    np.testing.assert_array_equal(loaded.score(pairs), before)


def test_checkpoint_loads_in_plain_transformers(backbone, pairs, tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification

    rm = RewardModel.from_pretrained(backbone, precision="fp32", device="cpu")
    rm.save(tmp_path / "ckpt")
    plain = AutoModelForSequenceClassification.from_pretrained(tmp_path / "ckpt").eval()
    text = rm.render(*pairs[0])
    with torch.no_grad():
        logit = plain(**rm.tokenizer(text, return_tensors="pt")).logits[0, 0].item()
    assert logit == pytest.approx(float(rm.score([pairs[0]])[0]), abs=1e-5)


def test_an_empty_trajectory_scores(backbone):
    rm = RewardModel.from_pretrained(backbone, device="cpu")
    scores = rm.score([("say good 3 times", []), ("", Trajectory("E", "t", ""))])
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
    assert rm.score([]).shape == (0,)


def test_a_pickle_only_checkpoint_is_refused(backbone, tmp_path):
    import shutil

    import torch

    ckpt = tmp_path / "pickled"
    shutil.copytree(backbone, ckpt)
    (ckpt / "model.safetensors").unlink()
    torch.save({"w": torch.zeros(1)}, ckpt / "pytorch_model.bin")
    with pytest.raises(UnsafeCheckpointError, match="pickle"):
        RewardModel.from_pretrained(ckpt)
    with pytest.raises(UnsafeCheckpointError, match="pickle"):
        check_checkpoint(ckpt / "pytorch_model.bin")
    (ckpt / "pytorch_model.bin").unlink()
    with pytest.raises(FileNotFoundError, match="no model weights"):
        RewardModel.from_pretrained(ckpt)


def test_truncated_weights_give_a_clear_error(backbone, tmp_path):
    import shutil

    ckpt = tmp_path / "truncated"
    shutil.copytree(backbone, ckpt)
    weights = ckpt / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # a copy cut short
    with pytest.raises(CorruptCheckpointError, match="truncated or damaged"):
        RewardModel.from_pretrained(ckpt)


def test_an_unknown_name_says_it_is_neither_a_folder_nor_a_loadable_id(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # read at import: patch the constant
    with pytest.raises(FileNotFoundError, match="not a local folder.*Hugging Face model id"):
        RewardModel.from_pretrained("arm-gym-no-such-model")


def test_corrupt_metadata_gives_a_clear_error(backbone, tmp_path):
    rm = RewardModel.from_pretrained(backbone, device="cpu")
    rm.save(tmp_path / "ckpt")
    (tmp_path / "ckpt" / METADATA_FILE).write_text("{not json")
    with pytest.raises(ValueError, match="corrupt arm_gym metadata"):
        RewardModel.from_pretrained(tmp_path / "ckpt")


def test_a_multi_label_model_is_rejected(backbone):
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_config(AutoConfig.from_pretrained(backbone, num_labels=3))
    with pytest.raises(ValueError, match="one label"):
        RewardModel(model, AutoTokenizer.from_pretrained(backbone))
