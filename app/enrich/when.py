"""Relative time words and back-reference markers, per language (folded, lower case).

The restriction rule already reads months ("in April", «في أبريل», 4月) and years ("last year",
2023年); these are the other ways news dates an action: relative to the article's own date
("earlier this month", "last month", "a day after", «本月早些时候») or by season ("in the
spring"). Back-reference markers ("after", "since", 此前, منذ) say a sentence refers to an
earlier action rather than reporting it.
"""

# kind -> phrases. this_month / last_month resolve against the publication month; days: a
# window of the week before publication; seasons: three months of the publication year (or the
# year before when they would lie ahead).
RELATIVE = {
    "this_month": [
        "this month", "earlier this month", "ce mois", "ce mois ci", "plus tôt ce mois",
        "este mes", "a principios de este mes", "deze maand", "eerder deze maand", "diesen monat",
        "anfang des monats", "本月", "这个月", "本月早些时候", "本月初", "今月", "هذا الشهر",
        "الشهر الجاري", "في وقت سابق من هذا الشهر", "在本月",
    ],
    "last_month": [
        "last month", "le mois dernier", "el mes pasado", "vorige maand", "vergangenen monat",
        "letzten monat", "上个月", "上月", "先月", "الشهر الماضي",
    ],
    "days": [
        "this week", "earlier this week", "last week", "a day after", "a day earlier",
        "the day before", "days after", "days earlier", "yesterday", "cette semaine", "la veille",
        "au lendemain", "hier", "esta semana", "ayer", "deze week", "gisteren", "vortag",
        "vortages", "diese woche", "本周", "上周", "日前", "昨天", "前一天", "今週", "先週",
        "هذا الأسبوع", "الأسبوع الماضي", "بعد يوم", "أمس",
    ],
    "spring": ["the spring", "this spring", "au printemps", "en primavera", "im frühjahr",
               "今年春天", "春季", "الربيع"],
    "summer": ["the summer", "this summer", "cet été", "l'été", "en verano", "im sommer", "今年夏天", "夏季", "الصيف"],
    "autumn": ["the autumn", "the fall", "this autumn", "l'automne", "en otoño", "im herbst",
               "今年秋天", "秋季", "الخريف"],
}
SEASON_MONTHS = {"spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11)}
DAYS_BACK = 8  # "this week", "a day after": an action at most this many days before the article

BACK_MARKERS = [
    "after", "since", "following", "earlier", "previously", "already", "ago", "in the wake",
    "last year", "après", "depuis", "au lendemain", "plus tôt", "déjà", "précédemment",
    "l'an dernier", "después", "desde", "tras", "anterior", "nach", "seit", "vortag", "bereits",
    "folgt auf", "sinds", "eerder", "بعد", "منذ", "سابق", "قد فرضت", "كانت", "此前", "之前", "以来",
    "早些时候", "日前", "曾", "去年", "以前", "以来", "先月", "昨年",
]

# "weeks after", "quelques semaines": an action at most WEEKS_BACK days before the article.
WEEKS = ["weeks after", "weeks earlier", "weeks ago", "weeks before", "quelques semaines",
         "semaines après", "semanas después", "hace semanas", "weken na", "wochen nach",
         "几周前", "数周前", "几周后", "بعد أسابيع", "أسابيع من"]
WEEKS_BACK = 45

# How news describes an action beyond the shared restriction words (context.json): polarity
# "restrict" or "relax". Read by the linker only, so the rule's behaviour is unchanged.
ACTIONS = {
    # Nouns and verbs for a government action of either kind: "the December decision",
    # «القرار», 决定. They say an action happened, not which way it went.
    "either": ["decision", "decided", "decides", "move", "order", "ordered", "measure", "measures",
               "guidance", "directive", "policy", "framework", "notice", "instruction", "instructed",
               "décision", "décidé", "mesure", "mesures", "directive", "consigne", "قرار", "القرار",
               "إجراءات", "توجيهات", "决定", "措施", "指导", "通知", "指示", "decisión", "medida",
               "medidas", "entscheidung", "maßnahme", "maßnahmen", "besluit", "besloot",
               "maatregel", "maatregelen", "決定", "措置", "package", "round", "paquet", "vague",
               "حزمة", "一揽子", "ronda", "paket"],
    "restrict": ["block", "blocked", "blocking", "blocks", "halt", "stopped", "cut off", "caps",
                 "bloquées", "bloqué", "bloquer", "bloquait", "plafonne", "plafonds", "bloqueó",
                 "bloquea", "limitaba", "geblokkeerd", "blockiert", "verboten", "verbot", "السقوف",
                 "منعت", "قيدت", "أوقفت", "封锁", "拦截", "禁止", "不得", "叫停", "暂停",
                 # Spanish, Dutch and German, which the shared restriction words barely cover
                 "restricciones", "restricción", "controles", "normas", "licencia", "licencias",
                 "prohibición", "prohíbe", "vergunning", "vergunningen", "exportvergunning",
                 "exportvergunningen", "exportregels", "exportbeperkingen", "verbod", "regel",
                 "regeln", "ausfuhrverbot", "ausfuhrkontrollen",
                 # permits, warnings and antitrust findings are actions too
                 "permit", "permits", "permis", "تصريح", "تصاريح", "许可", "warned", "warning",
                 "averti", "حذرت", "警告", "antitrust", "anti-monopoly", "antimonopole",
                 "anti-monopole", "反垄断", "الاحتكار", "probe", "investigation", "enquête", "调查",
                 "تحقيق", "investigación", "onderzoek", "untersuchung"],
    "relax": ["sold again", "sell again", "selling again", "let the chips", "abandon", "abandoned",
              "dropped", "drop", "scrapped", "scrap", "not enforce", "de nouveau", "abroge",
              "abrogé", "abandon", "anula", "anuló", "kippt", "gekippt", "nicht anwenden",
              "ingetrokken", "تخلت", "ألغت", "إلغاء", "تراجعت", "撤销", "取消", "放行", "落实"],
}

# "three months after", «三个月前»: an action about N months before the article.
MONTHS_AGO = {
    "en": ("{n} months after", "{n} months ago", "{n} months earlier"),
    "fr": ("{n} mois après", "il y a {n} mois"),
    "es": ("{n} meses después", "hace {n} meses"),
    "zh": ("{n}个月前", "{n}个月后"),
}
NUMBERS = {
    "en": ["one", "two", "three", "four", "five", "six"],
    "fr": ["un", "deux", "trois", "quatre", "cinq", "six"],
    "es": ["un", "dos", "tres", "cuatro", "cinco", "seis"],
    "zh": ["一", "两", "三", "四", "五", "六"],
}

# People who act for an agency in the timeline: "Trump said Nvidia may sell the H200" is the
# White House's decision (the agency's own names are in agencies.json).
ACTORS = {
    "white-house": ["president trump", "donald trump", "trump said", "trump's", "trump announced",
                    "特朗普", "川普", "ترامب", "トランプ大統領", "le président trump", "el presidente trump"],
}
