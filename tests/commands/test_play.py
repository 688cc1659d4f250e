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


# ----------------------------------------------------------------------------- through a pseudo-terminal
def spawn(*args: str):
    import pexpect

    child = pexpect.spawn(sys.executable, ["-m", "arm_gym.cli", "play", *args], encoding="utf-8", timeout=60)
    child.expect("> ")
    return child


def test_a_template_action_asks_for_its_text():
    child = spawn("ARM-WebShop-v0", "--seed", "0")
    child.sendline("1")  # search[...] on the search page
    child.expect("keywords: ")
    child.sendline("usb cable")
    child.expect(r"\[action: search\[usb cable\]\]")
    child.expect("> ")
    assert "Back to Search" in child.before
    child.sendline(":quit")
    child.expect("bye")


def test_an_out_of_range_number_is_a_message_not_a_step():
    child = spawn("ARM-Game24-v0", "--task-id", "4 8 8 10")
    child.sendline("99")
    child.expect("there is no action 99")
    child.expect("> ")
    assert "[action:" not in child.before
    child.sendline(":quit")
    child.expect("bye")


def test_undo_and_save(tmp_path):
    from arm_gym.trajectory import load_trajectories

    child = spawn("ARM-Game24-v0", "--task-id", "4 8 8 10")
    child.sendline("4 + 8 = 12")
    child.expect(r"left: 8 10 12")
    child.expect("> ")
    child.sendline(":undo")
    child.expect("undone")
    child.expect("Numbers left: 4 8 8 10")
    child.expect("> ")
    child.sendline("10 - 8 = 2")
    child.expect("> ")
    saved = tmp_path / "me.jsonl"
    child.sendline(f":save {saved}")
    child.expect("saved 1 steps")
    child.sendline(":quit")
    child.expect("bye")
    (t,) = load_trajectories(saved)
    assert t.actions == ["10 - 8 = 2"] and t.task_id == "4 8 8 10" and t.meta["complete"] is False
