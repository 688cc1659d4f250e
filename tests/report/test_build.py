"""Report items from trajectory, triplet and planner records, with and without a scorer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from arm_gym.data.triplets import Triplet
from arm_gym.report import build_items, render_report
from arm_gym.trajectory import Step, Trajectory


class StepCounter:
    """Scores a trajectory by its number of "good" actions (a known, checkable scorer)."""

    def score(self, pairs):
        return np.asarray([sum(s.action == "good" for s in t.steps) for _, t in pairs], float)


def traj(task, actions, ret, won=False, **meta):
    steps = [Step(a, f"you said {a} [SEP] ok", 1.0 if a == "good" else 0.0) for a in actions]
    return Trajectory("E-v0", task, f"do {task}", "start", steps, ret, won, 0, meta)


def test_trajectory_items_carry_steps_scores_and_disagreement():
    records = [traj("t", ["good", "good"], 1.0, True).to_dict(), traj("t", ["bad"], 0.0).to_dict(),
               traj("t", ["good", "bad", "good", "good"], 0.0).to_dict()]  # scores high, returned nothing
    items = build_items(records, model=StepCounter())
    assert [s["s"] for s in items[0]["steps"]] == [1.0, 2.0]  # the running score after each step
    assert [i["score"] for i in items] == [2.0, 0.0, 3.0]
    assert [i["disagree"] for i in items] == [True, False, True]  # the pair the model orders against the env
    assert "disagree" not in build_items(records)[0] and "s" not in build_items(records)[0]["steps"][0]


def test_triplet_items_mark_the_divergence_and_wrong_orders():
    chosen, rejected = traj("t", ["good", "good", "good"], 1.0, True), traj("t", ["good", "bad"], 0.0)
    item = build_items([Triplet("do t", chosen, rejected, 1.0, 0.0, "t", "E-v0", {"negative_kind": "deviate"}).to_dict()],
                       model=StepCounter())[0]
    assert item["diverge"] == 1 and item["negative"] == "deviate" and item["disagree"] is False
    assert item["chosen"]["score"] == 3.0 and item["rejected"]["score"] == 1.0


def test_planner_answers_show_their_candidates():
    record = traj("t", ["good"], 1.0, True, planner="best-of-n", scorer="env", chosen=1,
                  candidate_scores=[0.0, 1.0], candidate_returns=[0.0, 1.0]).to_dict()
    assert build_items([record])[0]["plan"] == {"planner": "best-of-n", "scorer": "env", "chosen": 1,
                                                "scores": [0.0, 1.0], "returns": [0.0, 1.0]}


def test_text_cannot_break_out_of_the_page():
    record = traj("t", ["</script><script>alert(1)</script>"], 0.0).to_dict()
    html = render_report(build_items([record]), title="<b>x</b>")
    assert "<script>alert(1)" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    payload = html.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(payload)
    assert data["items"][0]["steps"][0]["a"].startswith("</script>")
    assert data["texts"][data["items"][0]["steps"][0]["o"]].startswith("you said </script>")


def test_a_record_of_another_kind_says_which():
    with pytest.raises(ValueError, match="record 1"):
        build_items([{"prompt": "x"}])
