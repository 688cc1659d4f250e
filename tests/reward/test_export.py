"""Triplets rendered into TRL's preference format and exported as a Hugging Face dataset."""

from __future__ import annotations

from arm_gym.reward.export import to_hf_dataset, to_records
from arm_gym.reward.render import render_trajectory
from tests.data.test_dataset import make_triplet


def test_records_in_trl_preference_format():
    rows = to_records([make_triplet("a")])
    assert list(rows[0])[:3] == ["prompt", "chosen", "rejected"]
    assert "prompt" not in to_records([make_triplet("a")], explicit_prompt=False)[0]


def test_hf_export_split_and_columns(tmp_path):
    import datasets

    triplets = [make_triplet(f"task{t}", i) for t in range(10) for i in range(2)] + [make_triplet("task0", 0)]
    ds = to_hf_dataset(triplets, validation_fraction=0.3)
    assert set(ds) == {"train", "validation"}
    assert len(ds["train"]) + len(ds["validation"]) == 20  # the duplicate is gone
    assert ds["train"].column_names[:3] == ["prompt", "chosen", "rejected"]
    assert set(ds["train"]["task_id"]).isdisjoint(ds["validation"]["task_id"])
    single = to_hf_dataset(triplets, validation_fraction=None, dedup=False)
    assert isinstance(single, datasets.Dataset) and len(single) == 21
    ds.save_to_disk(str(tmp_path / "hf"))
    assert len(datasets.load_from_disk(str(tmp_path / "hf"))["train"]) == len(ds["train"])


def test_export_renders_the_stored_trajectories():
    triplet = make_triplet("a")
    (row,) = to_records([triplet])
    assert row["chosen"] == render_trajectory("do a", triplet.chosen_trajectory)
    assert row["rejected"].startswith("Instruction: do a") and "bad0" in row["rejected"]
