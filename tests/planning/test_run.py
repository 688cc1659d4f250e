"""``run_plans``: answers are written with their planning facts, LLM tokens included, and a rerun skips them."""

from __future__ import annotations

from arm_gym.llm import OpenAICompatibleLLM
from arm_gym.planning import EnvReturnScorer
from arm_gym.planning.run import PlanConfig, run_plans
from arm_gym.policies import LLMPolicy, RandomPolicy
from arm_gym.trajectory import load_trajectories


def test_answers_carry_the_llm_tokens_they_cost_through_llama_server(llama_server, tmp_path) -> None:
    llm = OpenAICompatibleLLM(base_url=llama_server.base_url, model=llama_server.model, timeout=120)
    policy = LLMPolicy(llm, mode="complete", env_id="ARM-Game24-v0", max_actions=12)
    out = tmp_path / "plans.jsonl"
    stats = run_plans("ARM-Game24-v0", out, policy=policy, scorer=EnvReturnScorer(), scorer_name="env",
                      config=PlanConfig(planner="sampling"), tasks=2)
    answers = load_trajectories(out)
    assert stats.planned == 2 and len(answers) == 2
    tokens = [t.meta["llm_tokens"] for t in answers]
    assert all(n > 0 for n in tokens)
    assert sum(tokens) == llm.usage["prompt_tokens"] + llm.usage["completion_tokens"]  # each task its own share

    again = run_plans("ARM-Game24-v0", out, policy=policy, scorer=EnvReturnScorer(), scorer_name="env",
                      config=PlanConfig(planner="sampling"), tasks=2)
    assert (again.planned, again.skipped_existing) == (0, 2)
    assert len(load_trajectories(out)) == 2


def test_a_policy_without_an_llm_records_no_tokens(tmp_path) -> None:
    out = tmp_path / "plans.jsonl"
    run_plans("ARM-Game24-v0", out, policy=RandomPolicy(), scorer=EnvReturnScorer(), scorer_name="env",
              config=PlanConfig(planner="best-of-n", n=3), tasks=1)
    (answer,) = load_trajectories(out)
    assert "llm_tokens" not in answer.meta and answer.meta["candidates"] == 3 and answer.meta["seconds"] > 0
