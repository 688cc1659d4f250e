"""A normal (non-editable) install lays wrappers/ out as arm_gym.wrappers and ships the package data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installs_wrappers_as_subpackage(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, ROOT], check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("arm_gym-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True, cwd=tmp_path)
    code = (
        "import arm_gym, arm_gym.wrappers, gymnasium as gym;"
        "from arm_gym.wrappers import RecordTrajectory;"
        "print(arm_gym.wrappers.__file__);"
        "print(gym.make('ARM-Game24-v0').reset(seed=0)[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out[0].startswith(str(target)) and out[0].endswith("arm_gym/wrappers/__init__.py")
    assert out[1].startswith("Numbers left:")


def test_every_subpackage_is_listed_for_the_wheel():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "arm_gym").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
