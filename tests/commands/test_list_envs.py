"""``arm-gym list``."""

from __future__ import annotations

from arm_gym.cli import main
from arm_gym.envs import ENV_SPECS


def test_list_prints_every_id_with_description(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(ENV_SPECS)
    for spec, line in zip(ENV_SPECS, out):
        assert line.startswith(spec.id) and spec.description in line
