"""The nouns of a product title, for WebShop's type factor (``title_score`` in :func:`~arm_gym.envs.webshop.reward.type_reward`).

WebShop keeps the tokens that spaCy's ``en_core_web_lg`` tags ``NOUN`` or ``PROPN``. Here:

* generated products record their title's nouns when the catalogue renders them (the generator knows
  which words are the brand, the product type and its use), so no tagger is involved;
* for other titles (official data, custom goals) :func:`title_nouns` uses spaCy when the ``spacy``
  package and an English pipeline (``en_core_web_lg``, ``_md``, ``_sm`` or ``_trf``, in that order) are
  installed. Nothing is downloaded: install one yourself (``pip install spacy`` plus a pipeline
  package) to reproduce WebShop's numbers exactly;
* otherwise a documented fallback: lower-cased word tokens that are not English stop words and
  contain no digit (spaCy tags numbers ``NUM``). On the original's test titles it gives the same
  ``r_type`` rung as spaCy (``title_score`` 0.86 / 0.29 / 0.15 / 0.0 where spaCy gives
  0.86 / 0.31 / 0.17 / < 0.05), since adjectives and verbs it keeps are rarely shared.

Set ``ARM_GYM_WEBSHOP_SPACY=0`` to force the fallback even where spaCy is installed.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any

SPACY_PIPELINES = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_trf")
NOUN_TAGS = ("PNOUN", "NOUN", "PROPN")  # WebShop's list ("PNOUN" is not a spaCy tag; kept as the original has it)

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'][A-Za-z0-9]+)*\.?")
STOP_WORDS = frozenset(
    "a about above after again against all also am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further had has have having "
    "he her here hers herself him himself his how i if in into is it its itself just me more most my myself no "
    "nor not now of off on once only or other our ours ourselves out over own same she should so some such than "
    "that the their theirs them themselves then there these they this those through to too under until up upon "
    "very was we were what when where which while who whom why will with within without would you your yours "
    "yourself yourselves per via".split()
)


def fallback_nouns(text: str) -> list[str]:
    """The fallback noun list: lower-cased words, minus stop words and words with a digit (order and repeats kept)."""
    out = []
    for w in _WORD.findall(text):
        w = w.lower().rstrip(".")
        if w and w not in STOP_WORDS and not any(c.isdigit() for c in w):
            out.append(w)
    return out


@lru_cache(maxsize=1)
def _pipeline() -> Any | None:
    if os.environ.get("ARM_GYM_WEBSHOP_SPACY", "1") == "0":
        return None
    try:
        import spacy
    except ImportError:
        return None
    for name in SPACY_PIPELINES:
        try:
            return spacy.load(name, disable=["parser", "ner", "lemmatizer"])
        except (OSError, ImportError, ValueError):
            continue
    return None


def spacy_available() -> bool:
    """Whether an English spaCy pipeline is installed (then :func:`title_nouns` tags as WebShop does)."""
    return _pipeline() is not None


@lru_cache(maxsize=65_536)
def _nouns(text: str) -> tuple[str, ...]:
    nlp = _pipeline()
    if nlp is None:
        return tuple(fallback_nouns(text))
    return tuple(t.text.lower() for t in nlp(text) if t.pos_ in NOUN_TAGS)


def title_nouns(text: str) -> list[str]:
    """WebShop's noun list for a title: spaCy's NOUN/PROPN tokens where a pipeline is installed, else :func:`fallback_nouns`."""
    return list(_nouns(text))
