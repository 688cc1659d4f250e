"""``arm-gym synthesize``: collect → synthesize end to end through the real CLI, errors, kill -9 and rerun."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from arm_gym.trajectory import load_trajectories

from arm_gym.cli import main
from arm_gym.data.dataset import load_triplets
from arm_gym.data.explore import collect
from arm_gym.data.synthesize import progress_path, synthesize
from tests.commands.test_collect import complete_lines, kill_after
from tests.envs.textworld_games_used import TEXTWORLD_GAMES


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "arm_gym.cli", *args], capture_output=True, text=True, timeout=300)


def check_triplet_file(path, env_id):
    triplets = load_triplets(path)
    assert triplets
    for t in triplets:
        assert t.env_id == env_id and t.chosen_return > t.rejected_return
        assert t.chosen_trajectory.instruction == t.prompt == t.rejected_trajectory.instruction
    keys = [t.meta["key"] for t in triplets]
    assert len(keys) == len(set(keys))
    return triplets


def test_game24_collect_then_synthesize_end_to_end(tmp_path):
    trajs, out, stats, hf = (tmp_path / n for n in ("trajs.jsonl", "triplets.jsonl", "stats.json", "hf"))
    proc = cli(
        "collect",
        "ARM-Game24-v0",
        "--episodes",
        "30",
        "--policy",
        "random",
        "--out",
        str(trajs),
        "--num-envs",
        "4",
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    proc = cli(
        "synthesize", str(trajs), "--out", str(out), "--stats", str(stats), "--export-hf", str(hf), "--no-progress"
    )
    assert proc.returncode == 0, proc.stderr
    triplets = check_triplet_file(out, "ARM-Game24-v0")
    summary = json.loads(stats.read_text())
    assert summary["kept"] == len(triplets) and summary["trajectories"] == 30
    assert summary["candidates"] == summary["kept"] + summary["dropped_check"] + summary["duplicates"]
    assert f"{summary['dropped_check']} dropped by the env check" in proc.stdout
    import datasets

    ds = datasets.load_from_disk(str(hf))
    assert len(ds["train"]) + len(ds["validation"]) == len(triplets)
    assert ds["train"].column_names[:3] == ["prompt", "chosen", "rejected"]


def test_webshop_collect_then_synthesize_end_to_end(tmp_path):
    trajs, out, stats = tmp_path / "trajs.jsonl", tmp_path / "triplets.jsonl", tmp_path / "stats.json"
    proc = cli(
        "collect",
        "ARM-WebShop-v0",
        "--episodes",
        "24",
        "--policy",
        "random",
        "--out",
        str(trajs),
        "--num-envs",
        "4",
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    proc = cli("synthesize", str(trajs), "--out", str(out), "--stats", str(stats), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    triplets = check_triplet_file(out, "ARM-WebShop-v0")
    summary = json.loads(stats.read_text())
    assert summary["kept"] == len(triplets) and summary["candidates"] >= summary["kept"]
    kinds = {(t.meta["intent_kind"], t.meta["negative_kind"]) for t in triplets}
    assert {
        ("relabel", "near_miss"),
        ("relabel", "over_price"),
        ("relabel", "stop_short"),
        ("original", "explored"),
    } <= kinds
    for t in triplets:
        assert t.chosen_return == 1.0 and "Thank you for shopping" in t.chosen_trajectory.steps[-1].observation  # the positive bought what was asked
        if t.meta["intent_kind"] == "relabel":  # posed as a custom goal: the page shows the synthesized intent
            assert t.meta["intent_options"]["goal"]["instruction"] == t.prompt
            assert t.chosen_trajectory.initial_observation.count(t.prompt) == 1


@pytest.mark.parametrize("env_id", ["ARM-TextWorld-v0", "ARM-ScienceWorld-v0"])
def test_simulator_collect_then_synthesize_end_to_end(env_id, textworld_cache, tmp_path):
    """The two simulator-backed envs: random episodes of one task, then triplets against its expert path
    (TextWorld's walkthrough, ScienceWorld's gold sequence, cut where the episode ends)."""
    if env_id == "ARM-TextWorld-v0":
        task_id, env_kwargs = TEXTWORLD_GAMES["tw-coin_collector"], {"cache_dir": str(textworld_cache)}
    else:
        task_id, env_kwargs = "power-component/2", {}  # gold path wins after 10 of its 13 actions
    trajs, out = tmp_path / "trajs.jsonl", tmp_path / "triplets.jsonl"
    kwargs = ("--env-kwargs", json.dumps(env_kwargs))
    proc = cli(
        "collect", env_id, "--episodes", "4", "--num-envs", "2", "--max-steps", "8", "--out", str(trajs),
        "--reset-options", json.dumps({"task_id": task_id}), "--no-progress", *kwargs,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "trying to connect to the Java server" not in proc.stderr  # closing the JVM stays quiet
    proc = cli("synthesize", str(trajs), "--out", str(out), "--no-progress", *kwargs)
    assert proc.returncode == 0, proc.stderr
    triplets = check_triplet_file(out, env_id)
    assert {t.task_id for t in triplets} == {task_id}
    kinds = {t.meta["negative_kind"] for t in triplets}
    assert {"explored", "stop_short"} <= kinds
    for t in triplets:
        if t.meta["intent_kind"] == "original":  # the expert path, cut where it won
            assert t.chosen_trajectory.won and t.chosen_return == pytest.approx(1.0)
            assert t.chosen_trajectory.steps[-1].reward > 0


def test_synthesize_cli_errors_are_clear(tmp_path, capsys):
    out = str(tmp_path / "t.jsonl")
    assert main(["synthesize", str(tmp_path / "missing.jsonl"), "--out", out]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    trajs = tmp_path / "trajs.jsonl"
    trajs.write_text('{"not": "a trajectory"}\n')
    assert main(["synthesize", str(trajs), "--out", out]) == 2
    assert "not a trajectory record" in capsys.readouterr().err
    assert main(["synthesize", str(trajs), "--out", out, "--sources", "relabel,psychic"]) == 2
    assert "--sources" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["synthesize", str(trajs), "--out", out, "--intent", "oracle"])


def test_kill_9_mid_synthesize_then_rerun_keeps_everything_once(tmp_path):
    trajs, out, ref = tmp_path / "trajs.jsonl", tmp_path / "triplets.jsonl", tmp_path / "ref.jsonl"
    collect("ARM-Game24-v0", trajs, episodes=600, num_envs=4, seed=3, progress=False)
    args = ["synthesize", str(trajs), "--out", str(out), "--no-progress"]
    at_kill = kill_after(args, out, min_lines=150)
    assert len(at_kill) >= 150
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    lines = complete_lines(out)
    assert lines[: len(at_kill)] == at_kill  # every triplet completed before the kill, unchanged
    resumed = load_triplets(out)  # strict: the file loads
    reference_stats = synthesize(trajs, ref, progress=False)
    reference = load_triplets(ref)
    assert sorted(t.meta["key"] for t in resumed) == sorted(t.meta["key"] for t in reference)
    assert len(resumed) == len({t.meta["key"] for t in resumed})
    by_key = {t.meta["key"]: t.to_dict() for t in reference}
    assert all(by_key[t.meta["key"]] == t.to_dict() for t in resumed)
    # the totals over both runs equal one uninterrupted run's
    assert f"{reference_stats.kept} kept, {reference_stats.dropped_check} dropped" in proc.stdout
    assert len(complete_lines(progress_path(out))) == 600


def test_synthesize_llm_intents_through_the_real_server(llama_server, tmp_path):
    trajs, out, stats = tmp_path / "trajs.jsonl", tmp_path / "triplets.jsonl", tmp_path / "stats.json"
    collect("ARM-WebShop-v0", tmp_path / "all.jsonl", episodes=12, num_envs=4, progress=False)
    lines = complete_lines(tmp_path / "all.jsonl")
    bought = [line for line in lines if '"purchase"' in line]
    trajs.write_text(bought[0] + "\n" + next(line for line in lines if '"purchase"' not in line) + "\n")
    proc = cli(
        "synthesize", str(trajs), "--out", str(out), "--intent", "llm", "--sources", "relabel", "--stats", str(stats),
        "--llm-base-url", llama_server.base_url, "--llm-model", llama_server.model, "--llm-timeout", "300",
        "--no-progress",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(stats.read_text())
    assert summary["intents"] + summary["llm_intent_failed"] == 1  # one LLM call: used, or refused as off-topic
    assert summary["no_intent"] == 1 + summary["llm_intent_failed"] and summary["errors"] == 0
    triplets = load_triplets(out)
    assert len(triplets) == summary["kept"] and (summary["intents"] == 0) == (not triplets)
    for t in triplets:
        assert t.meta["intent_source"] == "llm" and t.meta["intent_options"]["goal"]["instruction"] == t.prompt
        assert t.prompt in t.chosen_trajectory.initial_observation and t.chosen_return > t.rejected_return


def test_synthesize_llm_intents_with_a_dead_server_counts_failures(tmp_path):
    from arm_gym.llm.server import free_port

    trajs, out, stats = tmp_path / "trajs.jsonl", tmp_path / "triplets.jsonl", tmp_path / "stats.json"
    collect("ARM-WebShop-v0", trajs, episodes=8, num_envs=4, progress=False)
    url = f"http://127.0.0.1:{free_port()}/v1"
    proc = cli(
        "synthesize", str(trajs), "--out", str(out), "--intent", "llm", "--sources", "relabel", "--stats", str(stats),
        "--llm-base-url", url, "--llm-model", "m", "--llm-timeout", "1", "--no-progress",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(stats.read_text())
    assert summary["llm_intent_failed"] > 0 and summary["kept"] == 0 and summary["errors"] == 0
    assert "LLM intent synthesis failed" in proc.stderr
    # the unreachable server's trajectories are not marked done: a rerun (server back) tries them again
    done = {json.loads(line)["source_key"] for line in complete_lines(progress_path(out))}
    bought = [t for t in load_trajectories(trajs) if "purchase" in t.meta.get("final_info", {})]
    assert bought and not done & {t.meta["episode_key"] for t in bought}
