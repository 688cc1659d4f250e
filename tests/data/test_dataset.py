"""triplets.jsonl I/O, dedup, the split by task, and the Hugging Face export."""

from __future__ import annotations

import pytest

from arm_gym.trajectory import Step, Trajectory
from arm_gym.data.dataset import (
    content_key,
    dedup_triplets,
    iter_triplets,
    load_triplets,
    save_triplets,
    split_by_task,
)
from arm_gym.data.triplets import Triplet


def make_triplet(task: str, i: int = 0, env_id: str = "E-v0", **meta) -> Triplet:
    pos = Trajectory(env_id, task, f"do {task}", steps=[Step("good", "ok", 1.0)], env_return=1.0, won=True)
    neg = Trajectory(env_id, task, f"do {task}", steps=[Step(f"bad{i}", "no", 0.0)])
    return Triplet(
        prompt=f"do {task}",
        chosen_trajectory=pos,
        rejected_trajectory=neg,
        chosen_return=1.0,
        rejected_return=0.0,
        task_id=task,
        env_id=env_id,
        meta={"negative_kind": "stop_short", "intent_source": "env", **meta},
    )


def test_save_load_round_trip_and_partial_tail(tmp_path):
    path = tmp_path / "t.jsonl"
    triplets = [make_triplet("a", 0), make_triplet("b", 1)]
    assert save_triplets(path, triplets) == 2
    with path.open("a") as fh:
        fh.write('{"prompt": "cut')  # a killed writer's last line
    loaded = load_triplets(path)
    assert [t.to_dict() for t in loaded] == [t.to_dict() for t in triplets]
    save_triplets(path, [make_triplet("c")])  # the partial tail is repaired before appending
    assert [t.task_id for t in iter_triplets(path)] == ["a", "b", "c"]


def test_malformed_record_says_where(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"prompt": "x"}\n')
    with pytest.raises(ValueError, match="record 1"):
        load_triplets(path)
    assert load_triplets(path, strict=False) == []


def test_dedup_keeps_first_of_identical_content():
    a, b, a2 = make_triplet("a", 0), make_triplet("a", 1), make_triplet("a", 0, note="other source")
    assert content_key(a) == content_key(a2) != content_key(b)
    assert dedup_triplets([a, b, a2]) == [a, b]


def test_split_by_task_is_disjoint_stable_and_never_empty():
    triplets = [make_triplet(f"task{t}", i) for t in range(40) for i in range(3)]
    train, val = split_by_task(triplets, validation_fraction=0.2, seed=1)
    assert len(train) + len(val) == len(triplets)
    assert {t.task_id for t in train}.isdisjoint({t.task_id for t in val})
    assert 0 < len({t.task_id for t in val}) < 40
    # stable as the file grows: the tasks already placed keep their side
    _, val2 = split_by_task(triplets + [make_triplet("new", 9)], validation_fraction=0.2, seed=1)
    assert {t.task_id for t in val} <= {t.task_id for t in val2}
    # two tasks and a small fraction: still one on each side
    small = [make_triplet("x"), make_triplet("y")]
    tr, va = split_by_task(small, validation_fraction=0.01)
    assert len(tr) == len(va) == 1
    with pytest.raises(ValueError):
        split_by_task(small, validation_fraction=1.0)


def test_split_groups_relabelled_intents_by_their_goal():
    a = make_triplet("t1", 0, intent_task="asin:B1")
    b = make_triplet("t2", 1, intent_task="asin:B1")
    c = make_triplet("t3", 2, intent_task="asin:B2")
    train, _ = split_by_task([a, b, c], validation_fraction=0.5)
    sides = {id(t): ("train" if t in train else "val") for t in (a, b, c)}
    assert sides[id(a)] == sides[id(b)]
