"""Phrasings from real outlets' dev excerpts (#20, realdev5a), in sentences of our own: China
banning its companies "from buying" Nvidia's chips in the days of September's RTX Pro 6000D ban
(as English, Japanese and Chinese put it), and Beijing approving H200 purchases only "in special
circumstances", the January 2026 customs block as outlets retold it."""

import pytest

from tests.restriction_probe import links, why

RTX = "2025-09-cac-rtx-pro-6000d-ban"
H200_BLOCK = "2026-01-china-customs-h200-block"


@pytest.mark.parametrize(
    "body",
    [
        "Regulators in China have barred the country's largest platforms from buying Nvidia's AI "
        "processors, people briefed on the order said.",
        "中国の規制当局は国内の大手企業にエヌビディアのAI半導体の購入を禁止した。",
        "中国监管机构要求大型科技公司禁止采购英伟达的人工智能芯片。",
    ],
)
def test_a_ban_on_buying_nvidia_chips_in_its_days_is_the_rtx_pro_6000d_ban(enricher, body):
    found = links(enricher, body, "2025-09-19")
    assert RTX in found, why(found)


def test_a_ban_on_buying_long_after_is_no_fresh_news_of_it(enricher):
    # the same words a year before the ban: nothing of September 2025 can be meant
    found = links(
        enricher,
        "Regulators in China have barred the country's largest platforms from buying Nvidia's AI "
        "processors.",
        "2024-09-19",
    )
    assert RTX not in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Beijing has told its tech groups it will clear H200 purchases only in special "
        "circumstances, according to people familiar with the talks.",
        "知情人士称，北京已告知科技企业，只有在特殊情况下才会批准采购H200芯片。",
    ],
)
def test_h200_purchases_cleared_only_in_special_circumstances_are_the_customs_block(
    enricher, body
):
    found = links(enricher, body, "2026-01-20")
    assert H200_BLOCK in found, why(found)


LETTERS = "2022-08-a100-h100-is-informed-letters"
OCT_2022 = "2022-10-advanced-computing-rule"


@pytest.mark.parametrize(
    "when, meant, not_meant",
    [
        # a year before late August 2023 is the August 2022 letters' days
        ("2023-08-30", LETTERS, OCT_2022),
        # a year before mid-October 2023 is the October 2022 rule's, nearer than the letters
        ("2023-10-12", OCT_2022, LETTERS),
    ],
)
def test_a_chip_ban_a_year_ago_is_the_action_on_it_nearest_those_days(
    enricher, when, meant, not_meant
):
    found = links(
        enricher,
        "Analysts recall that the US government blocked sales of the A100 to Chinese buyers a "
        "year ago.",
        when,
    )
    assert meant in found and not_meant not in found, why(found)


def test_an_arabic_chip_ban_a_year_ago_is_the_letter(enricher):
    found = links(
        enricher,
        "وكانت واشنطن قد حظرت بيع رقائق إيه 100 إلى الصين قبل عام.",
        "2023-08-28",
    )
    assert LETTERS in found and OCT_2022 not in found, why(found)
