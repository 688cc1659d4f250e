"""The synthesis driver: checked triplets, counts, resume after a crash, bad records."""

from __future__ import annotations

import json

import pytest
from arm_gym.trajectory import load_trajectories

from arm_gym.trajectory import Step, Trajectory
from arm_gym.data.dataset import content_key, load_triplets
from arm_gym.data.explore import collect
from arm_gym.envs import make_env
from arm_gym.data.intents import Intent
from arm_gym.jsonl import read_jsonl
from arm_gym.data.negatives import replay_actions
from arm_gym.data.synthesize import Synthesizer, progress_path, synthesize, trajectory_key
from arm_gym.llm.base import LLM

GENERIC = "tests.testing_env:GenericTextEnv"


@pytest.fixture(scope="module")
def game24_trajectories(tmp_path_factory):
    path = tmp_path_factory.mktemp("g24") / "trajs.jsonl"
    collect("ARM-Game24-v0", path, episodes=40, num_envs=4, seed=0, progress=False)
    return path


def replay_return(env, triplet, which):
    trajectory = getattr(triplet, f"{which}_trajectory")
    meta = triplet.meta
    intent = Intent(triplet.prompt, triplet.env_id, triplet.task_id, meta["intent_options"], meta["intent_seed"])
    return replay_actions(env, intent, trajectory.actions).env_return


def test_game24_triplets_are_checked_and_auditable(game24_trajectories, tmp_path):
    out = tmp_path / "t.jsonl"
    stats = synthesize(game24_trajectories, out, progress=False)
    triplets = load_triplets(out)
    assert len(triplets) == stats.kept > 40
    assert stats.candidates == stats.kept + stats.dropped_check + stats.duplicates
    assert stats.trajectories == 40 and stats.errors == 0
    env = make_env("ARM-Game24-v0")
    for t in triplets:
        assert t.chosen_return > t.rejected_return
        # independent re-check from what the file stores
        assert replay_return(env, t, "chosen") == t.chosen_return == 1.0
        assert replay_return(env, t, "rejected") == t.rejected_return
        assert t.chosen_trajectory.instruction == t.rejected_trajectory.instruction == t.prompt
        assert "chosen" not in t.to_dict() and "rejected" not in t.to_dict()  # text is rendered by the reward layer
        assert t.task_id in t.prompt
    kinds = {t.meta["negative_kind"] for t in triplets}
    assert {"dead_end", "miss_24", "stop_short", "explored"} <= kinds
    assert len({content_key(t) for t in triplets}) == len(triplets)
    assert len({t.meta["key"] for t in triplets}) == len(triplets)
    # every failed explored trajectory appears as the negative against the solver's path
    failed = [t for t in load_trajectories(game24_trajectories) if not t.won]
    self_negatives = {t.meta["source_key"] for t in triplets if t.meta.get("negative_note") == "self"}
    assert self_negatives == {trajectory_key(t) for t in failed}


def test_negatives_per_intent_default_to_the_envs_own_setting():
    assert Synthesizer().negatives_per_intent("ARM-Game24-v0") == 7  # its own kinds and the three generic ones
    assert Synthesizer().negatives_per_intent("ARM-WebShop-v0") == 6  # four product kinds and room for two generic
    assert Synthesizer().negatives_per_intent("ARM-TextWorld-v0") == 4
    assert Synthesizer().negatives_per_intent("NotArm-v0") == 4
    assert Synthesizer(max_negatives=2).negatives_per_intent("ARM-Game24-v0") == 2


def test_rerun_and_crash_recovery_match_an_uninterrupted_run(game24_trajectories, tmp_path):
    reference = tmp_path / "ref.jsonl"
    ref_stats = synthesize(game24_trajectories, reference, progress=False)
    ref_keys = sorted(t.meta["key"] for t in load_triplets(reference))

    out = tmp_path / "t.jsonl"
    synthesize(game24_trajectories, out, limit=15, progress=False)
    # simulate a kill -9: the last trajectory's progress line never written, its last triplet cut mid-line
    prog_lines = progress_path(out).read_text().splitlines(keepends=True)
    progress_path(out).write_text("".join(prog_lines[:-1]))
    text = out.read_text()
    out.write_text(text[: len(text) - 40])
    kept_before = out.read_text().splitlines()[:-1]

    stats = synthesize(game24_trajectories, out, progress=False)
    assert stats.skipped_done == 14
    lines = out.read_text().splitlines()
    assert lines[: len(kept_before)] == kept_before  # completed records untouched
    assert sorted(t.meta["key"] for t in load_triplets(out)) == ref_keys  # nothing lost, nothing twice
    assert (stats.kept, stats.candidates, stats.dropped_check) == (
        ref_stats.kept,
        ref_stats.candidates,
        ref_stats.dropped_check,
    )
    again = synthesize(game24_trajectories, out, progress=False)
    assert again.kept_this_run == 0 and again.skipped_done == 40


def test_generic_env_relabels_won_trajectories(tmp_path):
    trajs = tmp_path / "g.jsonl"
    collect(GENERIC, trajs, episodes=60, num_envs=3, max_steps=6, progress=False)
    won = [t for t in load_trajectories(trajs) if t.won]
    assert won
    out = tmp_path / "t.jsonl"
    stats = synthesize(trajs, out, progress=False)
    triplets = load_triplets(out)
    assert stats.intents == len(won) and stats.no_intent == 60 - len(won)
    assert {t.meta["source_key"] for t in triplets} <= {trajectory_key(t) for t in won}
    assert {t.task_id for t in triplets} == {t.task_id for t in won}
    assert stats.duplicates > 0  # identical wins of one task give identical triplets: written once
    assert stats.candidates == stats.kept + stats.duplicates + stats.dropped_check
    assert all(t.meta["intent_kind"] == "relabel" and t.chosen_return == 1.0 > t.rejected_return for t in triplets)


class ScriptedLLM(LLM):
    def __init__(self, reply):
        self.reply = reply

    def chat(self, messages, **kw):
        return [self.reply]

    def complete(self, prompt, *, n=1, **kw):
        return [self.reply] * n


def test_llm_negatives_that_fail_the_check_are_dropped_and_counted(tmp_path):
    # an "LLM" that always proposes the winning path of 4 6 8 8 (a negative that is not one)
    win = "8 / 8 = 1\n4 * 6 = 24\n1 * 24 = 24\n"
    traj = Trajectory(
        "ARM-Game24-v0", "4 6 8 8", "x", steps=[Step("4 + 6 = 10", "", 0.0)], seed=1, meta={"episode_key": "k1"}
    )
    synth = Synthesizer(negatives="llm", llm=ScriptedLLM(win))
    stats = synthesize([traj], tmp_path / "t.jsonl", synthesizer=synth, progress=False)
    assert stats.by_kind["llm"] == {"candidates": 1, "passed": 0, "dropped_check": 1}
    assert stats.by_kind["explored"]["passed"] == 1 and stats.kept == 1
    assert stats.dropped_share == pytest.approx(0.5)
    with pytest.raises(ValueError, match="need an llm"):
        Synthesizer(intent="llm")
    with pytest.raises(ValueError):
        Synthesizer(negatives="maybe")


def test_bad_records_cost_only_themselves(tmp_path, game24_trajectories):
    trajs = load_trajectories(game24_trajectories)[:3]
    bad = Trajectory("ARM-NoSuchEnv-v0", "x", "y", steps=[Step("a", "b", 0.0)], meta={"episode_key": "bad"})
    out = tmp_path / "t.jsonl"
    stats = synthesize([bad, *trajs], out, progress=False)
    assert stats.errors == 1 and stats.trajectories == 4 and stats.kept > 0
    progress = list(read_jsonl(progress_path(out)))
    assert progress[0]["source_key"] == "bad" and progress[0]["counts"]["errors"] == 1
    assert json.loads(out.read_text().splitlines()[0])["meta"]["source_key"] != "bad"


def test_llm_intents_batched_and_failures_counted(game24_trajectories, tmp_path):
    won = Trajectory(
        "ARM-Game24-v0",
        "4 6 8 8",
        "x",
        steps=[Step("8 / 8 = 1", "", 0.0), Step("4 * 6 = 24", "", 0.0), Step("1 * 24 = 24", "", 1.0)],
        env_return=1.0,
        won=True,
        seed=2,
        meta={"episode_key": "won"},
    )

    class CountingLLM(ScriptedLLM):
        def __init__(self, reply):
            super().__init__(reply)
            self.batches = []

        def complete_batch(self, prompts, **kw):
            self.batches.append(len(prompts))
            return [[self.reply] for _ in prompts]

    llm = CountingLLM("Combine 4, 6, 8 and 8 into 24.")
    synth = Synthesizer(intent="llm", llm=llm, sources=("relabel",))
    lost = load_trajectories(game24_trajectories)[:5]
    stats = synthesize([won, *lost, won], tmp_path / "t.jsonl", synthesizer=synth, progress=False)
    assert llm.batches == [1]  # one batch, only for the trajectory with a grounded intent
    triplets = load_triplets(tmp_path / "t.jsonl")
    assert triplets and {t.prompt for t in triplets} == {"Combine 4, 6, 8 and 8 into 24."}
    assert stats.no_intent == 5 and stats.skipped_done == 1  # the repeated record is processed once
    dead = Synthesizer(intent="llm", llm=ScriptedLLM(""), sources=("relabel",))  # empty replies
    stats = synthesize([won], tmp_path / "u.jsonl", synthesizer=dead, progress=False)
    assert stats.llm_intent_failed == 1 and stats.kept == 0 and "1 LLM intents failed" in stats.summary()
