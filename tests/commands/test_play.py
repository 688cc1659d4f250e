"""``arm-gym play``: a person plays through stdin; here stdin is scripted."""

from __future__ import annotations

import subprocess
import sys

from arm_gym.cli import main


def run_cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "arm_gym.cli", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_play_game24_to_a_win_by_number_and_by_text():
    # "1" picks the first admissible action (4 + 8 = 12); the rest are typed.
    proc = run_cli("play", "ARM-Game24-v0", "--task-id", "4 8 8 10", stdin="1\n10 - 8 = 2\n2 * 12 = 24\n:quit\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Instruction: Use the numbers 4 8 8 10" in out
    assert "Admissible actions:" in out and " 1. 4 + 8 = 12" in out
    assert "Episode won with return 1" in out and out.rstrip().endswith("bye")


def test_play_reports_invalid_action_and_ends_on_eof():
    proc = run_cli("play", "ARM-Game24-v0", "--seed", "0", stdin="nonsense\n")
    assert proc.returncode == 0
    assert "Invalid action" in proc.stdout


def test_play_unknown_env_and_bad_kwargs_are_clear_errors(capsys):
    assert main(["play", "ARM-Nope-v0"]) == 2
    assert "ARM-Nope" in capsys.readouterr().err
    assert main(["play", "ARM-Game24-v0", "--env-kwargs", "[1]"]) == 2
    assert main(["play", "ARM-Game24-v0", "--task-id", "x y"]) == 2
    assert "unknown task_id" in capsys.readouterr().err


def test_help_lists_commands():
    proc = run_cli("--help", stdin="")
    assert proc.returncode == 0 and "play" in proc.stdout and "list" in proc.stdout
