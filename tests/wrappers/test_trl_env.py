"""The TRL adapter: TRLEnvironment / reward_model_reward (environment_factory) and TextRollout (rollout_func).

Both GRPO tests run TRL's real ``GRPOTrainer`` for two optimizer steps on CPU with a tiny Qwen2-style policy built
here: random weights, a byte-level BPE tokenizer trained on a few rendered conversations, and TRL's own copy of the
Qwen 2.5 chat template (which ``add_response_schema`` recognises, so tool calls are parsed). A short warm-up teaches
the policy to emit an ``act`` tool call; the rollout_func test uses the untrained policy.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from arm_gym.wrappers import (
    RewardModelWrapper,
    TextRollout,
    TRLEnvironment,
    env_return_reward,
    environment_factory,
    reward_model_reward,
    seed_dataset,
)
from arm_gym.wrappers.trl_env import EPISODE_OVER

from tests.reward.tiny_model import make_tiny_backbone
from tests.testing_env import GenericTextEnv

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """The models here are tiny: one thread is faster than several (and much faster on a busy machine)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def make_env() -> GenericTextEnv:
    return GenericTextEnv(n_tasks=4, goal_steps=2)


@pytest.fixture(scope="module")
def rm(tmp_path_factory):
    """A tiny untrained reward model whose head is scaled so distinct trajectories score 1e-3 apart or more."""
    import torch

    from arm_gym.reward.model import RewardModel

    model = RewardModel.from_pretrained(
        make_tiny_backbone(tmp_path_factory.mktemp("rm"), seed=3), device="cpu", precision="fp32"
    )
    with torch.no_grad():
        model.model.classifier.weight.mul_(100)
    return model


def wrapper_score(rm, trajectory, normalize="raw") -> float:
    """RewardModelWrapper's learned return for the same actions: from ``v(0) = 0`` its shaped rewards telescope to the
    final score."""
    env = RewardModelWrapper(make_env(), rm, mode="shaped", normalize=normalize, shaped_origin="zero")
    env.reset(seed=trajectory.seed)
    return sum(env.step(action)[1] for action in trajectory.actions)


def play(environment: TRLEnvironment, actions, seed=0) -> TRLEnvironment:
    environment.reset(prompt=[{"role": "user", "content": "Play."}], seed=seed)
    for action in actions:
        environment.act(action)
    return environment


def test_reset_shows_the_task_and_act_steps_the_env_until_it_ends():
    environment = TRLEnvironment(make_env)
    text = environment.reset(prompt=[{"role": "user", "content": "Play."}], seed=1, task_id="t2", other_column=3)
    assert text == "\n\nTask: say good 2 times (t2)\n\nObservation: start of t2\nValid actions: good, bad"
    assert environment.reset(prompt="Play.\n", task_id="t2").startswith("Task:")  # no separator after whitespace
    assert environment.act("good") == "good 1\nValid actions: good, bad"
    assert environment.act("good") == f"good 2\n\n{EPISODE_OVER}"
    assert environment.done and environment.act("good") == EPISODE_OVER  # nothing is stepped after the end
    trajectory = environment.trajectory
    assert trajectory.actions == ["good", "good"] and trajectory.won and trajectory.task_id == "t2"
    assert environment.get_reward() == 1.0  # reward="env" without a reward model
    assert TRLEnvironment(make_env, reward=None).get_reward() is None


def test_trl_sees_one_documented_tool():
    import inspect

    from transformers.utils import get_json_schema

    public = {name for name, _ in inspect.getmembers(TRLEnvironment, inspect.isfunction) if not name.startswith("_")}
    assert public == {"reset", "act", "get_reward"}  # TRL offers every public method but these two as a tool
    schema = get_json_schema(TRLEnvironment(make_env).act)["function"]
    assert schema["name"] == "act" and schema["parameters"]["required"] == ["action"]
    assert schema["parameters"]["properties"]["action"]["type"] == "string"


@pytest.mark.parametrize("normalize", ["raw", "sigmoid"])
@pytest.mark.parametrize("actions", [["good", "good"], ["good", "bad"], ["wait", "good"], ["xyzzy"]])
def test_the_learned_reward_equals_the_wrappers_score(rm, normalize, actions):
    environment = play(TRLEnvironment(make_env, reward_model=rm, normalize=normalize), actions, seed=2)
    expected = wrapper_score(rm, environment.trajectory, normalize)
    assert environment.get_reward() == pytest.approx(expected, abs=1e-5)
    assert reward_model_reward(rm, normalize=normalize)(environments=[environment])[0] == pytest.approx(
        expected, abs=1e-5
    )


def test_the_reward_function_scores_a_batch_in_one_call(rm):
    calls = []

    class Counting:
        def score(self, pairs):
            calls.append(len(pairs))
            return rm.score(pairs)

    batch = [play(TRLEnvironment(make_env), a, seed=i) for i, a in enumerate([["good"], ["bad"], ["good", "good"]])]
    rewards = reward_model_reward(Counting())(prompts=[], completions=[], completion_ids=[], environments=batch)
    assert calls == [3] and len(set(rewards)) == 3
    assert env_return_reward(environments=batch) == [0.0, 0.0, 1.0]
    assert reward_model_reward(rm)(arm_trajectory=[e.trajectory for e in batch]) == rewards


def test_bad_input_gives_clear_errors_or_observations(rm):
    with pytest.raises(gym.error.NameNotFound, match="Game24"):
        TRLEnvironment("ARM-Gam24-v0")
    with pytest.raises(ValueError, match="needs a reward_model"):
        TRLEnvironment(make_env, reward="model")
    with pytest.raises(ValueError, match="reward must be"):
        TRLEnvironment(make_env, reward="learned")
    with pytest.raises(TypeError, match="own env instance"):
        environment_factory(make_env())
    environment = TRLEnvironment(make_env)
    with pytest.raises(RuntimeError, match="reset"):
        environment.act("good")
    with pytest.raises(ValueError, match="unknown task_id 't9'"):
        environment.reset(task_id="t9")
    environment.reset(seed=0)
    assert environment.act("jump around").startswith("invalid action")  # the episode goes on
    assert not environment.done and environment.trajectory.steps[-1].reward == 0.0
    with pytest.raises(TypeError, match="as a string"):
        environment.act(["good"])  # TRL shows the message to the model as the tool's error
    with pytest.raises(ValueError, match="environment_factory"):
        reward_model_reward(rm)(prompts=["p"], completions=["c"])


# --------------------------------------------------------------------------- GRPOTrainer, for real
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TAGS = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]


def tool_call(action: str) -> dict:
    return {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"type": "function", "function": {"name": "act", "arguments": {"action": action}}}],
    }


@pytest.fixture(scope="module")
def tiny_policy():
    """``(model, tokenizer)``: a 1-layer Qwen2 with random weights and a BPE tokenizer trained here, Qwen 2.5 template."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
    from trl.chat_template_utils import qwen2_5_chat_template

    environment = TRLEnvironment(make_env)
    first = environment.reset(prompt=seed_dataset(1)[0]["prompt"], seed=0)
    chat = [
        {"role": "user", "content": first},
        tool_call("good"),
        {"role": "tool", "name": "act", "content": environment.act("good")},
    ]
    bare = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.BPE()), chat_template=qwen2_5_chat_template)
    corpus = [bare.apply_chat_template(chat, tools=[environment.act], tokenize=False), "Action: bad\nObservation: x"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    bpe.train_from_iterator(
        corpus,
        trainers.BpeTrainer(vocab_size=1024, special_tokens=SPECIAL, initial_alphabet=alphabet, show_progress=False),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>", chat_template=qwen2_5_chat_template
    )
    tokenizer.add_tokens(TAGS)
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
        num_key_value_heads=1, max_position_embeddings=1024, tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip
    torch.manual_seed(0)
    return Qwen2ForCausalLM(config), tokenizer


def warm_up_tool_calls(model, tokenizer, prompts, act) -> None:
    """A few steps of supervised training so the random policy answers each prompt with ``act("good"|"bad")``."""
    import torch

    contexts = [
        tokenizer.apply_chat_template(p, tools=[act], add_generation_prompt=True, return_dict=False) for p in prompts
    ]
    answers = [tokenizer.apply_chat_template([tool_call(a)], return_dict=False) for a in ("good", "bad")]
    answers = [a[a.index(tokenizer.convert_tokens_to_ids("<tool_call>")) :] for a in answers]
    rows = [(c, a) for c in contexts for a in answers]
    width = max(len(c) + len(a) for c, a in rows)
    ids = torch.full((len(rows), width), tokenizer.pad_token_id)
    labels = torch.full((len(rows), width), -100)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (c, a) in enumerate(rows):
        ids[i, : len(c) + len(a)] = torch.tensor(c + a)
        labels[i, len(c) : len(c) + len(a)] = torch.tensor(a)
        mask[i, : len(c) + len(a)] = 1
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if loss.item() < 0.05:
            return
    raise AssertionError(f"warm-up did not converge (loss {loss.item():.3f})")


def grpo_config(tmp_path, **overrides):
    from trl import GRPOConfig

    settings = {
        "output_dir": str(tmp_path), "max_steps": 2, "per_device_train_batch_size": 4, "num_generations": 4,
        "learning_rate": 1e-3, "max_completion_length": 96, "report_to": "none", "use_cpu": True, "bf16": False,
        "logging_steps": 1, "save_strategy": "no", "disable_tqdm": True, "seed": 0,
    }  # fmt: skip
    return GRPOConfig(**{**settings, **overrides})


def recording(reward_func, seen: list):
    def arm_reward_model(**kwargs):
        rewards = reward_func(**kwargs)
        environments = kwargs.get("environments")
        trajectories = [e.trajectory for e in environments] if environments else kwargs["arm_trajectory"]
        seen.extend(zip(trajectories, rewards))
        return rewards

    return arm_reward_model


def test_grpo_trains_with_environment_factory_and_the_learned_reward(rm, tiny_policy, tmp_path):
    import copy

    from trl import GRPOTrainer

    model, tokenizer = copy.deepcopy(tiny_policy)
    dataset = seed_dataset(4)
    probe = TRLEnvironment(make_env)
    prompts = [[{"role": "user", "content": row["prompt"][0]["content"] + probe.reset(**row)}] for row in dataset]
    warm_up_tool_calls(model, tokenizer, prompts, probe.act)
    seen: list = []
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=recording(reward_model_reward(rm), seen),
        args=grpo_config(tmp_path, max_tool_calling_iterations=2),
        train_dataset=dataset,
        environment_factory=environment_factory(make_env, reward=None),
    )
    trainer.train()
    assert trainer.state.global_step == 2
    logs = [entry for entry in trainer.state.log_history if "tools/call_frequency" in entry]
    assert len(logs) == 2 and max(entry["tools/call_frequency"] for entry in logs) > 0
    assert len(seen) == 8 and sum(bool(t.steps) for t, _ in seen) >= 4  # the policy really acted through the tool
    for trajectory, reward in seen:
        assert set(trajectory.actions) <= {"good", "bad"}
        assert reward == pytest.approx(rm.score([(trajectory.instruction, trajectory)])[0], abs=1e-5)
        if trajectory.steps:
            assert reward == pytest.approx(wrapper_score(rm, trajectory), abs=1e-5)


def test_grpo_trains_with_the_text_rollout_func(rm, tiny_policy, tmp_path):
    import copy

    from trl import GRPOTrainer

    model, tokenizer = copy.deepcopy(tiny_policy)
    rollout = TextRollout(environment_factory(make_env, reward=None), max_turns=3, max_action_tokens=6)
    outputs, seen = [], []

    def rollout_func(prompts, trainer):
        outputs.append(rollout(prompts, trainer))
        return outputs[-1]

    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=recording(reward_model_reward(rm), seen),
        args=grpo_config(tmp_path),
        train_dataset=rollout.dataset(4),
        rollout_func=rollout_func,
    )
    before = [p.detach().clone() for p in model.parameters()]
    trainer.train()
    assert trainer.state.global_step == 2 and len(outputs) == 2 and len(seen) == 8
    assert any(not np.allclose(b, p.detach()) for b, p in zip(before, model.parameters()))
    for out in outputs:
        for ids, mask, trajectory in zip(out["completion_ids"], out["env_mask"], out["arm_trajectory"]):
            assert len(ids) == len(mask) <= 96 and mask[0] == 1
            env_text = tokenizer.decode([t for t, m in zip(ids, mask) if m == 0])
            shown = [s.observation for s in trajectory.steps if f"Observation: {s.observation}" in env_text]
            assert env_text.count("Observation:") == len(shown)  # env tokens are exactly the observations
    assert any(0 in mask for out in outputs for mask in out["env_mask"])  # multi-turn: some env text was masked
    for trajectory, reward in seen:
        assert reward == pytest.approx(rm.score([(trajectory.instruction, trajectory)])[0], abs=1e-5)
        if trajectory.steps:
            assert reward == pytest.approx(wrapper_score(rm, trajectory), abs=1e-5)

    with pytest.raises(ValueError, match="did not make"):  # a rollout_func sees no row: the task must be known
        rollout(["a prompt from elsewhere"], trainer)
    rollout.reset_kwargs = lambda prompt: {"task_id": "t3"}
    out = rollout([[{"role": "user", "content": "Play."}]], trainer)
    assert "Task: say good 2 times (t3)" in tokenizer.decode(out["prompt_ids"][0])
    assert out["arm_trajectory"][0].task_id == "t3"
