"""The Dutch Nexperia order referred back weeks later in Chinese, Japanese, Arabic and Korean
(#20, realdev6b: real dev news read "强行接管了安世半导体", "ネクスペリアを管理下に置く",
"سيطرتها الإدارية على «نكسبريا»"). Chinese and Japanese have no spaces, so a cue phrase there is
three or more CJK characters; a two-character word ("接管", take over) stays a word."""

import pytest

from app.enrich.restrictions import _phrase
from tests.restriction_probe import links, why

NEXPERIA = "2025-09-nexperia-goods-availability-order"


@pytest.mark.parametrize(
    "body",
    [
        "汽车零部件库存偏紧,源于荷兰政府强行接管安世半导体后,东莞工厂的成品一度无法出口。",
        "欧洲车企仍在评估荷兰依据物资供应法管控安世半导体带来的影响。",
        "部品大手は、オランダ政府がネクスペリアを管理下に置いた影響で、生産計画を見直している。",
        "オランダ当局がネクスペリアの経営権を接収した問題で、欧州の車載部品の調達が滞っている。",
        "قالت شركات ألمانية إن مخزونها من الرقائق تراجع منذ أن فرضت لاهاي سيطرتها على نكسبريا.",
        "네덜란드 정부가 넥스페리아의 경영권을 장악하자 국내 부품사들도 재고 확보에 나섰다.",
    ],
)
def test_the_nexperia_order_referred_back_by_its_phrase_and_the_firm(enricher, body):
    found = links(enricher, body, "2025-11-18")
    assert found.get(NEXPERIA) and found[NEXPERIA].role == "context", why(found)


def test_a_cjk_cue_is_a_phrase_from_three_characters():
    assert _phrase("强行接管") and _phrase("管理下に置") and _phrase("Wet beschikbaarheid goederen")
    assert not _phrase("接管") and not _phrase("governance")
    # Korean is written with spaces: an unspaced Hangul word is one word
    assert not _phrase("넥스페리아")


def test_a_two_character_takeover_word_and_the_firm_are_no_back_reference(enricher):
    # "接管" alone is any takeover: a plant taken over by a buyer is not the Dutch order
    body = "一家本地代工厂接管了安世半导体在东莞附近的一条封装线。"
    found = links(enricher, body, "2025-12-10")
    assert NEXPERIA not in found, why(found)


DEAL = "2025-08-revenue-share-deal"
RESUMPTION = "2025-07-h20-sales-resumption"


def test_commerce_issuing_h20_licences_in_arabic_is_the_15_percent_deal(enricher):
    # The lead says the US lifted the April ban last month; the news is licences being issued
    # (8 Aug 2025, a news day of the deal), not the July resumption alone.
    body = (
        "واشنطن تبدأ منح إنفيديا تراخيص لبيع رقائق H20 في الصين بعد رفع الحظر الشهر الماضي.\n"
        "وقال مسؤول إن وزارة التجارة بدأت إصدار التراخيص لشحن رقائق H20 إلى الصين."
    )
    found = links(enricher, body, "2025-08-08")
    assert found.get(DEAL) and found[DEAL].role == "reported", why(found)


def test_restrictions_removed_last_month_in_arabic_are_the_resumption(enricher):
    body = "قالت إنفيديا إنها ستشحن رقائق H20 قريبا بعدما أزالت واشنطن الشهر الماضي القيود على بيعها للصين."
    found = links(enricher, body, "2025-08-20")
    assert RESUMPTION in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Washington halted H20 exports to China in April. Afterwards, Nvidia agreed to give the "
        "government 15% of what it earns selling the H20 there.",
        "美国4月限制H20对华出口。随后英伟达答应把H20在华销售收入的15%交给美国政府。",
        "米国は4月にH20の対中輸出を止めた。その後、エヌビディアはH20の中国売上高の15%を米政府に支払うことになった。",
        "미국은 지난 4월 H20 수출을 막았다. 이후 엔비디아는 H20 판매 수익의 15%를 미국 정부에 내기로 했다.",
        "أوقفت واشنطن في أبريل صادرات رقائق H20 إلى الصين. وبعد ذلك قبلت إنفيديا دفع 15% من إيرادات H20 للحكومة.",
    ],
)
def test_a_sentence_opening_with_afterwards_is_not_the_month_before(enricher, body):
    found = links(enricher, body, "2025-09-20")
    assert DEAL in found, why(found)


def test_a_sentence_without_afterwards_still_takes_the_month_before(enricher):
    # "In April ... . The rule requires ..." continues April: the month carries on.
    body = (
        "In April the US told Nvidia it needed licences for the H20. The requirement hit "
        "shipments of the H20 to Chinese buyers within days."
    )
    found = links(enricher, body, "2025-09-20")
    assert found.get("2025-04-h20-licence-requirement"), why(found)


@pytest.mark.parametrize(
    ("body", "published", "wanted"),
    [
        (
            "分析师指出,中国 10 月初收紧稀土出口管制后,海外磁材厂商的库存明显下降。",
            "2025-12-05",
            "2025-10-china-rare-earth-controls",
        ),
        (
            "自 2024 年 12 月中国禁止对美出口镓、锗、锑以来,美国进口商转向其他来源。",
            "2025-06-01",
            "2024-12-china-gallium-germanium-antimony-ban",
        ),
    ],
)
def test_a_chinese_date_set_off_by_spaces_is_read_as_a_date(enricher, body, published, wanted):
    found = links(enricher, body, published)
    assert wanted in found, why(found)


def test_spaces_around_a_figure_that_is_no_date_stay():
    from app.enrich.restrictions import _fold

    assert _fold("2024 年 12 月") == "2024年12月"
    assert _fold("H20 芯片") == "h20 芯片"
