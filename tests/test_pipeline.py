"""The whole pipeline on the CI budget: every stage runs, artifacts land under one folder, a rerun reuses them."""

from __future__ import annotations

import json

import pytest

from arm_gym.cli import main
from arm_gym.pipeline import Pipeline, PipelineSettings, summarise_answers
from arm_gym.policies import ErrorfulPolicy, RandomPolicy
from arm_gym.trajectory import Trajectory


def test_quickstart_runs_every_stage_and_reuses_them(tmp_path, capsys):
    out = tmp_path / "qs"
    assert main(["quickstart", "--budget", "ci", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "reward_model" in printed and "outcome_claim" in printed and "model margin" in printed
    for planner in ("sampling", "best-of-n", "mcts", "claim-best-of-n", "oracle-best-of-n"):
        assert planner in printed and (out / f"plan-random-err0.3-{planner}.jsonl").exists()
    assert "planning with the policy random+err0.3" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["env_kwargs"] == {"check_arithmetic": False}  # ARMAP's Game of 24 setting
    assert summary["evaluation"]["scorers"]["reward_model"]["spearman"]["value"] is not None
    assert set(summary["planning"]) == {"sampling", "best-of-n", "mcts", "claim-best-of-n", "oracle-best-of-n"}
    assert main(["quickstart", "--budget", "ci", "--out", str(out), "--no-progress"]) == 0  # reuses every stage
    assert "'train'" not in capsys.readouterr().out.split("seconds by stage:")[1]


def test_settings_come_from_the_budget_and_the_env_registration():
    game24 = PipelineSettings.for_env("ARM-Game24-v0", "small")
    assert game24.env_kwargs == {"check_arithmetic": False} and game24.lookahead["candidates"] == 64
    assert (game24.episodes, game24.max_pairs, game24.max_tokens) == (1500, 4000, 160)  # the env's own figures
    assert PipelineSettings.for_env("ARM-Game24-v0", "ci").episodes == 40  # only for the budgets it names
    assert PipelineSettings.for_env("ARM-WebShop-v0", "small").episodes == 300
    world = PipelineSettings.for_env("ARM-ScienceWorld-v0", "small")
    assert world.episodes == 75 and world.env_kwargs == {}  # a quarter of the budget for a slow simulator
    assert PipelineSettings.for_env("tests.testing_env:GenericTextEnv", "ci").env_kwargs == {}
    with pytest.raises(ValueError, match="unknown budget"):
        PipelineSettings.for_env("ARM-Game24-v0", "huge")


def test_the_planners_policy_errs_where_the_env_can_make_mistakes(tmp_path):
    def policy(env_id, **overrides):
        return Pipeline(PipelineSettings.for_env(env_id, "ci", **overrides), tmp_path, progress=False).plan_policy()

    errs = policy("ARM-Game24-v0")
    assert isinstance(errs, ErrorfulPolicy) and errs.error_rate == 0.3 and errs.name == "random+err0.3"
    assert isinstance(policy("ARM-Game24-v0", plan_error_rate=0.0), RandomPolicy)
    assert isinstance(policy("tests.testing_env:GenericTextEnv"), RandomPolicy)  # its adapter corrupts nothing


def test_answers_are_summarised_with_intervals():
    answers = [Trajectory("E", str(i), "", env_return=float(i % 2), won=bool(i % 2), meta={"env_steps": 4})
               for i in range(10)]
    row = summarise_answers(answers)
    assert row["success"] == 0.5 and row["success_ci"][0] < 0.5 < row["success_ci"][1]
    assert row["env_steps_per_task"] == 4.0 and row["tasks"] == 10
