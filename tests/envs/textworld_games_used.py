"""The small TextWorld games the TextWorld tests play, one per challenge (compiled once per session)."""

TEXTWORLD_GAMES = {
    "tw-coin_collector": "tw-coin_collector/level=2/seed=0",
    "tw-treasure_hunter": "tw-treasure_hunter/level=2/seed=0",
    "tw-cooking": "tw-cooking/level=2/seed=0",
    "custom": "custom/level=1/seed=0",
}
