"""False links found on real outlets' dev excerpts (#20, realdev6c), in sentences of our own: a
sentence that moves on in time ("After that", その後) taking the months of the sentence before;
a month named for one chip's restriction read as an action on another chip; an Entity List
listing only being weighed read as the company's earlier listing; a Japanese month of company
results ("5月の決算") read as the date of an action."""

import pytest

from tests.restriction_probe import links, why

RESCISSION = "2025-05-ai-diffusion-rule-rescission"
DIFFUSION = "2025-01-ai-diffusion-rule"
RESUMPTION = "2025-07-h20-sales-resumption"
MALAYSIA = "2025-07-malaysia-ai-chip-permit"
REVENUE_SHARE = "2025-08-revenue-share-deal"
ASCEND = "2025-05-huawei-ascend-guidance"
H20_RULE = "2025-04-h20-licence-requirement"
YMTC = "2022-12-ymtc-entity-list"
SMIC = "2020-12-smic-entity-list"


def test_after_that_does_not_take_the_months_of_the_sentence_before(enricher):
    found = links(
        enricher,
        "5月から7月まで、H20の中国向け輸出は米政府の規制で止まっていた。"
        "その後、トランプ政権はエヌビディアが中国での売上の15%を政府に納めれば輸出を認めると表明した。",
        "2025-09-02",
    )
    assert not {RESCISSION, RESUMPTION, MALAYSIA} & set(found), why(found)
    assert REVENUE_SHARE in found, why(found)


def test_a_sentence_that_does_not_move_on_still_takes_them(enricher):
    # guard: with no "after that" the sentence before still dates this one (July's resumption)
    found = links(
        enricher,
        "In July, Nvidia said Washington had assured it that licences would come. "
        "The company said it would resume sales of the H20 in China.",
        "2025-09-02",
    )
    assert RESUMPTION in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "From May to July, exports of the H20 to China were restricted by the US government.",
        "5月から7月は、H20の中国向け輸出がアメリカ政府に規制されていた。",
    ],
)
def test_a_month_of_one_chips_restriction_is_no_action_on_another_chip(enricher, body):
    # May 2025's US action on chips is the guidance on Huawei's Ascend: not what an H20
    # sentence dated May speaks of
    found = links(enricher, body, "2025-08-28")
    assert ASCEND not in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "The Biden administration is weighing adding more YMTC affiliates to the Entity List, "
        "two officials said.",
        "L'administration Biden envisage d'ajouter des filiales de YMTC à la liste des entités.",
        "拜登政府正在考虑将长江存储的更多关联公司列入实体清单。",
    ],
)
def test_a_listing_only_weighed_is_not_the_companys_earlier_listing(enricher, body):
    found = links(enricher, body, "2024-11-05")
    assert YMTC not in found, why(found)


def test_a_listing_that_happened_is_still_dated_by_the_administration(enricher):
    # guard: the past listing, said the same way without a plan word, is still linked
    found = links(
        enricher,
        "The Trump administration put SMIC on the Entity List, cutting it off from US tools.",
        "2025-05-20",
    )
    assert SMIC in found, why(found)


def test_a_japanese_month_of_results_is_no_date_of_an_action(enricher):
    found = links(
        enricher,
        "米国の輸出規制でH20が売れず、エヌビディアは5月の決算で多額の損失を計上した。",
        "2025-07-01",
    )
    assert not {RESCISSION, DIFFUSION} & set(found), why(found)
    assert H20_RULE in found, why(found)
