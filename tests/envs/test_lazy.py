"""LazyEnv: made on first use, pickled without its env, closed by close()."""

import pickle

from arm_gym.envs.lazy import LazyEnv


def test_the_env_is_made_once_where_used_and_never_pickled():
    lazy = LazyEnv("ARM-Game24-v0", {"check_arithmetic": False})
    assert lazy.env is None
    env = lazy.get()
    assert lazy.get() is env and env.unwrapped.check_arithmetic is False
    copy = pickle.loads(pickle.dumps(lazy))
    assert copy.env is None and copy.get() is not env  # a worker makes its own
    lazy.close()
    copy.close()
    assert lazy.env is None and copy.env is None
