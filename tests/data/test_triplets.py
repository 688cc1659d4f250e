"""Triplet records: a round trip, and a clear error for what is not a triplet of this schema."""

from __future__ import annotations

import pytest

from arm_gym.trajectory import SCHEMA_VERSION, Step, Trajectory
from arm_gym.data.triplets import Triplet


def _triplet() -> Triplet:
    good = Trajectory("ARM-X-v0", "t", "do it", "start", [Step("a", "done", 1.0)], 1.0, True)
    bad = Trajectory("ARM-X-v0", "t", "do it", "start", [Step("b", "no", 0.0)], 0.0, False)
    return Triplet("do it", good, bad, 1.0, 0.0, "t", "ARM-X-v0", {"kind": "x"})


def test_round_trip():
    triplet = _triplet()
    assert Triplet.from_dict(triplet.to_dict()) == triplet
    assert triplet.to_dict()["schema"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"schema": SCHEMA_VERSION + 1}, "schema 2 is newer"),
        ({"schema": "1"}, "newer than this arm_gym reads"),
        ({"prompt": "x"}, "no 'chosen_trajectory' field"),
        ([1, 2], "a JSON list, not an object"),
        ({**_triplet().to_dict(), "chosen_return": "high"}, "not a triplet record"),
        ({**_triplet().to_dict(), "chosen_trajectory": {"env_id": "x"}}, "no 'steps' field"),
    ],
)
def test_what_is_not_a_triplet_is_a_value_error_that_says_why(record, message):
    with pytest.raises(ValueError, match=message):
        Triplet.from_dict(record)
