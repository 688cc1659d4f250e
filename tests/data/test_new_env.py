"""A fifth benchmark needs no change to arm_gym: a small env and its synthesis adapter, both defined here,
go through collect → synthesize → train-rm with the package as it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from arm_gym.core import StepResult, TextEnv
from arm_gym.data.explore import collect
from arm_gym.data.synthesize import Synthesizer, synthesize
from arm_gym.data.dataset import load_triplets
from arm_gym.envs.synthesis import Candidate, Intent, SynthesisAdapter, get_adapter
from arm_gym.trajectory import load_trajectories
from tests.reward.tiny_model import tiny_backbone, tiny_train_config

ENTRY_POINT = "tests.data.test_new_env:LampsEnv"


class LampsSynthesis(SynthesisAdapter):
    """The family's knowledge: the expert presses the asked lamp; a near miss presses its neighbour."""

    deviate_kind = "other_lamp"

    def expert_actions(self, env: Any, intent: Intent) -> list[str] | None:
        return [f"press {intent.task_id.removeprefix('lamp')}"]

    def negatives(
        self, env: Any, intent: Intent, positive_actions: Sequence[str], rng: np.random.Generator
    ) -> list[list[Candidate]]:
        target = int(intent.task_id.removeprefix("lamp"))
        return [[Candidate("neighbour", [f"press {(target + 1) % LampsEnv.n_lamps}"])]]


class LampsEnv(TextEnv):
    """Four lamps; the task names one; pressing it lights it (reward 1), pressing another does nothing visible."""

    n_lamps = 4
    synthesis_adapter = LampsSynthesis
    reset_options = frozenset()

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.target = 0

    def task_ids(self, split: str) -> Sequence[str]:
        return [f"lamp{i}" for i in range(self.n_lamps)]

    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        self.target = int(task_id.removeprefix("lamp"))
        self.instruction = f"Turn on lamp {self.target}."
        return "A row of lamps: " + " ".join(str(i) for i in range(self.n_lamps)) + "."

    def _step(self, action: str) -> StepResult:
        if action == f"press {self.target}":
            return StepResult(f"Lamp {self.target} glows.", 1.0, True, True)
        if action.startswith("press "):
            return StepResult(f"You press {action[6:]}. Click.", 0.0, False)
        return StepResult(f"Unknown action {action[:20]!r}.", 0.0, False)

    def admissible_actions(self) -> Sequence[str]:
        return [f"press {i}" for i in range(self.n_lamps)]


def test_a_new_env_with_its_adapter_goes_from_exploration_to_a_reward_model(tmp_path):
    from arm_gym.reward.model import RewardModel
    from arm_gym.reward.train import train_reward_model

    assert isinstance(get_adapter(ENTRY_POINT), LampsSynthesis)
    trajectories = tmp_path / "lamps.jsonl"
    stats = collect(ENTRY_POINT, trajectories, episodes=60, num_envs=2, max_steps=3, progress=False)
    assert stats.collected == 60 and 0 < stats.won < 60
    triplets_path = tmp_path / "lamps_triplets.jsonl"
    synthesis = synthesize(trajectories, triplets_path, synthesizer=Synthesizer(), progress=False)
    triplets = load_triplets(triplets_path)
    kinds = {t.meta["negative_kind"] for t in triplets}
    assert {"neighbour", "other_lamp"} <= kinds  # the adapter's own kind and its name for "deviate"
    assert synthesis.kept == len(triplets) > 20 and all(t.chosen_return > t.rejected_return for t in triplets)
    # a failed episode gets the adapter's expert path as its positive
    assert any(t.meta["intent_kind"] == "original" and t.chosen_trajectory.actions == [f"press {t.task_id[4:]}"]
               for t in triplets)

    config = tiny_train_config(tiny_backbone(tmp_path / "backbone"), epochs=2)
    result = train_reward_model(triplets, tmp_path / "rm", config)
    assert result.n_train > 0
    model = RewardModel.from_pretrained(tmp_path / "rm", device="cpu", precision="fp32")
    won = [t for t in load_trajectories(trajectories) if t.won]
    scores = model.score([(t.instruction, t) for t in won[:4]])
    assert np.isfinite(scores).all()
