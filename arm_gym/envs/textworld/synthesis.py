"""TextWorld's synthesis adapter: the game's walkthrough as the expert path."""

from __future__ import annotations

import gymnasium as gym

from arm_gym.envs.synthesis import Intent, SynthesisAdapter, expert_after_pose


class TextWorldSynthesis(SynthesisAdapter):
    """TextWorld: a won trajectory relabels with its own task; TextWorld's walkthrough of the game (read
    right after posing it) is the expert against a failed one."""

    def expert_actions(self, env: gym.Env, intent: Intent) -> list[str] | None:
        return expert_after_pose(env, intent, lambda sim: sim.walkthrough)
