"""ScienceWorld's synthesis adapter: the engine's gold action sequence as the expert path."""

from __future__ import annotations

import gymnasium as gym

from arm_gym.envs.synthesis import Intent, SynthesisAdapter, expert_after_pose


class ScienceWorldSynthesis(SynthesisAdapter):
    """ScienceWorld: a won trajectory relabels with its own task; the gold sequence (``gold_actions()``,
    read right after posing the task variation) is the expert against a failed one."""

    def expert_actions(self, env: gym.Env, intent: Intent) -> list[str] | None:
        return expert_after_pose(env, intent, lambda sim: sim.gold_actions())
