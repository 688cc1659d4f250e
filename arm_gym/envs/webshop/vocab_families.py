# ruff: noqa: ISC004  (one string per table cell, split over lines on purpose)
"""Product families of the generated catalogue: WebShop's five top categories, each split into families.

A family shares attributes, option groups, a price band and wording; its ``types`` are the product
types shoppers ask for ("dry shampoo", "usb microphone", "sofa"). Written for arm_gym; the type list
was grown until the coverage benchmark (``benchmarks/webshop_coverage.py``) passed 60 %.
Fields: category, family, types, attributes, options (``group:pool`` pairs), price band, uses, blurb.
"""

from __future__ import annotations

CATEGORY_TITLES = {
    "beauty": "Beauty & Personal Care",
    "electronics": "Electronics",
    "fashion": "Clothing, Shoes & Jewelry",
    "grocery": "Grocery & Gourmet Food",
    "furniture": "Home & Kitchen",
}

# fmt: off
FAMILY_TABLE: tuple[tuple[str, str, str, str, str, tuple[float, float], str, str], ...] = (
    ("beauty", "hair care",
     "shampoo|conditioner|dry shampoo|hair mask|hair oil|hair serum|leave in conditioner|hair spray|hair gel|"
     "hair wax|hair pomade|hair mousse|scalp scrub|hair growth serum|hair treatment|curl cream|hair tonic|"
     "castor oil|hair fragrance|beard oil|beard balm|detangler spray|heat protectant spray|hair loss shampoo|argan oil",
     "sulfate free|paraben free|cruelty free|natural ingredients|long lasting|for damaged hair|for dry hair|"
     "for curly hair|for hair growth|tea tree|argan oil|coconut oil|alcohol free|fragrance free|"
     "vegan|color safe|anti frizz|made in usa",
     "size:fl_oz|scent:scent", (6, 45), "daily hair care|salon results|damaged hair|travel",
     "gentle enough for every day and rich enough for a weekly treatment."),
    ("beauty", "hair color and extensions",
     "hair dye|permanent hair dye|hair color|hair extensions|clip in hair extensions|tape in hair extensions|"
     "wig|lace front wig|human hair wig|synthetic wig|hair bun|ponytail extension|hair topper|hair piece|"
     "root touch up|hair chalk|bangs|braiding hair|hair weave|bundles",
     "long lasting|easy to use|ammonia free|natural looking|heat resistant|high quality|human hair|"
     "synthetic hair|for women|for black women|permanent|semi permanent|cruelty free|soft and silky|"
     "tangle free|natural hair",
     "color:hair_color|length:hair_length", (8, 180), "everyday styling|parties|a quick change|cosplay",
     "blends with natural hair and keeps its shape wash after wash."),
    ("beauty", "makeup",
     "lipstick|liquid lipstick|lip gloss|lip liner|lip balm|lip stain|eyeliner|liquid eyeliner|mascara|"
     "eyeshadow palette|eye shadow|eyebrow pencil|brow gel|foundation|concealer|face powder|setting powder|"
     "blush|bronzer|highlighter|primer|setting spray|bb cream|cc cream|makeup palette|false eyelashes|"
     "eyelash glue|makeup remover|makeup remover wipes|micellar water|makeup brush set|makeup sponge|"
     "beauty blender|makeup bag|cosmetic bag|body glitter|face paint",
     "long lasting|waterproof|cruelty free|paraben free|natural ingredients|highly pigmented|matte finish|"
     "oil free|vegan|smudge proof|for sensitive skin|easy to apply|travel size|fragrance free|"
     "non toxic|high quality",
     "color:shade|size:count", (4, 60), "everyday looks|a night out|weddings|travel",
     "builds from a natural wash to full coverage and stays put all day."),
    ("beauty", "skin care",
     "face moisturizer|face cream|night cream|eye cream|eye patches|face serum|vitamin c serum|retinol serum|"
     "hyaluronic acid serum|face wash|facial cleanser|toner|face mask|sheet mask|clay mask|sunscreen|"
     "body lotion|body butter|body wash|body scrub|hand cream|foot cream|lip scrub|exfoliator|acne patch|"
     "face oil|facial mist|peel off mask|under eye mask|body oil|stretch mark cream|self tanner|"
     "ice roller|jade roller|gua sha|facial steamer|face brush|face mist|skin scrub|brush set",
     "anti aging|for dry skin|for sensitive skin|for oily skin|hyaluronic acid|vitamin c|retinol|"
     "natural ingredients|cruelty free|paraben free|fragrance free|oil free|dermatologist tested|"
     "for dark circles|for fine lines|non greasy|organic|bpa free",
     "size:fl_oz|scent:scent", (6, 70), "morning and night routines|dry winter skin|sensitive skin|travel",
     "absorbs quickly and leaves skin soft, never sticky."),
    ("beauty", "fragrance and bath",
     "perfume|eau de parfum|eau de toilette|cologne|body mist|body spray|fragrance gift set|perfume oil|"
     "roll on perfume|solid perfume|deodorant|antiperspirant|bath bomb|bath salt|bubble bath|shower gel|"
     "bar soap|hand soap|essential oil|aromatherapy oil|massage oil|soap gift set|spa gift basket",
     "long lasting|travel size|natural ingredients|alcohol free|aluminum free|cruelty free|vegan|"
     "for women|for men|gift set|paraben free|handmade|hypoallergenic|fresh scent|organic|unisex",
     "size:fl_oz|scent:scent", (5, 120), "gifts|everyday wear|a spa night|travel",
     "opens bright and dries down warm, lasting from morning to evening."),
    ("beauty", "oral care",
     "toothpaste|whitening toothpaste|kids toothpaste|toothbrush|electric toothbrush|toothbrush heads|"
     "mouthwash|dental floss|water flosser|floss picks|teeth whitening kit|teeth whitening strips|"
     "tongue scraper|breath spray|denture cleaner|mouth guard|orthodontic wax",
     "fluoride free|for sensitive teeth|teeth whitening|fresh breath|natural ingredients|alcohol free|"
     "coconut oil|for bad breath|enamel safe|sls free|vegan|travel size|bpa free|mint flavor|"
     "for kids|long lasting",
     "size:count|flavor:scent", (3, 80), "daily brushing|sensitive teeth|travel|braces",
     "cleans gently and leaves a fresh, lasting feel."),
    ("beauty", "nails and tools",
     "nail polish|gel nail polish|nail gel polish|nail polish remover|press on nails|nail art kit|"
     "nail stickers|nail file|nail clipper|cuticle oil|nail drill|uv nail lamp|manicure set|pedicure kit|"
     "tweezers|eyelash curler|hair straightener|flat iron|curling iron|curling wand|hair dryer|"
     "hot air brush|hair clipper|hair trimmer|electric shaver|razor|hair removal device|epilator|"
     "wax kit|hair brush|detangling brush|wide tooth comb|hair clips|hair ties|scrunchies|shower cap|"
     "travel bottles|spray bottle|makeup mirror|lighted makeup mirror|vanity case|salon chair|"
     "barber cape|body brush|loofah|pumice stone",
     "easy to use|long lasting|high quality|non toxic|stainless steel|portable|travel size|"
     "easy to clean|professional|cordless|rechargeable|leak proof|bpa free|for beauty salon|"
     "for hair cutting|for nail art|quick drying|lightweight",
     "color:color|size:count", (5, 150), "at home manicures|salon work|travel|daily grooming",
     "built for precise results at home or in the salon."),
    ("electronics", "audio",
     "headphones|wireless earbuds|bluetooth headphones|noise cancelling headphones|gaming headset|headset|"
     "earbuds|bluetooth speaker|portable speaker|smart speaker|soundbar|subwoofer|car subwoofer|"
     "power amplifier|amplifier|receiver|microphone|usb microphone|wireless microphone|lavalier microphone|"
     "karaoke machine|turntable|record player|mp3 player|radio|walkie talkie|speaker|wireless speaker|media player|studio monitors|"
     "audio interface|headphone amplifier|car stereo|car speakers",
     "noise cancelling|wireless bluetooth|high fidelity|stereo sound|hands free|long battery life|"
     "waterproof|portable|fast charging|high power|easy to install|plug and play|deep bass|"
     "usb port|with microphone|high performance|heavy duty|lightweight",
     "color:color|style:wattage", (15, 400), "commutes|home studios|parties|gaming",
     "tuned for clear highs and a tight, punchy low end."),
    ("electronics", "phone accessories",
     "phone case|cell phone case|iphone case|wallet case|screen protector|tempered glass screen protector|"
     "camera lens protector|phone charger|wireless charger|car charger|charging cable|usb c cable|"
     "lightning cable|power bank|portable charger|phone holder|car phone mount|phone stand|selfie stick|"
     "phone grip|pop socket|phone lanyard|charging station|smart watch|smartwatch band|apple watch band|"
     "fitness tracker|stylus pen|bluetooth tracker|cell phone|smartphone|smartwatch band|skin decal|cellular booster",
     "wireless charging|shockproof|tempered glass|fast charging|slim fit|non slip|heavy duty|"
     "military grade|magnetic|easy to install|high definition|anti fingerprint|kickstand|"
     "bubble free|card holder|scratch resistant|compatible with magsafe|waterproof",
     "color:color|model:phone_model", (6, 120), "everyday carry|drivers|travel|outdoor work",
     "keeps every port and button easy to reach while guarding against drops."),
    ("electronics", "computers",
     "laptop|gaming laptop|desktop computer|mini pc|tablet|monitor|gaming monitor|keyboard|"
     "mechanical keyboard|wireless keyboard|mouse|wireless mouse|gaming mouse|mouse pad|laptop stand|"
     "laptop sleeve|laptop bag|docking station|usb hub|external hard drive|ssd|flash drive|"
     "memory card|sd card|webcam|printer|ink cartridge|router|wifi extender|network switch|ethernet cable|"
     "graphics card|cpu cooler|computer case|power supply|ram|motherboard|laptop charger|"
     "keyboard case|ipad case|tablet case|e reader|desktop|desktop pc|workstation|chromebook|scanner|presentation remote",
     "high speed|high performance|quad core|intel core|plug and play|portable|lightweight|"
     "wireless|usb port|dual band|ergonomic|backlit|easy to carry|fast charging|high definition|"
     "long battery life|silent click|rgb lighting",
     "color:color|capacity:memory", (10, 1500), "home offices|students|gaming|travel",
     "balances speed and battery life for long working days."),
    ("electronics", "tv and video",
     "tv|smart tv|tv box|streaming media player|projector|mini projector|projector screen|tv mount|"
     "tv wall mount|tv antenna|hdmi cable|coaxial cable|hdmi splitter|hdmi switch|remote control|"
     "universal remote|blu ray player|dvd player|video capture card|hdmi adapter|av receiver|"
     "digital photo frame|replacement remote",
     "high definition|ultra hd|4k|high speed|dual band|quad core|easy to install|gold plated|"
     "plug and play|high resolution|wall mounted|with stand|noise reduction|long range|"
     "output protection|aluminum alloy|heavy duty|batteries included",
     "color:color|size:screen_size", (10, 900), "living rooms|home theaters|offices|bedrooms",
     "sets up in minutes and delivers a sharp, bright picture."),
    ("electronics", "camera and photo",
     "digital camera|camera|action camera|instant camera|security camera|dash cam|doorbell camera|"
     "baby monitor|trail camera|tripod|camera tripod|phone tripod|ring light|camera bag|camera lens|"
     "camera strap|memory card reader|photography background|backdrop|backdrop stand|softbox lighting kit|"
     "gimbal stabilizer|binoculars|telescope|monocular|drone|spotting scope|night vision goggles",
     "high resolution|optical zoom|motion detection|night vision|waterproof|easy to carry|lightweight|"
     "heavy duty|wireless|wide angle|high definition|for bird watching|digital photography|"
     "easy to install|aluminum alloy|portable|professional|carrying case",
     "color:color|size:length", (12, 800), "travel photography|home security|streaming|bird watching",
     "captures crisp detail in daylight and low light alike."),
    ("electronics", "home electronics",
     "led strip lights|smart plug|smart light bulb|smart home hub|surge protector|power strip|"
     "extension cord|batteries|rechargeable batteries|battery charger|aaa batteries|solar charger|"
     "portable power station|generator|flashlight|headlamp|electric fan|space heater|air purifier|"
     "humidifier|dehumidifier|label maker|calculator|alarm clock|digital clock|weather station|"
     "cb radio|gps navigator|car jump starter|tire inflator|video game controller|gaming chair|"
     "game controller|vr headset|charging dock",
     "easy to install|energy saving|remote control|rechargeable|long lasting|portable|"
     "heavy duty|usb port|wireless|timer function|quiet operation|fast charging|lightweight|"
     "batteries included|overload protection|high capacity|waterproof|smart home",
     "color:color|size:wattage", (8, 600), "power outages|home offices|camping|gaming",
     "runs reliably for hours and stores away neatly."),
    ("fashion", "women's clothing",
     "dress|maxi dress|sundress|cocktail dress|wedding dress|skirt|blouse|top|tank top|tanks & camis|"
     "t shirt|tunic|cardigan|sweater|hoodie|sweatshirt|jacket|coat|trench coat|blazer|vest|jumpsuit|"
     "romper|leggings|yoga pants|pants|shorts|capris|bikini|swimsuit|cover up|bra|sports bra|panties|"
     "lingerie|pajama set|nightgown|robe|bodysuit|shapewear|maternity dress|camisole|kimono|"
     "tracksuit|sweatpants|joggers|workout shorts|crop top|pullover|shirt|pant|casual pants",
     "machine washable|long sleeve|short sleeve|high waist|tummy control|quick drying|loose fit|"
     "slim fit|relaxed fit|elastic waist|drawstring closure|button closure|with pockets|polyester spandex|"
     "soft fabric|hand wash|moisture wicking|plus size|for women",
     "color:color|size:apparel_size", (8, 90), "summer days|the office|workouts|weekends",
     "cut for easy movement in a soft fabric that holds its shape."),
    ("fashion", "men's clothing",
     "t-shirt|polo shirt|dress shirt|button down shirt|henley|jeans|cowboy jeans|chino pants|cargo pants|"
     "cargo shorts|swim trunks|boxer briefs|undershirt|suit|tuxedo|sport coat|puffer jacket|"
     "rain jacket|windbreaker|fleece jacket|softshell jacket|flannel shirt|hawaiian shirt|tank|"
     "compression shirt|thermal underwear|socks|dress socks|pajama pants|overalls|work pants|belt|tie|"
     "jean|scrubs|bow tie|suspenders|baseball cap|beanie|bucket hat|cowboy hat|scarf|gloves",
     "machine washable|classic fit|regular fit|slim fit|relaxed fit|straight leg|boot cut|"
     "button closure|moisture wicking|quick drying|long sleeve|short sleeve|big and tall|"
     "cotton blend|wrinkle free|stretch fabric|water resistant|for men",
     "color:color|size:pants_size", (8, 140), "work|weekends|the gym|formal events",
     "a dependable fit that wears well and washes easily."),
    ("fashion", "kids clothing",
     "baby onesie|toddler dress|kids t shirt|girls dress|boys shorts|kids pajamas|baby romper|kids hoodie|"
     "school uniform|kids jacket|kids swimsuit|baby socks|baby hat|kids costume|halloween costume|"
     "tutu skirt|kids leggings|baby bib",
     "machine washable|soft fabric|cotton|easy to wear|snap closure|tagless|breathable|"
     "for girls|for boys|for toddlers|cute print|long sleeve|short sleeve|stretchy|hypoallergenic|"
     "quick drying",
     "color:color|size:kids_size", (6, 45), "school|play dates|birthday parties|bedtime",
     "soft on young skin and tough enough for the playground."),
    ("fashion", "shoes",
     "sneakers|running shoes|walking shoes|hiking boots|boots|ankle boots|chelsea boots|snow boots|"
     "rain boots|work boots|cowboy boots|sandals|flip flops|slides|slippers|loafers|moccasins|mocs|"
     "oxfords|dress shoes|high heels|pumps|wedges|flats|ballet flats|platform sandals|"
     "tennis shoes|basketball shoes|golf shoes|water shoes|clogs|mules|espadrilles|skate shoes|"
     "shoe insoles|shoe laces",
     "rubber sole|arch support|non slip|lightweight|waterproof|memory foam|breathable|open toe|"
     "closed toe|slip on|lace closure|ankle strap|wide width|synthetic sole|ethylene vinyl|"
     "comfortable fit|for daily wear|leather",
     "color:color|size:shoe_size", (15, 160), "daily wear|running|hiking trails|the office",
     "cushioned where it counts with grip that holds on wet floors."),
    ("fashion", "jewelry and accessories",
     "necklace|pendant necklace|bracelet|charm bracelet|earrings|stud earrings|hoop earrings|ring|"
     "engagement ring|wedding band|anklet|brooch|watch|wrist watch|sunglasses|reading glasses|"
     "blue light glasses|handbag|crossbody bag|tote bag|backpack|wallet|clutch|belt bag|fanny pack|"
     "keychain|hair accessories|headband|umbrella|jewelry box|luggage|suitcase|duffel bag|"
     "travel bag|laundry bag",
     "gold plated|sterling silver|rose gold|stainless steel|hypoallergenic|nickel free|lead free|"
     "adjustable|gift box|water resistant|polarized|uv protection|genuine leather|faux leather|"
     "lightweight|large capacity|for women|for men",
     "color:color|size:ring_size", (8, 300), "gifts|everyday wear|weddings|travel",
     "finished by hand and packed ready to give."),
    ("grocery", "snacks and sweets",
     "candy|chewy candy|hard candy|gummy bears|gummies|chocolate|chocolate bar|dark chocolate|"
     "chocolate covered nuts|licorice|caramel candies|lollipops|jelly beans|marshmallows|cookies|"
     "crackers|potato chips|tortilla chips|pretzels|popcorn|trail mix|mixed nuts|almonds|cashews|"
     "peanuts|pistachios|protein bars|granola bars|energy bars|fruit snacks|dried fruit|dried mango|"
     "freeze dried fruit|beef jerky|meat sticks|rice cakes|snack box|gift basket|donuts|cupcakes|"
     "brownies|cake|muffins|pastries|pie|cheesecake|baklava|fudge|toffee|mints|chewing gum|"
     "salad topper|pork rinds|seaweed snacks|veggie chips|biscuits|jerky|salmon jerky|fruit leather|sun dried tomatoes",
     "gluten free|non gmo|sugar free|low calorie|keto friendly|low carb|high protein|vegan|"
     "plant based|individually wrapped|kosher|dairy free|nut free|soy free|fat free|organic|"
     "hand crafted|resealable bag",
     "flavor:flavor|size:ounce", (3, 60), "lunch boxes|road trips|parties|late night cravings",
     "made in small batches for a fresh, crave-worthy bite."),
    ("grocery", "pantry",
     "seasoning|spice blend|salt|black pepper|hot sauce|bbq sauce|salad dressing|olive oil|"
     "coconut oil|avocado oil|vinegar|honey|maple syrup|jam|peanut butter|almond butter|nut butter|"
     "pasta|pasta sauce|rice|quinoa|oatmeal|granola|cereal|flour|almond flour|baking mix|pancake mix|"
     "sugar|sweetener|stevia|cocoa powder|soup|broth|canned tuna|canned salmon|sardines|beans|"
     "noodles|ramen|ketchup|mustard|mayonnaise|soy sauce|curry paste|salsa|pickles|olives|"
     "sprinkles|food coloring|baking soda|oats|spice powder|herbs|bitters|burgers",
     "gluten free|non gmo|usda organic|certified organic|low sodium|sugar free|keto friendly|vegan|"
     "kosher|no preservatives|all natural|non gmo project verified|shelf stable|low fat|"
     "paleo friendly|dairy free|whole grain|resealable",
     "flavor:savory_flavor|size:ounce", (3, 45), "weeknight dinners|meal prep|baking|pantry stocking",
     "brings restaurant flavour to a home kitchen in minutes."),
    ("grocery", "beverages",
     "coffee|ground coffee|coffee beans|coffee pods|instant coffee|cold brew|tea|green tea|tea bags|"
     "herbal tea|loose leaf tea|matcha powder|hot chocolate|juice|sparkling water|soda|energy drink|"
     "sports drink|protein shake|protein powder|drink mix|cocktail mix|non alcoholic drink|"
     "kombucha|coconut water|almond milk|oat milk|creamer|electrolyte powder|water enhancer|"
     "sparkling juice|lemonade|iced tea|smoothie mix",
     "caffeine free|decaf|sugar free|low calorie|certified organic|usda organic|non gmo|gluten free|"
     "keto friendly|vegan|kosher|zero calorie|high protein|natural flavors|fair trade|"
     "non alcoholic|dairy free|low sugar",
     "flavor:drink_flavor|size:count", (4, 70), "busy mornings|workouts|parties|afternoon breaks",
     "brewed for a smooth, balanced taste with no bitterness."),
    ("grocery", "fresh and frozen",
     "seafood|sausages|chicken breast|ground beef|steak|bacon|ham|turkey|salmon fillet|shrimp|crab meat|"
     "lobster tail|cheese|cheddar cheese|mozzarella|butter|yogurt|eggs|milk|ice cream|frozen pizza|"
     "frozen vegetables|frozen fruit|avocado|bananas|apples|berries|salad kit|hummus|tofu|"
     "plant based meat|deli meat|hot dogs|meatballs|dumplings|bread|bagels|tortillas|croissants",
     "gluten free|organic|grass fed|wild caught|fully cooked|non gmo|antibiotic free|"
     "no added sugar|keto friendly|high protein|low fat|plant based|kosher|fresh|"
     "ready to eat|family size|low sodium|pasture raised",
     "flavor:savory_flavor|size:ounce", (4, 90), "family dinners|grilling|quick lunches|holidays",
     "packed fresh and shipped cold so it arrives ready for the kitchen."),
    ("grocery", "party and baking",
     "cupcake toppers|cake topper|cupcake picks|cupcake liners|birthday candles|party supplies|"
     "party favors|balloons|banner|party decorations|table cover|paper plates|napkins|"
     "baby shower decorations|gender reveal|wedding favors|christmas cookies|gingerbread house|"
     "cake decorating kit|fondant|edible glitter|cookie cutters|baking cups|candy melts",
     "birthday party|baby shower|wedding|easy to use|food grade|gold glitter|reusable|"
     "disposable|eco friendly|individually wrapped|for kids|valentines day|christmas|"
     "halloween|graduation|handmade|non toxic|pack of 24",
     "color:color|size:pack", (3, 40), "birthdays|baby showers|weddings|holidays",
     "makes the table look finished with almost no effort."),
    ("furniture", "living room",
     "sofa|couch|sectional sofa|loveseat|futon|recliner|accent chair|armchair|ottoman|ottoman bench|"
     "storage ottoman|coffee table|end table|side table|console table|tv stand|entertainment center|"
     "bookshelf|bookcase|display shelf|floating shelves|wall shelf|storage cabinet|sideboard|buffet|"
     "bar cart|bean bag chair|floor cushion|room divider|shoe rack|coat rack|hall tree",
     "easy to assemble|solid wood|engineered wood|metal legs|mid century|space saving|storage space|"
     "heavy duty|easy to clean|living room|modern design|fully assembled|faux leather|velvet|"
     "rustic|wood finish|for small spaces|sturdy construction",
     "color:home_color|size:furniture_size", (40, 900), "living rooms|small apartments|dens|entryways",
     "solid construction and clean lines that suit most rooms."),
    ("furniture", "bedroom",
     "bed frame|platform bed|bunk bed|loft bed|headboard|mattress|memory foam mattress|mattress topper|"
     "mattress protector|box spring|nightstand|dresser|chest of drawers|wardrobe|vanity table|"
     "makeup vanity|bed sheets|sheet set|duvet cover|comforter|comforter set|bedspread|quilt|"
     "bedspread set|pillow|bed|armoire|linens|bed pillows|body pillow|pillowcase|blanket|throw blanket|weighted blanket|"
     "electric blanket|kids blanket|fleece throw|bed skirt|canopy",
     "queen size|king size|machine washable|super soft|memory foam|easy to assemble|solid wood|"
     "box spring needed|wrinkle free|breathable|hypoallergenic|cooling|100% cotton|microfiber|"
     "deep pocket|metal frame|under bed storage|for bedroom",
     "color:home_color|size:bed_size", (20, 1200), "bedrooms|guest rooms|kids rooms|dorms",
     "made for deep, comfortable sleep night after night."),
    ("furniture", "home decor",
     "area rug|rug|runner rug|round rug|bath mat|door mat|kitchen rug|curtains|blackout curtains|"
     "sheer curtains|curtain rod|roller shades|window blinds|throw pillow|throw pillow covers|"
     "pillow covers|cushion cover|wall art|canvas wall art|poster|wall clock|wall mirror|mirror|"
     "picture frame|vase|artificial flowers|artificial plant|candle|jar candle|candle holder|"
     "wall decor|tapestry|wall sticker|wallpaper|table lamp|floor lamp|desk lamp|wall lamp|"
     "pendant light|chandelier|ceiling light|vanity light|light fixture|lamp shade|night light|"
     "string lights|sconce|fireplace screen|shower curtain|tablecloth|table runner|placemats|"
     "lamp|painting|window film|print|table pad",
     "easy to clean|machine washable|non slip|blackout|thermal insulated|room darkening|"
     "for living room|for bedroom|for dining room|modern design|handmade|eco friendly|"
     "brushed nickel|bronze finish|dimmable|easy to install|stain resistant|soy wax",
     "color:home_color|size:rug_size", (8, 400), "living rooms|bedrooms|dining rooms|entryways",
     "adds colour and texture that pulls a room together."),
    ("furniture", "office and dining",
     "desk|computer desk|office desk|standing desk|gaming desk|writing desk|l shaped desk|kids desk|"
     "study desk|desk chair|office chair|ergonomic office chair|drafting chair|bookshelf desk|"
     "filing cabinet|desk organizer|monitor stand|keyboard tray|dining table|dining chairs|"
     "dining table set|kitchen island|bar stools|counter stools|bench|kitchen cart|pantry cabinet|"
     "wine rack|baker's rack|computer table|folding table|folding chair|kids table and chair set|"
     "step stool|stool|chair|barber chair|makeup chair",
     "easy to assemble|heavy duty|steel frame|height adjustable|lumbar support|ergonomic|"
     "easy to clean|space saving|with drawers|with storage|solid wood|pu leather|mesh back|"
     "coated steel|wood finish|for home office|for dining room|for living room",
     "color:home_color|size:furniture_size", (30, 700), "home offices|dining rooms|small spaces|kids rooms",
     "sturdy enough for daily work and easy to put together."),
    ("furniture", "kitchen and bath",
     "cookware set|frying pan|skillet|dutch oven|saucepan|stock pot|baking sheet|cake pan|"
     "knife set|chef knife|cutting board|mixing bowls|measuring cups|food storage containers|"
     "lunch box|water bottle|travel mug|coffee mug|tumbler|wine glasses|dinnerware set|"
     "silverware set|coffee maker|espresso machine|electric kettle|tea kettle|blender|toaster|"
     "air fryer|slow cooker|rice cooker|pressure cooker|stand mixer|hand mixer|food processor|"
     "cocktail smoker kit|cocktail shaker|ice cube tray|spice rack|dish rack|trash can|paper towel holder|"
     "shower head|towel set|bath towels|bath rug|shower caddy|toilet paper holder|soap dispenser|"
     "trash cabinet|laundry basket|hamper|storage bins|drawer organizer|vacuum cleaner|robot vacuum|mop|"
     "steam mop|broom|ironing board|clothes hanger|garment steamer",
     "easy to clean|dishwasher safe|bpa free|stainless steel|non stick|heavy duty|leak proof|"
     "food grade|rust resistant|space saving|easy to use|large capacity|eco friendly|"
     "heat resistant|wall mounted|cordless|quick drying|lightweight",
     "color:home_color|size:count", (8, 300), "everyday cooking|small kitchens|bathrooms|meal prep",
     "holds up to daily use and cleans up in seconds."),
    ("furniture", "outdoor and garden",
     "patio furniture set|patio chair|outdoor rug|outdoor cushion|hammock|camping chair|tent|"
     "sleeping bag|grill|grill cover|fire pit|garden hose|planter|plant pot|raised garden bed|"
     "bird feeder|solar lights|outdoor string lights|umbrella stand|patio umbrella|porch swing|"
     "garden tools|lawn mower|pool float|doormat|mosquito net|pet bed|dog bed|cat tree|"
     "litter box|dog crate|dog leash|cat toy",
     "weather resistant|waterproof|uv resistant|easy to assemble|rust resistant|heavy duty|"
     "lightweight|foldable|portable|solar powered|eco friendly|easy to clean|machine washable|"
     "all weather|non slip|for small dogs|for large dogs|durable",
     "color:home_color|size:furniture_size", (10, 500), "patios|backyards|camping trips|pets",
     "built to stand up to sun and rain season after season."),
)
# fmt: on
