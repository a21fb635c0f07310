"""A deterministic, streamed generator of a realistic multilingual corpus (JSON lines).

Articles in Arabic, English, Chinese and French name companies, chips, regions and the
restrictions of the gazetteer with the press's own spellings (clitics, no-space Chinese),
dated across 2019-2026 with more coverage in recent years, as real coverage is. The same
seed and size always give the same bytes; nothing is held in memory.

    python -m bench.corpus 100000 > /tmp/corpus.jsonl
"""

import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from app.gazetteer import default as gazetteer

LANG_WEIGHTS = {"en": 40, "ar": 25, "zh": 20, "fr": 15}
YEAR_WEIGHTS = {2019: 3, 2020: 4, 2021: 3, 2022: 8, 2023: 12, 2024: 15, 2025: 35, 2026: 20}
SENTENCES = {
    "en": ["{company} said demand for the {chip} stayed strong in {region}.",
           "Analysts expect {company} to ship more {chip} accelerators after the {restriction}.",
           "According to Reuters, {company} is training models in data centres in {region}.",
           "The {restriction} forced {company} to redesign its {chip} for the Chinese market.",
           "Officials in {region} are reviewing licence applications for the {chip}.",
           "Shares of {company} moved after the latest export-control news.",
           "Supply chains for advanced packaging and memory remain tight this quarter."],
    "ar": ["قالت {company} إن الطلب على رقائق {chip} ظل قويا في {region}.",
           "ونقلا عن رويترز، تدرب {company} نماذجها في مراكز بيانات في {region}.",
           "دفعت {restriction} شركة {company} إلى إعادة تصميم رقائق {chip}.",
           "يراقب المحللون قرارات التصدير الأمريكية المتعلقة بشرائح {chip}.",
           "وتواصل الشركات الصينية البحث عن بدائل محلية للرقائق المتقدمة."],
    "zh": ["{company}表示，{region}市场对{chip}芯片的需求依然强劲。",
           "据路透社报道，{company}正在{region}的数据中心训练大模型。",
           "受{restriction}影响，{company}不得不重新设计{chip}。",
           "分析人士认为出口管制将继续影响高端芯片供应。",
           "国产算力芯片的产能正在逐步提升。"],
    "fr": ["{company} affirme que la demande de puces {chip} reste forte en {region}.",
           "Selon Reuters, {company} entraîne ses modèles dans des centres de données en {region}.",
           "La mesure {restriction} a obligé {company} à revoir sa puce {chip}.",
           "Les autorités examinent les demandes de licence pour les puces {chip}.",
           "Les chaînes d'approvisionnement en mémoire restent tendues."],
}
TITLES = {
    "en": "{company} and the {chip}: what the {restriction} changes",
    "ar": "{company} ورقائق {chip} بعد {restriction}",
    "zh": "{restriction}之后的{company}与{chip}",
    "fr": "{company} et la puce {chip} après {restriction}",
}


def _names(lang: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entity in gazetteer().entities.values():
        if entity.type in ("company", "chip", "region", "restriction"):
            names = entity.aliases.get(lang) or entity.aliases.get("en") or [entity.name]
            out.setdefault(entity.type, []).append(names[0])
    return out


def generate(count: int, seed: int = 7) -> Iterator[dict]:
    rng = random.Random(seed)
    names = {lang: _names(lang) for lang in LANG_WEIGHTS}
    langs, lang_w = zip(*LANG_WEIGHTS.items())
    years, year_w = zip(*YEAR_WEIGHTS.items())
    for i in range(count):
        lang = rng.choices(langs, lang_w)[0]
        pool = names[lang]
        # Popular names come up far more often than the rest, as in real coverage.
        pick = {t: pool[t][min(int(rng.paretovariate(1.2)) - 1, len(pool[t]) - 1)] for t in pool}
        year = rng.choices(years, year_w)[0]
        when = datetime(year, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(365 * 86400))
        sentences = [rng.choice(SENTENCES[lang]).format(**pick) for _ in range(rng.randint(8, 20))]
        paragraphs = [" ".join(sentences[j:j + 4]) for j in range(0, len(sentences), 4)]
        yield {
            "title": TITLES[lang].format(**pick) + f" ({i})",
            "body": f"[{i}] " + "\n\n".join(paragraphs),
            "url": f"https://bench.chipwatch.example/{lang}/{i}",
            "published_at": when.isoformat().replace("+00:00", "Z"),
            "source": f"Bench {lang.upper()} {i % 7}",
            "lang": lang,
        }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    out = sys.stdout
    for article in generate(count, seed):
        out.write(json.dumps(article, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
