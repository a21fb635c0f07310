"""English recall of restriction links with general mechanisms (#20, restrict13), with sentences
of our own: a permission read beside news of restrictions on the same chip, and a reversal said
in the clause after the action it undid."""

import pytest

from tests.restriction_probe import links
from tests.restriction_probe import why as _why

CASE_BY_CASE = "2026-01-h200-case-by-case-rule"
CUSTOMS = "2026-01-china-customs-h200-block"
TARIFF = "2026-01-semiconductor-tariff-proclamation"
H20_RULE = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
REVENUE = "2025-08-revenue-share-deal"
DISCOURAGED = "2025-08-china-h20-discouragement"


@pytest.mark.parametrize(
    "body",
    [
        "Commerce finalised rules letting H200 processors go to China only after independent "
        "testing. Separately, Chinese customs agents were told the H200 may not enter the country.",
        "Commerce published a rule letting Nvidia sell the H200 in China after independent testing. "
        "The White House also used Section 232 to put a 25% tariff on certain advanced AI chips.",
    ],
)
def test_a_permission_beside_restriction_news_on_the_chip_is_its_own_action(enricher, body):
    found = links(enricher, body, "2026-01-15")
    assert CASE_BY_CASE in found, _why(found)
    assert CUSTOMS in found or TARIFF in found, _why(found)


def test_a_reversal_looked_back_to_in_the_news_sentence_is_no_deal_of_those_days(enricher):
    # The news (Beijing's discouragement) holds the sentence; "la levée" is July's resumption.
    body = (
        "Malgré la levée de l'interdiction par l'administration Trump des puces H20 de Nvidia, "
        "Pékin incite discrètement les entreprises à éviter de les utiliser."
    )
    found = links(enricher, body, "2025-08-13")
    assert DISCOURAGED in found, _why(found)
    assert REVENUE not in found, _why(found)


def test_licences_in_a_relaxations_news_are_no_restriction(enricher):
    body = (
        "Nvidia et AMD ont accepté de reverser au gouvernement américain 15 % du chiffre "
        "d'affaires tiré des puces H20 et MI308 vendues en Chine, en échange des licences."
    )
    found = links(enricher, body, "2025-08-12")
    assert REVENUE in found and H20_RULE not in found, _why(found)


@pytest.mark.parametrize(
    ("body", "when"),
    [
        (
            "They point to Nvidia's H20, which was restricted in April over fears it could aid "
            "China's military; after lobbying by Jensen Huang the White House let sales restart.",
            "2025-07-29",
        ),
        (
            "The Trump administration barred H20 sales in April over military concerns. Weeks "
            "later the White House let shipments restart.",
            "2025-07-29",
        ),
        (
            "The H20 was restricted in April. After Jensen Huang lobbied, Washington allowed "
            "sales to resume.",
            "2025-08-05",
        ),
    ],
)
def test_a_reversal_in_the_clause_after_the_undone_action(enricher, body, when):
    found = links(enricher, body, when)
    assert H20_RULE in found and RESUMPTION in found, _why(found)
    assert found[RESUMPTION].role == "context"


@pytest.mark.parametrize(
    "body",
    [
        # the company, not the government, restarts something
        "The H20 was restricted in April. Nvidia has since restarted production of other chips.",
        "The H20 was restricted in April. Demand for the chip in China stayed strong.",
        "The H20 was restricted in April; sales did not restart.",
    ],
)
def test_no_reversal_without_the_government_reversing(enricher, body):
    found = links(enricher, body, "2025-08-05")
    assert H20_RULE in found and RESUMPTION not in found, _why(found)


DIFFUSION = "2025-01-ai-diffusion-rule"
RESCISSION = "2025-05-ai-diffusion-rule-rescission"
YMTC = "2022-12-ymtc-entity-list"
HUAWEI = "2019-05-huawei-entity-list"


@pytest.mark.parametrize(
    ("body", "when"),
    [
        (
            "Critics say the gap widened when the department announced in May 2025 that it would "
            "not implement the Biden administration's AI diffusion rule.",
            "2026-06-01",
        ),
        ("Commerce said it won't implement the AI diffusion rule.", "2025-05-14"),
    ],
)
def test_not_implementing_a_rule_is_its_rescission(enricher, body, when):
    found = links(enricher, body, when)
    assert DIFFUSION in found and RESCISSION in found, _why(found)


def test_implementing_a_rule_is_no_rescission(enricher):
    body = "Companies are racing to implement the AI diffusion rule before it takes effect."
    found = links(enricher, body, "2025-03-01")
    assert DIFFUSION in found and RESCISSION not in found, _why(found)


LISTED = "Washington put 28 Chinese entities on the Entity List. "


@pytest.mark.parametrize(
    ("body", "listing"),
    [
        (
            LISTED + "It is the largest step since December, when memory maker YMTC was listed.",
            YMTC,
        ),
        (LISTED + "YMTC was listed in December.", YMTC),
        (LISTED + "Huawei was listed in 2019.", HUAWEI),
    ],
)
def test_was_listed_in_an_article_on_the_entity_list(enricher, body, listing):
    found = links(enricher, body, "2023-03-03")
    assert listing in found and found[listing].role == "context", _why(found)


@pytest.mark.parametrize(
    "body",
    [
        # no list named in the article
        "It is the largest step since December, when memory maker YMTC was listed.",
        # a market, not the list
        LISTED + "YMTC was listed on the Shanghai exchange in December.",
        LISTED + "In December SMIC was listed on the STAR Market.",
    ],
)
def test_listed_on_a_market_or_without_the_list_is_no_listing(enricher, body):
    found = links(enricher, body, "2023-03-03")
    assert YMTC not in found and "2020-12-smic-entity-list" not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Washington last month lifted a ban on the sale of the H20 chip in China.",
        "The H20 is Nvidia's most advanced AI chip currently allowed for sale in China.",
        "The H20 is still allowed for sale in China.",
    ],
)
def test_last_month_or_a_present_permission_is_no_deal_of_the_articles_days(enricher, body):
    # Read on 12 August 2025, the day after the revenue-share deal was confirmed.
    found = links(enricher, body, "2025-08-12")
    assert REVENUE not in found, _why(found)


def test_the_deal_and_last_months_reversal_still_link(enricher):
    found = links(
        enricher,
        "Nvidia and AMD agreed to pay Washington 15% of their H20 and MI308 sales in China.",
        "2025-08-12",
    )
    assert REVENUE in found, _why(found)
    # a month after the resumption, "last month" is its month
    found = links(
        enricher, "Washington last month let Nvidia resume H20 sales in China.", "2025-08-12"
    )
    assert RESUMPTION in found and REVENUE not in found, _why(found)


OCT_2022 = "2022-10-advanced-computing-rule"


@pytest.mark.parametrize(
    "body",
    [
        "Two years ago the US curbed exports of advanced AI chips to China.",
        "Two years after the US first curbed exports of advanced AI chips to China, Nvidia's share "
        "there has collapsed.",
    ],
)
def test_n_years_ago_dates_a_landmark_like_a_written_year(enricher, body):
    found = links(enricher, body, "2024-10-15")
    assert OCT_2022 in found and found[OCT_2022].role == "context", _why(found)


def test_n_years_ago_without_the_us_acting_is_no_landmark(enricher):
    body = "Two years ago Nvidia curbed spending on new offices."
    found = links(enricher, body, "2024-10-15")
    assert OCT_2022 not in found, _why(found)


def test_still_on_the_list_looks_back_to_the_one_listing(enricher):
    found = links(enricher, "Huawei has been on the Entity List for years.", "2025-03-01")
    assert HUAWEI in found and found[HUAWEI].role == "context", _why(found)


@pytest.mark.parametrize(
    "body",
    [
        # listed twice (2023 and 2025): which one is not said
        "Inspur has been on the Entity List for years.",
        # China's own list
        "Micron has been on China's unreliable entity list for months.",
        # no list at all
        "Huawei has been on the market for years.",
    ],
)
def test_still_on_the_list_links_nothing_when_it_cannot_say_which(enricher, body):
    found = links(enricher, body, "2025-06-01")
    assert not found, _why(found)


AFFILIATES = "2025-09-bis-affiliates-rule"


@pytest.mark.parametrize(
    ("body", "when", "rid"),
    [
        (
            "Last autumn Washington extended the Entity List to majority-owned subsidiaries.",
            "2026-03-20",
            AFFILIATES,
        ),
        (
            "Last fall Washington extended the Entity List to majority-owned subsidiaries.",
            "2026-03-20",
            AFFILIATES,
        ),
        ("Washington barred H20 sales last spring.", "2025-09-20", H20_RULE),
    ],
)
def test_last_season_dates_like_this_season(enricher, body, when, rid):
    found = links(enricher, body, when)
    assert rid in found and found[rid].role == "context", _why(found)


def test_last_autumn_said_in_autumn_is_the_year_before(enricher):
    # Said in November 2025, "last autumn" is autumn 2024: not September 2025's rule.
    body = "Last autumn Washington extended the Entity List to majority-owned subsidiaries."
    found = links(enricher, body, "2025-11-20")
    assert AFFILIATES not in found, _why(found)


@pytest.mark.parametrize(
    ("body", "listing"),
    [
        ("The first Trump administration put Huawei on a trade blacklist.", HUAWEI),
        ("During Trump's first term the US put Huawei on the Entity List.", HUAWEI),
        ("The Biden administration put YMTC on the Entity List.", YMTC),
        # Inspur was listed under Biden (2023) and under Trump (2025): the term says which
        (
            "The Trump administration put Inspur on the Entity List.",
            "2025-03-inspur-subsidiaries-entity-list",
        ),
    ],
)
def test_an_administration_dates_a_companys_listing_by_its_terms(enricher, body, listing):
    found = links(enricher, body, "2026-03-01")
    assert listing in found and found[listing].role == "context", _why(found)


@pytest.mark.parametrize(
    "body",
    [
        # SMIC was listed in December 2020, under Trump: nothing of Biden's
        "The Biden administration blacklisted SMIC.",
        "The Biden administration put Huawei on the Entity List.",
        "The Trump administration put Micron on China's unreliable entity list.",
    ],
)
def test_no_listing_outside_the_administrations_terms(enricher, body):
    found = links(enricher, body, "2026-03-01")
    assert not [r for r in found if "entity-list" in r], _why(found)
