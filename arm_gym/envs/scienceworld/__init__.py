"""ARM-ScienceWorld-v0: ScienceWorld's 30 tasks over its Java engine (:class:`ScienceWorldEnv`).

Importing this package does not start Java or import the ``scienceworld`` package; the env does, on first use.
"""

from __future__ import annotations

from arm_gym.envs.scienceworld.env import JavaNotFoundError, JVMDiedError, ScienceWorldEnv

__all__ = ["JVMDiedError", "JavaNotFoundError", "ScienceWorldEnv"]
