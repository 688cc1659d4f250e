"""A grammar that words a structured goal the way WebShop's human annotators did.

Openers, attribute clauses (before the noun, after it with "that is"/"which is"/"with", or as a second
sentence), option values written the way shoppers write them ("size 7", "a 12-pack", "in navy",
"8 oz", "32x30", "queen size", colour synonyms such as "grey" or "dark blue"), attributes often in the
shopper's own words ("light weight", "not tested on animals": :mod:`~arm_gym.envs.webshop.shopper_words`,
which a keyword search cannot match) and clause orders are drawn from the goal's own RNG, so one goal has
many surface forms. The structured goal (exact attribute and option strings) is what the reward
compares; only the wording varies. The price clause stays WebShop's exact one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from arm_gym.envs.webshop.shopper_words import ATTRIBUTE_PARAPHRASES, COLOR_SYNONYMS

OPENERS = (
    "i am looking for", "i'm looking for", "i need", "i want", "i would like", "looking for", "find me",
    "i want to buy", "can you find me", "please find", "get me", "help me find", "i'd like", "i am searching for",
    "show me", "i'm shopping for", "i want to get", "i am in need of", "search for", "i wish to buy",
)
PRICE_CLAUSE = ", and price lower than {p:.2f} dollars"
NO_PRICE_BOUND = 1_000_000.0

PARAPHRASE_P = 0.8
"""How often an attribute with a paraphrase in :data:`ATTRIBUTE_PARAPHRASES` is written that way."""
_CLAUSE_START = ("that ", "with ", "for ", "without ", "made ", "not ", "never ", "no ", "on ", "built ", "grown ",
                 "certified ", "controllable ", "boxed ", "delicate ", "works ", "ready to ")
_ADJECTIVAL = re.compile(r"[a-z]+( [a-z]+)?")  # one or two plain words may stand before the noun
_POST_PREFIX = ("for ", "with ", "made ", "backed ", "compatible ", "box spring", "easy to ")
_NOUNISH = re.compile(r"(oil|acid|tree|butter|extract|ingredients|vitamin c|retinol|glass|steel|leather|wood|"
                      r"cotton|bamboo|hair|storage|drawers|pockets|lid|handle|frame|cover|case)$")
_SHORT_COLORS = {"navy blue": "navy", "olive green": "olive", "mint green": "mint", "wine red": "wine",
                 "sage green": "sage", "emerald green": "emerald", "blush pink": "blush", "mustard yellow": "mustard",
                 "jet black": "jet black", "royal blue": "royal blue", "matte black": "black matte"}
_APPAREL = {"xx-small": ("xx-small", "xxs"), "x-small": ("x-small", "xs", "extra small"),
            "small": ("small", "size small"), "medium": ("medium", "size medium"),
            "large": ("large", "size large"), "x-large": ("x-large", "xl", "extra large"),
            "xx-large": ("xx-large", "xxl", "2x-large"), "3x-large": ("3x-large", "3xl", "xxxl"),
            "4x-large": ("4x-large", "4xl"), "5x-large": ("5x-large", "5xl")}
_NUMBER_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "6": "six", "12": "twelve"}


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------------------------- attributes
def attribute_forms(attr: str) -> tuple[list[str], list[str]]:
    """``(before-noun forms, after-noun clauses)`` for an attribute phrase."""
    m = re.fullmatch(r"(.+) free", attr)
    if m:
        x = m.group(1)
        return [attr, f"{x}-free"], [f"that is {x} free", f"without {x}", f"with no {x}", f"free of {x}"]
    if attr.startswith(_POST_PREFIX):
        extra = [f"that is good {attr}", f"suitable {attr}"] if attr.startswith("for ") else []
        if attr.startswith("easy to "):
            return [attr.replace(" ", "-")], [f"that is {attr}", f"which is {attr}"]
        return [], [attr, *extra]
    if attr.startswith("non "):
        return [attr, "non-" + attr[4:]], [f"that is {attr}"]
    if _NOUNISH.search(attr):
        return [attr], [f"with {attr}", f"made with {attr}", f"containing {attr}"]
    words = attr.split()
    pre = [attr, "-".join(words)] if len(words) == 2 else [attr]
    return pre, [f"that is {attr}", f"which is {attr}"]


# ---------------------------------------------------------------------------------------- options
def value_forms(group: str, value: str) -> list[str]:
    """Ways a shopper writes an option ``value`` (the value itself first)."""
    v = value
    if v in _APPAREL:
        return list(_APPAREL[v])
    if m := re.fullmatch(r"([\d.]+) fl oz \(pack of (\d+)\)", v):
        n, k = m.groups()
        if k == "1":
            return [v, f"{n} fl oz", f"{n} ounce", f"{n} oz", f"a {n} fl oz bottle"]
        return [v, f"{n} fl oz, pack of {k}", f"{k} pack of {n} fl oz", f"{_NUMBER_WORDS.get(k, k)} {n} oz bottles"]
    if m := re.fullmatch(r"([\d.]+) (ounce|pound) \(pack of (\d+)\)", v):
        n, unit, k = m.groups()
        short = "oz" if unit == "ounce" else "lb"
        if k == "1":
            return [v, f"{n} {unit}", f"{n} {short}", f"a {n} {short} bag"]
        return [v, f"{n} {short}, {k} pack", f"{k} pack of {n} {unit}", f"{n} {unit} pack of {k}"]
    if m := re.fullmatch(r"(\d+) count", v):
        n = m.group(1)
        return [v, f"{n}-count", f"{n} ct", f"a {n} count pack"]
    if m := re.fullmatch(r"pack of (\d+)", v):
        n = m.group(1)
        return [v, f"a {n}-pack", f"{n} pack", f"a pack of {_NUMBER_WORDS.get(n, n)}"]
    if m := re.fullmatch(r"(\d+) inch", v):
        n = m.group(1)
        return [v, f"{n}-inch", f"{n} in", f"{n} inches"]
    if m := re.fullmatch(r"([\d.]+) x ([\d.]+) (ft|inch)", v):
        a, b, unit = m.groups()
        return [v, f"{a}x{b}", f"{a} by {b} {'feet' if unit == 'ft' else 'inches'}", f"{a}x{b} {unit}"]
    if m := re.fullmatch(r"(\d+)w x (\d+)l", v):
        w, length = m.groups()
        return [v, f"{w}x{length}", f"{w} waist {length} length", f"{w}w {length}l"]
    if m := re.fullmatch(r"(\d+) feet", v):
        n = m.group(1)
        return [v, f"{n} ft", f"{n}-foot", f"{n} foot"]
    if m := re.fullmatch(r"(\d+)w", v):
        n = m.group(1)
        return [v, f"{n} watt", f"{n}-watt"]
    if m := re.fullmatch(r"(\d+)(gb|tb)", v):
        n, unit = m.groups()
        return [v, f"{n} {unit}"]
    if v in ("queen", "king", "full", "twin", "twin xl"):
        return [v, f"{v} size", f"{v}-size"]
    if v == "california king":
        return [v, "cal king", "california king size"]
    if group == "color":
        short = [_SHORT_COLORS[v]] if v in _SHORT_COLORS else []
        return list(dict.fromkeys([v, *short, *COLOR_SYNONYMS.get(v, ())]))
    if re.fullmatch(r"[\d.]+|\dt", v):
        return [v]
    return [v]


def option_clause(group: str, value: str, rng: np.random.Generator) -> tuple[str, str]:
    """``(before-noun words or "", after-noun clause or "")`` naming ``group: value``."""
    forms = value_forms(group, value)
    form = _pick(rng, forms[1:]) if len(forms) > 1 and rng.random() < 0.75 else forms[0]  # mostly a shopper's form
    r = int(rng.integers(6))
    if group == "color":
        if r == 0:
            return (form if form.endswith("colored") else _pick(rng, (f"{form} colored", f"{form}-colored"))), ""
        if r == 1:
            return form, ""
        if form.endswith("colored"):
            return "", _pick(rng, (f"in {form[:-8]}", f"that is {form}"))
        return "", _pick(rng, (f"in {form}", f"in {form} color", f"in the color {form}", f"that comes in {form}"))
    if group == "size":
        if re.fullmatch(r"[\d.]+|\dt", form):
            return "", _pick(rng, (f"in size {form}", f"size {form}", f"in a size {form}", f"that is a size {form}"))
        if form.startswith("a "):  # "a 12-pack", "a 12 oz bag"
            return "", _pick(rng, (f"in {form}", f"that comes in {form}", f"as {form}"))
        if r <= 1:
            return form, ""
        sized = f"in the {form}" if form.endswith("size") else f"in the {form} size"
        return "", _pick(rng, (f"in {form}", sized, f"that comes in {form}", f"in a {form}"))
    if group in ("flavor", "scent"):
        noun = "flavored" if group == "flavor" else "scented"
        if r == 0:
            return f"{form} {noun}", ""
        return "", _pick(rng, (f"in {form} {group}", f"in the {form} {group}", f"with {form} {group}",
                               f"{form} {group}"))
    if group == "model":
        return "", _pick(rng, (f"for {form}", f"for an {form}", f"that fits my {form}", f"compatible with {form}"))
    return "", _pick(rng, (f"in {form}", f"with {form} {group}", f"in {form} {group}", f"{group} {form}"))


# ------------------------------------------------------------------------------------ instruction
def _article(noun_phrase: str, product_type: str) -> str:
    last = product_type.split()[-1] if product_type else ""
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return "some" if noun_phrase.startswith(product_type) else ""
    return "an" if noun_phrase[:1] in "aeiou" else "a"


def phrase_instruction(product_type: str, attributes: Sequence[str], options: dict[str, str],
                       price_upper: float, rng: np.random.Generator) -> str:
    """A shopper's instruction for the structured goal, e.g.
    ``"i need a sulfate-free shampoo in lavender scent, 8 oz, and price lower than 30.00 dollars"``."""
    pre: list[str] = []
    post: list[str] = []
    second: list[str] = []
    for attr in attributes:
        before, after = attribute_forms(attr)
        where = int(rng.integers(5))
        own = ATTRIBUTE_PARAPHRASES.get(attr, ())
        if own and rng.random() < PARAPHRASE_P:  # the shopper's own words for it
            form = _pick(rng, own)
            if form.startswith(_CLAUSE_START):
                post.append(form)
            elif form.startswith(("no ", "nothing ")):
                post.append(f"with {form}")
            elif where <= 2 and _ADJECTIVAL.fullmatch(form):
                pre.append(form)
            else:
                post.append(f"that is {form}")
        elif before and where <= 1:
            pre.append(_pick(rng, before))
        elif after and where == 4 and attr.split()[0] not in ("for", "with", "made", "compatible"):
            second.append(attr)
        else:
            post.append(_pick(rng, after) if after else _pick(rng, before))
    opt_pre, opt_post = [], []
    for group, value in options.items():
        b, a = option_clause(group, value, rng)
        (opt_pre if b else opt_post).append(b or a)
    order = int(rng.integers(3))
    if order == 0:
        lead = " ".join(opt_pre + pre)
    elif order == 1:
        lead = " ".join(pre + opt_pre)
    else:
        lead = ", ".join(pre) + (" " if pre and opt_pre else "") + " ".join(opt_pre) if len(pre) > 1 else " ".join(pre + opt_pre)
    noun = f"{lead} {product_type}".strip()
    article = _article(noun, product_type)
    body = f"{article} {noun}".strip()
    clauses = post + opt_post
    if clauses:
        perm = rng.permutation(len(clauses))
        clauses = [clauses[i] for i in perm]
        joined = clauses[0] + "".join((_pick(rng, (", ", " and ", " ")) if not c.startswith(("that", "which")) else " and ") + c
                                      for c in clauses[1:])
        body = f"{body} {joined}" if not joined.startswith(",") else body + joined
    text = f"{_pick(rng, OPENERS)} {body}"
    if second:
        verb = _pick(rng, ("it should be", "it must be", "make sure it is", "it needs to be", "preferably"))
        text += f". {verb} {_and(second)}"
    if price_upper < NO_PRICE_BOUND:
        text += PRICE_CLAUSE.format(p=price_upper)
    return re.sub(r"\s+", " ", text).strip()
