"""The tagger, the restriction rule and cited sources on hand-written snippets, one quirk each."""

from datetime import UTC, datetime

import pytest

from app import ROOT
from app import gazetteer as gz
from app.enrich import Enricher
from app.enrich.restrictions import RestrictionRule, _segments

H20_RULE = "2025-04-h20-licence-requirement"
SEED = ROOT.parent / "shared" / "seed" / "000_dc216fd5a588ab91.txt"  # outside the repo


def ids(enricher: Enricher, text: str) -> set[str]:
    return {h.entity_id for h in enricher.find(text)}


def tags(enricher: Enricher, body: str, title: str = "", when: str | None = None) -> dict[str, str]:
    published = datetime.fromisoformat(when) if when else None
    return enricher.enrich(title, body, published).tags


def restrictions(enricher: Enricher, body: str, title: str = "", when: str | None = None) -> set[str]:
    return {k for k in tags(enricher, body, title, when) if enricher.gazetteer.entities[k].type == "restriction"}


# --- Arabic: clitics, hamza and spelling variants ------------------------------------------

@pytest.mark.parametrize("text", ["أعلنت إنفيديا نتائجها", "أعلنت انفيديا نتائجها", "قال متحدث لإنفيديا",
                                  "بين إنفيديا وهواوي", "نفيديا", "وبإنفيديا"])
def test_arabic_nvidia_with_clitics_and_variants(enricher, text):
    assert "nvidia" in ids(enricher, text)


def test_arabic_conjunction_and_alef_maqsura_spellings_of_huawei(enricher):
    assert ids(enricher, "إنفيديا وهواوي") == {"nvidia", "huawei"}
    assert ids(enricher, "تعاون مع هواوى") == {"huawei"}


def test_arabic_lil_prefix_drops_the_articles_alef(enricher):
    # للصين is ل + الصين with the article's alef dropped; the mention is the name, clitics aside.
    text = "صادرات الرقائق للصين"
    (hit,) = enricher.find(text)
    assert hit.entity_id == "china" and text[hit.start - 2:hit.end] == "للصين"


def test_arabic_relative_adjective_is_the_country(enricher):
    assert ids(enricher, "الشركات الصينية والأمريكية") == {"china", "united-states"}


def test_arabic_apple_is_not_the_start_of_the_verb_to_inform(enricher):
    assert "apple" not in ids(enricher, "أبلغت الحكومة الأمريكية الشركة")
    assert "apple" in ids(enricher, "تعد الشركة موردا لرقائق أبل")


# --- Chinese: no word boundaries --------------------------------------------------------

def test_chinese_names_inside_unbroken_text(enricher):
    assert ids(enricher, "英伟达H20芯片对华为构成竞争") >= {"nvidia", "h20", "huawei"}
    assert ids(enricher, "华为昇腾910C芯片量产") == {"huawei", "ascend-910c"}


def test_chinese_longest_name_wins(enricher):
    hits = enricher.find("华为昇腾910B与昇腾910C")
    assert [h.entity_id for h in hits if h.entity_id.startswith("ascend")] == ["ascend-910b", "ascend-910c"]


def test_chinese_dui_hua_is_china_but_not_inside_dui_huawei(enricher):
    assert "china" in ids(enricher, "对华出口管制")
    assert ids(enricher, "美国对华为的制裁") == {"united-states", "huawei"}


# --- Latin: boundaries and case -----------------------------------------------------------

def test_model_numbers_differ_by_one_digit(enricher):
    assert ids(enricher, "The H20, the H200 and the H800") == {"h20", "h200", "h800"}
    assert ids(enricher, "H200") == {"h200"}
    assert ids(enricher, "shipments of H100s") == {"h100"}


def test_intel_is_not_inside_intelligence_nor_lower_case_intel(enricher):
    assert ids(enricher, "Artificial intelligence and the latest intel") == set()
    assert ids(enricher, "Intel's Gaudi 2") == {"intel", "gaudi2"}


def test_case_sensitive_us_is_not_the_pronoun(enricher):
    assert "united-states" not in ids(enricher, "Tell us about chips")
    assert "united-states" in ids(enricher, "US chip curbs")


def test_russian_stem_alias_takes_endings(enricher):
    assert ids(enricher, "китайские и американских компаний") == {"china", "united-states"}


def test_german_genitive(enricher):
    assert ids(enricher, "Tests mit Nvidias RTX Pro 6000D") == {"nvidia", "rtx-pro-6000d"}


# --- Ambiguous names ------------------------------------------------------------------------

def test_apple_the_fruit(enricher):
    assert ids(enricher, "Apple growers expect a smaller harvest after a hot summer.") == set()
    assert ids(enricher, "Apple, durian and palm-oil consignments fill the declarations.") == set()
    assert ids(enricher, "Apple unveiled a new iPhone on Monday.") == {"apple"}


def test_arm_the_limb(enricher):
    assert ids(enricher, "Star Pitcher Out Six Weeks With Arm Injury") == set()
    assert ids(enricher, "Arm, the chip designer owned by SoftBank") == {"arm", "softbank"}


def test_ascend_the_verb(enricher):
    assert ids(enricher, "Chip Stocks Ascend as Investors Shrug Off Tariff Fears") == set()
    assert ids(enricher, "prices ascend further") == set()
    assert "ascend" in ids(enricher, "Huawei said its Ascend line would double output.")


def test_h2o_is_water_unless_it_is_plainly_the_chip(enricher):
    assert ids(enricher, "Chip plants rinse wafers with ultrapure H2O, every litre counts.") == set()
    assert "h20" in ids(enricher, "فرضت واشنطن قيودا على بيع رقائق H2O")
    assert "h20" in ids(enricher, "Nvidia's H2O chips are selling again")


def test_cac_40_is_an_index_not_the_cyberspace_administration(enricher):
    assert ids(enricher, "Le CAC 40 a gagné 1 %. Le CAC a effacé ses pertes.") == set()
    assert ids(enricher, "The CAC summoned Nvidia.") == {"cac", "nvidia"}


def test_bis_the_bank_for_international_settlements(enricher):
    text = "The Bank for International Settlements warned central banks. The BIS, based in Basel, said so."
    assert ids(enricher, text) == set()
    assert ids(enricher, "The BIS added 140 entities.") == {"bis"}
    # The title alone does not say which BIS: the article does.
    result = enricher.enrich("BIS warns central banks", text, None)
    assert "bis" not in result.tags


def test_qatar_and_the_arabic_word_for_diameter(enricher):
    assert ids(enricher, "رقاقات السيليكون بقطر 300 ملم") == set()
    assert ids(enricher, "أنابيب بقطر مناسب لضغط المياه") == set()
    assert ids(enricher, "يبلغ قطر الرقاقة 200 ملم") == set()
    assert ids(enricher, "وقعت قطر اتفاقا") == {"qatar"}
    assert ids(enricher, "مونديال قطر 2022") == {"qatar"}


def test_korean_india_and_delivery(enricher):
    assert "india" not in ids(enricher, "삼성전자가 엔비디아에 HBM3E 물량 인도를 시작했다. 이달 말까지 인도될 예정이다.")
    assert "india" in ids(enricher, "인도와 이스라엘은 2등급으로 분류됐다")
    assert ids(enricher, "인도·태평양 전략") == set()


def test_gulf_of_mexico_is_not_the_gulf(enricher):
    assert ids(enricher, "the warm waters of the Gulf of Mexico") == set()
    assert ids(enricher, "buyers in the Gulf") == {"middle-east"}


def test_outlet_names_hide_the_places_inside_them(enricher):
    assert ids(enricher, "据英国《金融时报》报道，英伟达") == {"nvidia"}
    assert "china" not in ids(enricher, "the South China Morning Post reported")
    assert "united-kingdom" in ids(enricher, "英国政府")


def test_a_place_inside_a_company_name_is_not_the_place(enricher):
    assert ids(enricher, "Tokyo Electron and Taiwan Semiconductor Manufacturing Co") == {"tokyo-electron", "tsmc"}
    assert ids(enricher, "شركة تايوان لتصنيع أشباه الموصلات") == {"tsmc"}
    assert ids(enricher, "TSMC in Taiwan") == {"tsmc", "taiwan"}


def test_a_country_inside_an_agency_name_is_the_country(enricher):
    assert ids(enricher, "the Cyberspace Administration of China") == {"cac", "china"}


# --- Offsets ------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "قال متحدث لإنفيديا إن رقائق H20 لن تباع للصين.",
    "أعلنت إِنْفِيدْيَا ـ وهواوي عن شراكة",  # diacritics and tatweel are folded away
    "英伟达H20芯片对华出口需获许可。",
    "Nvidia's H20 and Huawei's Ascend 910C, per Reuters.",
    "ﬁrst Nvidia H100s in Straße",  # ligatures fold to several characters
])
def test_mention_offsets_point_at_the_surface_in_the_body(enricher, body):
    mentions = enricher.enrich("", body, None).mentions
    assert mentions
    for m in mentions:
        assert body[m.start:m.end] == m.surface


def test_offsets_survive_diacritics(enricher):
    body = "أعلنت إِنْفِيدْيَا"
    (hit,) = enricher.find(body)
    assert hit.entity_id == "nvidia" and hit.surface == "إِنْفِيدْيَا" and body[hit.start:hit.end] == hit.surface


# --- Cited sources ----------------------------------------------------------------------

@pytest.mark.parametrize("text,source", [
    ("Nvidia will book a charge, according to Reuters.", "Reuters"),
    ("ونقلاً عن «رويترز» أفادت مصادر مطلعة", "Reuters"),
    ("据路透社报道，英伟达将计提费用。", "Reuters"),
    ("Selon Reuters, AMD s'attend à un impact.", "Reuters"),
    ("a indiqué Le Monde", "Le Monde"),
    ("据英国《金融时报》报道", "Financial Times"),
    ("英フィナンシャル・タイムズによると", "Financial Times"),
    ("로이터통신이 보도했다", "Reuters"),
    ("Как сообщает Reuters, AMD ожидает убытков", "Reuters"),
    ("berichtet die Financial Times", "Financial Times"),
    ("وفق ما ذكرته وكالة بلومبرغ", "Bloomberg"),
])
def test_cited_sources_in_many_languages(enricher, text, source):
    assert enricher.citations.find(text) == [source]


def test_an_outlet_without_a_cue_or_a_lookalike_is_not_cited(enricher):
    assert enricher.citations.find("Reuters Tower in London") == []
    assert enricher.citations.find("The Nikkei 225 fell 2%, according to exchange data.") == []
    assert enricher.citations.find("Selon la BIS, une correction est possible.") == []


# --- The restriction rule ---------------------------------------------------------------

def test_since_april_restrictions_on_the_h20(enricher):
    body = ("Training offshore has risen since April. Washington then restricted sales of the H20, "
            "the chip Nvidia designed for China.")
    assert restrictions(enricher, body, when="2025-11-28") == {H20_RULE}


def test_the_month_resolves_to_the_latest_one_not_after_the_article(enricher):
    body = "Nvidia said the April restrictions on its H20 chip cost it $8 billion."
    assert restrictions(enricher, body, when="2025-05-29") == {H20_RULE}
    # In January 2025 "the April restrictions" are April 2024's, and there were none on the H20.
    assert restrictions(enricher, body, when="2025-01-15") == set()
    # Two months ahead at most, a month is an announced date: "from August" in July.
    body = "China's commerce ministry said exporters of gallium and germanium need licences from August 1."
    assert restrictions(enricher, body, when="2023-07-04") == {"2023-08-china-gallium-germanium-controls"}


def test_one_month_with_several_actions_on_a_chip_links_the_one_the_text_is_about(enricher):
    body = "In July, Nvidia said licences would be granted so it could resume sales of the H20."
    assert restrictions(enricher, body, when="2025-08-20") == {"2025-07-h20-sales-resumption"}
    body = "In late July China's regulator summoned Nvidia over backdoor risks in the H20."
    assert restrictions(enricher, body, when="2025-08-20") == {"2025-07-cac-h20-summons"}


def test_ambiguous_month_words_need_a_date_context(enricher):
    rule = enricher.restriction_rule
    for text, months in [("nvidia may face new curbs", set()), ("in may 2019", {5}), ("since may", {5}),
                         ("mars attacks", set()), ("en mars 2023", {3}), ("sept entités", set())]:
        (seg,) = _segments(text)
        assert {m for _y, m in rule._dates(seg.folded, rule._lexicon.scan(seg.folded), None)} == months, text
    assert restrictions(enricher, "Huawei was put on the Entity List in May 2019.", when="2020-01-01") == {
        "2019-05-huawei-entity-list"}


def test_chinese_months_are_not_the_end_of_longer_numbers(enricher):
    rule = enricher.restriction_rule
    (seg,) = _segments("十一月美国限制英伟达H20")
    found = rule._lexicon.scan(seg.folded)
    assert {m for m, *_ in found.months} == {11}


def test_news_of_the_action_itself(enricher):
    body = "Nvidia said on Tuesday that shipments of its H20 to China now need a licence."
    assert restrictions(enricher, body, when="2025-04-16") == {H20_RULE}
    # No longer news and no date, but the only restrictive action on the H20 by June: context.
    later = enricher.enrich("", body, datetime(2025, 6, 16, tzinfo=UTC)).restrictions
    assert set(later) == {H20_RULE} and later[H20_RULE].role == "context"
    assert "the only such action on H20" in later[H20_RULE].reason
    assert restrictions(enricher, body, when="2025-03-16") == set()  # before any action on it
    # A distinctive cue says which action, news or not.
    body = "Nvidia booked $5.5 billion in charges after H20 shipments to China needed a licence."
    assert restrictions(enricher, body, when="2025-06-16") == {H20_RULE}


def test_a_cue_links_without_a_date(enricher):
    body = "The order goes further than earlier guidance that discouraged purchases of the H20."
    assert restrictions(enricher, body, when="2025-09-18") == {"2025-08-china-h20-discouragement"}


def test_the_only_restriction_on_a_chip_at_the_time(enricher):
    assert restrictions(enricher, "由於美國對H20的出口限制，業務萎縮", when="2025-06-05") == {H20_RULE}


def test_rule_does_not_link_several_restrictions_of_the_same_month_without_cause(enricher):
    # Jan 2026 has five actions on the H200; a bare dated mention says which of them.
    body = "Since January, the H200 has been restricted again."
    assert restrictions(enricher, body, when="2026-02-20") == set()


def test_named_restrictions_nest(enricher):
    text = "إلغاء قاعدة انتشار الذكاء الاصطناعي"
    assert ids(enricher, text) == {"2025-05-ai-diffusion-rule-rescission", "2025-01-ai-diffusion-rule"}


def test_rule_evidence_is_the_sentence(enricher):
    result = enricher.enrich("", "Since April, Washington has restricted the H20.", datetime(2025, 11, 1, tzinfo=UTC))
    assert result.tags[H20_RULE] == "implied-restriction"
    # The evidence is the link's reason: what matched, and the month it resolved to.
    assert result.evidence[H20_RULE] == "matched: H20 + Washington + restrict + April 2025"
    link = result.restrictions[H20_RULE]
    assert link.role == "context" and link.reason == result.evidence[H20_RULE]


def test_rule_without_publication_date_uses_months_only(enricher):
    body = "Since April, Washington has restricted sales of the H20."
    assert restrictions(enricher, body) == {H20_RULE}


def test_sentences_do_not_end_at_abbreviations():
    texts = [s.text.strip() for s in _segments("The U.S. Commerce Dept. said so. Nvidia Corp. rose 3.5%.")]
    assert texts == ["The U.S. Commerce Dept.", "said so.", "Nvidia Corp. rose 3.5%."]


def test_restriction_rule_on_an_empty_gazetteer():
    empty = gz.Gazetteer({}, {}, "g-empty")
    assert RestrictionRule(empty).infer("", "Since April, the H20.", [], [], None) == {}


# --- The seed article ---------------------------------------------------------------------

H2O_ARABIC = ROOT / "tests" / "data" / "h2o-arabic.txt"  # the seed's cases, in the repo's own words


@pytest.mark.parametrize("path", [H2O_ARABIC, SEED], ids=["repo-text", "shared-seed"])
def test_seed_article(enricher, path):
    if not path.exists():
        pytest.skip("shared seed article not present")
    result = enricher.enrich("", path.read_text(encoding="utf-8"), datetime(2025, 11, 28, tzinfo=UTC))
    assert set(result.tags) == {"alibaba", "bytedance", "deepseek", "huawei", "nvidia", "h20", H20_RULE,
                                "china", "united-states", "southeast-asia"}
    assert result.cited_sources == ["Reuters"]


def test_query_tagger_reads_the_words_people_type(enricher):
    query = enricher.query_tagger
    assert {h.entity_id for h in query.find("intel ascend Arm")} == {"intel", "ascend", "arm"}
    assert {h.entity_id for h in query.find("arm")} == set()  # three letters: case still matters
    assert {h.entity_id for h in query.find("H2O")} == {"h20"}
    assert {h.entity_id for h in query.find("tell us")} == set()  # acronyms keep their case
    assert {h.entity_id for h in query.find("intelligence")} == set()  # boundaries hold


def test_exclusion_words_are_whole_words(enricher):
    # "cider" is not in "consider", "fruit" is not in "fruitful": Apple the company stays.
    assert ids(enricher, "Analysts consider Apple's fruitful chip plans to appear soon.") == {"apple"}


def test_chinese_short_name_of_nexperia_but_not_inside_other_words(enricher):
    assert "nexperia" in ids(enricher, "中国商务部禁止安世中国的产品出口")
    assert "nexperia" in ids(enricher, "安世的晶片大多在东莞封装")
    for text in ("平安世界的保险业务", "公安世界各地联合行动", "长安世纪城项目", "佛经译者安世高"):
        assert "nexperia" not in ids(enricher, text), text
