"""False links and es/nl/ja/ko back-references (#20, restrict16), with sentences of our own:
no action is linked before its news (a bare month ahead of the article is no action it speaks
of), a month after "since" is never ahead, Korean clauses closed by 뒤/후 (the news follows the
marker), the attributive Korean verbs, the former administration as Japanese and Korean outlets
name it, and a cap set in Japanese and Korean."""

import pytest

from tests.restriction_probe import links, why

H20_APRIL = "2025-04-h20-licence-requirement"
HBM = "2024-12-hbm-sme-rule"
H200_DEC = "2025-12-h200-china-approval"
DIFFUSION = "2025-01-ai-diffusion-rule"
RTX = "2025-09-cac-rtx-pro-6000d-ban"


@pytest.mark.parametrize(
    "when, body",
    [
        # December, written in October, is not the coming December: nothing of then is linked
        (
            "2025-10-13",
            "Het Chinese Wingtech werd in december op de Amerikaanse zwarte lijst gezet.",
        ),
        ("2025-10-13", "Wingtech has been on the US blacklist since December."),
    ],
)
def test_no_action_is_linked_before_its_news(enricher, when, body):
    found = links(enricher, body, when)
    assert H200_DEC not in found, why(found)


def test_a_month_after_since_is_the_latest_one_before_the_article(enricher):
    body = "Moederbedrijf Wingtech staat sinds december op de Amerikaanse zwarte lijst."
    found = links(enricher, body, "2025-10-13")
    assert set(found) == {HBM} and found[HBM].role == "context", why(found)


def test_an_action_announced_a_day_ahead_of_its_filed_date_is_still_linked(enricher):
    # the Dutch DUV expansion is filed under 7 September 2024 and was announced on the 6th
    body = "Het kabinet breidt de vergunningplicht voor DUV-machines van ASML uit."
    assert "2024-09-netherlands-duv-expansion" in links(enricher, body, "2024-09-06")


@pytest.mark.parametrize(
    "when, body, rid",
    [
        # the attributive past before 뒤 ("after ... blocked"), which the finite 막았다 list missed
        (
            "2025-06-15",
            "지난 4월 미국 정부가 H20의 중국 수출을 막은 뒤 점유율이 떨어졌다.",
            H20_APRIL,
        ),
        # a former administration, as Japanese and Korean outlets write it
        (
            "2025-03-01",
            "バイデン前政権が1月に導入したAI半導体の輸出規制で、サウジアラビアなどの購入に"
            "上限が設けられた。",
            DIFFUSION,
        ),
        (
            "2025-03-01",
            "바이든 전 행정부가 1월에 도입한 AI 칩 수출 규제로 사우디아라비아의 구매가 제한됐다.",
            DIFFUSION,
        ),
        # a cap set is a restriction (as "caps", "plafonne", "topes")
        (
            "2025-03-01",
            "バイデン前政権が1月に打ち出したAI半導体の輸出枠組みで、サウジアラビアなどは"
            "購入できる数量に上限が設けられた。",
            DIFFUSION,
        ),
    ],
)
def test_es_nl_ja_ko_back_references(enricher, when, body, rid):
    found = links(enricher, body, when)
    assert rid in found and found[rid].role == "context", why(found)


def test_a_korean_clause_closed_by_after_is_background(enricher):
    # "after the regulator told companies last week to stop buying the RTX Pro 6000D, Alibaba
    # and ByteDance are ordering Huawei chips": the news is the orders, the ban is context
    body = (
        "중국 인터넷 규제 당국이 지난주 RTX Pro 6000D 구매를 중단하라고 지시한 뒤 알리바바와 "
        "바이트댄스는 화웨이 칩 주문을 늘리고 있다."
    )
    found = links(enricher, body, "2025-09-25")
    assert found[RTX].role == "context", why(found)


def test_the_action_in_the_clause_after_the_korean_marker_is_the_news(enricher):
    body = (
        "중국 인터넷 규제 당국이 지시한 뒤 알리바바와 바이트댄스가 RTX Pro 6000D 주문을 취소했다."
    )
    found = links(enricher, body, "2025-09-18")
    assert found[RTX].role == "reported", why(found)


def test_after_inside_a_korean_word_is_no_back_reference(enricher):
    # 오후 (afternoon) and 후보 (candidate) hold 후 without closing a clause
    body = (
        "알리바바 주가가 떨어졌다. 중국 인터넷 규제 당국이 17일 오후 바이트댄스 등에 "
        "RTX Pro 6000D 구매를 중단하라고 지시했다."
    )
    found = links(enricher, body, "2025-09-20")
    assert found[RTX].role == "reported", why(found)


@pytest.mark.parametrize(
    "when, body, rid",
    [
        # an article on one action names a chip or a company of another of its weeks
        (
            "2025-05-14",
            "Commerce officials said that using Huawei's Ascend accelerators anywhere in the "
            "world could breach US export rules. Nvidia, which sells the H20 in China, declined "
            "to comment.",
            "2025-05-huawei-ascend-guidance",
        ),
        (
            "2025-10-10",
            "Peking verplicht buitenlandse bedrijven een vergunning aan te vragen voor producten "
            "met Chinese zeldzame aardmetalen. ASML onderzoekt wat de regels betekenen.",
            "2025-10-china-rare-earth-controls",
        ),
        (
            "2025-08-12",
            "엔비디아와 AMD가 H20과 MI308 칩을 중국에 판매해 얻는 매출의 15%를 미국 정부에 내기로 했다.",
            "2025-08-revenue-share-deal",
        ),
    ],
)
def test_a_chip_or_company_of_another_action_links_only_the_news(enricher, when, body, rid):
    found = links(enricher, body, when)
    assert set(found) == {rid}, why(found)
