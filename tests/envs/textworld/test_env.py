"""ARM-TextWorld-v0 on real games generated and compiled by TextWorld (a few small ones, shared by the module)."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arm_gym
from arm_gym.core import CHARSET, ReplayState, TextEnv
from arm_gym.envs.textworld import games as textworld_games
from arm_gym.envs.textworld.env import clean_command, clean_feedback, hide_outcome
from arm_gym.envs.textworld.games import GameSpec
from tests.envs.textworld_games_used import TEXTWORLD_GAMES, play

GAMES = TEXTWORLD_GAMES


@pytest.fixture(scope="module")
def cache(textworld_cache):
    return textworld_cache


@pytest.fixture(scope="module")
def env(cache):
    env = gym.make(
        "ARM-TextWorld-v0", cache_dir=cache, challenges=["tw-coin_collector"], levels={"coin_collector": [2]}
    )
    yield env
    env.close()


def test_import_arm_gym_does_not_import_textworld():
    code = (
        "import sys, gymnasium, arm_gym, arm_gym.envs.textworld, arm_gym.envs.textworld.games, "
        "arm_gym.envs.textworld.state; assert 'ARM-TextWorld-v0' in gymnasium.registry; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textworld', 'jericho', 'spacy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_registered_once():
    assert "ARM-TextWorld-v0" in arm_gym.env_ids()


def test_check_env_through_gym_make(cache):
    # a one-game catalogue: the coin collector game the fixture compiled
    env = gym.make(
        "ARM-TextWorld-v0",
        cache_dir=cache,
        challenges=["coin_collector"],
        levels={"coin_collector": [2]},
        n_train_seeds=1,
    )
    assert env.unwrapped.task_ids("train") == (GAMES["tw-coin_collector"],)
    check_env(env.unwrapped, skip_render_check=True)
    obs, info = env.reset(seed=0)
    assert info["task_id"] == GAMES["tw-coin_collector"]
    assert env.observation_space.contains(obs)
    env.close()


@pytest.mark.parametrize("challenge", sorted(GAMES))
def test_walkthrough_wins_with_total_reward_one(env, challenge):
    task_id = GAMES[challenge]
    obs, info = env.reset(options={"task_id": task_id})
    assert info["task_id"] == task_id
    assert info["instruction"] and info["instruction"] in obs  # the objective opens the game
    assert "$$$$" not in obs and ">" not in obs.splitlines()[-1]  # banner and prompt are cleaned away
    walkthrough = env.unwrapped.walkthrough
    assert walkthrough
    for i, action in enumerate(walkthrough):
        assert action in info["admissible_actions"], (action, info["admissible_actions"])
        obs, reward, terminated, truncated, info = env.step(action)
        assert 0.0 <= reward <= 1.0
        assert terminated == (i == len(walkthrough) - 1)
        assert info["won"] == terminated
    assert info["won"] and terminated and not truncated
    assert sum_rewards_of(env, task_id) == pytest.approx(1.0)
    assert info["admissible_actions"] == []
    obs, reward, terminated, _, _ = env.step(walkthrough[-1])  # stepping a finished game is explained, not raised
    assert "reset()" in obs and reward == 0.0 and terminated


def sum_rewards_of(env, task_id):
    env.reset(options={"task_id": task_id})
    total, _ = play(env, env.unwrapped.walkthrough)
    return total


def test_cooking_score_gain_is_normalised(env):
    env.reset(options={"task_id": GAMES["tw-cooking"]})
    unwrapped = env.unwrapped
    rewards = [r for _, r, *_ in play(env, unwrapped.walkthrough)[1]]
    assert unwrapped.max_score > 1
    assert sorted(set(rewards)) == [0.0, pytest.approx(1 / unwrapped.max_score)]
    assert sum(rewards) == pytest.approx(1.0)


def test_losing_a_cooking_game_terminates_without_a_win(env):
    env.reset(options={"task_id": GAMES["tw-cooking"]})
    total, steps = play(env, ["take red potato from counter", "eat red potato"])  # the recipe needs it
    obs, reward, terminated, truncated, info = steps[-1]
    assert obs == "You eat the red potato. Not bad.\n\nThe game is over."  # no verdict, no score
    assert terminated and not truncated and not info["won"]
    assert reward == 0.0 and 0.0 < total < 1.0  # partial credit for taking the ingredient stays
    assert info["admissible_actions"] == []


def test_reveal_outcome_keeps_the_games_score_lines_and_verdict(cache):
    env = gym.make("ARM-TextWorld-v0", cache_dir=cache, reveal_outcome=True)
    env.reset(options={"task_id": GAMES["tw-cooking"]})
    assert env.step("score")[0].startswith("You have so far scored 0 out of a possible")
    _, steps = play(env, ["take red potato from counter", "eat red potato"])
    assert "Your score has just gone up by one point." in steps[0][0]
    assert "*** You lost! ***" in steps[-1][0] and "You scored 1 out of a possible" in steps[-1][0]
    env.reset(options={"task_id": GAMES["tw-coin_collector"]})
    _, steps = play(env, env.unwrapped.walkthrough)
    assert "*** The End ***" in steps[-1][0] and steps[-1][4]["won"]
    env.close()


def test_score_commands_are_refused_when_the_outcome_is_hidden(env):
    env.reset(options={"task_id": GAMES["tw-cooking"]})
    for command in ["score", "notify", "look. score", "Notify on"]:
        obs, reward, terminated, *_ = env.step(command)
        assert obs == "That command is not available here." and reward == 0.0 and not terminated
    _, steps = play(env, ["take red potato from counter"])
    assert steps[0][0] == "You take the red potato from the counter."


def test_options_pick_challenge_difficulty_seed_and_task_id_round_trips(env):
    obs, info = env.reset(options={"challenge": "treasure_hunter", "difficulty": 2, "seed": 0})
    assert info["task_id"] == GAMES["tw-treasure_hunter"]
    obs2, info2 = env.reset(options={"task_id": info["task_id"]})
    assert (obs2, info2["instruction"], info2["admissible_actions"]) == (
        obs,
        info["instruction"],
        info["admissible_actions"],
    )
    _, info3 = env.reset(options={"challenge": "tw-cooking", "difficulty": 2, "seed": 0})
    assert info3["task_id"] == GAMES["tw-cooking"]
    _, info4 = env.reset(options={"challenge": "custom", "difficulty": {"level": 1}, "seed": 0})
    assert info4["task_id"] == GAMES["custom"]
    preset_game = env.unwrapped.game_file
    settings = {"world_size": 2, "nb_objects": 4, "quest_length": 2}  # custom level 1 spelled out
    _, info5 = env.reset(options={"challenge": "custom", "difficulty": settings, "seed": 0})
    assert info5["task_id"] == "custom/world_size=2/nb_objects=4/quest_length=2/seed=0"
    assert env.unwrapped.game_file == preset_game  # the same game, compiled once


def test_missing_picks_come_from_the_split_catalogue(env):
    _, info = env.reset(seed=5, options={"challenge": "coin_collector", "difficulty": 2})
    assert info["task_id"] in env.unwrapped.task_ids("train")
    _, again = env.reset(seed=5, options={"challenge": "coin_collector", "difficulty": 2})
    assert again["task_id"] == info["task_id"]


def test_bad_options_give_clear_errors(env):
    with pytest.raises(ValueError, match="not both"):
        env.reset(options={"task_id": GAMES["custom"], "seed": 0})
    with pytest.raises(ValueError, match="unknown TextWorld challenge"):
        env.reset(options={"challenge": "zork", "difficulty": 1, "seed": 1})
    with pytest.raises(ValueError, match="invalid TextWorld task_id"):
        env.reset(options={"task_id": "tw-coin_collector/level=999/seed=1"})
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"task_id": GAMES["custom"], "colour": "red"})


def test_train_and_test_splits_are_fixed_and_disjoint(cache):
    env = gym.make("ARM-TextWorld-v0", cache_dir=cache).unwrapped
    train, test = env.task_ids("train"), env.task_ids("test")
    assert train and test and not set(train) & set(test)
    assert {GameSpec.parse(t).split for t in train} == {"train"}
    assert {GameSpec.parse(t).split for t in test} == {"test"}
    assert {GameSpec.parse(t).challenge for t in train} == set(textworld_games.CHALLENGES)
    assert train == gym.make("ARM-TextWorld-v0", cache_dir=cache).unwrapped.task_ids("train")
    cooking_test = GameSpec.parse("tw-cooking/level=1/seed=10000")
    assert cooking_test.settings()["split"] == "test"  # held-out foods for the test split


_MALFORMED = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=127), max_size=80),  # control characters, backslashes
    st.sampled_from(
        [
            "look. save",
            "g",
            "again",
            "wait then restart",
            "\x13",
            "\\help",
            "\\q",
            "",
            " ",
            "\n\n",
            "quit",
            "restart",
            "save",
            "restore",
            "undo",
            "script",
            "tw-trace-actions",
            "tw-extra-infos score",
            "print_state",
            "restrict commands",
            "x" * 5000,
            "\x00\x1b[2J",
            "ωβγ 🎲",
        ]
    ),
    st.lists(st.sampled_from(["go", "north", "take", "coin", "the", "from", "\n", "quit"]), max_size=8).map(" ".join),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(action=_MALFORMED)
def test_malformed_actions_never_raise(env, action):
    env.reset(options={"task_id": GAMES["tw-coin_collector"]})
    obs, reward, terminated, _truncated, info = env.step(action)
    assert isinstance(obs, str) and obs and set(obs) <= set(CHARSET)
    assert reward == 0.0 and not terminated and not info["won"]
    # the game is intact: the walkthrough still wins
    total, steps = play(env, env.unwrapped.walkthrough)
    assert steps[-1][4]["won"] and total == pytest.approx(1.0)


def test_meta_commands_are_refused_and_write_no_files(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env.reset(options={"task_id": GAMES["tw-coin_collector"]})
    for command in ["save", "script", "quit", "restart"]:
        obs, *_ = env.step(command)
        assert "not available" in obs
    assert list(tmp_path.iterdir()) == []


def test_replay_state_still_works(env):
    env.reset(options={"task_id": GAMES["custom"]})
    env.step(env.unwrapped.walkthrough[0])
    replay_state = TextEnv.get_state(env.unwrapped)
    assert isinstance(replay_state, ReplayState)
    env.reset(options={"task_id": GAMES["tw-coin_collector"]})
    env.unwrapped.set_state(replay_state)
    assert env.unwrapped.task_id == GAMES["custom"]
    total, steps = play(env, env.unwrapped.walkthrough[1:])
    assert steps[-1][4]["won"] and total == pytest.approx(1.0)


def test_clean_feedback_strips_prompt_status_and_menu():
    raw = (
        "You pick up the coin.\n\n *** The End ***\n\nYou scored 1 out of a possible 1, in 6 turns.\n\n\n"
        "Would you like to RESTART, RESTORE a saved game, QUIT or UNDO the last command?\n>    "
        "                -= Laundromat =-0/5"
    )
    assert clean_feedback(raw).endswith("You scored 1 out of a possible 1, in 6 turns.")
    assert hide_outcome(clean_feedback(raw)) == "You pick up the coin.\n\nThe game is over."
    assert clean_feedback(" ___ \n|$$|\n\nWelcome!\n\n>  -= Shower =-0/1", first=True) == "Welcome!"


@pytest.mark.parametrize(
    ("action", "expected"),
    [("\x13go\x00 north\n", "go north"), ("take\tcoin", "take coin"), ("\\help", "help"), ("ωβ", "??"), ("\u200b", "")],
)
def test_clean_command_keeps_one_line_of_printable_ascii(action, expected):
    assert clean_command(action) == expected
