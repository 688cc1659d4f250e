import json
import math

import numpy as np
import pytest

from arm_gym.data.triplets import Triplet
from arm_gym.envs.synthesis import SynthesisAdapter
from arm_gym.llm import OpenAICompatibleLLM
from arm_gym.reward.baselines import (
    BrevityScorer,
    InstructionOverlapScorer,
    LengthScorer,
    LLMJudgeScorer,
    OutcomeClaimScorer,
    default_baselines,
    judge_prompt,
    parse_judgement,
    words,
)
from arm_gym.reward.evaluate import evaluate_reward_model
from arm_gym.trajectory import Step, Trajectory

G24 = "ARM-Game24-v0"
INSTRUCTION = "Use the numbers 2 4 8 10 to obtain 24."


def game(task: str, actions: list[str], won: bool) -> Trajectory:
    steps = [Step(a, f"{a} (left: ...)", 0.0) for a in actions]
    return Trajectory(G24, task, INSTRUCTION, "Numbers left: 2 4 8 10", steps, env_return=float(won), won=won)


# task a: a win (3 steps) and a false claim of 24 (2 steps); task b: a win (3 steps) and a miss (4 steps)
A_WIN = game("a", ["10 - 8 = 2", "2 + 4 = 6", "4 * 6 = 24"], True)
A_FALSE = game("a", ["10 - 8 = 2", "2 + 8 = 24"], False)
B_WIN = game("b", ["8 - 4 = 4", "4 + 2 = 6", "4 * 6 = 24"], True)
B_MISS = game("b", ["8 - 4 = 4", "junk", "4 + 2 = 6", "4 + 6 = 10"], False)
TRAJS = [A_WIN, A_FALSE, B_WIN, B_MISS]


class Oracle:
    name = "oracle"

    def score(self, pairs):
        return np.asarray([t.env_return + 0.01 * len(t.steps) for _, t in pairs])


def test_length_overlap_and_outcome_claim_on_hand_made_trajectories():
    pairs = [(INSTRUCTION, t) for t in TRAJS]
    assert LengthScorer().score(pairs).tolist() == [3, 2, 3, 4]
    assert BrevityScorer().score(pairs).tolist() == [-3, -2, -3, -4]
    assert OutcomeClaimScorer(G24).score(pairs).tolist() == [1, 1, 1, 0]
    assert words("Buy the red shoes, under 50 dollars!") == {"buy", "red", "shoes", "under", "50", "dollars"}
    shop = Trajectory("shop", "t", "", "red shoes everywhere",  # the initial observation does not count
                      [Step("search[red boots]", "Results: boots for 40 dollars", 0.0)])
    (overlap,) = InstructionOverlapScorer().score([("Buy red shoes under 50 dollars", shop)])
    assert overlap == pytest.approx(2 / 6)  # red, dollars of buy/red/shoes/under/50/dollars
    generic = OutcomeClaimScorer(SynthesisAdapter())
    won_text = Trajectory("e", "t", "", "", [Step("go", "You have won!", 1.0)])
    assert generic.score([("", won_text), ("", A_WIN)]).tolist() == [1.0, 0.0]


def test_baseline_metrics_are_the_hand_computed_ones():
    results = evaluate_reward_model(Oracle(), trajectories=TRAJS, baselines=default_baselines(G24), n_boot=300, seed=3)
    rows = results["scorers"]
    # length: a 3>2 right, b 3<4 wrong; ranks (2.5,1,2.5,4) vs (3.5,1.5,3.5,1.5): no correlation
    assert rows["length"]["better_of_two_accuracy"]["value"] == 0.5
    assert rows["length"]["spearman"]["value"] == pytest.approx(0.0, abs=1e-12)
    # outcome claim: a ties (both claim 24) = 1/2, b right; Spearman 2/sqrt(12)
    assert rows["outcome_claim"]["better_of_two_accuracy"]["value"] == 0.75
    assert rows["outcome_claim"]["spearman"]["value"] == pytest.approx(2 / math.sqrt(12))
    assert rows["reward_model"]["better_of_two_accuracy"]["value"] == 1.0
    # concordance over all win/loss pairs (a-win, a-false, b-win, b-miss):
    # length right on (3 vs 2) twice, wrong on (3 vs 4) twice; brevity the reverse; the claim ties on a-false twice
    assert rows["length"]["concordance"]["value"] == 0.5
    assert rows["brevity"]["concordance"]["value"] == 0.5
    assert rows["outcome_claim"]["concordance"]["value"] == 0.75
    assert rows["reward_model"]["concordance"]["value"] == 1.0
    margin = results["margin"]["better_of_two_accuracy"]
    best = max(rows[n]["better_of_two_accuracy"]["value"] for n in rows if n != "reward_model")
    assert margin["value"] == pytest.approx(1.0 - best)
    for name, row in rows.items():
        for metric in ("spearman", "concordance", "better_of_two_accuracy"):
            cell = row[metric]
            assert math.isnan(cell["value"]) or cell["low"] - 1e-9 <= cell["value"] <= cell["high"] + 1e-9, (name, metric)
    again = evaluate_reward_model(Oracle(), trajectories=TRAJS, baselines=default_baselines(G24), n_boot=300, seed=3)
    assert json.dumps(again["scorers"]) == json.dumps(rows)  # the bootstrap is seeded (NaN != NaN, hence text)


def test_validation_pairs_are_scored_by_every_baseline():
    val = [Triplet(INSTRUCTION, A_WIN, A_FALSE, 1.0, 0.0, "a", G24), Triplet(INSTRUCTION, B_WIN, B_MISS, 1.0, 0.0, "b", G24)]
    results = evaluate_reward_model(Oracle(), val_triplets=val, baselines=default_baselines(G24), n_boot=50)
    assert results["scorers"]["length"]["val_pairwise_accuracy"]["value"] == 0.5
    assert results["scorers"]["outcome_claim"]["val_pairwise_accuracy"]["value"] == 0.75
    assert results["val_pairwise_accuracy"] == 1.0 and math.isnan(results["spearman"])


@pytest.mark.parametrize(
    ("reply", "expected"),
    [(" yes", 1.0), ("No.", 0.0), (" 7", 0.7), ("8/10", 0.8), ("0.25", 0.25), ("12", 1.0), (" The agent failed", 0.0),
     ("completed it", 1.0), ("???", None)],
)
def test_parse_judgement(reply, expected):
    assert parse_judgement(reply) == (pytest.approx(expected) if expected is not None else None)


def test_llm_judge_prompt_and_parsing_with_a_mock_client(mock_openai_client):
    mock_openai_client.reply = lambda req: " yes" if "4 * 6 = 24" in req["prompt"] else " no"
    judge = LLMJudgeScorer(OpenAICompatibleLLM(client=mock_openai_client, model="m"))
    scores = judge.score([(INSTRUCTION, t) for t in TRAJS])
    assert scores.tolist() == [1.0, 0.0, 1.0, 0.0]
    request = mock_openai_client.requests[0]
    assert request["kind"] == "completion" and request["prompt"].startswith("You are judging")
    assert f"Task: {INSTRUCTION}" in request["prompt"] and request["prompt"].endswith("Answer:")
    assert "Action: 10 - 8 = 2" in request["prompt"] and request["temperature"] == 0.0
    mock_openai_client.reply = lambda req: "hmm"
    chat = LLMJudgeScorer(OpenAICompatibleLLM(client=mock_openai_client, model="m"), mode="chat", unparsed=0.25)
    assert chat.score([(INSTRUCTION, A_WIN)]).tolist() == [0.25] and chat.n_unparsed == 1
    assert mock_openai_client.requests[-1]["messages"][0]["role"] == "user"


def test_judge_prompt_keeps_the_most_recent_steps():
    long = Trajectory("e", "t", "do it", "start", [Step(f"step {i}", "x" * 100, 0.0) for i in range(50)])
    prompt = judge_prompt("do it", long, max_chars=1000)
    assert "step 49" in prompt and "step 0\n" not in prompt and "earlier steps left out" in prompt
    assert len(prompt) < 1600


def test_llm_judge_against_the_real_llama_server(llama_server):
    llm = OpenAICompatibleLLM(base_url=llama_server.base_url, model=llama_server.model, timeout=120)
    judge = LLMJudgeScorer(llm)
    scores = judge.score([(INSTRUCTION, t) for t in TRAJS])
    assert scores.shape == (4,) and np.all((scores >= 0) & (scores <= 1))
    scorers = default_baselines(G24, llm=llm)
    assert [s.name for s in scorers] == ["length", "brevity", "instruction_overlap", "outcome_claim", "llm_judge"]
