"""The import layers (docs/architecture.md): ``lint-imports`` checks them, and this test covers what it cannot see.

``arm_gym.wrappers`` is installed from ``wrappers/`` (a package-dir mapping), which import-linter's graph does
not find, so the layer contract lists it as optional; here every module below the top layer is read for an
import of it.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_LAYER = ("arm_gym/cli.py", "arm_gym/commands/")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_layer_below_the_top_imports_the_wrappers():
    offenders = []
    for path in sorted((ROOT / "arm_gym").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(TOP_LAYER):
            continue
        if any(name == "arm_gym.wrappers" or name.startswith("arm_gym.wrappers.") for name in imported_modules(path)):
            offenders.append(relative)
    assert offenders == []


def test_the_layer_contract_holds():
    exe = shutil.which("lint-imports")
    assert exe is not None, "import-linter is part of the test extra"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
