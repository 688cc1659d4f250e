"""Fresh evaluation trajectories: the episode plan never plays the explorer; Game of 24 episodes hold real mistakes."""

import gymnasium as gym
import pytest

from arm_gym.envs.game24.env import parse_step
from arm_gym.envs.game24.puzzles import apply, parse_numbers, solve
from arm_gym.llm.base import LLM
from arm_gym.policies import LLMPolicy
from arm_gym.reward.fresh import POLICIES, FreshEpisodes, episode_plan, fresh_trajectories

GENERIC = "tests.testing_env:GenericTextEnv"


class ScriptedLLM(LLM):
    """Answers the n-th prompt with ``replies[n % len(replies)]``, recording each call's sampling temperature."""

    def __init__(self, replies):
        self.replies, self.temperatures = list(replies), []

    def complete(self, prompt, *, n=1, temperature=0.0, max_tokens=256, stop=None):
        self.temperatures.append(temperature)
        return [self.replies[(len(self.temperatures) - 1) % len(self.replies)]] * n

    def chat(self, messages, **kwargs):
        return self.complete(messages[-1]["content"], **kwargs)


def test_the_episode_plan_never_plays_the_random_explorer():
    # (epsilon, error_rate, expert_share) of each episode
    assert episode_plan("lookahead", 4, corruptible=True, error_rate=0.3) == [(0, 0, 0), (0.25, 0, 0), (0.5, 0, 0),
                                                                             (0.75, 0, 0)]
    assert episode_plan("mix", 4, corruptible=True, error_rate=0.3) == [(0, 0, 0), (0.5, 0, 0), (0, 0.3, 0), (0, 0.3, 0)]
    assert episode_plan("mix", 3, corruptible=False, error_rate=0.3) == episode_plan("lookahead", 3, corruptible=False,
                                                                                    error_rate=0.3)
    assert episode_plan("errorful", 2, corruptible=True, error_rate=0.2) == [(0, 0.2, 0)] * 2
    assert episode_plan("llm", 3, corruptible=False, error_rate=0.3, has_expert=False) == [(0, 0, 0)] * 3
    # random actions only after an expert prefix of 1/n .. all of the path
    assert episode_plan("expert-mix", 4, corruptible=True, error_rate=0.3) == [(1, 0, 0.25), (1, 0, 0.5), (1, 0, 0.75),
                                                                              (1, 0, 1)]
    with pytest.raises(ValueError, match="corrupt"):
        episode_plan("errorful", 2, corruptible=False, error_rate=0.2)
    with pytest.raises(ValueError, match="expert path"):
        episode_plan("expert-mix", 2, corruptible=True, error_rate=0.2, has_expert=False)
    with pytest.raises(ValueError, match="unknown policy"):
        episode_plan("random", 2, corruptible=True, error_rate=0.2)


def test_eval_rm_offers_every_policy_and_scienceworld_evaluates_with_expert_prefixes():
    from arm_gym.commands.eval_rm import POLICIES as CHOICES
    from arm_gym.pipeline import PipelineSettings

    assert CHOICES == POLICIES and "expert-mix" in POLICIES and "llm" in POLICIES
    assert PipelineSettings.for_env("ARM-ScienceWorld-v0", "small").eval_policy == "expert-mix"
    assert PipelineSettings.for_env("ARM-Game24-v0", "small").eval_policy == "mix"
    assert PipelineSettings.for_env("ARM-Game24-v0", "small", eval_policy="lookahead").eval_policy == "lookahead"


def test_expert_mix_plays_the_planned_expert_shares_with_wins_and_losses():
    trajs = fresh_trajectories("ARM-Game24-v0", n_tasks=6, episodes_per_task=3, policy="expert-mix", progress=False,
                               seed=7)
    assert len(trajs) == 18
    assert [t.meta["expert_share"] for t in trajs] == [1 / 3, 2 / 3, 1.0] * 6
    assert all(t.meta["epsilon"] == 1.0 and t.meta["error_rate"] == 0.0 for t in trajs)
    for t in trajs:
        expert = solve(parse_numbers(t.task_id))
        k = round(t.meta["expert_share"] * len(expert))
        assert t.actions[:k] == expert[:k]
    assert all(t.won for t in trajs if t.meta["expert_share"] == 1.0)
    partial = [t for t in trajs if t.meta["expert_share"] < 1.0]
    assert any(t.won for t in partial) and not all(t.won for t in partial)  # a spread of returns, not just the expert
    with pytest.raises(ValueError, match="expert path"):
        fresh_trajectories(GENERIC, n_tasks=1, episodes_per_task=2, policy="expert-mix", progress=False)


def test_the_llm_policy_plays_every_episode_with_its_own_replies():
    llm = ScriptedLLM([" good", " good", " good", " bad"])  # a win, then a loss, then a win ...
    agent = LLMPolicy(llm, mode="complete", temperature=0.9, name="llm")
    trajs = fresh_trajectories(GENERIC, n_tasks=2, episodes_per_task=3, policy="llm", llm_policy=agent, seed=3,
                               env_kwargs={"n_tasks": 4}, progress=False)
    assert [t.task_id for t in trajs] == ["t2"] * 3 + ["t3"] * 3
    assert [t.actions for t in trajs] == [["good"] * 3, ["bad"]] * 3  # the fake's answers, not the lookahead's
    assert [t.won for t in trajs] == [True, False] * 3
    for t in trajs:
        assert t.meta["policy"] == "llm" and t.meta["eval_policy"] == "llm" and t.meta["temperature"] == 0.9
        assert (t.meta["epsilon"], t.meta["error_rate"], t.meta["expert_share"]) == (0.0, 0.0, 0.0)
    assert llm.temperatures == [0.9] * 12  # one sampled call per step


def test_the_llm_policy_is_refused_without_an_agent_with_another_policy_or_on_a_backend():
    agent = LLMPolicy(ScriptedLLM([" good"]), mode="complete")

    class Backend:
        def map(self, worker, items):
            raise AssertionError("no episode may be sent to a backend")

    with pytest.raises(ValueError, match="'llm' policy needs llm_policy"):
        fresh_trajectories(GENERIC, n_tasks=1, policy="llm", progress=False)
    with pytest.raises(ValueError, match="'llm' policy only, not by 'mix'"):
        fresh_trajectories(GENERIC, n_tasks=1, policy="mix", llm_policy=agent, progress=False)
    with pytest.raises(ValueError, match="in this process only .*LLM client"):
        fresh_trajectories(GENERIC, n_tasks=1, policy="llm", llm_policy=agent, backend=Backend(), progress=False)
    with pytest.raises(ValueError, match="'llm' policy needs llm_policy"):
        FreshEpisodes(GENERIC, {}, [(0.0, 0.0, 0.0)], policy="llm", split="test", seed=0)


def test_fresh_game24_trajectories_hold_real_arithmetic_mistakes():
    kwargs = {"check_arithmetic": False}
    trajs = fresh_trajectories("ARM-Game24-v0", n_tasks=4, episodes_per_task=4, progress=False, seed=7, env_kwargs=kwargs,
                               lookahead={"candidates": 64, "rollouts": 16})
    test_tasks = set(gym.make("ARM-Game24-v0").unwrapped.task_ids("test"))
    assert len(trajs) == 16 and {t.task_id for t in trajs} <= test_tasks
    assert max(t.meta["epsilon"] for t in trajs) < 1.0
    errorful = [t for t in trajs if t.meta["error_rate"] > 0]
    assert len(errorful) == 8

    def mistakes(t):
        return sum(apply(a, op, b) != c for a, op, b, c in (parse_step(x) for x in t.actions))

    assert sum(mistakes(t) for t in errorful) >= 3 and all(mistakes(t) == 0 for t in trajs if t not in errorful)
    assert all(not t.won for t in errorful if mistakes(t))
    assert any(t.won for t in trajs) and not all(t.won for t in trajs)
    again = fresh_trajectories("ARM-Game24-v0", n_tasks=4, episodes_per_task=4, progress=False, seed=7, env_kwargs=kwargs,
                               lookahead={"candidates": 64, "rollouts": 16})
    assert [t.actions for t in again] == [t.actions for t in trajs]  # seeded: reproducible
