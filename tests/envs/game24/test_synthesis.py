"""The Game of 24's synthesis adapter: the solver as expert, its arithmetic-mistake negatives, its intent guard and
outcome claim."""

from __future__ import annotations

import numpy as np

from arm_gym.data.negatives import check_triplet, env_negatives
from arm_gym.envs import make_env
from arm_gym.envs.game24.env import parse_step
from arm_gym.envs.game24.puzzles import apply, count_solutions, parse_numbers
from arm_gym.envs.game24.synthesis import (
    Game24Synthesis,
    state_after,
    dead_end,
    false_24,
    false_claim,
    wrong_step_negative,
)
from arm_gym.envs.synthesis import Intent, replay_actions
from arm_gym.trajectory import Step, Trajectory

PUZZLE = "4 6 8 8"
ADAPTER = Game24Synthesis()


def intent(task_id: str = PUZZLE) -> Intent:
    return ADAPTER.original_intent(Trajectory("ARM-Game24-v0", task_id, "reach 24", seed=3))


def test_the_solver_is_the_expert():
    env = make_env("ARM-Game24-v0")
    try:
        actions = ADAPTER.expert_actions(env, intent())
        assert replay_actions(env, intent(), actions).won
        assert ADAPTER.expert_actions(env, intent("1 1 1 1")) is None  # no solution exists
    finally:
        env.close()


def test_false_24_reads_like_a_solution_and_fails_only_without_arithmetic_checks():
    checked, unchecked = make_env("ARM-Game24-v0"), make_env("ARM-Game24-v0", check_arithmetic=False)
    try:
        good = ADAPTER.expert_actions(unchecked, intent())
        (cand,) = false_24(good)
        assert cand.kind == "false_24" and cand.actions[:-1] == good[:-1] and cand.actions[-1].endswith("= 24")
        negative = replay_actions(unchecked, intent(), cand.actions)
        assert negative.steps[-1].observation.endswith("(left: 24). The game is over.")  # looks solved
        assert negative.env_return == 0.0 and not negative.won
        assert check_triplet(unchecked, intent(), good, cand.actions).passed
        kinds = {c.kind for c in env_negatives(unchecked, intent(), good, [], np.random.default_rng(0))}
        assert "false_24" in kinds
        # with the arithmetic checked (the default) the false step is an invalid action, and not proposed
        assert "false_24" not in {c.kind for c in env_negatives(checked, intent(), good, [], np.random.default_rng(0))}
        assert false_24(["answer: (8 - 6) * 8 + 8"]) == []
    finally:
        checked.close()
        unchecked.close()


def wrong_steps(actions: list[str]) -> list[int]:
    """Indices of the steps whose stated result is not their true result."""
    return [i for i, a in enumerate(actions) if apply(*parse_step(a)[:3]) != parse_step(a)[3]]


def test_a_wrong_step_is_one_false_intermediate_result_then_a_correct_finish():
    env = make_env("ARM-Game24-v0", check_arithmetic=False)
    try:
        good = ADAPTER.expert_actions(env, intent())
        seen = set()
        for seed in range(20):
            (cand,) = wrong_step_negative((4, 6, 8, 8), good, np.random.default_rng(seed))
            assert cand.kind == "wrong_step" and len(cand.actions) == len(good)
            (k,) = wrong_steps(cand.actions)  # exactly one mistake, never the last step
            assert k < len(cand.actions) - 1 and cand.actions[:k] == good[:k]
            negative = replay_actions(env, intent(), cand.actions)
            assert negative.steps[-1].observation.endswith("(left: 24). The game is over.")  # reads as solved
            assert negative.env_return == 0.0 and check_triplet(env, intent(), good, cand.actions).passed
            seen.add(tuple(cand.actions))
        assert len(seen) > 3  # the seed picks among many wrong results
        assert wrong_step_negative((4, 6, 8, 8), good[-1:], np.random.default_rng(0)) == []  # no intermediate step
    finally:
        env.close()


def test_a_false_claim_ends_on_two_numbers_that_do_not_make_24_claimed_as_24():
    env = make_env("ARM-Game24-v0", check_arithmetic=False)
    try:
        good = ADAPTER.expert_actions(env, intent())
        for seed in range(20):
            (cand,) = false_claim((4, 6, 8, 8), good, np.random.default_rng(seed))
            assert cand.kind == "false_claim" and cand.actions[-1].endswith("= 24")
            assert wrong_steps(cand.actions) == [len(cand.actions) - 1]  # only the claim is wrong
            negative = replay_actions(env, intent(), cand.actions)
            assert negative.steps[-1].observation.endswith("(left: 24). The game is over.") and not negative.won
        kinds = {c.kind for c in env_negatives(env, intent(), good, [], np.random.default_rng(0), max_negatives=7)}
        assert {"false_24", "wrong_step", "false_claim", "dead_end", "stop_short", "miss_24"} <= kinds
    finally:
        env.close()


def test_a_dead_end_goes_wrong_before_the_last_step_with_correct_arithmetic():
    for checks in (True, False):
        env = make_env("ARM-Game24-v0", check_arithmetic=checks)
        try:
            good = ADAPTER.expert_actions(env, intent())
            for seed in range(10):
                (cand,) = dead_end(parse_numbers(PUZZLE), good, np.random.default_rng(seed))
                d = next(i for i, (a, b) in enumerate(zip(good, cand.actions)) if a != b)
                assert d < len(good) - 1 and wrong_steps(cand.actions) == []
                assert count_solutions(state_after(parse_numbers(PUZZLE), cand.actions[: d + 1])) == 0
                assert count_solutions(state_after(parse_numbers(PUZZLE), good[: d + 1])) > 0
                assert check_triplet(env, intent(), good, cand.actions).passed
            kinds = {c.kind for c in env_negatives(env, intent(), good, [], np.random.default_rng(0), max_negatives=7)}
            assert "dead_end" in kinds and ("false_claim" in kinds) is not checks
        finally:
            env.close()


def test_an_llm_intent_must_name_every_number():
    grounded = intent()
    assert ADAPTER.intent_names_task("Use 4, 6, 8 and 8 to make 24", grounded)
    assert not ADAPTER.intent_names_task("Use the numbers 2 3 4 8 to obtain 24.", grounded)  # a copied example
    assert not ADAPTER.intent_names_task("Use 4 6 8 to make 24", grounded)  # 8 is needed twice


def test_the_outcome_claim_is_the_last_step_claiming_24():
    def traj(*actions):
        return Trajectory("ARM-Game24-v0", PUZZLE, "", steps=[Step(a, "", 0.0) for a in actions])

    assert ADAPTER.outcome_claim(traj("8 / 8 = 1", "4 * 6 = 24", "1 * 24 = 24")) == 1.0
    assert ADAPTER.outcome_claim(traj("8 / 8 = 1", "4 * 6 = 25")) == 0.0
    assert ADAPTER.outcome_claim(traj("answer: (8 - 6) * 8 + 8")) == 1.0 and ADAPTER.outcome_claim(traj()) == 0.0
