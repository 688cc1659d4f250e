"""How many real WebShop shopper instructions name a product type that the generated catalogue sells.

    python benchmarks/webshop_coverage.py [--path ../shared/data/webshop/human_goals_dev.json]

Matching rule (``arm_gym.envs.webshop.vocab.find_product_type``): lower-case the instruction, turn
punctuation into spaces, drop apostrophes and fold plurals ("extensions" -> "extension"); the
instruction is covered when one of the catalogue's product types, normalised the same way, occurs in
it as a run of whole words ("usb microphone", "sofa"). A word directly followed by "free",
"flavor(ed)", "scent(ed)" or "infused" does not count ("sugar free", "vanilla flavored" name an
ingredient, not the thing bought). The longest match wins. The file is read by path only (research
licence: never copied); the results keep only counts and our own type names.
Target (issue 3): >= 60 %.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "webshop" / "human_goals_dev.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", type=Path, default=DEFAULT, help="a JSON list of instruction strings")
    args = parser.parse_args()
    from _common import print_table, save_json

    from arm_gym.envs.webshop.vocab import FAMILIES, PRODUCT_TYPES, TYPE_FAMILY, find_product_type

    instructions = json.loads(args.path.read_text())
    if not isinstance(instructions, list) or not all(isinstance(x, str) for x in instructions):
        raise SystemExit(f"{args.path} is not a JSON list of strings")
    matches = [find_product_type(x) for x in instructions]
    covered = sum(m is not None for m in matches)
    family_of = {t: FAMILIES[TYPE_FAMILY[i]] for i, t in reversed(list(enumerate(PRODUCT_TYPES)))}
    by_category = Counter(family_of[m].category for m in matches if m is not None)
    share = covered / len(instructions)
    rows = [{"instructions": len(instructions), "covered": covered, "coverage_%": round(100 * share, 1),
             "catalogue_types": len(set(PRODUCT_TYPES)), "distinct_types_matched": len(set(filter(None, matches)))}]
    print_table(rows, list(rows[0]))
    print()
    print_table([{"category": c, "covered": n, "share_%": round(100 * n / len(instructions), 1)}
                 for c, n in by_category.most_common()], ["category", "covered", "share_%"])
    top = Counter(filter(None, matches)).most_common(25)
    print("\nmost matched types:", ", ".join(f"{t} ({n})" for t, n in top))
    path = save_json("webshop_coverage", {
        "rule": "longest catalogue product type occurring as whole words after lower-casing, punctuation to "
                "spaces and plural folding; a word followed by free/flavor(ed)/scent(ed)/infused is skipped",
        **rows[0], "by_category": dict(by_category), "top_types": top,
    })
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
