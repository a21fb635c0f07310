"""Back-references in English, Arabic and Chinese (#20, restrict15), with sentences of our own:
an order told to a company in a year is that year's letter; the action a sentence's main
clause reports holds the news when the other one came "hours after"; a company resuming
production is no relaxation; shipping to a country is an export; «此举距…仅一天» steps back."""

import pytest

from app.enrich.letters import by_letter
from app.gazetteer import default as default_gazetteer
from tests.restriction_probe import links
from tests.restriction_probe import why as _why

LETTERS = "2022-08-a100-h100-is-informed-letters"
OCT_2022 = "2022-10-advanced-computing-rule"
H20_RULE = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
REVENUE = "2025-08-revenue-share-deal"
DISCOURAGED = "2025-08-china-h20-discouragement"
CASE_BY_CASE = "2026-01-h200-case-by-case-rule"
CUSTOMS = "2026-01-china-customs-h200-block"
HBM = "2024-12-hbm-sme-rule"


def test_the_letters_are_the_restrictions_whose_document_is_unpublished():
    """letters.by_letter reads the gazetteer's record, so a new letter needs no list here."""
    rxs = [e for e in default_gazetteer().of_type("restriction")]
    letters = {e.id for e in rxs if by_letter(e.raw)}
    assert {LETTERS, H20_RULE} <= letters
    assert OCT_2022 not in letters and CASE_BY_CASE not in letters


@pytest.mark.parametrize(
    "body",
    [
        "Chinese labs have relied on older processors since Washington told Nvidia in 2022 to "
        "stop selling the A100 and H100 there.",
        "中国实验室一直使用旧芯片，因为美国2022年要求英伟达停止对华出售A100。",
        "تعتمد المختبرات الصينية على معالجات قديمة منذ أن طلبت واشنطن من إنفيديا في عام 2022 "
        "التوقف عن بيع رقائق A100.",
    ],
)
def test_an_order_told_to_a_company_in_a_year_is_that_years_letter(enricher, body):
    found = links(enricher, body, "2025-06-01")
    assert LETTERS in found and found[LETTERS].role == "context", _why(found)
    assert OCT_2022 not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        # a month says which action of the year
        "Chinese labs have relied on older processors since Washington restricted the A100 and "
        "H100 in October 2022.",
        # told, but about no chip of a letter
        "Chinese labs have relied on older processors since Washington told Nvidia in 2022 to "
        "stop selling to the military.",
    ],
)
def test_no_letter_without_a_telling_on_its_chip_by_the_year_alone(enricher, body):
    found = links(enricher, body, "2025-06-01")
    assert LETTERS not in found, _why(found)


@pytest.mark.parametrize(
    "body, news, background",
    [
        (
            "هذا الأسبوع طلبت بكين من الشركات تجنب شراء رقائق H20، بعد ساعات من سماح واشنطن "
            "ببيعها مقابل حصة من الإيرادات.",
            DISCOURAGED,
            REVENUE,
        ),
        (
            "中国海关本周通知H200不得入境，就在前一天美国商务部发布规则，对H200出口许可逐案审查。",
            CUSTOMS,
            CASE_BY_CASE,
        ),
    ],
)
def test_an_action_hours_before_the_news_of_the_main_clause_is_context(
    enricher, body, news, background
):
    when = "2025-08-13" if news == DISCOURAGED else "2026-01-15"
    found = links(enricher, body, when)
    assert found[news].role == "reported", _why(found)
    assert found[background].role == "context", _why(found)


def test_a_company_resuming_production_is_no_relaxation(enricher):
    found = links(
        enricher,
        "The April ban on sales of the MI308 to China forced AMD to write down inventory.",
        "2025-07-19",
        title="AMD has no plan to resume production of the MI308",
    )
    assert RESUMPTION not in found and H20_RULE in found, _why(found)
    found = links(
        enricher,
        "أجبر الحظر الأمريكي في أبريل على مبيعات رقائق إتش20 إنفيديا على إلغاء طلبيات.",
        "2025-07-19",
        title="إنفيديا لا تعتزم استئناف إنتاج إتش20",
    )
    assert RESUMPTION not in found and H20_RULE in found, _why(found)


def test_shipping_to_a_country_is_no_buyers_measure(enricher):
    """«منعها من شحن رقائق MI308 إلى الصين»: the exporter's side stopped the shipments, not
    Beijing discouraging purchases."""
    found = links(
        enricher, "واجهت AMD ربعا صعبا بعد منعها من شحن رقائق MI308 إلى الصين.", "2025-08-28"
    )
    assert DISCOURAGED not in found, _why(found)


def test_a_move_a_day_after_steps_back(enricher):
    found = links(
        enricher,
        "中国宣布对美禁止出口镓和锗。此举距美国宣布新一轮芯片出口管制仅一天。",
        "2024-12-04",
    )
    assert HBM in found and found[HBM].role == "context", _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "AMD said it could not ship MI308 accelerators to China for most of the quarter.",
        "Nvidia has been unable to sell the H20 in China since April.",
        "自4月以来，英伟达一直无法在中国销售H20。",
    ],
)
def test_a_chip_that_could_not_be_sold_there_is_the_exporters_restriction(enricher, body):
    """Inability said without a restriction noun is a restriction word; shipping to China is
    the exporter's side, so Beijing's own measure on the chip is not the one meant."""
    found = links(enricher, body, "2025-09-01")
    assert H20_RULE in found and DISCOURAGED not in found, _why(found)


def test_supply_limits_are_no_restriction(enricher):
    found = links(
        enricher,
        "Nvidia could not ship enough Blackwell systems to meet demand from cloud providers.",
        "2025-09-01",
    )
    assert not found, _why(found)
