"""How French, Spanish, Dutch, Japanese and Korean outlets word actions, actors and times that
the shared lists (app/enrich/when.py, context.json) missed, per language.

Read after real outlets (Les Echos, zonebourse, El País, Cinco Días, NOS, Tweakers, Nikkei...):
"les ventes avaient été suspendues en avril", "la advertencia del Departamento de Comercio del
mes pasado", "de export werd opgeschort", 「輸出を停止した」. when.py adds each list to its kind;
keeping them here, by language, keeps the shared lists readable and these easy to extend.
"""

# ACTIONS kind -> language -> phrases (folded by the reader as the shared ones are).
ACTIONS = {
    # Stopping sales or shipments says an action, not which way it went: "suspended sales" is a
    # restriction, "suspended the rule" a relaxation; the sentence's other words decide.
    "either": {
        "fr": [
            "suspendu",
            "suspendue",
            "suspendus",
            "suspendues",
            "suspendre",
            "interrompu",
            "interrompues",
            "interrompre",
        ],
        "es": [
            "suspendió",
            "suspendido",
            "suspendida",
            "suspendidas",
            "suspendidos",
            "suspender",
            "interrumpió",
        ],
        "nl": ["opgeschort", "schortte op", "stilgelegd"],
    },
    # Warnings are actions (the Ascend guidance); English and French already read them.
    "restrict": {
        # what a company can no longer do ("ne peut plus livrer", as "niet meer" and "nicht mehr"),
        # and the figures French outlets use for a stop or a tightening
        "fr": [
            "coup d'arrêt",
            "coup de frein",
            "tour de vis",
            "ne peut plus",
            "ne peuvent plus",
            "ne pourra plus",
            "ne pourront plus",
            "ne pouvait plus",
        ],
        "es": ["advertencia", "advirtió", "advierte", "ya no podía"],
        "nl": ["waarschuwde", "waarschuwing", "waarschuwt"],
        # stopping exports, and the antitrust law an investigation or finding is under
        # (and setting a cap, "購入に上限が設けられた", "상한을 뒀다", as "caps", "plafonne")
        "ja": [
            "輸出停止",
            "出荷停止",
            "販売停止",
            "独占禁止法",
            "独禁法",
            "上限を設け",
            "上限が設け",
        ],
        # Korean: the shared list has the finite past (막았다, 금지했다); a clause that looks
        # back puts the verb before 뒤/후 in its attributive form ("H20 수출을 막은 뒤",
        # "판매를 금지한 후") or joins it with -면서
        "ko": ["막은", "막으면서", "금지한", "금지하면서", "상한을 두", "상한을 뒀", "상한을 설정"],
    },
    # "a levé l'interdiction": lifting, as French writes it in the past and present
    "relax": {"fr": ["levé", "lève", "lever", "approuvé", "approuvée", "approuvées", "approuve"]},
}

# Dutch splits "ingrijpen bij" and "afraden" around their subject ("greep het kabinet in bij Nexperia"): the
# finite verb and "in bij", folded; read as a restriction word (as when.SPLIT_VERBS "word").
SPLIT_VERBS = [
    ("word", r"\b(greep|grepen|grijpt|grijpen)\b[^,.;:]{1,60}?\bin\s+bij\b"),
    # "raadt bedrijven af om ...": advising against (as the German "rät ... ab")
    ("word", r"\b(raadt|raden|ried|rieden)\b[^,.;:]{1,60}?\baf\b"),
]

# "Pekín pidió a sus empresas que dejaran de comprar ...", "vroeg bedrijven te stoppen met",
# 「購入を停止するよう求めた」: an authority telling someone to stop (app/enrich/instructions.py
# reads English, French, German, Chinese and Arabic). Folded text; group 1 is the telling verb.
TELLING = (
    r"\b(pidio|ordeno|insto|exigio|pide|ordena|recomendo|sugirio)\b(?:\W+\w+){0,8}?\W+"
    r"(?:que\s+)?(?:dejaran|dejen|dejar|suspendieran|suspendan|cancelaran|cancelen|evitaran"
    r"|eviten|no\s+compraran|no\s+compren)\b",
    r"\b(vroeg|verzocht|droeg|beval|gelastte|drong)\b(?:\W+\w+){0,8}?\W+(?:om\s+)?"
    r"(?:te\s+stoppen|te\s+annuleren|af\s+te\s+zien|geen\s+\w+\s+meer|niet\s+meer)\b",
    r"(?:停止|中止|取りやめ|やめ|控え|見送)[^。、]{0,6}?よう(?:に)?(求め|指示|要請|命じ|通達|指導)",
)

# The telling verbs above, for the cheap test that most sentences fail.
TELLING_VERBS = (
    "pidio|ordeno|insto|exigio|pide|ordena|recomendo|sugirio"
    "|vroeg|verzocht|droeg|beval|gelastte|drong|よう"
)

# An action referred to ("les restrictions imposées par Washington", "las restricciones que
# impuso", "de beperkingen die ... oplegde"): a definite article before the action noun, and a
# relative pronoun or a participle of imposing after it (resolve._referred, folded words).
REFERRED_BEFORE = {
    "fr": ["les", "la", "le", "ces", "cette"],
    "es": ["las", "los", "la", "el", "esas", "esos", "estas", "estos"],
    "nl": ["de", "het", "die", "deze"],
}
REFERRED_AFTER = {
    "fr": ["qui", "que", "imposees", "imposes", "imposee", "introduites", "annoncees", "decidees"],
    "es": ["que", "impuestas", "impuestos", "impuesta", "anunciadas", "anunciados", "aprobadas"],
    "nl": ["die", "dat", "opgelegd", "ingevoerd", "aangekondigd"],
}

# RELATIVE kind -> language -> phrases: the article's month or the month before, as these
# languages write them with an article fused to the preposition ("del mes pasado").
RELATIVE = {
    # seasons with the article or the word for "last" that these languages put around them
    "spring": {
        "fr": ["le printemps", "du printemps", "printemps dernier"],
        "es": ["la pasada primavera", "primavera pasada"],
        "nl": ["vorig voorjaar", "in het voorjaar"],
        "ja": ["今年の春"],
    },
    "summer": {
        "fr": ["l'été dernier", "cet été là"],
        "es": ["el pasado verano", "verano pasado"],
        "nl": ["vorige zomer"],
        "ja": ["今年の夏"],
    },
    "autumn": {
        "fr": ["l'automne dernier", "cet automne"],
        "es": ["el otoño", "el pasado otoño", "otoño pasado"],
        "nl": ["vorig najaar"],
        "ja": ["今年の秋"],
    },
    "last_month": {
        "es": ["del mes pasado", "al mes pasado", "del mes anterior"],
        "fr": ["du mois dernier", "du mois précédent"],
        "nl": ["van vorige maand", "vorige maand nog"],
    },
}


# Actors (as when.ACTORS) as Japanese and Korean outlets name a past administration: the former
# ("前", "전") between the president and the word for administration ("バイデン前政権", "바이든
# 전 행정부") hides agencies.json's "バイデン政権" and "바이든 행정부".
ACTORS = {
    "white-house": {
        "ja": ["バイデン前政権", "トランプ前政権", "バイデン前大統領", "トランプ前大統領"],
        "ko": ["바이든 전 행정부", "트럼프 전 행정부", "바이든 전 대통령", "트럼프 전 대통령"],
    },
}

# Back-reference markers (as when.BACK_MARKERS) by language. Korean puts "after" behind the
# clause it closes: "규제 당국이 지난주 ... 지시한 뒤" (after the regulator told ... last week)
# is the article's background, not its news.
# Hangul is matched inside words (후보, 오후 hold 후), so the marker is read with the verb's
# attributive ending before it ("지시한 뒤", "막은 뒤", "발표된 후에"), and 후 only before 에 or a
# comma ("한 후보" is a candidate).
_KO_ATTRIBUTIVE = "한은된린낸던인난진친운온간선른"  # (one syllable each)
BACK_MARKERS = {
    "ko": [f"{a} 뒤" for a in _KO_ATTRIBUTIVE]
    + [f"{a} 후{after}" for a in _KO_ATTRIBUTIVE for after in ("에", ",")]
}
# Back markers written AFTER the clause they subordinate (Korean and Japanese are head-final):
# in "X 뒤 Y" and "XをうけてY" the article's own news is Y, the words after the marker, where
# English "Y after X" puts it before.
CLOSING_BACK_MARKERS = (*BACK_MARKERS["ko"], "이후", "を受けて", "以降")


def merged(base: dict[str, list[str]], extra: dict[str, dict[str, list[str]]]) -> None:
    """Add each language's phrases to the kind's shared list (once)."""
    for kind, by_lang in extra.items():
        known = set(base[kind])
        for phrases in by_lang.values():
            base[kind] += [p for p in phrases if p not in known]
            known.update(phrases)


def words(by_lang: dict[str, list[str]]) -> tuple[str, ...]:
    """Every language's words, once, in order."""
    return tuple(dict.fromkeys(w for ws in by_lang.values() for w in ws))
