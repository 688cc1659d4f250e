"""Intent synthesis: env-grounded per env, and the LLM synthesizer (prompt handling and a real server)."""

from __future__ import annotations

import pytest
from arm_gym.trajectory import load_trajectories

from arm_gym.trajectory import Step, Trajectory
from arm_gym.data.explore import collect
from arm_gym.envs import make_env
from arm_gym.data.intents import LLMIntentSynthesizer, build_intent_prompt, parse_intent_reply
from arm_gym.envs.synthesis import Intent, get_adapter, replay_actions
from arm_gym.llm.base import LLM


def env_intent(trajectory: Trajectory, env=None) -> Intent | None:
    return get_adapter(trajectory.env_id).relabel(trajectory, env)


def original_intent(trajectory: Trajectory) -> Intent:
    return get_adapter(trajectory.env_id).original_intent(trajectory)


def consistent_with(text: str, grounded: Intent) -> bool:
    return get_adapter(grounded.env_id).intent_names_task(text, grounded)


def align_price(text: str, grounded: Intent) -> str:
    return get_adapter(grounded.env_id).align_intent_text(text, grounded)


def with_text(intent: Intent, text: str, *, source: str) -> Intent:
    return get_adapter(intent.env_id).with_text(intent, text, source=source)

WON = Trajectory(
    "ARM-Game24-v0",
    "4 6 8 8",
    "Use the numbers 4 6 8 8 ...",
    initial_observation="Numbers left: 4 6 8 8",
    steps=[
        Step("8 / 8 = 1", "8 / 8 = 1 (left: 1 4 6)", 0.0),
        Step("4 * 6 = 24", "...", 0.0),
        Step("1 * 24 = 24", "You reached 24", 1.0),
    ],
    env_return=1.0,
    won=True,
    seed=7,
    meta={"options": {"split": "train"}},
)
LOST = Trajectory("ARM-Game24-v0", "1 2 3 4", "Use the numbers 1 2 3 4 ...", steps=[Step("1 + 2 = 3", "", 0.0)], seed=8)


class ScriptedLLM(LLM):
    """Replies from a script and records prompts (prompt handling only; the real server is tested below)."""

    def __init__(self, replies, fail=False):
        self.replies, self.fail, self.calls = list(replies), fail, []

    def chat(self, messages, **kw):
        self.calls.append(("chat", messages, kw))
        return [self.replies.pop(0)]

    def complete_batch(self, prompts, **kw):
        return [self.complete(p, **kw) for p in prompts]

    def complete(self, prompt, **kw):
        if self.fail:
            raise ConnectionError("connection refused")
        self.calls.append(("complete", prompt, kw))
        return [self.replies.pop(0)]


def test_each_env_names_its_adapter():
    names = {i: type(get_adapter(i)).__name__ for i in ("ARM-WebShop-v0", "ARM-Game24-v0", "ARM-ScienceWorld-v0",
                                                        "ARM-TextWorld-v0", "tests.testing_env:GenericTextEnv")}
    assert names == {
        "ARM-WebShop-v0": "WebShopSynthesis",
        "ARM-Game24-v0": "Game24Synthesis",
        "ARM-ScienceWorld-v0": "ScienceWorldSynthesis",
        "ARM-TextWorld-v0": "TextWorldSynthesis",
        "tests.testing_env:GenericTextEnv": "SynthesisAdapter",
    }


def test_task_text_intent_only_for_completed_trajectories():
    intent = env_intent(WON)
    assert intent == Intent(
        text=WON.instruction,
        env_id="ARM-Game24-v0",
        task_id="4 6 8 8",
        options={"task_id": "4 6 8 8"},
        seed=7,
        source="env",
        kind="relabel",
    )
    assert env_intent(LOST) is None
    original = original_intent(LOST)
    assert original.kind == "original" and original.options == {"task_id": "1 2 3 4"} and original.seed == 8


@pytest.fixture(scope="module")
def webshop(tmp_path_factory):
    """A real WebShop env and random trajectories explored in it (some bought something)."""
    path = tmp_path_factory.mktemp("ws") / "trajs.jsonl"
    collect("ARM-WebShop-v0", path, episodes=40, num_envs=4, progress=False)
    env = make_env("ARM-WebShop-v0")
    yield env, load_trajectories(path)
    env.close()


def test_webshop_intent_describes_the_purchase(webshop):
    env, trajs = webshop
    bought = [t for t in trajs if "purchase" in t.meta.get("final_info", {})]
    assert len(bought) >= 3
    for t in bought:
        purchase = t.meta["final_info"]["purchase"]
        product = env.unwrapped.catalogue[purchase["asin"]]
        intent = env_intent(t, env)
        goal = intent.options["goal"]
        assert (intent.kind, intent.source, intent.seed) == ("relabel", "env", t.seed)
        assert goal["asin"] == product.asin and goal["product_type"] == product.product_type
        assert goal["options"] == purchase["options"] and set(goal["attributes"]) <= set(product.attributes)
        assert 1 <= len(goal["attributes"]) <= 3
        assert goal["price_upper"] > product.price and intent.text == goal["instruction"]
        assert product.product_type in intent.text and f"{goal['price_upper']:.2f} dollars" in intent.text
        assert intent.grounding["split_group"] == f"asin:{product.asin}"
        # posed in the env, the explored actions now score full marks and the page shows the new instruction
        replayed = replay_actions(env, intent, t.actions)
        assert replayed.env_return == 1.0 and intent.text in replayed.initial_observation
    not_bought = next(t for t in trajs if "purchase" not in t.meta.get("final_info", {}))
    assert env_intent(not_bought, env) is None
    # without the recorded purchase, the intent comes from replaying the trajectory
    stripped = Trajectory.from_dict({**bought[0].to_dict(), "meta": {}})
    assert env_intent(stripped, env).options["goal"] == env_intent(bought[0], env).options["goal"]
    original = original_intent(bought[0])
    assert original.grounding["split_group"] == f"asin:{bought[0].meta['final_info']['goal']['asin']}"


def test_llm_text_is_what_the_webshop_page_shows(webshop):
    env, trajs = webshop
    t = next(t for t in trajs if "purchase" in t.meta.get("final_info", {}))
    product_type = env.unwrapped.catalogue[t.meta["final_info"]["purchase"]["asin"]].product_type
    text = f"i want this exact {product_type} for my sister, price under 5 dollars"
    intent = LLMIntentSynthesizer(ScriptedLLM([text]))(t, env)
    bound = intent.options["goal"]["price_upper"]
    text = f"i want this exact {product_type} for my sister, and price lower than {bound:.2f} dollars"
    assert intent.source == "llm" and intent.options["goal"]["instruction"] == intent.text == text
    replayed = replay_actions(env, intent, t.actions)
    assert text in replayed.initial_observation and replayed.env_return == 1.0
    # a reply about something else (a small model copying its examples) is not used
    assert LLMIntentSynthesizer(ScriptedLLM(["i need noise cancelling zzyzx in red"]))(t, env) is None


def test_intent_prompt_and_reply_parsing():
    prompt = build_intent_prompt(WON)
    assert prompt.endswith(
        "Record:\nStart: Numbers left: 4 6 8 8\nActions: 8 / 8 = 1; 4 * 6 = 24; 1 * 24 = 24\nOutcome: You reached 24\nInstruction:"
    )
    assert prompt.count("Record:") == 3 and "Numbers left: 1 5 5 5" in prompt  # Game of 24 examples
    assert "Purchased" in build_intent_prompt(Trajectory("ARM-WebShop-v0", "t", "i")) and "coin" in build_intent_prompt(
        Trajectory("ARM-TextWorld-v0", "t", "i")
    )
    assert parse_intent_reply(" Use 4 6 8 8 to make 24.\nRecord: ...") == "Use 4 6 8 8 to make 24."
    assert parse_intent_reply('Instruction: "find red shoes size 9"') == "find red shoes size 9"
    assert parse_intent_reply("\n\n") is None and parse_intent_reply("ok") is None


def test_llm_intent_keeps_env_grounding():
    llm = ScriptedLLM([" Make 24 from 4, 6, 8 and 8.\n"])
    intent = LLMIntentSynthesizer(llm)(WON)
    assert intent.text == "Make 24 from 4, 6, 8 and 8." and intent.source == "llm"
    assert intent.options == env_intent(WON).options and intent.seed == 7
    kind, prompt, kwargs = llm.calls[0]
    assert kind == "complete" and prompt == build_intent_prompt(WON) and kwargs["stop"] == ["\n\n", "\nRecord:"]
    assert LLMIntentSynthesizer(llm)(LOST) is None and len(llm.calls) == 1  # nothing to ground: no LLM call
    assert LLMIntentSynthesizer(ScriptedLLM([], fail=True))(WON) is None  # a dead server gives no intent, no crash
    chat = ScriptedLLM(["Reach 24 with 4 6 8 8."])
    assert LLMIntentSynthesizer(chat, mode="chat")(WON).text == "Reach 24 with 4 6 8 8."
    assert chat.calls[0][1][0]["role"] == "user"
    with pytest.raises(ValueError):
        LLMIntentSynthesizer(llm, mode="poem")


def test_consistency_guard():
    grounded = env_intent(WON)
    assert consistent_with("Use 4, 6, 8 and 8 to make 24", grounded)
    assert not consistent_with("Use the numbers 2 3 4 8 to obtain 24.", grounded)  # a copied example
    assert not consistent_with("Use 4 6 8 to make 24", grounded)  # 8 is needed twice
    shop = Intent("x", "ARM-WebShop-v0", "asin:B1", {"goal": {"product_type": "hiking boots"}})
    assert consistent_with("i need waterproof boots in size 9", shop) and not consistent_with("i need a lamp", shop)
    can = Intent("x", "ARM-WebShop-v0", "asin:B2", {"goal": {"product_type": "trash can"}})
    assert not consistent_with("noise cancelling earbuds", can) and consistent_with("a big trash can", can)
    other = Intent("Take the coin from the chest", "ARM-TextWorld-v0", "t")
    assert consistent_with("Grab the coin", other) and not consistent_with("Eat the apple", other)


def test_llm_price_is_replaced_by_the_grounded_bound():
    shop = Intent("x", "ARM-WebShop-v0", "asin:B1", {"goal": {"product_type": "coffee", "price_upper": 60.0}})
    for text in (
        "i need coffee, and price lower than 20.00 dollars",
        "i need coffee | Price: $21.99",
        "i need coffee.",
    ):
        assert align_price(text, shop) == "i need coffee, and price lower than 60.00 dollars"
    posed = LLMIntentSynthesizer.pose("i need coffee, and price lower than 5 dollars", shop)
    assert posed.text == posed.options["goal"]["instruction"] == "i need coffee, and price lower than 60.00 dollars"
    assert align_price("Use 4 6 8 8, price lower", env_intent(WON)) == "Use 4 6 8 8, price lower"  # WebShop only


def test_with_text_rewrites_a_webshop_goal():
    intent = Intent("old", "ARM-WebShop-v0", "asin:B1", {"goal": {"instruction": "old", "asin": "B1"}}, 3)
    new = with_text(intent, "new words", source="llm")
    assert (
        new.options["goal"] == {"instruction": "new words", "asin": "B1"}
        and intent.options["goal"]["instruction"] == "old"
    )


def test_llm_intent_through_the_real_llama_server(llama_server, webshop):
    """ARMAP's intent synthesis with a real model (Gemma 3 270M on llama.cpp), posed and checked in WebShop."""
    from arm_gym.llm import OpenAICompatibleLLM

    env, trajs = webshop
    llm = OpenAICompatibleLLM(llama_server.base_url, llama_server.model, timeout=300, max_retries=1)
    t = next(t for t in trajs if "purchase" in t.meta.get("final_info", {}))
    synthesizer = LLMIntentSynthesizer(llm, max_tokens=40)
    (text,) = synthesizer.texts([t])
    assert synthesizer.last_error is None and llm.usage["requests"] == 1
    assert text and "\n" not in text and 8 <= len(text) <= 500
    grounded = env_intent(t, env)
    intent = with_text(grounded, text, source="llm")
    replayed = replay_actions(env, intent, t.actions)
    assert text in replayed.initial_observation  # the env shows the LLM's instruction
    assert replayed.env_return == 1.0  # and still scores the explored purchase against the grounded goal
    # the synthesizer uses the text only when it names the bought product's type
    called = LLMIntentSynthesizer(llm, max_tokens=40)(t, env)
    assert (called is not None) == consistent_with(text, grounded)
