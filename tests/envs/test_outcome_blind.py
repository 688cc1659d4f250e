"""The outcome-blind contract (issue 10): by default no observation states success, failure or score.

Per env, expert, near-miss and random episodes are played with the default ``reveal_outcome=False``
and replayed with ``reveal_outcome=True``. The blind observations must hold no outcome phrase;
rewards, ``info["env_reward"]``, ``info["won"]`` and termination must be the same in both modes;
a blind observation may differ from the revealed one only where the revealed one states the
outcome; and a won and a lost replay of the same action prefix must see the same observations on
that prefix and end the same way (the difference lies in the world's own text). The revealed
replays must trip the phrase list somewhere, so the check is known to catch each env's verdict.
WebShop's case is added by its owner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import arm_gym  # noqa: F401 - registers the ids
from arm_gym.envs.game24.env import parse_step
from arm_gym.envs.game24.puzzles import TARGET, apply, fmt, moves, solve
from tests.envs.textworld_games_used import TEXTWORLD_GAMES

# Phrases that state an outcome. Word boundaries keep them off legitimate world text ("window",
# "drawing", "pointer", "scoreboard", "won't" do not match). "point" alone stays in the list although
# ScienceWorld's boil/melt task descriptions speak of a "boiling point": task descriptions and
# TextWorld's objectives ("... and you win!") are the instruction, the same text for won and lost
# episodes and given to a reward model as its prompt anyway, so outcome_phrases() removes the
# instruction from an observation before matching (it opens TextWorld's first observation and is
# what the `goal` / `task` commands print). "The game is over." is deliberately not listed: it
# ends won and lost episodes alike.
OUTCOME_PATTERNS: tuple[str, ...] = (
    r"\bwon\b(?!')",
    r"\bwin(?:s|ner|ning)?\b",
    r"\blos(?:e|es|t|ing)\b",
    r"\b(?:un)?solved?\b",
    r"\bfail(?:s|ed|ure)?\b",
    r"\bscor(?:e|es|ed|ing)\b",
    r"\bthe end\b",
    r"\bpoints?\b",
    r"\bsuccess(?:ful|fully)?\b",
    r"\bcongratulations\b",
    r"\b(?:task|puzzle|quest|goal) (?:is )?(?:complete|completed|done)\b",
    r"\*\*\*",
)
OUTCOME = re.compile("|".join(OUTCOME_PATTERNS), re.IGNORECASE)
GAME_OVER = "The game is over."


def outcome_phrases(observation: str, instruction: str) -> list[str]:
    """The outcome phrases in ``observation``, once the instruction's own text is taken out."""
    if instruction:
        observation = observation.replace(instruction, "")
    return [m.group(0) for m in OUTCOME.finditer(observation)]


@dataclass
class Episode:
    """One played episode: the initial observation and one entry per step."""

    name: str
    instruction: str
    seed: int
    actions: list[str] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    env_rewards: list[float] = field(default_factory=list)
    won: list[bool] = field(default_factory=list)
    terminated: bool = False

    @property
    def outcome(self) -> tuple[Any, ...]:
        """Everything that must not change with ``reveal_outcome``."""
        return (self.actions, self.rewards, self.env_rewards, self.won, self.terminated)


Chooser = Callable[[dict[str, Any], np.random.Generator], str]


def play(
    env: gym.Env,
    name: str,
    options: dict[str, Any],
    actions: Sequence[str] | None = None,
    *,
    choose: Chooser | None = None,
    steps: int = 0,
    seed: int = 0,
) -> Episode:
    """Play ``actions`` (or ``steps`` actions from ``choose``) from ``reset(seed, options)`` until the episode ends."""
    obs, info = env.reset(seed=seed, options=options)
    episode = Episode(name, info["instruction"], seed, observations=[obs])
    rng = np.random.default_rng(seed)
    todo = list(actions) if actions is not None else [None] * steps
    for action in todo:
        action = action if action is not None else choose(info, rng)
        obs, reward, terminated, truncated, info = env.step(action)
        episode.actions.append(action)
        episode.observations.append(obs)
        episode.rewards.append(reward)
        episode.env_rewards.append(info["env_reward"])
        episode.won.append(info["won"])
        if terminated or truncated:
            episode.terminated = terminated
            break
    return episode


def random_admissible(info: dict[str, Any], rng: np.random.Generator) -> str:
    actions = list(info["admissible_actions"]) or ["look"]
    return actions[int(rng.integers(len(actions)))]


def assert_outcome_blind(
    blind: list[Episode],
    revealed: list[Episode],
    pairs: Sequence[tuple[str, str]],
    ending: str,
    same: Callable[[str], str] = lambda text: text,
) -> None:
    """The contract over one env's episodes (see the module docstring); ``pairs`` name (won, lost) replays.

    ``same`` maps an observation to what must repeat when the same actions are replayed (the
    identity, unless the simulator itself varies between runs).
    """
    by_name = {e.name: e for e in blind}
    assert any(e.won and e.won[-1] for e in blind) and any(not (e.won and e.won[-1]) for e in blind)
    for b in blind:
        for i, obs in enumerate(b.observations):
            assert not outcome_phrases(obs, b.instruction), (b.name, i, obs)
    tripped = False
    for b, r in zip(blind, revealed, strict=True):
        assert b.outcome == r.outcome, b.name  # reward, env_reward, won and termination are unchanged
        for i, (ob, orv) in enumerate(zip(b.observations, r.observations, strict=True)):
            if outcome_phrases(orv, r.instruction):
                tripped = True
            else:  # nothing to hide: the same text in both modes
                assert same(ob) == same(orv), (b.name, i)
    assert tripped, "reveal_outcome=True states no outcome the phrase list catches"
    for won_name, lost_name in pairs:
        won, lost = by_name[won_name], by_name[lost_name]
        assert won.won[-1] and not (lost.won and lost.won[-1]), (won_name, lost_name)
        k = 0
        while k < min(len(won.actions), len(lost.actions)) and won.actions[k] == lost.actions[k]:
            k += 1
        prefix = [same(o) for o in won.observations[: k + 1]]
        assert prefix == [same(o) for o in lost.observations[: k + 1]], (won_name, lost_name)
        if won.terminated and lost.terminated:  # the same ending; what differs before it is the world's text
            assert won.observations[-1].endswith(ending) and lost.observations[-1].endswith(ending)


def replay_revealed(env: gym.Env, blind: list[Episode], options: dict[str, dict[str, Any]]) -> list[Episode]:
    """Replay each blind episode's actions (same seed and options) on ``env``."""
    return [play(env, e.name, options[e.name], e.actions, seed=e.seed) for e in blind]


# ----------------------------------------------------------------------------- Game of 24
GAME24_TASKS = ("4 8 8 10", "3 3 8 8", "1 5 5 5", "2 3 4 6")


def errorful(info: dict[str, Any], rng: np.random.Generator) -> str:
    """An admissible step, a third of the time with a wrong stated result (often a false 24)."""
    action = random_admissible(info, rng)
    if rng.random() < 1 / 3 and action != "look":
        a, op, b, _ = parse_step(action)
        claim = TARGET if rng.random() < 0.5 else Fraction(int(rng.integers(1, 30)))
        return f"{fmt(a)} {op} {fmt(b)} = {fmt(claim)}"
    return action


def game24_episodes(env: gym.Env, task_id: str, check_arithmetic: bool) -> tuple[list[Episode], dict, list]:
    options = {"task_id": task_id}
    expert = solve([int(x) for x in task_id.split()])
    a, op, b, _ = parse_step(expert[-1])
    false_24 = next(f"{fmt(a)} {o} {fmt(b)} = 24" for o in "+-*/" if o != op and apply(a, o, b) != TARGET)
    env.reset(options=options)
    for action in expert[:-1]:
        env.step(action)
    other = next(m.text for m in moves(env.unwrapped.numbers) if m.result != TARGET)
    scripted = {
        "expert": expert,
        "stopped_short": expert[:-1],
        "other_last": [*expert[:-1], other],
        "false_24": [*expert[:-1], false_24],  # refused when checked, a wrong claim of 24 when not
    }
    episodes = [play(env, name, options, actions) for name, actions in scripted.items()]
    chooser = random_admissible if check_arithmetic else errorful
    episodes += [play(env, f"random{s}", options, choose=chooser, steps=6, seed=s) for s in range(4)]
    pairs = [("expert", "other_last")] + ([] if check_arithmetic else [("expert", "false_24")])
    return episodes, dict.fromkeys([e.name for e in episodes], options), pairs


@pytest.mark.parametrize("check_arithmetic", [True, False])
@pytest.mark.parametrize("task_id", GAME24_TASKS)
def test_game24_is_outcome_blind(check_arithmetic, task_id):
    env = gym.make("ARM-Game24-v0", check_arithmetic=check_arithmetic)
    shown = gym.make("ARM-Game24-v0", check_arithmetic=check_arithmetic, reveal_outcome=True)
    blind, options, pairs = game24_episodes(env, task_id, check_arithmetic)
    assert_outcome_blind(blind, replay_revealed(shown, blind, options), pairs, GAME_OVER)
    expert = next(e for e in blind if e.name == "expert")
    assert expert.observations[-1].endswith("(left: 24). The game is over.")


# ----------------------------------------------------------------------------- TextWorld
TEXTWORLD_LOSSES = {"tw-cooking": (3, "eat red potato")}
"""Per game, a lost variant of the walkthrough: its first k actions, then this one (the recipe needs it)."""


@pytest.fixture(scope="module")
def textworld_envs(textworld_cache):
    envs = [gym.make("ARM-TextWorld-v0", cache_dir=textworld_cache, reveal_outcome=r) for r in (False, True)]
    yield envs
    for env in envs:
        env.close()


@pytest.mark.parametrize("game", sorted(TEXTWORLD_GAMES))
def test_textworld_is_outcome_blind(textworld_envs, game):
    env, shown = textworld_envs
    options = {"task_id": TEXTWORLD_GAMES[game]}
    _, info = env.reset(seed=0, options=options)
    walkthrough = list(env.unwrapped.walkthrough)
    for action in walkthrough[:-1]:
        *_, info = env.step(action)
    other = next(a for a in info["admissible_actions"] if a != walkthrough[-1])
    scripted = {
        "expert": walkthrough,
        "expert_with_score_commands": [*walkthrough[:-1], "score", "notify", "goal", walkthrough[-1]],
        "stopped_short": walkthrough[:-1],
        "other_last": [*walkthrough[:-1], other],
    }
    pairs = [("expert", "other_last")]
    if game in TEXTWORLD_LOSSES:
        k, losing = TEXTWORLD_LOSSES[game]
        scripted["lost"] = [*walkthrough[:k], losing]
        pairs.append(("expert", "lost"))
    blind = [play(env, name, options, actions) for name, actions in scripted.items()]
    blind += [play(env, f"random{s}", options, choose=random_admissible, steps=15, seed=s) for s in range(2)]
    every = dict.fromkeys([e.name for e in blind], options)
    assert_outcome_blind(blind, replay_revealed(shown, blind, every), pairs, GAME_OVER)
    if game in TEXTWORLD_LOSSES:
        lost = next(e for e in blind if e.name == "lost")
        assert lost.terminated and not lost.won[-1] and lost.observations[-1].endswith(GAME_OVER)


# ----------------------------------------------------------------------------- ScienceWorld
SCIENCEWORLD_TASKS = ("chemistry-mix/0", "find-living-thing/0", "use-thermometer/0")


def without_numbers(text: str) -> str:
    """ScienceWorld's thermometer reads with noise (27, 28 or 29 degrees for the same actions), so
    replays of one action sequence are compared with their numbers masked."""
    return re.sub(r"\d+", "#", text)


@pytest.fixture(scope="module")
def scienceworld_env():
    env = gym.make("ARM-ScienceWorld-v0", max_steps=40)
    yield env
    env.close()


@pytest.mark.parametrize("task_id", SCIENCEWORLD_TASKS)
def test_scienceworld_is_outcome_blind(scienceworld_env, task_id):
    env, sw = scienceworld_env, scienceworld_env.unwrapped
    options = {"task_id": task_id}
    env.reset(seed=0, options=options)
    gold = sw.gold_actions()
    expert = play(env, "expert", options, gold)  # a gold path may run past completion: stop there
    assert expert.terminated and expert.won[-1]
    focus = max(i for i, a in enumerate(expert.actions) if a.startswith("focus on"))
    scripted = {
        "stopped_short": expert.actions[:-1],
        "other_last": [*expert.actions[:-1], "focus on agent"],
        "wrong_focus": [*expert.actions[:focus], "focus on agent"],  # ScienceWorld fails the task
        "wrong_focus_first": ["focus on agent"],
    }
    blind = [expert] + [play(env, name, options, actions) for name, actions in scripted.items()]
    blind += [play(env, f"random{s}", options, choose=random_admissible, steps=12, seed=s) for s in range(2)]
    every = dict.fromkeys([e.name for e in blind], options)
    sw.reveal_outcome = True
    try:
        revealed = replay_revealed(env, blind, every)
    finally:
        sw.reveal_outcome = False
    pairs = [("expert", "other_last"), ("expert", "wrong_focus")]
    assert_outcome_blind(blind, revealed, pairs, "", same=without_numbers)
    lost = next(e for e in blind if e.name == "wrong_focus")
    assert lost.terminated and lost.observations[-1] == "You focus on the agent."


# ----------------------------------------------------------------------------- the switch
@pytest.mark.parametrize("env_id", ["ARM-Game24-v0", "ARM-TextWorld-v0", "ARM-ScienceWorld-v0"])
def test_reveal_outcome_is_a_keyword_defaulting_to_false(env_id):
    assert gym.make(env_id).unwrapped.reveal_outcome is False
    env = gym.make(env_id, reveal_outcome=True)
    assert env.unwrapped.reveal_outcome is True
    env.close()
