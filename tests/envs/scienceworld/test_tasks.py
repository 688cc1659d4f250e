"""The ScienceWorld task catalogue helpers (no JVM needed)."""

from __future__ import annotations

import pytest

from arm_gym.envs.scienceworld.tasks import (
    SIMPLIFICATIONS,
    TaskCatalogue,
    parse_task_id,
    simplification_string,
    variation_splits,
)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 10, 14, 20, 30, 32, 125, 1386])
def test_variation_splits_partition_every_variation(n):
    splits = variation_splits(n)
    train, dev, test = splits["train"], splits["dev"], splits["test"]
    assert sorted(set(train) | set(dev) | set(test)) == list(range(n))
    if n >= 3:
        assert not set(train) & set(dev) and not set(dev) & set(test) and not set(train) & set(test)
        assert max(train) < min(dev) < min(test)  # contiguous blocks, as ScienceWorld splits them


def test_variation_splits_match_scienceworlds_published_sizes():
    assert {k: len(v) for k, v in variation_splits(30).items()} == {"train": 14, "dev": 7, "test": 9}
    assert {k: len(v) for k, v in variation_splits(32).items()} == {"train": 16, "dev": 8, "test": 8}
    assert variation_splits(1) == {"train": (0,), "dev": (), "test": (0,)}


def test_simplification_string():
    assert simplification_string(False) == "" and simplification_string(None) == ""
    assert simplification_string(True) == "easy"
    assert simplification_string(" openDoors , teleportAction ") == "openDoors,teleportAction"
    assert simplification_string(["openContainers", "easy"]) == "openContainers,easy"
    assert set(SIMPLIFICATIONS) >= {"teleportAction", "noElectricalAction"}
    with pytest.raises(ValueError, match="Did you mean 'teleportAction'"):
        simplification_string("teleport")


@pytest.mark.parametrize("bad", ["boil", "boil/", "/3", "boil/x", "boil/-1", ""])
def test_parse_task_id_rejects_malformed_ids(bad):
    with pytest.raises(ValueError, match="<task-name>/<variation>"):
        parse_task_id(bad)


def test_parse_task_id():
    assert parse_task_id("boil/3") == ("boil", 3)
    assert parse_task_id("Matter Changes of State (Boiling)/0") == ("Matter Changes of State (Boiling)", 0)


@pytest.fixture
def catalogue():
    return TaskCatalogue(("boil", "melt", "power-component"), {"boil": 30, "melt": 30, "power-component": 20})


def test_catalogue_resolves_names_indices_and_scienceworld_ids(catalogue):
    assert catalogue.resolve("melt") == "melt"
    assert catalogue.resolve(1) == catalogue.resolve("1") == "melt"
    assert catalogue.resolve("1-1") == "boil"  # ScienceWorld's task id
    assert catalogue.resolve("Matter Changes of State (Boiling)") == "boil"  # the paper's name
    with pytest.raises(ValueError, match="Did you mean 'boil'"):
        catalogue.resolve("bol")
    with pytest.raises(ValueError, match="out of range"):
        catalogue.resolve(3)
    with pytest.raises(ValueError, match="name or an index"):
        catalogue.resolve(1.5)


def test_catalogue_task_ids_and_canonical_ids(catalogue):
    assert catalogue.task_ids("train")[:2] == ["boil/0", "boil/1"]
    assert len(catalogue.task_ids("test")) == 9 + 9 + len(variation_splits(20)["test"])
    assert catalogue.canonical_id("1-1/4") == "boil/4"
    with pytest.raises(ValueError, match="variations 0-19"):
        catalogue.canonical_id("power-component/20")
    for bad in (True, 2.0, "two"):
        with pytest.raises(ValueError, match="integer index"):
            catalogue.check_variation("boil", bad)
