"""Value pools shared by the generated catalogue: option values, brand syllables and text templates.

Pools are ``|``-separated strings so the tables stay compact; :func:`split` turns them into tuples.
Every pool keeps a natural order (sizes ascending), because item pages list option values in pool
order. All text here was written for arm_gym; nothing is copied from WebShop's data.
"""

from __future__ import annotations


def split(pool: str) -> tuple[str, ...]:
    """``"a|b|c"`` -> ``("a", "b", "c")`` (whitespace around items stripped, empties dropped)."""
    return tuple(p.strip() for p in pool.split("|") if p.strip())


OPTION_POOLS: dict[str, tuple[str, ...]] = {
    name: split(values)
    for name, values in {
        "color": "black|white|gray|silver|navy blue|royal blue|light blue|teal|green|olive green|mint green|"
        "red|burgundy|wine red|pink|hot pink|rose gold|purple|lavender|yellow|mustard|orange|coral|beige|"
        "khaki|ivory|cream|brown|dark brown|tan|camel|charcoal|multicolor|clear|gold|copper",
        "home_color": "white|black|gray|light gray|dark gray|beige|ivory|cream|natural|walnut|espresso|oak|"
        "rustic brown|cherry|navy blue|teal|sage green|emerald green|blush pink|mustard yellow|terracotta|"
        "burgundy|charcoal|taupe|silver|brushed nickel|matte black|bronze|gold|multicolor",
        "hair_color": "jet black|natural black|off black|dark brown|medium brown|chestnut brown|light brown|"
        "auburn|copper red|burgundy|ash blonde|golden blonde|honey blonde|platinum blonde|champagne blonde|"
        "ombre brown|ombre blonde|silver gray|rose gold|pastel pink|lavender|blue black",
        "shade": "fair|light|light medium|medium|medium tan|tan|deep|rich|nude|natural beige|warm ivory|"
        "porcelain|sand|honey|caramel|mocha|espresso|berry|coral|rosewood|ruby red|plum|mauve|peach",
        "apparel_size": "xx-small|x-small|small|medium|large|x-large|xx-large|3x-large|4x-large|5x-large",
        "pants_size": "28w x 30l|30w x 30l|30w x 32l|32w x 30l|32w x 32l|32w x 34l|34w x 30l|34w x 32l|"
        "36w x 30l|36w x 32l|38w x 32l|40w x 32l|42w x 30l",
        "shoe_size": "5|5.5|6|6.5|7|7.5|8|8.5|9|9.5|10|10.5|11|11.5|12|13|14|15",
        "kids_size": "2t|3t|4t|5|6|7|8|10|12|14|16",
        "ring_size": "5|6|7|8|9|10|11|12",
        "fl_oz": "1 fl oz (pack of 1)|2 fl oz (pack of 1)|3.4 fl oz (pack of 1)|6.8 fl oz (pack of 1)|"
        "8 fl oz (pack of 1)|8 fl oz (pack of 2)|12 fl oz (pack of 1)|16.9 fl oz (pack of 1)|"
        "16.9 fl oz (pack of 2)|33.8 fl oz (pack of 1)",
        "ounce": "1 ounce (pack of 1)|2 ounce (pack of 6)|3.5 ounce (pack of 1)|4 ounce (pack of 12)|"
        "5.3 ounce (pack of 4)|6 ounce (pack of 1)|8 ounce (pack of 2)|10 ounce (pack of 6)|"
        "12 ounce (pack of 1)|12 ounce (pack of 3)|16 ounce (pack of 1)|24 ounce (pack of 2)|"
        "32 ounce (pack of 1)|2 pound (pack of 1)|5 pound (pack of 1)",
        "count": "1 count|2 count|3 count|4 count|6 count|8 count|10 count|12 count|20 count|24 count|"
        "30 count|36 count|48 count|50 count|60 count|100 count",
        "pack": "pack of 1|pack of 2|pack of 3|pack of 4|pack of 5|pack of 6|pack of 8|pack of 10|pack of 12|"
        "pack of 20|pack of 24|pack of 50",
        "flavor": "original|vanilla|chocolate|dark chocolate|strawberry|peanut butter|caramel|salted caramel|"
        "cinnamon|honey|maple|coconut|mango|lemon|lime|blueberry|raspberry|cherry|mixed berry|apple|"
        "pumpkin spice|birthday cake|cookies and cream|mint|matcha|coffee|hazelnut|almond|banana|variety pack",
        "savory_flavor": "original|sea salt|salt and vinegar|barbecue|honey bbq|sour cream and onion|"
        "cheddar|jalapeno|sriracha|garlic|black pepper|smoked|hickory smoked|teriyaki|lemon pepper|"
        "chipotle|ranch|spicy|sweet and spicy|herb|unsalted|variety pack",
        "tea_flavor": "green tea|black tea|earl grey|english breakfast|chamomile|peppermint|jasmine|oolong|"
        "white tea|rooibos|hibiscus|ginger|lemon ginger|licorice root|chai|matcha|turmeric|"
        "decaf black tea|variety pack",
        "drink_flavor": "original|cola|lemon lime|orange|grape|cherry|watermelon|pineapple|fruit punch|"
        "tropical|peach|mango|ginger ale|moscow mule|margarita|mojito|cranberry|pomegranate|"
        "sparkling lemon|variety pack",
        "scent": "unscented|lavender|rose|vanilla|coconut|citrus|eucalyptus|tea tree|peppermint|"
        "sandalwood|jasmine|ocean breeze|fresh linen|cherry blossom|amber|oud|bergamot|"
        "green apple|cucumber melon|sweet pea",
        "phone_model": "iphone 12|iphone 12 pro|iphone 13|iphone 13 mini|iphone 13 pro max|iphone 14|"
        "iphone 14 pro|iphone 15|iphone 15 pro max|galaxy s21|galaxy s22 5g|galaxy s23 ultra|"
        "galaxy a13|galaxy a53|pixel 6|pixel 7 pro|moto g power",
        "capacity": "16gb|32gb|64gb|128gb|256gb|512gb|1tb|2tb|4tb",
        "memory": "4gb ram 64gb|8gb ram 128gb|8gb ram 256gb ssd|16gb ram 512gb ssd|32gb ram 1tb ssd",
        "length": "3 feet|6 feet|10 feet|15 feet|25 feet|50 feet|100 feet",
        "hair_length": "10 inch|12 inch|14 inch|16 inch|18 inch|20 inch|22 inch|24 inch|26 inch|30 inch",
        "bed_size": "twin|twin xl|full|queen|king|california king",
        "rug_size": "2 x 3 ft|3 x 5 ft|4 x 6 ft|5 x 7 ft|5 x 8 ft|6 x 9 ft|8 x 10 ft|9 x 12 ft|10 x 14 ft|"
        "2.6 x 8 ft runner|6 ft round|8 ft round",
        "curtain_size": "42 x 63 inch|52 x 45 inch|52 x 63 inch|52 x 84 inch|52 x 95 inch|"
        "52 x 108 inch|84 x 84 inch|100 x 84 inch",
        "throw_size": "12 x 20 inch|16 x 16 inch|18 x 18 inch|20 x 20 inch|24 x 24 inch|26 x 26 inch|"
        "50 x 60 inch|60 x 80 inch|90 x 90 inch",
        "furniture_size": "small|medium|large|24 inch|30 inch|32 inch|36 inch|40 inch|47 inch|55 inch|"
        "63 inch|71 inch",
        "screen_size": "24 inch|27 inch|32 inch|43 inch|50 inch|55 inch|65 inch|75 inch|85 inch",
        "pattern": "solid|striped|plaid|floral|geometric|polka dot|camouflage|leopard|tie dye|paisley|"
        "abstract|marble|boho|christmas|halloween|valentines day|pattern 1|pattern 2|pattern 3",
        "style": "classic|modern|vintage|rustic|farmhouse|industrial|mid century|bohemian|minimalist|"
        "contemporary|traditional|coastal",
        "wattage": "5w|10w|20w|40w|60w|100w|150w|300w|600w|1000w",
        "material": "cotton|polyester|linen|silk|velvet|faux leather|genuine leather|wool|bamboo|"
        "stainless steel|aluminum|solid wood|engineered wood|glass|ceramic|plastic|metal|marble",
    }.items()
}
"""Option value pools, keyed by pool name; a family's option group draws 2-6 values from one pool."""

BRAND_HEADS = split(
    "aur|bel|cor|dal|eli|fen|gal|har|iso|jun|kel|lum|mar|nor|ori|pax|qui|ros|sol|tav|ulo|ven|wil|xan|yor|zep|"
    "bri|cal|dor|evo|fio|gre|hel|ivo|jas|kor|lin|mel|nov|oli|pri|rav|sav|tor|umi|vel|wen|zan"
)
BRAND_TAILS = split(
    "ora|ix|ely|ano|is|ova|ette|ion|era|ux|ami|eon|ia|ona|ic|ara|eno|ita|yn|os|ella|on|ar|ine|ody|ex|an|"
    "esse|ium|o|a|ent"
)
"""Syllables combined into brand names ("Auroraa" style); 48 x 32 = 1,536 distinct brands."""

TITLE_OPENERS = split(
    "premium|professional|deluxe|classic|ultra|advanced|original|essential|signature|everyday|"
    "new|upgraded|luxury|value|pro|select|pure|smart|compact|heritage"
)

DESCRIPTION_TEMPLATES = (
    "the {brand} {type} is {attrs}. {blurb}",
    "meet the {opener} {type} from {brand}: {attrs}. {blurb}",
    "{blurb} this {type} by {brand} is {attrs}.",
    "designed for {use}, this {brand} {type} is {attrs}. {blurb}",
    "{brand} makes this {type} {attrs}, so it fits {use}. {blurb}",
)
FEATURE_TEMPLATES = (
    "{Attr}: made to be {attr} from day one",
    "{Attr} - a {type} that is {attr} without compromise",
    "{Attr} design that customers ask for again and again",
    "tested to stay {attr} week after week",
    "{Attr} and backed by {brand}'s satisfaction promise",
)
REVIEW_TEMPLATES = (
    ("exactly as described", "the {type} arrived quickly and is {attr} as promised."),
    ("great value", "good {type} for the price; {attr} and well packaged."),
    ("would buy again", "i ordered the {option} one and it is {attr}. very happy."),
    ("decent", "it is {attr}, but the {type} took a while to arrive."),
    ("not bad", "works fine. i wish there were more {group} choices."),
    ("love it", "my second {type} from {brand}. still {attr} after weeks."),
)
