"""``arm-gym report``: the HTML page is checked in a real headless Chromium (Debian's chromium-headless-shell)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from arm_gym.cli import main
from arm_gym.data.explore import collect
from arm_gym.data.synthesize import synthesize
from arm_gym.trajectory import load_trajectories
from tests.reward.tiny_model import trained_checkpoint

CHROMIUM = shutil.which("chromium-headless-shell") or shutil.which("chromium")


def browse(page: str, *flags: str) -> str:
    assert CHROMIUM, "the report tests need Chromium: apt-get install chromium-headless-shell (.ci/run does)"
    proc = subprocess.run([CHROMIUM, "--no-sandbox", "--disable-gpu", "--headless", *flags, page],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def game24_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    collect("ARM-Game24-v0", root / "t.jsonl", episodes=30, num_envs=2, progress=False)
    synthesize(root / "t.jsonl", root / "triplets.jsonl", progress=False)
    return root


def test_a_scored_report_renders_with_charts_filters_and_pages(game24_files, tmp_path_factory, capsys):
    checkpoint, _, _ = trained_checkpoint(tmp_path_factory.getbasetemp())
    page = tmp_path_factory.getbasetemp() / "t.html"
    assert main(["report", str(game24_files / "t.jsonl"), "--rm", str(checkpoint), "--out", str(page)]) == 0
    assert "30 records" in capsys.readouterr().out
    won = sum(t.won for t in load_trajectories(game24_files / "t.jsonl"))
    dom = browse(f"file://{page}", "--dump-dom")
    assert 'data-shown="30"' in dom and "page 1 of 2" in dom  # 25 a page
    assert len(re.findall(r'<svg class="chart"', dom)) == 25 and "<polyline" in dom  # a score chart per record
    assert dom.count('class="item ') == 25
    filtered = browse(f"file://{page}#outcome=won", "--dump-dom")
    assert f'data-shown="{won}"' in filtered
    shot = tmp_path_factory.getbasetemp() / "t.png"
    browse(f"file://{page}", f"--screenshot={shot}", "--window-size=1200,900")
    assert shot.stat().st_size > 10_000


def test_triplets_side_by_side_with_the_divergence_marked(game24_files, tmp_path):
    page = tmp_path / "triplets.html"
    assert main(["report", str(game24_files / "triplets.jsonl"), "--out", str(page)]) == 0
    dom = browse(f"file://{page}#page=1", "--dump-dom")
    assert 'class="side"' in dom and 'class="step diverge"' in dom and "negative: " in dom


def test_a_file_that_is_not_records_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "x"}\n')
    assert main(["report", str(bad), "--out", str(tmp_path / "x.html")]) == 2
    assert "record 1" in capsys.readouterr().err


def test_the_eval_scatter_reads_an_eval_rm_json(tmp_path):
    import json

    from arm_gym.commands.report import scatter_points

    results = {"per_trajectory": {"env_return": [0.0, 1.0], "scores": {"reward_model": [-1.0, 2.0],
                                                                          "outcome_claim": [0.0, 1.0]}},
               "margin": {"spearman": {"baseline": "outcome_claim"}}}
    path = tmp_path / "eval.json"
    path.write_text(json.dumps(results))
    assert scatter_points(str(path)) == [{"return": 0.0, "model": -1.0, "baseline": 0.0},
                                         {"return": 1.0, "model": 2.0, "baseline": 1.0}]
