"""The official-data loader on a small fixture written here in WebShop's file schema (no WebShop content)."""

from __future__ import annotations

import json

import pytest

from arm_gym.envs.webshop import WebShopEnv, expert_actions
from arm_gym.envs.webshop.official import load_official, parse_pricing
from arm_gym.envs.webshop.world import DATA_ENV_VAR, clear_worlds

KINDS = ["kettle", "lamp", "backpack", "teapot", "scarf", "blender"]


def _raw_product(i: int) -> dict:
    kind = KINDS[i % len(KINDS)]
    return {
        "asin": f"B0FIX{i:05d}",
        "name": f"Fixture Brand {kind.title()} Model {i}",
        "full_description": f"A {kind} made for fixture {i}.",
        "pricing": "$10.00 - $20.00" if i % 3 == 0 else f"${12 + i}.50",
        "images": ["x.jpg"],
        "product_category": f"Home & Kitchen › Fixture › {kind.title()}s",
        "average_rating": "4.5" if i % 2 else "N.A.",
        "small_description": [f"durable {kind}", "easy to clean"],
        "customization_options": {
            "Color": [{"value": "Black/White", "image": None}, {"value": "Red", "image": None}],
            "Size": [{"value": "Small"}, {"value": "Large"}],
        }
        if i % 4
        else None,
        "category": "garden",
        "query": kind + "s",
    }


def write_fixture(folder, n: int = 18, human: bool = True) -> None:
    products = [_raw_product(i) for i in range(n)]
    products.append(dict(_raw_product(0)))  # a duplicate ASIN, skipped as WebShop does
    products.append({**_raw_product(1), "asin": "nan"})  # an invalid ASIN, skipped
    (folder / "items_shuffle_1000.json").write_text(json.dumps(products))
    ins = {
        p["asin"]: {
            "attributes": ["easy to clean", "durable"],
            "instruction": f"i want an easy to clean {KINDS[i % len(KINDS)]}",
            "instruction_attributes": ["easy to clean"],
        }
        for i, p in enumerate(products[:n])
    }
    (folder / "items_ins_v2_1000.json").write_text(json.dumps(ins))
    if human:
        human_ins = {
            p["asin"]: [
                {
                    "asin": p["asin"],
                    "instruction": f"i need a durable {KINDS[i % len(KINDS)]} in red.",
                    "instruction_attributes": ["durable"],
                    "instruction_options": ["Red", "large"] if i % 4 else [],
                },
                {"asin": p["asin"], "instruction": "no attributes, skipped", "instruction_attributes": []},
            ]
            for i, p in enumerate(products[:n])
        }
        (folder / "items_human_ins.json").write_text(json.dumps(human_ins))


def test_parse_pricing():
    assert parse_pricing("$12.99") == [12.99]
    assert parse_pricing("$10.00 - $20.00") == [10.0, 20.0]
    assert parse_pricing("$1,299.00") == [1299.0]
    assert parse_pricing(None) == parse_pricing("") == [100.0]


def test_loads_products_and_human_goals(tmp_path):
    write_fixture(tmp_path)
    catalogue, goals = load_official(tmp_path, seed=0)
    assert len(catalogue) == 18
    p = catalogue["B0FIX00001"]
    assert p.title == "Fixture Brand Lamp Model 1" and p.product_type == "lamps" and p.price == 13.5
    assert p.options == {"color": ["black | white", "red"], "size": ["small", "large"]}
    assert p.attributes == ["easy to clean", "durable"] and p.features == ["durable lamp", "easy to clean"]
    assert p.rating == 4.5 and catalogue["B0FIX00002"].rating is None and catalogue["B0FIX00000"].options == {}
    assert 10.0 <= catalogue["B0FIX00003"].price <= 20.0
    all_ids = [g for s in goals.splits for g in goals.ids(s)]
    assert len(all_ids) == 18 and len(goals.ids("test")) == 3
    goal = goals.get(goals.ids("test")[0])
    assert goal.attributes == ["durable"] and goal.product_title == catalogue[goal.asin].title
    assert goal.instruction.startswith("i need a durable") and "." not in goal.instruction.split(",")[0]
    again = load_official(tmp_path, seed=0)[1]
    assert [again.get(g) for g in again.ids("test")] == [goals.get(g) for g in goals.ids("test")]


def test_synthetic_goals_without_the_human_file(tmp_path):
    write_fixture(tmp_path, human=False)
    _, goals = load_official(tmp_path)
    goal = goals.get(goals.ids("train")[0])
    assert goal.instruction.startswith("i want an easy to clean") and goal.attributes == ["easy to clean"]


def test_env_runs_official_data_by_path_and_by_env_var(tmp_path, monkeypatch):
    write_fixture(tmp_path)
    env = WebShopEnv(data_path=str(tmp_path))
    assert len(env.catalogue) == 18
    for split in env.splits:
        for goal_id in env.task_ids(split):
            env.reset(options={"task_id": goal_id})
            rewards = [env.step(a)[1] for a in expert_actions(env, env.goal)]
            assert rewards[-1] == 1.0, goal_id
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    clear_worlds()
    assert WebShopEnv().catalogue.fingerprint == env.catalogue.fingerprint
    clear_worlds()


@pytest.mark.parametrize("damage", ["missing_folder", "no_products", "bad_json", "wrong_shape", "no_goals"])
def test_broken_data_gives_clear_errors(tmp_path, damage):
    folder = tmp_path / "data"
    if damage != "missing_folder":
        folder.mkdir()
        write_fixture(folder)
    if damage == "no_products":
        (folder / "items_shuffle_1000.json").unlink()
    elif damage == "bad_json":
        (folder / "items_shuffle_1000.json").write_text("[{broken")
    elif damage == "wrong_shape":
        (folder / "items_shuffle_1000.json").write_text("{}")
    elif damage == "no_goals":
        (folder / "items_human_ins.json").write_text("{}")
    with pytest.raises(ValueError):
        load_official(folder)
    with pytest.raises(ValueError):
        WebShopEnv(data_path=str(folder))


def _order(goals) -> list[tuple[str, str]]:
    return [(goals.get(g).asin, goals.get(g).instruction.split(", and price lower")[0]) for s in ("test", "dev", "train")
            for g in goals.ids(s)]


def test_split_reproduces_webshops_seed_233_shuffle(tmp_path):
    import random

    write_fixture(tmp_path)
    catalogue, goals = load_official(tmp_path, seed=5)
    # the original: human goals in product order, then random.seed(233); random.shuffle(goals)
    raw = json.loads((tmp_path / "items_human_ins.json").read_text())
    expected = [(a, e["instruction"].strip(".")) for a in [p.asin for p in catalogue] for e in raw.get(a, [])
                if e["instruction_attributes"]]
    random.seed(233)
    random.shuffle(expected)
    assert _order(goals) == expected  # test = the first goals of the shuffled list, dev next, train the rest
    assert len(goals.ids("test")) == len(expected) // 5


def test_human_goals_false_uses_the_synthetic_goals_with_option_combinations(tmp_path):
    import random

    write_fixture(tmp_path)
    catalogue, goals = load_official(tmp_path, human_goals=False)
    expected = []
    for p in catalogue:
        names = sorted(p.options)
        combos = [dict(zip(names, c)) for c in __import__("itertools").product(*(p.options[n] for n in names))]
        for chosen in combos:
            text = ", and ".join(f"{k}: {v}" for k, v in chosen.items())
            expected.append((p.asin, f"i want an easy to clean {p.product_type[:-1]}" + (f" with {text}" if text else "")))
    random.seed(233)
    random.shuffle(expected)
    assert _order(goals) == expected
    goal = goals.get(goals.ids("test")[0])
    assert set(goal.options.values()) <= {v for vals in catalogue[goal.asin].options.values() for v in vals}


def test_env_human_goals_switch(tmp_path):
    write_fixture(tmp_path)
    human = WebShopEnv(data_path=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    synthetic = WebShopEnv(data_path=str(tmp_path), cache_dir=str(tmp_path / "cache"), human_goals=False)
    assert human.goal_by_id("test-00000").instruction.startswith("i need a durable")
    assert synthetic.goal_by_id("test-00000").instruction.startswith("i want an easy to clean")
    clear_worlds()
