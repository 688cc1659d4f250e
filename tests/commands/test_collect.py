"""``arm-gym collect``: the real CLI, its errors, and a kill -9 in the middle followed by a rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from arm_gym.trajectory import load_trajectories

from arm_gym.cli import main
from arm_gym.data.explore import collect


def complete_lines(path: Path) -> list[str]:
    """The whole lines of ``path`` (a line still being written is left out)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return text.splitlines()[: text.count("\n")]


def kill_after(args: list[str], path: Path, min_lines: int, timeout: float = 120) -> list[str]:
    """Run the CLI, SIGKILL it once ``path`` has ``min_lines`` whole lines, return those lines."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "arm_gym.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + timeout
    try:
        while len(complete_lines(path)) < min_lines:
            if proc.poll() is not None:
                pytest.fail(
                    f"the command ended (rc {proc.returncode}) before it could be killed: {proc.stderr.read()!r}"
                )
            if time.monotonic() > deadline:
                pytest.fail("the command wrote too little before the timeout")
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return complete_lines(path)


def test_collect_cli_writes_and_summarises(tmp_path, capsys):
    out = tmp_path / "t.jsonl"
    args = ["collect", "ARM-Game24-v0", "-n", "8", "--out", str(out), "--seed", "5", "--no-progress"]
    assert main([*args, "--num-envs", "3"]) == 0
    assert "8 episodes collected" in capsys.readouterr().out
    trajs = load_trajectories(out)
    assert sorted(t.seed for t in trajs) == list(range(5, 13))
    assert all(t.meta["policy"] == "random" and "max_steps" not in t.meta for t in trajs)  # the env's own limit
    assert main([*args, "--split", "test", "--async"]) == 0
    assert "8 episodes collected (0 already in the file)" in capsys.readouterr().out  # another split: other episodes
    assert all(t.meta["options"] == {"split": "test"} for t in load_trajectories(out)[8:])
    assert main([*args, "--num-envs", "2"]) == 0
    assert "0 episodes collected (8 already in the file)" in capsys.readouterr().out


def test_collect_cli_errors_are_clear(tmp_path, capsys):
    out = str(tmp_path / "t.jsonl")
    assert main(["collect", "ARM-Nope-v0", "-n", "1", "--out", out]) == 2
    assert "ARM-Nope" in capsys.readouterr().err
    assert main(["collect", "ARM-Game24-v0", "-n", "1", "--out", out, "--env-kwargs", "[1]"]) == 2
    assert "--env-kwargs must be a JSON object" in capsys.readouterr().err
    assert main(["collect", "ARM-Game24-v0", "-n", "1", "--out", out, "--num-envs", "0"]) == 2
    assert main(["collect", "ARM-Game24-v0", "-n", "1", "--out", out, "--split", "nosuch", "--no-progress"]) == 2
    assert "unknown split" in capsys.readouterr().err
    assert not Path(out).exists() or load_trajectories(out) == []


def test_kill_9_mid_collect_then_rerun_keeps_everything_once(tmp_path):
    out = tmp_path / "t.jsonl"
    args = [
        "collect",
        "ARM-Game24-v0",
        "--episodes",
        "3000",
        "--out",
        str(out),
        "--num-envs",
        "4",
        "--seed",
        "11",
        "--no-progress",
    ]
    at_kill = kill_after(args, out, min_lines=100)
    assert 100 <= len(at_kill) < 3000
    proc = subprocess.run([sys.executable, "-m", "arm_gym.cli", *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f"({len(at_kill)} already in the file)" in proc.stdout
    lines = complete_lines(out)
    assert lines[: len(at_kill)] == at_kill  # every record completed before the kill, unchanged
    trajs = load_trajectories(out)  # strict: every line parses
    keys = [t.meta["episode_key"] for t in trajs]
    assert len(keys) == len(set(keys)) == 3000
    assert {t.seed for t in trajs} == set(range(11, 3011))
    # the resumed file holds exactly what an uninterrupted run writes (spot-check the first 40 episodes)
    ref = tmp_path / "ref.jsonl"
    collect("ARM-Game24-v0", ref, episodes=40, seed=11, progress=False)
    by_key = {json.loads(line)["meta"]["episode_key"]: json.loads(line) for line in lines}
    for line in complete_lines(ref):
        record = json.loads(line)
        assert by_key[record["meta"]["episode_key"]] == record


def test_collect_with_the_llm_policy_through_the_real_server(llama_server, tmp_path):
    out = tmp_path / "t.jsonl"
    args = ["collect", "ARM-Game24-v0", "-n", "1", "--policy", "llm", "--out", str(out), "--max-steps", "1"]
    args += ["--llm-base-url", llama_server.base_url, "--llm-model", llama_server.model, "--llm-timeout", "300"]
    proc = subprocess.run(
        [sys.executable, "-m", "arm_gym.cli", *args, "--no-progress"], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    (t,) = load_trajectories(out)
    assert t.meta["policy"] == f"llm:{llama_server.model}" and len(t.steps) == 1
    assert t.steps[0].action  # the model's reply became an action (valid or not, the env answered it)
    assert "Invalid action" in t.steps[0].observation or "left:" in t.steps[0].observation


def test_collect_with_a_dead_llm_server_fails_clearly(tmp_path, capsys):
    from arm_gym.llm.server import free_port

    out = tmp_path / "t.jsonl"
    url = f"http://127.0.0.1:{free_port()}/v1"
    args = ["collect", "ARM-Game24-v0", "-n", "2", "--policy", "llm", "--out", str(out), "--no-progress"]
    assert main([*args, "--llm-base-url", url, "--llm-model", "m", "--llm-timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert "arm-gym collect: LLMError" in err and "127.0.0.1" in err and "connection" in err
    assert not out.exists() or load_trajectories(out) == []
