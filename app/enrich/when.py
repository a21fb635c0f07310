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
        # as outlets write it in Spanish, Dutch, French, Arabic, Chinese
        "a principios de mes", "a comienzos de este mes", "begin deze maand", "deze maand nog",
        "début du mois", "en début de mois", "مطلع الشهر الجاري", "مطلع هذا الشهر", "月初",
    ],
    "last_month": [
        "last month", "le mois dernier", "el mes pasado", "vorige maand", "vergangenen monat",
        "letzten monat", "上个月", "上月", "先月", "الشهر الماضي",
        "el mes anterior", "afgelopen maand", "le mois précédent", "الشهر السابق", "上月底",
    ],
    "days": [
        "this week", "earlier this week", "last week", "a day after", "a day earlier",
        "the day before", "days after", "days earlier", "yesterday", "cette semaine", "la veille",
        "au lendemain", "hier", "esta semana", "ayer", "deze week", "gisteren", "vortag",
        "vortages", "diese woche", "本周", "上周", "日前", "昨天", "前一天", "今週", "先週",
        "هذا الأسبوع", "الأسبوع الماضي", "بعد يوم", "أمس",
        "la semana pasada", "vorige week", "afgelopen week", "la semaine dernière", "上星期",
    ],
    # the weekday of an action in the week before the article ("announced on Tuesday")
    "weekday": [
        "on monday", "on tuesday", "on wednesday", "on thursday", "on friday",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "el lunes", "el martes", "el miércoles",
        "el jueves", "el viernes", "este lunes", "este martes", "este miércoles", "este jueves",
        "este viernes", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "周一", "周二",
        "周三", "周四", "周五", "星期一", "星期二", "星期三", "星期四", "星期五", "يوم الاثنين",
        "يوم الثلاثاء", "يوم الأربعاء", "يوم الخميس", "يوم الجمعة",
    ],
    "spring": ["the spring", "this spring", "au printemps", "ce printemps", "en primavera",
               "esta primavera", "la primavera", "im frühjahr", "het voorjaar", "dit voorjaar", "afgelopen voorjaar",
               "今年春天", "春季", "今年春", "الربيع"],
    "summer": ["the summer", "this summer", "cet été", "l'été", "en verano", "este verano",
               "el verano", "im sommer", "deze zomer", "afgelopen zomer", "de zomer", "今年夏天", "夏季", "今年夏",
               "الصيف"],
    "autumn": ["the autumn", "the fall", "this autumn", "l'automne", "en otoño", "este otoño",
               "im herbst", "het najaar", "dit najaar", "afgelopen najaar", "今年秋天", "秋季", "الخريف"],
}
SEASON_MONTHS = {"spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11)}
DAYS_BACK = 8  # "this week", "a day after": an action at most this many days before the article

BACK_MARKERS = [
    "after", "since", "following", "earlier", "previously", "already", "ago", "in the wake",
    "last year", "après", "depuis", "au lendemain", "plus tôt", "déjà", "précédemment",
    "l'an dernier", "después", "desde", "tras", "anterior", "nach", "seit", "vortag", "bereits",
    "folgt auf", "sinds", "eerder", "بعد", "منذ", "سابق", "قد فرضت", "كانت", "此前", "之前", "以来",
    "早些时候", "日前", "曾", "去年", "以前", "以来", "先月", "昨年",
    # Spanish, Dutch, French and Arabic as outlets write a step back
    "desde que", "después de que", "tras la", "ya había", "había", "anteriormente", "previamente",
    "nadat", "sinds", "al eerder", "eerder al", "depuis le", "avait", "avaient",
    "بعد أن", "كانت قد", "كان قد", "سبق أن", "自从", "此后", "当时",
]

# The back-reference markers that open a clause with its own actor and date ("a day after
# Washington announced ...", «بعد أن رفعت واشنطن ...»), as opposed to those dating a phrase.
CLAUSE_MARKERS = ["after", "following", "in the wake", "après", "après que", "después",
                  "después de que", "tras", "nadat", "nach", "بعد", "بعد أن", "之后", "在此之前"]

# "since April, when Washington restricted ...": a new actor may follow (not a new date).
# Before a licence word, these make it one that is required, not granted ("will require a
# permit", "need a licence"): a restriction, whatever the relaxation words say of "permit".
REQUIRED = ["require", "requires", "required", "requiring", "need", "needs", "needed",
            "must obtain", "must apply for", "exige", "exigera", "nécessite", "requiere",
            "requerirá", "necesitará", "nodig", "vereist", "verplicht", "يتطلب", "تتطلب", "需要", "须"]

SINCE_MARKERS = ["since", "depuis", "desde", "sinds", "seit", "منذ", "自从", "以来"]

# "weeks after", "quelques semaines": an action at most WEEKS_BACK days before the article.
WEEKS = ["weeks after", "weeks earlier", "weeks ago", "weeks before", "quelques semaines",
         "semaines après", "semanas después", "hace semanas", "weken na", "wochen nach",
         "几周前", "数周前", "几周后", "بعد أسابيع", "أسابيع من",
         # "less than a month after Washington allowed ...": weeks, not the article's days
         "less than a month after", "nog geen maand nadat", "nog geen maand na",
         "moins d'un mois après", "menos de un mes después", "不到一个月", "بعد أقل من شهر"]
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
               "حزمة", "一揽子", "ronda", "paket",
               # a government stepping into a company or a market ("invoked a law to intervene")
               "intervene", "intervened", "intervention", "invoked", "intervenir", "intervino",
               "intervención", "invocó", "ingrijpen", "ingegrepen", "greep in", "intervient",
               "intervenu", "تدخل", "تدخلت", "介入", "干预"],
    "restrict": ["block", "blocked", "blocking", "blocks", "halt", "stopped", "cut off", "caps",
                 "blocage", "blocus", "blokkade", "curbs", "crackdown", "veto", "vetó", "sanciones",
                 "limits", "limit", "limiting", "quotas", "límites", "limites", "limieten",
                 "sancties", "制裁", "عقوبات", "تقييد", "قيود",
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
              "ingetrokken", "تخلت", "ألغت", "إلغاء", "تراجعت", "撤销", "取消", "放行", "落实",
              # a reversal, and licences being issued, as outlets write them
              "reversed course", "u-turn", "reversed", "reverses", "drops", "abandons", "lifts",
              "loosens", "loosened", "relaxes", "relaxed", "dio marcha atrás", "cambió de postura",
              "volte-face", "fait marche arrière", "ommezwaai", "kwam terug op", "改变了立场",
              "改变立场", "大转弯", "松口", "began issuing", "issuing licences", "issuing licenses",
              "granting licences", "granting licenses", "emitir licencias", "otorgar licencias",
              "conceder licencias", "délivrer des licences", "accorder des licences",
              "vergunningen verlenen", "vergunningen te verlenen", "إصدار تراخيص", "منح تراخيص",
              "核发许可", "发放许可", "核发", "发放出口许可", "رفع", "برفع", "放宽", "松绑",
              # "has begun granting Nvidia licences", "VS schrappen AI-chipregels"
              "granting", "began granting", "begun granting", "schrappen", "intrekken",
              "intrekking", "teruggedraaid", "terugdraaien", "draait terug"],
}

# "three months after", «三个月前»: an action about N months before the article.
MONTHS_AGO = {
    "en": ("{n} months after", "{n} months ago", "{n} months earlier"),
    "fr": ("{n} mois après", "il y a {n} mois"),
    "es": ("{n} meses después", "hace {n} meses"),
    "zh": ("{n}个月前", "{n}个月后"),
    "nl": ("{n} maanden geleden", "{n} maanden na", "{n} maanden later", "{n} maanden eerder"),
    "ar": ("بعد {n} أشهر", "قبل {n} أشهر", "{n} أشهر من"),
}
NUMBERS = {
    "en": ["one", "two", "three", "four", "five", "six"],
    "fr": ["un", "deux", "trois", "quatre", "cinq", "six"],
    "es": ["un", "dos", "tres", "cuatro", "cinco", "seis"],
    "zh": ["一", "两", "三", "四", "五", "六"],
    "nl": ["een", "twee", "drie", "vier", "vijf", "zes"],
    "ar": ["واحد", "اثنين", "ثلاثة", "أربعة", "خمسة", "ستة"],
}

# People who act for an agency in the timeline: "Trump said Nvidia may sell the H200" is the
# White House's decision (the agency's own names are in agencies.json).
ACTORS = {
    "white-house": ["president trump", "donald trump", "trump said", "trump's", "trump announced",
                    "特朗普", "川普", "ترامب", "トランプ大統領", "le président trump", "el presidente trump",
                    "the administration", "the trump administration", "president biden",
                    "joe biden",
                    "administración trump", "administración de trump", "gobierno de trump",
                    "regering trump", "trump regering", "biden regering", "regering biden",
                    "拜登政府", "特朗普政府", "إدارة ترامب", "إدارة بايدن",
                    # "the Biden-era rule": a US action, whichever agency issued it
                    "biden era", "l'ère biden", "era de biden", "era biden", "拜登时代", "عهد بايدن"],
    # "Commerce said", "the Commerce Secretary", 美国商务部长: the department acting
    "commerce-department": ["commerce secretary", "commerce officials", "commerce said",
                            "howard lutnick", "lutnick", "departamento de comercio",
                            "secretario de comercio", "ministerie van handel", "handelsministerie",
                            "ministère du commerce", "secrétaire au commerce", "商务部长", "卢特尼克",
                            "盧特尼克", "وزير التجارة الأمريكي", "وزير التجارة الأميركي", "لوتنيك"],
    "bis": ["oficina de industria y seguridad", "jeffrey kessler", "kessler", "商务部工业和安全局"],
    # The Dutch government by its seat and its ministers ("Den Haag", «لاهاي», 海牙)
    "nl-gov": ["den haag", "la haya", "la haye", "the hague", "لاهاي", "海牙", "het kabinet",
               "kabinet", "minister klever", "schreinemacher", "karremans", "nederlandse regering",
               "nederlandse overheid", "gobierno neerlandés", "gobierno holandés",
               "dutch government"],
}
