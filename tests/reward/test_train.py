import dataclasses
import json

import numpy as np
import pytest

from arm_gym.data.triplets import Triplet
from arm_gym.reward.model import METADATA_FILE, RewardModel
from arm_gym.reward.render import RenderConfig
from arm_gym.reward.train import (
    SUMMARY_FILE,
    VAL_FILE,
    TrainConfig,
    data_hash,
    load_triplets,
    provenance,
    tokenize_triplets,
    train_reward_model,
)
from arm_gym.trajectory import Step, Trajectory
from tests.reward.tiny_model import make_triplets, tiny_backbone, tiny_train_config, trained_checkpoint


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory.getbasetemp())


def test_a_few_steps_raise_validation_accuracy_well_above_chance(trained):
    _, result, initial = trained
    assert initial <= 0.6  # the backbone was picked not to prefer winning before training
    assert result.val_accuracy >= 0.9
    assert len(result.epochs) == 3 and all("accuracy" in row for row in result.epochs)
    assert result.n_val > 0 and result.n_train + result.n_val == result.n_triplets + result.n_graded
    assert result.n_graded > 0  # on by default: same-task trajectories of different return are paired too
    assert result.dropped_identical == 0 and result.dropped_too_long == 0


def test_the_checkpoint_is_safetensors_with_metadata_and_validation_triplets(trained):
    out, result, _ = trained
    assert (out / "model.safetensors").exists() and not list(out.glob("*.bin"))
    meta = json.loads((out / METADATA_FILE).read_text())
    assert meta["render"]["max_tokens"] == 64
    assert meta["train_data_sha256"] == result.train_data_sha256
    assert meta["training"]["val_accuracy"] == result.val_accuracy
    assert json.loads((out / SUMMARY_FILE).read_text())["n_val"] == result.n_val
    val = load_triplets(out / VAL_FILE)
    assert len(val) == result.n_val
    rm = RewardModel.from_pretrained(out, device="cpu", precision="fp32")
    chosen = rm.score([(t.prompt, t.chosen_trajectory) for t in val])
    rejected = rm.score([(t.prompt, t.rejected_trajectory) for t in val])
    assert np.mean(chosen > rejected) == pytest.approx(result.val_accuracy)
    provenance = meta["provenance"]  # what eval-rm checks the evaluation env and tasks against
    assert provenance["env_ids"] == sorted({t.env_id for t in val}) and provenance["env_kwargs"] == {}
    assert not {t.task_id for t in val} & set(provenance["train_task_ids"])


def test_trl_settings_are_passed_through(tmp_path):
    from arm_gym.reward.train import TRL_NAMES, TrainConfig, reward_config

    trl_args = {"logging_steps": 3, "lr_scheduler_type": "constant"}
    config = TrainConfig(optimizer_steps=7, batch_size=3, precision="fp32", trl_args=trl_args)
    args = reward_config(config, tmp_path, evaluate=False)
    assert (args.max_steps, args.per_device_train_batch_size, args.logging_steps) == (7, 3, 3)
    assert getattr(args.lr_scheduler_type, "value", args.lr_scheduler_type) == "constant"
    assert set(TRL_NAMES) <= {f.name for f in dataclasses.fields(TrainConfig)}
    assert getattr(args.eval_strategy, "value", args.eval_strategy) == "no"


def test_training_splits_like_the_export():
    """train-rm holds out whole tasks with the same function as the Hugging Face export (one split)."""
    from arm_gym.data.dataset import split_by_task

    triplets = make_triplets(60, n_tasks=20)
    train, val = split_by_task(triplets, validation_fraction=0.25, seed=1)
    assert len(train) + len(val) == 60 and val
    assert not {t.task_id for t in train} & {t.task_id for t in val}


def test_rendering_within_the_budget_counts_truncated_and_drops_identical_pairs(tmp_path_factory):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_backbone(tmp_path_factory.getbasetemp()))
    prefix = [Step(f"wait {i}", "nothing " * 10, 0.0) for i in range(30)]
    good = Trajectory("E", "t", "x", steps=prefix + [Step("good", "won", 1.0)])
    bad = Trajectory("E", "t", "x", steps=prefix + [Step("bad", "lost", 0.0)])
    differ_early = Trajectory(
        "E", "t", "x", steps=[Step("other", "start", 0.0)] + prefix[1:] + [Step("bad", "lost", 0.0)]
    )
    same_tail = Trajectory("E", "t", "x", steps=[Step("first", "start", 0.0)] + prefix[1:] + [Step("bad", "lost", 0.0)])

    def triplet(a, b):
        return Triplet("do it", a, b, 1.0, 0.0, task_id="t")

    rows, stats = tokenize_triplets([triplet(good, bad), triplet(differ_early, same_tail)], tokenizer, RenderConfig(64))
    assert stats == {"truncated": 2, "dropped_identical": 1}  # the two differ only in steps the budget dropped
    assert len(rows) == 1 and "margin" not in rows[0]
    assert all(len(ids) <= 64 for ids in (rows[0]["chosen_ids"], rows[0]["rejected_ids"]))
    rows, _ = tokenize_triplets([triplet(good, bad)], tokenizer, RenderConfig(64), margin_scale=3.0)
    assert rows[0]["margin"] == 3.0  # 3 x (return 1 - return 0)


def test_training_resumes_from_its_checkpoints_and_refuses_other_data(tmp_path_factory, tmp_path):
    backbone = tiny_backbone(tmp_path_factory.getbasetemp())
    triplets = make_triplets(40)
    config = TrainConfig(
        backbone=str(backbone),
        max_tokens=48,
        batch_size=8,
        optimizer_steps=2,
        save_steps=2,
        val_fraction=0.0,
        progress=False,
        precision="fp32",
    )
    first = train_reward_model(triplets, tmp_path / "run", config)
    assert first.resumed_from is None
    config.optimizer_steps = 4
    second = train_reward_model(triplets, tmp_path / "run", config)
    assert second.resumed_from is not None and second.resumed_from.endswith("checkpoint-2")
    with pytest.raises(ValueError, match="different training data"):
        train_reward_model(make_triplets(40, seed=9), tmp_path / "run", config)
    assert data_hash(triplets) == data_hash(make_triplets(40))


def test_load_triplets_names_a_bad_record(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(make_triplets(1)[0].to_dict()) + "\n" + json.dumps({"prompt": "x"}) + "\n")
    with pytest.raises(ValueError, match="record 2"):
        load_triplets(path)
    with pytest.raises(ValueError, match="no triplets"):
        train_reward_model([], tmp_path / "out")


def test_training_with_prefix_pairs_adds_them_to_the_training_set_only(tmp_path_factory, tmp_path):
    triplets = make_triplets(60, seed=3)
    config = tiny_train_config(tiny_backbone(tmp_path_factory.getbasetemp()), optimizer_steps=1, prefix_pairs=True)
    result = train_reward_model(triplets, tmp_path / "prefix", config)
    plain = train_reward_model(triplets, tmp_path / "plain", dataclasses.replace(config, prefix_pairs=False))
    assert result.n_prefix > 0 and plain.n_prefix == 0
    assert result.n_train == plain.n_train + result.n_prefix and result.n_val == plain.n_val
    assert result.train_data_sha256 != plain.train_data_sha256
    val = load_triplets(tmp_path / "prefix" / VAL_FILE)
    assert len(val) == result.n_val and not any("prefix" in t.meta for t in val)  # validation stays whole


def test_provenance_reads_env_kwargs_from_synthesized_triplets_not_derived_pairs():
    from arm_gym.reward.pairs import graded_pairs, prefix_pairs

    triplets = [dataclasses.replace(t, meta={**t.meta, "env_kwargs": {"hard": True}}) for t in make_triplets(20)]
    derived = prefix_pairs(triplets) + graded_pairs(triplets)
    assert derived and all("env_kwargs" not in t.meta for t in derived)
    assert provenance(triplets + derived, triplets[:2])["env_kwargs"] == {"hard": True}
    mixed = [*triplets, dataclasses.replace(triplets[0], meta={"env_kwargs": {}})]
    assert provenance(mixed, [])["env_kwargs"] is None  # synthesized with different settings: cannot be checked


def test_bf16_training_keeps_the_head_in_fp32(tmp_path_factory, tmp_path):
    """Under bf16 autocast a bf16 head rounds close scores into ties, which TRL's validation accuracy
    counts as wrong (0.82 against 0.92 for the saved model on Game of 24 triplets): the head stays fp32."""
    import torch
    from transformers import TrainerCallback

    seen = {}

    class Inspect(TrainerCallback):
        def on_evaluate(self, args, state, control, model=None, **kwargs):
            head = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == 1][-1]
            seen["fp32 head"] = getattr(head, "_arm_gym_fp32", False)  # what fp32_head marks (tested below)

    config = tiny_train_config(tiny_backbone(tmp_path_factory.getbasetemp()), epochs=1, precision="bf16")
    result = train_reward_model(make_triplets(120, seed=5), tmp_path / "bf16", config, callbacks=[Inspect()])
    assert seen == {"fp32 head": True}
    assert result.epochs[-1]["accuracy"] == pytest.approx(result.val_accuracy, abs=0.03)


def test_fp32_head_keeps_scores_out_of_bf16(tmp_path_factory):
    import torch
    from transformers import AutoModelForSequenceClassification

    from arm_gym.reward.model import fp32_head

    model = AutoModelForSequenceClassification.from_pretrained(tiny_backbone(tmp_path_factory.getbasetemp()))
    ids = torch.ones((2, 8), dtype=torch.long)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert model(input_ids=ids).logits.dtype == torch.bfloat16
        fp32_head(model)
        assert model(input_ids=ids).logits.dtype == torch.float32
