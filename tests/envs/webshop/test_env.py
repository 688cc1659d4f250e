from __future__ import annotations

import dataclasses

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arm_gym  # noqa: F401  (registers ARM-* ids)
from arm_gym.core import CHARSET
from arm_gym.envs.webshop import WebShopEnv, expert_actions, score_purchase
from arm_gym.envs.webshop.reward import option_matches

CONTRACT = {"instruction", "admissible_actions", "task_id", "env_reward", "won", "goal"}


def test_check_env_through_gym_make():
    env = gym.make("ARM-WebShop-v0")
    check_env(env.unwrapped)
    obs, info = env.reset(seed=1)
    assert CONTRACT <= set(info) and obs.startswith("WebShop [SEP] Instruction: [SEP] ")
    assert 15 in (env.unwrapped.max_steps, env.spec.max_episode_steps)
    assert env.unwrapped.catalogue is env.unwrapped.world.catalogue
    assert len(env.unwrapped.catalogue) == 10_000


def test_reset_picks_goals_by_id_split_and_seed(shop):
    _, info = shop.reset(options={"task_id": "test-00007", "split": "test"})
    assert info["task_id"] == "test-00007" and info["goal"]["goal_id"] == "test-00007"
    assert info["instruction"] == info["goal"]["instruction"] and info["admissible_actions"] == ["search[...]"]
    a = shop.reset(seed=5, options={"split": "dev"})[1]["task_id"]
    b = shop.reset(seed=5, options={"split": "dev"})[1]["task_id"]
    assert a == b and a.startswith("dev-")
    with pytest.raises(ValueError, match="unknown task_id"):
        shop.reset(options={"task_id": "test-99999"})


def _walk_to_item(env: WebShopEnv, goal_id: str):
    env.reset(options={"task_id": goal_id})
    actions = expert_actions(env, env.goal)
    for a in actions[:-1]:
        out = env.step(a)
    return actions, out


def test_navigation_between_pages(shop):
    shop.reset(options={"task_id": "test-00001"})
    obs, *_, info = shop.step("search[" + shop.goal.product_type + "]")
    assert "Page 1 (Total results: " in obs and "click[Next >]" in info["admissible_actions"]
    obs, *_, info = shop.step("click[Next >]")
    assert "Page 2 " in obs and "click[< Prev]" in info["admissible_actions"]
    asin = next(a[6:-1] for a in info["admissible_actions"] if a.startswith("click[B0"))
    obs, *_, info = shop.step(f"click[{asin.lower()}]")  # clicks are case-insensitive, as in WebShop
    assert "Buy Now" in obs and "click[Description]" in info["admissible_actions"]
    product = shop.catalogue[asin]
    value = next(v for vals in product.options.values() for v in vals)
    shop.step(f"click[{value}]")
    obs, *_, info = shop.step("click[Features]")
    assert obs.endswith(" [SEP] ".join(product.features)) and info["admissible_actions"] == [
        "click[Back to Search]",
        "click[< Prev]",
    ]
    shop.step("click[< Prev]")
    assert dict(shop.page.options) and shop.page.kind == "item"  # options survive a sub-page visit
    obs, *_ = shop.step("click[< Prev]")
    assert "Page 2 " in obs and not shop.page.options
    obs, *_, info = shop.step("click[Back to Search]")
    assert obs.endswith("[SEP] Search") and info["admissible_actions"] == ["search[...]"]


def test_buy_reports_purchase_and_ends_episode(shop):
    actions, _ = _walk_to_item(shop, "test-00002")
    obs, reward, terminated, truncated, info = shop.step(actions[-1])
    assert terminated and not truncated and reward == 1.0 and info["won"] and info["env_reward"] == 1.0
    purchase = info["purchase"]
    assert purchase["asin"] == shop.goal.asin and purchase["options"] == shop.goal.options
    assert purchase["scores"]["reward"] == 1.0 and purchase["price"] == shop.catalogue[shop.goal.asin].price
    bought = shop.catalogue[shop.goal.asin]
    assert purchase["product"]["product_type"] == bought.product_type == info["goal"]["product_type"]
    assert set(info["goal"]["attributes"]) <= set(purchase["product"]["attributes"])
    assert "Thank you for shopping with us!" in obs and "Your score" not in obs  # no label for a reward model
    obs, reward, terminated, _, info = shop.step("click[Buy Now]")
    assert terminated and reward == 0.0 and "episode is over" in obs and info["purchase"] == purchase


def test_reveal_outcome_prints_webshops_score_line():
    shop = WebShopEnv(reveal_outcome=True)
    actions, _ = _walk_to_item(shop, "test-00002")
    obs, reward, *_ = shop.step(actions[-1])
    assert obs.endswith("[SEP] Your score (min 0.0, max 1.0) [SEP] 1.0 [SEP] Reward Details [SEP] None")
    assert reward == 1.0 and shop.reveal_outcome


def test_show_score_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="reveal_outcome"):
        shop = WebShopEnv(show_score=True)
    assert shop.reveal_outcome and shop.show_score


def test_wrong_option_and_over_price_lose_exactly_their_share(shop):
    checked = 0
    for goal_id in shop.task_ids("test")[:80]:
        goal = shop.goal_by_id(goal_id)
        product = shop.catalogue[goal.asin]
        n = len(goal.attributes) + len(goal.options) + 1
        if goal.options:
            group, wanted = next(iter(goal.options.items()))
            wrong = next((v for v in product.options[group]
                          if not option_matches(goal, {**goal.options, group: v}, product)[0]), None)
            if wrong is not None:
                shop.reset(options={"goal": goal})
                actions = [f"click[{wrong}]" if a == f"click[{wanted}]" else a for a in expert_actions(shop, goal)]
                rewards = [shop.step(a)[1] for a in actions]
                assert rewards[-1] == pytest.approx((n - 1) / n), goal_id
                checked += 1
        cheap = dataclasses.replace(goal, price_upper=product.price - 0.01)
        shop.reset(options={"goal": cheap})
        reward = [shop.step(a)[1] for a in expert_actions(shop, cheap)][-1]
        assert reward == pytest.approx((n - 1) / n)
        assert shop.purchase["scores"]["r_price"] is False
    assert checked >= 30


def test_sizes_match_exactly(shop):
    goal_id = next(g for g in shop.task_ids("test") if len(shop.catalogue[shop.goal_by_id(g).asin].options.get(
        "size", [])) > 1 and "size" in shop.goal_by_id(g).options)
    goal = shop.goal_by_id(goal_id)
    product = shop.catalogue[goal.asin]
    other = next(v for v in product.options["size"] if v != goal.options["size"])
    scores = score_purchase(goal, product, {**goal.options, "size": other})
    text = " ".join([product.title, *product.features, product.description]).lower()
    assert scores["num_option_matches"] == len(goal.options) - 1 + (other in text)


def test_custom_goal_scores_a_purchase_under_another_intent(shop):
    base = shop.goal_by_id("test-00003")
    other = dataclasses.replace(shop.goal_by_id("test-00004"), goal_id="custom-1")
    _, info = shop.reset(options={"goal": other.to_dict()})
    assert info["task_id"] == "custom-1" and info["instruction"] == other.instruction
    for a in expert_actions(shop, base):
        _, reward, _, _, info = shop.step(a)
    expected = score_purchase(other, shop.catalogue[base.asin], dict(shop.purchase["options"]))
    assert info["purchase"]["scores"] == expected and reward == expected["reward"]


@pytest.mark.parametrize(
    "action",
    [
        "click[]",
        "search[",
        "search[]",
        "click[Nonexistent]",
        "click[Search]",
        "buy",
        "",
        "click[Buy Now]",
        "click[Next >]",
        "ｓｅａｒｃｈ［shoes］",
        "click[\x00\udcff]",
        "🛒" * 50,
        "x" * 10_000,
        "search[" + "a" * 10_000 + "]",
    ],
)
def test_invalid_actions_are_no_ops_with_the_reason_in_info(shop, action):
    first, _ = shop.reset(options={"task_id": "test-00000"})
    obs, reward, terminated, truncated, info = shop.step(action)
    if not action.startswith("search[a"):
        assert obs == first and info["invalid_action"]  # WebShop returns the same page
    assert reward == 0.0 and not terminated and not truncated and not info["won"]
    assert set(obs) <= set(CHARSET) and len(obs) < 20_000


def test_action_feedback_keeps_the_explaining_message():
    env = WebShopEnv(action_feedback=True)
    first, _ = env.reset(options={"task_id": "test-00000"})
    obs, reward, *_, info = env.step("click[Nonexistent]")
    assert obs == f"Invalid action: {info['invalid_action']}. [SEP] {first}" and reward == 0.0
    assert env.step("search[shoes]")[4]["invalid_action"] is None


def test_search_from_any_page(shop):
    shop.reset(options={"task_id": "test-00000"})
    shop.step("search[shoes]")
    asin = next(a[6:-1] for a in shop.admissible_actions() if a.startswith("click[B0"))
    shop.step(f"click[{asin}]")
    obs, reward, *_, info = shop.step("search[hats]")
    assert info["invalid_action"] is None and reward == 0.0 and "Page 1 (Total results:" in obs
    assert shop.page.query == "hats" and not shop.page.options


def test_attributes_button_only_with_show_attrs():
    for show in (False, True):
        env = WebShopEnv(show_attrs=show)
        _walk_to_item(env, "test-00001")
        assert ("click[Attributes]" in env.admissible_actions()) is show


def test_max_steps_truncates(small_shop):
    small_shop.reset(seed=0)
    results = [small_shop.step("click[nothing]") for _ in range(15)]
    assert [r[3] for r in results] == [False] * 14 + [True]


def test_text_rich_mode():
    env = WebShopEnv(observation_mode="text_rich")
    obs, _ = env.reset(options={"task_id": "test-00000"})
    assert obs.endswith("[button] Search [button_]\n")
    with pytest.raises(ValueError, match="observation_mode"):
        WebShopEnv(observation_mode="html")


def test_get_state_and_set_state(shop):
    actions, _ = _walk_to_item(shop, "test-00005")
    snap = shop.get_state()
    obs_before = shop.last_observation
    shop.step("click[Back to Search]")
    shop.step("search[anything]")
    shop.set_state(snap)
    assert shop.last_observation == obs_before and shop.actions_taken == actions[:-1]
    assert shop.step(actions[-1])[1] == 1.0
    after = shop.get_state()
    shop.reset(seed=3)
    shop.set_state(after)
    assert shop.purchase is not None and shop.step("click[Buy Now]")[2]
    with pytest.raises(TypeError):
        shop.set_state("nope")


def test_replay_state_fallback(small_shop):
    from arm_gym.core import TextEnv

    small_shop.reset(seed=2)
    small_shop.step("search[red]")
    snap = TextEnv.get_state(small_shop)
    obs = small_shop.last_observation
    small_shop.step("click[Back to Search]")
    small_shop.set_state(snap)
    assert small_shop.last_observation == obs


_junk = st.one_of(
    st.text(max_size=60),
    st.builds(lambda s: f"click[{s}]", st.text(max_size=30)),
    st.builds(lambda s: f"search[{s}", st.text(max_size=30)),
    st.builds(lambda s: f"search[{s}]", st.text(max_size=30)),
    st.sampled_from(
        [
            "click[]",
            "search[]",
            "click[Buy Now]",
            "click[Next >]",
            "click[< Prev]",
            "click[Back to Search]",
            "click[Description]",
            "search[shoes]",
            "x" * 10_000,
        ]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.one_of(_junk, st.just("<valid>")), min_size=1, max_size=10))
def test_malformed_actions_never_raise(small_shop, actions):
    small_shop.reset(seed=0)
    for action in actions:
        if action == "<valid>":
            valid = [a for a in small_shop.admissible_actions() if a != "search[...]"] or ["search[red shoes]"]
            action = valid[len(actions) % len(valid)]
        obs, reward, terminated, _, _ = small_shop.step(action)
        assert isinstance(obs, str) and set(obs) <= set(CHARSET)
        assert 0.0 <= reward <= 1.0 and (reward == 0.0 or terminated)
        if terminated:
            break


def test_render_ansi_and_rich_mode_pass_check_env():
    env = gym.make("ARM-WebShop-v0", observation_mode="text_rich", render_mode="ansi").unwrapped
    check_env(env)
    env.reset(options={"task_id": "test-00000"})
    assert env.render().startswith("Instruction: ") and "[button] Search [button_]" in env.render()
