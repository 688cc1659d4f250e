from __future__ import annotations

from bm25s.stopwords import STOPWORDS_EN

from arm_gym.envs.webshop.phrasing import value_forms
from arm_gym.envs.webshop.reward import similar
from arm_gym.envs.webshop.search import Tokenizer
from arm_gym.envs.webshop.shopper_words import ATTRIBUTE_PARAPHRASES, COLOR_SYNONYMS
from arm_gym.envs.webshop.vocab import FAMILIES
from arm_gym.envs.webshop.vocab_pools import OPTION_POOLS

_TOKENS = Tokenizer(frozenset(STOPWORDS_EN))


def _terms(text: str) -> set[str]:
    return set(_TOKENS.words(text))


def test_paraphrases_leave_out_a_search_term():
    for table in (ATTRIBUTE_PARAPHRASES, COLOR_SYNONYMS):
        for canonical, forms in table.items():
            assert forms
            for form in forms:
                assert not _terms(canonical) <= _terms(form), (canonical, form)


def test_attribute_paraphrases_ground_in_one_attribute_of_their_family():
    known = {a for f in FAMILIES for a in f.attributes}
    assert set(ATTRIBUTE_PARAPHRASES) <= known
    for family in FAMILIES:
        for attr in family.attributes:
            for form in ATTRIBUTE_PARAPHRASES.get(attr, ()):
                for other in family.attributes:
                    if other != attr:
                        assert not similar(form, other), (family.name, attr, form, other)
                        assert form not in ATTRIBUTE_PARAPHRASES.get(other, ()), (family.name, attr, form, other)


def test_colour_synonyms_are_shopper_forms_of_catalogue_colours():
    colours = set(OPTION_POOLS["color"]) | set(OPTION_POOLS["home_color"])
    assert set(COLOR_SYNONYMS) <= colours
    assert "grey" in value_forms("color", "gray") and "dark blue" in value_forms("color", "navy blue")
    for pool in ("color", "home_color"):
        for value in OPTION_POOLS[pool]:
            for form in value_forms("color", value)[1:]:
                assert form not in OPTION_POOLS[pool], (value, form)  # never another value of the same pool
