"""What the TextWorld tests share: the small games they play (compiled once per session) and a step loop."""

TEXTWORLD_GAMES = {
    "tw-coin_collector": "tw-coin_collector/level=2/seed=0",
    "tw-treasure_hunter": "tw-treasure_hunter/level=2/seed=0",
    "tw-cooking": "tw-cooking/level=2/seed=0",
    "custom": "custom/level=1/seed=0",
}


def play(env, actions):
    """Step ``actions`` in order; the summed reward and every step's ``(obs, reward, terminated, truncated, info)``."""
    total, steps = 0.0, []
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        total += reward
        steps.append((obs, reward, terminated, truncated, info))
    return total, steps
