"""Context links missed in real outlets' recaps (#20, realdev6d), in sentences of our own: a
timeline line dated by its own month ("October 2022: ... the US restricts chip exports") lost to
the H20 ban that a linked reversal undoes, an action that came years after that month; China
urging firms "not to buy" the H20 (不要购买 / 不要購買) not read as its August discouragement."""

import pytest

from tests.restriction_probe import links, why

OCT_2022 = "2022-10-advanced-computing-rule"
H20_RULE = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
DISCOURAGEMENT = "2025-08-china-h20-discouragement"


@pytest.mark.parametrize(
    "body",
    [
        # a timeline whose header line carries the month
        "Nvidia is set to sell the H20 in China again. October 2022: where it began\n"
        "Washington restricts sales of top-end processors to Chinese buyers. "
        "April 2025: the H20 halted\nNvidia learns its China chip needs a licence. "
        "July 2025: a U-turn\nThe US says the licences will be granted.",
        "Nvidia darf den H20 bald wieder in China verkaufen. Oktober 2022: Der Beginn\n"
        "Die USA beschränken die Ausfuhr starker Prozessoren nach China. "
        "April 2025: Aus für den H20\nFür den H20 ist nun eine Lizenz nötig. "
        "Juli 2025: Wende\nDie US-Regierung sagt die Lizenzen zu.",
        "ستعود إنفيديا إلى بيع H20 في الصين. أكتوبر 2022: البداية\n"
        "قيدت الولايات المتحدة بيع المعالجات المتطورة للصين. أبريل 2025: توقف H20\n"
        "باتت إنفيديا تحتاج إلى ترخيص لبيع H20. يوليو 2025: تراجع\n"
        "وعدت واشنطن بإصدار التراخيص.",
    ],
)
def test_a_timeline_line_keeps_its_own_month_beside_a_reversed_ban(enricher, body):
    found = links(enricher, body, "2025-07-16")
    assert OCT_2022 in found, why(found)
    assert H20_RULE in found and RESUMPTION in found, why(found)


def test_a_recap_in_full_sentences_keeps_each_month(enricher):
    # the same class in running text: the October 2022 sentence is not the H20 ban's
    found = links(
        enricher,
        "In October 2022 the US limited exports of advanced chips to China. "
        "In April 2025 Washington required a licence for the H20, and lifted that ban in July.",
        "2025-08-01",
    )
    assert {OCT_2022, H20_RULE, RESUMPTION} <= set(found), why(found)


def test_an_undated_ban_before_the_month_still_holds_its_sentence(enricher):
    # guard: May's month carried over does not turn the H20 curbs (April) into a May action
    found = links(
        enricher,
        "Washington said in May 2025 it would scrap the AI diffusion framework. "
        "Nvidia was still losing sales to the restrictions on its H20.",
        "2025-06-10",
    )
    assert H20_RULE in found, why(found)
    assert "2025-05-huawei-ascend-guidance" not in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "此前,中国官方敦促科技公司不要购买英伟达的H20芯片。",
        "此前,中國官方敦促科技公司不要購買輝達的H20晶片。",
    ],
)
def test_urging_firms_not_to_buy_the_h20_is_the_discouragement(enricher, body):
    found = links(enricher, body, "2025-11-25")
    assert DISCOURAGEMENT in found, why(found)


def test_not_to_buy_without_the_h20_or_china_acting_is_nothing(enricher):
    # guard: shoppers told not to buy grey-market cards is no government action
    found = links(
        enricher, "业内人士提醒,消费者不要购买来路不明的英伟达显卡,以免买到翻新货。", "2025-09-05"
    )
    assert DISCOURAGEMENT not in found, why(found)
