"""Discovery: names the gazetteer lacks, found while an article is enriched.

Three cheap passes over what the tagger already found (its hits carry offsets):
- model numbers next to a known family or maker: "Ascend 910D", "昇腾910D", "AMD's MI400",
  "la puce H30 de Nvidia". The family or maker says whose chip it is; one candidate per
  (maker, model) gathers every script's spelling.
- unknown names where a company is named: "chipmaker X", "X Corp.", "la société X", "شركة X",
  "X公司". A name close to a known company's alias becomes an alias candidate of that company.
- spellings close to a known alias (folded edit distance, same script, same first letter) of
  an entity whose chips or restrictions the article names: «مايكرون» in an article on the
  Micron ban, where the gazetteer knows «ميكرون».

Everything known (a folded alias of any entity) is skipped. Discovery never fails an article:
the ingest pipeline turns any exception into "no candidates" (logged).
"""

import re
from collections.abc import Iterable, Sequence

import ahocorasick
from rapidfuzz.distance import Levenshtein

from app.enrich.tagger import Hit
from app.gazetteer import Gazetteer
from app.gazetteer.suggestions import Candidate, fold, slug
from app.text import ARABIC_LETTER, HAN, normalize, strip_arabic_prefix

_MODEL = r"(?<![A-Za-z0-9])(?P<m>[A-Z]{1,4}\d{2,4}[A-Z]{0,2}|\d{3,4}[A-Z]{1,2})(?![A-Za-z0-9])"
# After a family or maker: possessive, up to two words ("'s new", "Instinct"), a few Han
# characters (的, 新款), then the model.
_AFTER = re.compile(
    r"(?:['’]s?)?(?:\s*[A-Za-z][A-Za-z\-]{1,15}(?=[\s\-]))?(?:\s+[A-Za-z][A-Za-z\-]{1,15})?(?:[\s\-:]{0,2}|[\u4e00-\u9fff]{1,3})"
    + _MODEL
)
# Before a maker: "H30 de Nvidia", "MI400 from AMD", "H30 من إنفيديا".
_BEFORE = re.compile(
    _MODEL.replace("(?![A-Za-z0-9])", "").replace("(?<![A-Za-z0-9])", "")
    + r"(?:\s+\w+){0,2}\s+(?:de|d['’]|from|by|von|van|di|del|من|لـ)\s*$"
)
_NOT_MODEL = re.compile(
    r"^(?:FY|CY|Q|G|COP|COVID|ISO|RMB|USD|EUR|CNY|GMT|UTC|PM|AM|HK|ZH|EN|AR|FR)\d|"
    r"^\d+(?:M|B|K|GB|TB|MB|MW|GW|KW|NM|MM|W|V|BN|AI|G)$"
)

_CAP = r"[A-Z][\w&\-]*(?:\.[A-Z]\.?)?"
_LATIN_NAME = rf"(?P<n>{_CAP}(?:\s+(?:{_CAP}|&|de|of))*?(?:\s+{_CAP})?)"
_LEGAL = (
    r"(?:Corp(?:oration)?\.?|Inc\.?|Ltd\.?|Co\.,?\s+Ltd\.?|Co\.|Limited|GmbH|S\.A\.|SA|N\.V\.|AG"
    r"|Holdings|Group)"
)
# Up to two lower-case words between the trigger and the name ("la société chinoise X"), but
# not a preposition: "le groupe de Santa Clara" is the company from Santa Clara.
_LOWER_WORDS = (
    r"(?:\s+(?!(?:de|du|des|d|à|au|aux|en|del|da|di|van|von|aus|uit|in|of|from|at|"
    r"basée?|based)\b)[a-zäöüßàâçéèêëîïôûùüÿñáíóú\-]{2,20}){0,2}"
)
_FOLLOW = r"(?=[\s,.;:)'’]|$)"
# Words that say "a company comes next" (matched in any case): the article and noun in Romance
# languages ("la société X"), with up to two lower-case words before the name ("la société
# chinoise X"); the noun alone in Dutch ("het Eindhovense bedrijf X"); in German, which
# capitalises every noun, only a name right after the noun counts.
_TRIGGER_WORDS = {
    "en": [
        "chipmaker",
        "chip-maker",
        "chip maker",
        "chip designer",
        "chip firm",
        "chip company",
        "startup",
        "start-up",
        "firm",
        "company",
        "supplier",
        "manufacturer",
        "foundry",
        "designer",
        "developer",
        "memory maker",
        "toolmaker",
        "subsidiary",
        "unit",
    ],
    "fr": [
        "la société",
        "l'entreprise",
        "l’entreprise",
        "le groupe",
        "le fabricant",
        "le fondeur",
        "la start-up",
        "la startup",
        "la jeune pousse",
        "le concepteur",
        "la firme",
        "sa filiale",
        "la filiale",
    ],
    "es": ["la empresa", "la compañía", "el fabricante", "la firma", "la filial", "el grupo"],
    "de": [
        "unternehmen",
        "konzern",
        "chiphersteller",
        "firma",
        "hersteller",
        "tochter",
        "start-up",
    ],
    "nl": [
        "bedrijf",
        "chipmaker",
        "chipfabrikant",
        "fabrikant",
        "concern",
        "dochterbedrijf",
        "toeleverancier",
    ],
    "ru": ["компания", "компании", "производитель", "корпорация"],
}
_BETWEEN = {"en": "", "de": "", "ru": ""}
_NAME_AFTER = {"ru": r"(?P<n>[A-ZА-ЯЁ][\w\-]+(?:\s+[A-ZА-ЯЁ][\w\-]+){0,2})"}


def _trigger_pattern(lang: str, words: list[str]) -> re.Pattern:
    """What follows a trigger word: the words allowed between, then the name (matched at the
    end of the trigger found by the automaton below)."""
    return re.compile(
        rf"(?!\w){_BETWEEN.get(lang, _LOWER_WORDS)}\s+"
        rf"{_NAME_AFTER.get(lang, _LATIN_NAME + _FOLLOW)}"
    )


def _trigger_automaton(words: list[str]) -> ahocorasick.Automaton:
    """The trigger words of a language in one automaton: a text is scanned once, in C, for all
    of them (a regex alternation tries each at every position)."""
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word.lower(), len(word))
    automaton.make_automaton()
    return automaton


_ARABIC_CONTEXT = re.compile(
    r"(?:^|[\s(«\"])[وفبل]?(?:شركة|شركه|مجموعة|مجموعه)\s+(?P<n>[\u0621-\u064A]+(?:\s+[\u0621-\u064A]+){0,3})"
)
_HAN_CONTEXT = re.compile(
    r"(?P<n>[\u4e00-\u9fff]{2,12}?)(?:股份有限公司|有限公司|子公司|公司|集团)"
)
_COMPILED = {
    lang: (_trigger_automaton(words), _trigger_pattern(lang, words))
    for lang, words in _TRIGGER_WORDS.items()
}
# "X Corp.", "X Inc.": the suffix is rare and cheap to find; the name is then read backwards.
_LEGAL_AT = re.compile(rf"{_LEGAL}(?![\w])")
_NAME_BEFORE = re.compile(rf"(?<![\w-])(?P<n>{_CAP}(?:\s+(?:{_CAP}|&|de|of)){{0,3}})\s*,?\s+$")

_LATIN_STOP = frozenset(
    """the a an this that its their his her our chinese american us u.s. dutch japanese taiwanese
korean south north new european british french german indian russian global state monday
tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december ceo ai it he she they we in on at for and
but which who as but also reuters bloomberg""".split()
)
_ARABIC_STOP = frozenset(
    """التي الذي الذين في من على عن إلى الى أن ان إن قد كانت كان وقد لم لن ما مع بعد قبل هذه هذا
تلك ذلك أو او ثم كما حيث عند خلال بين لدى منذ وهي وهو هي هو تعمل تنتج تصنع أعلنت اعلنت
قالت صينية امريكية أمريكية ناشئة كبرى عملاقة رائدة تايوانية يابانية كورية هولندية محلية
اخرى أخرى أخري عدة تابعة قابضة مملوكة حكومية خاصة عامة مدرجة كبيرة صغيرة واحدة لصناعة
لتصنيع لتقنيات للتكنولوجيا للإلكترونيات للالكترونيات للرقائق لأشباه""".split()
)
_HAN_CUT = re.compile(
    r".*[将把对与和及向在是的称据由被让给从为了使这该等或其到以于跟说即并且还也都就又再已曾而但则]"
)
_HAN_GENERIC = (
    "芯片",
    "半导体",
    "中国",
    "美国",
    "一家",
    "这家",
    "该",
    "多家",
    "外国",
    "国外",
    "本土",
    "国内",
    "上市",
    "科技",
    "技术",
    "智能",
    "电子",
    "投资",
    "贸易",
    "初创",
    "子",
    "母",
    "新",
    "大",
    "小",
    "其他",
    "相关",
    "全球",
    "台湾",
    "日本",
    "韩国",
    "欧洲",
    "荷兰",
    "设备",
    "制造",
    "企业",
    "厂商",
    "巨头",
    "龙头",
    "供应商",
    "人工智能",
    "研究",
    "机构",
    "设计",
    "研发",
    "生产",
    "销售",
    "运营",
    "服务",
    "软件",
    "硬件",
    "存储芯片",
    "晶圆",
    "代工",
    "封装",
    "测试",
)
# Words a variant spelling could be: capitalised Latin or Cyrillic, or Arabic (4+ letters).
_WORD = re.compile(r"(?<![^\W\d_])(?:[A-ZА-ЯЁ][^\W\d_]{3,}|[\u0621-\u064A\u0671-\u06D3]{4,})")
_SENTENCE_END = re.compile(r"[.!?。！？؟\n]")


def _script(text: str) -> str:
    for ch in text:
        if ARABIC_LETTER.match(ch):
            return "ar"
        if HAN.match(ch):
            return "zh"
        if ch.isalpha():
            return "cyrl" if "\u0400" <= ch <= "\u04ff" else "latn"
    return "latn"


def _lang(surface: str, article_lang: str) -> str:
    script = _script(surface)
    if script in ("ar", "zh"):
        return script
    if script == "cyrl":
        return "ru"
    return (
        article_lang
        if article_lang and _script(article_lang) == "latn" and article_lang not in ("ar", "zh")
        else "en"
    )


def sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end] (at most ~300 characters)."""
    lo = max(0, start - 200)
    found = [m.end() for m in _SENTENCE_END.finditer(text, lo, start)]
    s = found[-1] if found else lo
    m = _SENTENCE_END.search(text, end, min(len(text), end + 200))
    e = m.end() if m else min(len(text), end + 200)
    return " ".join(text[s:e].split())


class Discovery:
    """Finds candidates in one article from the tagger's hits; built once per gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        entities = gazetteer.entities
        self.known = {fold(a.rstrip("*")) for e in entities.values() for a in e.all_aliases()}
        self.makers: dict[str, str] = {}  # entity id -> the maker a model after it belongs to
        self.prefix: dict[str, str] = {}  # family id -> the name a model after it is written with
        for e in entities.values():
            parent = e.raw.get("parent")
            if e.type == "chip" and parent in entities:
                self.makers.setdefault(parent, parent)
                if e.raw.get("kind") == "family":
                    self.makers[e.id] = parent
                    names = [a for a in e.aliases.get("en", []) if "(" not in a] or [e.name]
                    self.prefix[e.id] = min(names, key=len)
        # Entities whose misspellings count in an article naming one of these ids.
        self.related: dict[str, set[str]] = {}
        for e in entities.values():
            if e.type == "chip" and e.raw.get("parent") in entities:
                self.related.setdefault(e.id, set()).add(e.raw["parent"])
            if e.type == "restriction":
                for ids in (e.raw.get("concerns") or {}).values():
                    for target in ids:
                        if target in entities and entities[target].type == "company":
                            self.related.setdefault(e.id, set()).add(target)
        # entity id -> {first folded letter: [(folded alias, script)]}, single-word aliases of 4+.
        self.spellings: dict[str, dict[str, list[str]]] = {}
        for e in entities.values():
            if e.type != "company":
                continue
            table: dict[str, list[str]] = {}
            for alias in e.all_aliases():
                key = fold(alias.rstrip("*"))
                if len(key) >= 4 and " " not in key and not key.isdigit():
                    table.setdefault(key[0], []).append(key)
            if table:
                self.spellings[e.id] = table
        self.companies = {e.id: e for e in entities.values() if e.type == "company"}

    # --- one article ---------------------------------------------------------------------------

    def find(
        self,
        title: str,
        body: str,
        lang: str,
        mentions: Sequence[Hit],
        title_mentions: Sequence[Hit] = (),
        tags: Iterable[str] = (),
    ) -> list[Candidate]:
        found: dict[tuple[str, str, str], Candidate] = {}  # one per name and spelling
        for text, hits in ((body, mentions), (title, title_mentions)):
            if not text:
                continue
            for cand in self._models(text, hits, lang):
                found.setdefault((cand.type, cand.key, cand.surface), cand)
            for cand in self._companies(text, hits, lang):
                found.setdefault((cand.type, cand.key, cand.surface), cand)
        owners = {o for t in tags for o in self.related.get(t, ())}
        if owners:
            for cand in self._spellings(body, mentions, lang, owners):
                found.setdefault((cand.type, cand.key, cand.surface), cand)
        return list(found.values())

    def _models(self, text: str, hits: Sequence[Hit], lang: str) -> Iterable[Candidate]:
        for hit in hits:
            maker = self.makers.get(hit.entity_id)
            if maker is None:
                continue
            family = hit.entity_id if hit.entity_id in self.prefix else None
            m = _AFTER.match(text, hit.end, min(len(text), hit.end + 40))
            if m is not None:
                start, end = (hit.start if family else m.start("m")), m.end("m")
            else:
                b = _BEFORE.search(text, max(0, hit.start - 40), hit.start) if not family else None
                if b is None:
                    continue
                m, start, end = b, b.start("m"), b.end("m")
            model = m.group("m")
            m_start, m_end = m.start("m"), m.end("m")
            if (
                _NOT_MODEL.search(model)
                or fold(model) in self.known
                or any(h.start < m_end and m_start < h.end for h in hits if h is not hit)
            ):
                continue
            surface = text[start:end]
            if family and fold(surface) in self.known:
                continue
            name = f"{self.prefix[family]} {model}" if family else model
            yield Candidate(
                "chip",
                f"{maker}:{fold(model)}",
                name,
                None,
                maker,
                _lang(surface, lang),
                surface,
                sentence(text, start, end),
                "accelerator",
                slug(name),
            )
            if family and surface != model:
                # The bare model is a name too ("910C" is an alias of the Ascend 910C).
                yield Candidate(
                    "chip",
                    f"{maker}:{fold(model)}",
                    name,
                    None,
                    maker,
                    "en",
                    model,
                    sentence(text, start, end),
                    "accelerator",
                    slug(name),
                )

    def _companies(self, text: str, hits: Sequence[Hit], lang: str) -> Iterable[Candidate]:
        spans = [(h.start, h.end) for h in hits]
        matches: list[tuple[re.Match, re.Pattern]] = []
        languages = [lang] if lang in _COMPILED else []
        if lang not in ("en", "ar", "zh"):
            languages.append("en")  # "chipmaker X" and "X Corp." are written everywhere
        lowered = text.lower()
        if len(lowered) == len(text):  # offsets hold (a few characters grow when lower-cased)
            for code in languages:
                automaton, tail = _COMPILED[code]
                for end, size in automaton.iter(lowered):
                    start = end + 1 - size
                    if start and lowered[start - 1].isalnum():
                        continue
                    m = tail.match(text, end + 1)
                    if m is not None:
                        matches.append((m, tail))
        if (lang == "ar" or lang not in _COMPILED and lang != "zh") and (
            "شرك" in text or "مجموع" in text
        ):
            matches.extend((m, _ARABIC_CONTEXT) for m in _ARABIC_CONTEXT.finditer(text))
        if lang in ("zh", "ja") and ("公司" in text or "集团" in text):
            matches.extend((m, _HAN_CONTEXT) for m in _HAN_CONTEXT.finditer(text))
        if lang not in ("ar", "zh"):
            for legal in _LEGAL_AT.finditer(text):
                if legal.start() and text[legal.start() - 1].isalnum():
                    continue
                m = _NAME_BEFORE.search(text, max(0, legal.start() - 80), legal.start())
                if m is not None:
                    matches.append((m, _NAME_BEFORE))
        for m, pattern in matches:
            start, end = m.start("n"), m.end("n")
            name = self._clean(m.group("n"), pattern)
            if not name:
                continue
            start = text.find(name, start, end + 1)
            end = start + len(name)
            if any(s < end and start < e for s, e in spans):
                continue  # a known entity
            key = fold(name)
            if key in self.known or len(key) < 2:
                continue
            of = self._close_company(key)
            if of is not None:  # a variant spelling of a known company: its first word
                word = name.split()[0]
                yield Candidate(
                    "company",
                    f"{of}:{fold(word)}",
                    word,
                    of,
                    None,
                    _lang(word, lang),
                    word,
                    sentence(text, start, end),
                )
            else:
                yield Candidate(
                    "company",
                    key,
                    name,
                    None,
                    None,
                    _lang(name, lang),
                    name,
                    sentence(text, start, end),
                    None,
                    slug(name),
                )

    @staticmethod
    def _clean(raw: str, pattern: re.Pattern) -> str | None:
        if pattern is _ARABIC_CONTEXT:
            words = []
            for word in raw.split():
                if word.startswith("ال") or word in _ARABIC_STOP or len(word) < 2:
                    break
                words.append(word)
            name = " ".join(words)
            return name if len(name.replace(" ", "")) >= 3 else None
        if pattern is _HAN_CONTEXT:
            cut = _HAN_CUT.match(raw)
            name = raw[cut.end() :] if cut else raw
            rest = name
            for word in _HAN_GENERIC:
                rest = rest.replace(word, "")
            return name if 2 <= len(name) <= 8 and len(rest) >= 2 else None
        words = raw.split()
        while words and (
            words[0].lower().strip(".") in _LATIN_STOP or words[0].lower() in _LATIN_STOP
        ):
            words.pop(0)
        while words and re.fullmatch(_LEGAL, words[-1]):
            words.pop()
        while words and words[-1] in ("&", "de", "of"):
            words.pop()
        if not words or len(words) > 4 or words[0].isdigit():
            return None
        name = " ".join(words).rstrip(",.")
        if len(name) < 3 or name.isupper() and len(name) < 3:
            return None
        return name

    def _close_company(self, key: str) -> str | None:
        """The company one of whose aliases this name's first word is a variant spelling of."""
        word = key.split()[0]
        if len(word) < 4:
            return None
        for entity_id, table in self.spellings.items():
            for alias in table.get(word[0], ()):
                if _close(word, alias):
                    return entity_id
        return None

    def _spellings(
        self, body: str, mentions: Sequence[Hit], lang: str, owners: Iterable[str]
    ) -> Iterable[Candidate]:
        by_first: dict[str, list[tuple[str, str]]] = {}  # first folded letter -> (alias, owner)
        # In id order: a spelling close to two owners' aliases goes to the first, which in a
        # set's order would follow the process's hash seed.
        for entity_id in sorted(owners):
            for first, aliases in self.spellings.get(entity_id, {}).items():
                by_first.setdefault(first, []).extend((a, entity_id) for a in aliases)
        if not by_first:
            return
        covered = bytearray(len(body))
        for h in mentions:
            covered[h.start : h.end] = b"\x01" * (h.end - h.start)
        seen: set[str] = set()
        known = self.known
        for m in _words_starting(frozenset(by_first)).finditer(body):
            surface = m.group()
            if surface in seen or covered[m.start()]:
                continue
            seen.add(surface)
            first = surface[0]
            if first < "\u0600":
                if first.lower() not in by_first:
                    continue  # Latin or Cyrillic whose first letter no alias has
            elif _first_folded(first) not in by_first and first not in _ARABIC_PREFIX_LETTERS:
                continue  # Arabic that neither starts like an alias nor with a prefix
            forms = _forms(surface)
            for form in forms:
                if form in known or len(form) < 4:
                    break
                owner = next(
                    (o for alias, o in by_first.get(form[0], ()) if _close(form, alias)), None
                )
                if owner is None:
                    continue
                name = surface[len(surface) - len(form) :] if first >= "\u0600" else surface
                yield Candidate(
                    self.companies[owner].type,
                    f"{owner}:{form}",
                    name,
                    owner,
                    None,
                    _lang(name, lang),
                    name,
                    sentence(body, m.start(), m.end()),
                )
                break


_ARABIC_PREFIX_LETTERS = frozenset("وفبكلال")
# Every letter a _WORD word can start with (asked of the pattern itself, so they follow it).
_FIRST_LETTERS = tuple(
    c for c in map(chr, range(0x3000)) if _WORD.match(c + "abc") or _WORD.match(c + "ببب")
)
_WORDS_STARTING: dict[frozenset[str], re.Pattern] = {}


def _words_starting(firsts: frozenset[str]) -> re.Pattern:
    """_WORD, only for the words _spellings reads further: those whose first letter (lowered,
    or folded if Arabic) starts an alias, or, in Arabic, may be a prefix. The others are passed
    over at C speed instead of one by one (remembered per set of first letters)."""
    pattern = _WORDS_STARTING.get(firsts)
    if pattern is None:
        letters = [
            c
            for c in _FIRST_LETTERS
            if (
                c.lower() in firsts
                if c < "\u0600"
                else _first_folded(c) in firsts or c in _ARABIC_PREFIX_LETTERS
            )
        ]
        if len(_WORDS_STARTING) >= 1024:
            _WORDS_STARTING.clear()
        pattern = _WORDS_STARTING[firsts] = re.compile(
            (f"(?=[{re.escape(''.join(letters))}])" if letters else "(?!)") + _WORD.pattern
        )
    return pattern


_FOLDED_CHAR: dict[str, str] = {}


def _first_folded(ch: str) -> str:
    folded = _FOLDED_CHAR.get(ch)
    if folded is None:
        folded = _FOLDED_CHAR[ch] = normalize(ch)[:1]
    return folded


_FORMS: dict[str, tuple[str, ...]] = {}  # word -> its folded forms (words recur across articles)


def _forms(word: str) -> tuple[str, ...]:
    """A word folded, and for Arabic also without each attached prefix it may carry."""
    forms = _FORMS.get(word)
    if forms is None:
        folded = normalize(word)
        forms = (folded, *strip_arabic_prefix(folded)) if word[0] >= "\u0600" else (folded,)
        if len(_FORMS) > 200_000:
            _FORMS.clear()
        _FORMS[word] = forms
    return forms


def _close(word: str, alias: str) -> bool:
    """Folded edit distance within 1 (2 from eight letters), not the same word."""
    if word == alias:
        return False
    limit = 2 if len(alias) >= 8 else 1
    if abs(len(word) - len(alias)) > limit:
        return False
    return Levenshtein.distance(word, alias, score_cutoff=limit) <= limit


_CACHE: dict[str, Discovery] = {}


def discovery_for(gazetteer: Gazetteer) -> Discovery:
    found = _CACHE.get(gazetteer.version)
    if found is None:
        if len(_CACHE) >= 4:
            _CACHE.pop(next(iter(_CACHE)))
        found = _CACHE[gazetteer.version] = Discovery(gazetteer)
    return found
