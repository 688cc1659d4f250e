"""Policies: RandomPolicy's seeded choice, LLMPolicy's prompts (mock client) and parsing, and a real Game of 24 run."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import arm_gym  # noqa: F401  (registers the ids)
from arm_gym.trajectory import Step
from arm_gym.llm import OpenAICompatibleLLM
from arm_gym.policies import LLMPolicy, RandomPolicy, match_action
from arm_gym.trajectory import split_infos
from arm_gym.envs.game24.synthesis import POLICY_EXAMPLE as GAME24_EXAMPLE
from arm_gym.envs.synthesis import GENERIC_POLICY_EXAMPLE as GENERIC_EXAMPLE
from tests.testing_env import GenericTextEnv

INFO = {"instruction": "say good 3 times", "admissible_actions": ["good", "bad"]}


# ----------------------------------------------------------------------------- RandomPolicy
def test_random_policy_is_uniform_seeded_and_leaves_global_rng_alone() -> None:
    state = np.random.get_state()[1].copy()
    info = {"admissible_actions": ["a", "b", "c", "d"]}
    picks = [RandomPolicy(seed=7).act("", info) for _ in range(3)]
    assert len(set(picks)) == 1  # same seed, same first choice
    policy = RandomPolicy(seed=0)
    draws = [policy.act("", info) for _ in range(4000)]
    counts = np.array([draws.count(a) for a in "abcd"])
    assert counts.min() > 850 and counts.max() < 1150
    policy.reset(seed=0)
    assert [policy.act("", info) for _ in range(20)] == draws[:20]
    assert (np.random.get_state()[1] == state).all()


def test_random_policy_falls_back_when_nothing_is_admissible() -> None:
    assert RandomPolicy(seed=0, fallback_action="wait").act("", {"admissible_actions": []}) == "wait"
    assert RandomPolicy(seed=0).act("", {}) == "look"


def test_random_policy_on_a_vector_env_batched_info() -> None:
    envs = gym.vector.SyncVectorEnv([lambda: GenericTextEnv(max_steps=5) for _ in range(3)])
    observations, infos = envs.reset(seed=0)
    actions = RandomPolicy(seed=1).act_batch(list(observations), infos)
    assert len(actions) == 3 and set(actions) <= {"good", "bad"}
    envs.step(actions)
    envs.close()


def test_split_infos_respects_masks() -> None:
    batched = {"x": np.array([1, 2]), "_x": np.array([True, False]), "admissible_actions": [["a"], ["b"]]}
    assert split_infos(batched, 2) == [{"x": 1, "admissible_actions": ["a"]}, {"admissible_actions": ["b"]}]
    with pytest.raises(ValueError, match="2 infos for 3"):
        split_infos([{}, {}], 3)


# ----------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    "reply, expected",
    [
        ("Thought: I should say good.\nAction: good", "good"),
        ("Action: `Good`", "good"),  # quotes and case
        ("Thought: x\nAction: bad\nAction: good", "good"),  # the last Action line wins
        ("good.", "good"),
        ("  goood  ", "good"),  # fuzzy
        ("2 + 3 = 5 (left: 5 5)", "2 + 3 = 5 (left: 5 5)"),  # no close match: passed through as written
        ("", ""),
        ("I do not know what to do", "I do not know what to do"),
    ],
)
def test_parse_reply(reply: str, expected: str, mock_openai_client) -> None:
    policy = LLMPolicy(OpenAICompatibleLLM(client=mock_openai_client, model="m"))
    assert policy.parse(reply, ["good", "bad", "2 + 3 = 6"]) == expected


def test_match_action_prefers_exact_then_spacing_then_prefix() -> None:
    admissible = ["2 + 3 = 5", "2 * 3 = 6", "search[shoes]", "click[buy now]"]
    assert match_action("2+3=5", admissible) == "2 + 3 = 5"
    assert match_action("click[buy now] to finish", admissible) == "click[buy now]"
    assert match_action("search[red running shoes]", admissible) == "search[red running shoes]"
    assert match_action("anything", []) == "anything"


# ----------------------------------------------------------------------------- prompts (mock client)
def test_completion_prompt_is_few_shot_and_ends_with_action(mock_openai_client) -> None:
    mock_openai_client.reply = lambda req: " good\nObservation: good 1"
    llm = OpenAICompatibleLLM(client=mock_openai_client, model="m")
    policy = LLMPolicy(llm, mode="complete")
    history = [Step("good", "good 1", 0.0)]
    assert policy.act("good 1", INFO, history) == "good"
    (req,) = mock_openai_client.requests
    prompt = req["prompt"]
    assert req["kind"] == "completion" and req["stop"] == ["\n"] and req["temperature"] == 0.0
    assert prompt.startswith("Each turn") and GENERIC_EXAMPLE.strip() in prompt
    assert prompt.endswith(
        "Task: say good 3 times\nAction: good\nObservation: good 1\nValid actions: good | bad\nAction:"
    )
    assert policy.last_replies == [" good"]


def test_chat_prompt_is_react(mock_openai_client) -> None:
    mock_openai_client.reply = lambda req: "Thought: one more good.\nAction: good"
    policy = LLMPolicy(OpenAICompatibleLLM(client=mock_openai_client, model="m"), mode="chat", examples=())
    assert policy.act("start of t0", INFO) == "good"
    messages = mock_openai_client.requests[0]["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "Thought:" in messages[0]["content"] and "Action:" in messages[0]["content"]
    assert "Task: say good 3 times" in messages[1]["content"]
    assert (
        "Observation: start of t0" in messages[1]["content"] and "Valid actions: good | bad" in messages[1]["content"]
    )


def test_prompt_keeps_recent_history_and_caps_the_action_list(mock_openai_client) -> None:
    policy = LLMPolicy(
        OpenAICompatibleLLM(client=mock_openai_client, model="m"),
        mode="complete",
        examples=(),
        max_history=2,
        max_actions=3,
    )
    history = [Step(f"a{i}", f"o{i}", 0.0) for i in range(5)]
    prompt = policy.build_prompt(
        "o4", {"instruction": "t", "admissible_actions": [f"x{i}" for i in range(10)]}, history
    )
    assert "(... 3 earlier steps ...)" in prompt and "Action: a3" in prompt and "Action: a2" not in prompt
    assert "Valid actions: x0 | x1 | x2 | ... (7 more)" in prompt
    assert prompt.count("Observation: o4") == 1


def test_act_batch_sends_one_concurrent_batch_in_order(mock_openai_client) -> None:
    mock_openai_client.reply = lambda req: " " + req["prompt"].rsplit("Task: ", 1)[1].split("\n", 1)[0]
    llm = OpenAICompatibleLLM(client=mock_openai_client, model="m", max_concurrency=4)
    policy = LLMPolicy(llm, mode="complete")
    infos = [{"instruction": f"act{i}", "admissible_actions": [f"act{j}" for j in range(6)]} for i in range(6)]
    assert policy.act_batch(["o"] * 6, infos, [[] for _ in range(6)]) == [f"act{i}" for i in range(6)]
    assert len(mock_openai_client.requests) == 6


def test_unparsable_reply_goes_to_the_env_as_an_invalid_action(mock_openai_client) -> None:
    mock_openai_client.reply = lambda req: "¯\\_(ツ)_/¯ no idea"
    env = GenericTextEnv(max_steps=5)
    observation, info = env.reset(seed=0)
    policy = LLMPolicy(OpenAICompatibleLLM(client=mock_openai_client, model="m"), mode="chat")
    action = policy.act(observation, info)
    observation, reward, terminated, _, info = env.step(action)
    assert observation.startswith("invalid action") and reward == 0.0 and not terminated


def test_mode_is_checked() -> None:
    with pytest.raises(ValueError, match="mode"):
        LLMPolicy(None, mode="stream")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- few-shot examples are real episodes
def test_game24_example_is_a_real_winning_episode() -> None:
    env = gym.make("ARM-Game24-v0")
    lines = GAME24_EXAMPLE.strip().splitlines()
    observation, info = env.reset(options={"task_id": "4 8 8 10"})
    assert lines[0] == f"Task: {info['instruction']}" and lines[1] == f"Observation: {observation}"
    actions = [line.removeprefix("Action: ") for line in lines if line.startswith("Action: ")]
    shown = [line.removeprefix("Valid actions: ").split(" | ") for line in lines if line.startswith("Valid actions: ")]
    observations = [line.removeprefix("Observation: ") for line in lines if line.startswith("Observation: ")][1:]
    for action, valid, expected in zip(actions, shown, observations):
        assert set(valid) <= set(info["admissible_actions"]) and action in valid
        observation, reward, terminated, _, info = env.step(action)
        assert observation == expected
    assert terminated and reward == 1.0 and info["won"]


# ----------------------------------------------------------------------------- real LLM, real env
def test_llm_policy_plays_game24_through_llama_server(llama_server) -> None:
    llm = OpenAICompatibleLLM(base_url=llama_server.base_url, model=llama_server.model, timeout=120)
    # A 270M base model copies well from a short list: show it 12 moves.
    policy = LLMPolicy(llm, mode="complete", env_id="ARM-Game24-v0", max_actions=12)
    env = gym.make("ARM-Game24-v0")
    observation, info = env.reset(options={"task_id": "1 2 3 4"})
    history: list[Step] = []
    valid = 0
    for _ in range(3):
        action = policy.act(observation, info, history)
        assert isinstance(action, str) and "\n" not in action
        valid += action in info["admissible_actions"]
        observation, reward, terminated, _, info = env.step(action)
        history.append(Step(action, observation, reward))
        if terminated:
            break
    assert valid >= 1  # the few-shot prompt yields real moves, not chatter
    assert llm.usage["requests"] == len(history)


def test_llm_policy_batch_on_a_vector_env_through_llama_server(llama_server) -> None:
    llm = OpenAICompatibleLLM(base_url=llama_server.base_url, model=llama_server.model, timeout=120, max_concurrency=2)
    policy = LLMPolicy(llm, mode="complete", env_id="ARM-Game24-v0", max_actions=12)
    envs = gym.vector.SyncVectorEnv([lambda: gym.make("ARM-Game24-v0") for _ in range(2)])
    observations, infos = envs.reset(seed=[3, 4])
    actions = policy.act_batch(list(observations), infos)
    assert len(actions) == 2 and all(isinstance(a, str) for a in actions)
    envs.step(actions)  # whatever the model said, the env answers
    envs.close()
