"""The synthesis-adapter contract: resolving an env's adapter, the generic defaults, and replays under an intent."""

from __future__ import annotations

import numpy as np
import pytest

from arm_gym.envs import make_env
from arm_gym.envs.synthesis import Intent, SynthesisAdapter, get_adapter, pose, replay_actions
from arm_gym.trajectory import Step, Trajectory
from tests.testing_env import GenericTextEnv

GENERIC = "tests.testing_env:GenericTextEnv"


@pytest.fixture
def generic():
    env = make_env(GENERIC)
    yield env
    env.close()


def test_an_adapter_is_found_from_an_instance_an_id_or_a_class(generic):
    assert type(get_adapter(generic)) is SynthesisAdapter  # the test env names none: the generic one
    assert get_adapter(GENERIC) is get_adapter(GenericTextEnv) is get_adapter(generic)  # one instance per class
    game24 = get_adapter("ARM-Game24-v0")
    assert type(game24).__name__ == "Game24Synthesis" and game24.deviate_kind == "miss_24"

    class Named(GenericTextEnv):
        synthesis_adapter = "arm_gym.envs.game24.synthesis:Game24Synthesis"  # a lazy "module:Class" string

    assert type(get_adapter(Named)).__name__ == "Game24Synthesis"


def test_generic_relabel_needs_a_win_and_poses_the_same_task(generic):
    won = Trajectory(GENERIC, "t1", "say good 3 times (t1)", steps=[Step("good", "good 3", 1.0)], won=True, seed=4)
    adapter = get_adapter(generic)
    intent = adapter.relabel(won, generic)
    assert (intent.kind, intent.options, intent.seed, intent.text) == ("relabel", {"task_id": "t1"}, 4, won.instruction)
    lost = Trajectory(GENERIC, "t1", "say good 3 times (t1)", steps=[Step("bad", "bad", 0.0)], seed=4)
    assert adapter.relabel(lost, generic) is None
    assert adapter.original_intent(lost).kind == "original" and adapter.expert_actions(generic, intent) is None
    assert adapter.negatives(generic, intent, ["good"], np.random.default_rng(0)) == []
    assert adapter.fill_template("search[...]", "x", np.random.default_rng(0)) == "search[...]"


def test_replay_measures_the_env_return_under_the_intent(generic):
    intent = Intent("say good 3 times", GENERIC, "t2", {"task_id": "t2"}, seed=1)
    obs, info = pose(generic, intent)
    assert info["task_id"] == "t2" and obs == "start of t2"
    t = replay_actions(generic, intent, ["good", "good", "good", "good"], keep_info=True)
    assert t.actions == ["good"] * 3 and t.won and t.env_return == 1.0  # stops where the episode ended
    assert t.instruction == intent.text and t.meta["terminated"] is True


def test_generic_intent_guard_and_outcome_claim():
    adapter = SynthesisAdapter()
    grounded = Intent("Open the blue chest in the cellar", "X", "t")
    assert adapter.intent_names_task("go to the cellar and open it", grounded)
    assert not adapter.intent_names_task("eat an apple", grounded)
    claims = Trajectory("X", "t", "i", steps=[Step("open chest", "You won!", 1.0)])
    silent = Trajectory("X", "t", "i", steps=[Step("open chest", "The chest creaks open.", 1.0)])
    assert adapter.outcome_claim(claims) == 1.0 and adapter.outcome_claim(silent) == 0.0
