"""Back-references (#20, restrict10): mechanisms that each explain several phrasings, with
sentences of our own: two month-and-year dates in one sentence are two actions; the rule a linked
rescission undid, named by what it was ("the framework", "le cadre", 框架, "the tiered system")."""

from datetime import date

import pytest

from tests.restriction_probe import links
from tests.restriction_probe import why as _why

OCT22 = "2022-10-advanced-computing-rule"
OCT23 = "2023-10-advanced-computing-update"
DIFFUSION = "2025-01-ai-diffusion-rule"
RESCISSION = "2025-05-ai-diffusion-rule-rescission"


@pytest.mark.parametrize(
    "title, body",
    [
        (
            "Washington blocks H20 sales to China",
            "Nvidia said US authorities now need to license the H20. The group had built the "
            "processor to stay within the rules of October 2022, tightened in October 2023.",
        ),
        (
            "Washington bloque la puce H20",
            "Nvidia doit désormais obtenir une licence pour la H20. Le groupe avait conçu ce "
            "processeur pour respecter les règles d'octobre 2022, durcies en octobre 2023.",
        ),
    ],
)
def test_two_months_of_two_years_in_a_dated_article_are_two_actions(enricher, title, body):
    # In a dated article "October 2022" and "October 2023" are two written dates, not one
    # "October" that every year answers: each is the reading of its own action.
    found = links(enricher, body, "2025-04-16", title)
    assert OCT22 in found and OCT23 in found, _why(found)
    assert found[OCT22].role == found[OCT23].role == "context"


def test_one_month_in_an_undated_reading_still_says_nothing(enricher):
    # (the guard: "in January" with only the country names no one January action)
    found = links(enricher, "In January, Washington tightened its rules again.", "2025-06-01")
    assert DIFFUSION not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "The plan revives the global reach of the framework that the administration scrapped "
        "last year.",
        "Le projet ressuscite le cadre que l'administration Trump avait abrogé l'an dernier.",
        "该草案恢复了美国政府去年废除的框架。",
        "It would be the first worldwide regime since the tiered system of the previous "
        "administration was thrown out last May.",
    ],
)
def test_the_rule_a_linked_rescission_undid_named_by_what_it_was(enricher, body):
    found = links(enricher, body, "2026-03-06")
    assert RESCISSION in found and DIFFUSION in found, _why(found)
    assert found[DIFFUSION].role == "context"


def test_a_rescission_named_without_the_rule_links_no_rule(enricher):
    # Nothing in the sentence names the rule itself: the relaxation alone.
    found = links(
        enricher, "Nvidia welcomed the decision the administration took last year.", "2026-03-06"
    )
    assert DIFFUSION not in found, _why(found)


H20 = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"


@pytest.mark.parametrize(
    "body",
    [
        "Sales had been cleared to restart in July, three months after Washington required a "
        "licence for the H20.",
        "Nvidia was allowed to resume H20 sales in July, three months after Washington had "
        "required a licence for the chip.",
        "En juillet, trois mois après que Washington a exigé une licence pour la puce H20, les "
        "ventes ont pu reprendre.",
    ],
)
def test_months_after_count_from_the_month_the_sentence_writes(enricher, body):
    # July less three months is April, not three months before the article (late August: May,
    # the month of an unrelated rescission).
    found = links(enricher, body, "2025-08-22")
    assert H20 in found and RESUMPTION in found, _why(found)
    assert "2025-05-ai-diffusion-rule-rescission" not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Washington required a licence for the H20 in April; three months later it allowed "
        "sales to resume.",
        "Washington required a licence for the H20 in April. Three months later, it allowed "
        "sales to resume.",
        "Washington a exigé une licence pour la H20 en avril ; trois mois plus tard, il a "
        "autorisé la reprise des ventes.",
    ],
)
def test_months_later_count_forward_from_the_month_written_before(enricher, body):
    found = links(enricher, body, "2025-09-01")
    assert H20 in found and RESUMPTION in found, _why(found)


def test_months_later_without_a_written_month_dates_nothing(enricher):
    # "later" never counts from the article: no month, no reading of it.
    found = links(enricher, "Three months later, Washington relaxed its rules.", "2025-08-20")
    assert RESUMPTION not in found, _why(found)


RTX = "2025-09-cac-rtx-pro-6000d-ban"
LETTERS = "2022-08-a100-h100-is-informed-letters"


@pytest.mark.parametrize(
    "when, body, expected",
    [
        (
            "2025-11-26",
            "In September the cyberspace regulator told large platforms to cancel orders for the "
            "RTX Pro 6000D.",
            RTX,
        ),
        (
            "2025-11-26",
            "En septembre, le régulateur du cyberespace a demandé aux grandes plateformes "
            "d'annuler leurs commandes de RTX Pro 6000D.",
            RTX,
        ),
        (
            "2023-06-01",
            "Nvidia lost its A100 and H100 business in China after US officials told it last "
            "August to stop shipping them.",
            LETTERS,
        ),
    ],
)
def test_an_authority_telling_someone_to_stop_is_an_order(enricher, when, body, expected):
    found = links(enricher, body, when)
    assert expected in found, _why(found)
    assert found[expected].role == "context"


def test_a_company_telling_its_customers_to_stop_is_no_order(enricher):
    found = links(
        enricher,
        "In September Nvidia told customers to cancel orders for the RTX Pro 6000D as it "
        "shifted production.",
        "2025-11-26",
    )
    assert RTX not in found, _why(found)


H200_APPROVAL = "2025-12-h200-china-approval"


@pytest.mark.parametrize(
    "body",
    [
        "Trump said in December that Nvidia could sell the H200 in China.",
        "Donald Trump a annoncé en décembre que Nvidia pourra vendre sa puce H200 en Chine.",
        "特朗普去年12月表示，英伟达可以向中国出售H200芯片。",
    ],
)
def test_a_permission_said_as_what_the_company_may_now_do(enricher, body):
    found = links(enricher, body, "2026-02-15")
    assert H200_APPROVAL in found, _why(found)


def test_cannot_sell_is_no_permission(enricher):
    found = links(
        enricher, "Nvidia said in April that it can no longer sell the H20 in China.", "2025-06-10"
    )
    assert not any(r.endswith("resumption") or r.endswith("deal") for r in found), _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "The previous administration's rules divided the world into three tiers.",
        "Washington's framework divided the world into three tiers.",
        "The Biden administration's rules divided the world into three tiers.",
    ],
)
def test_someones_rule_described_by_what_only_it_did(enricher, body):
    # A possessive names the rule as someone's, as "the rules that ..." does; "the previous
    # administration" is Biden's at this date (app/enrich/administrations.py).
    found = links(enricher, body, "2025-03-01")
    assert DIFFUSION in found, _why(found)
    assert found[DIFFUSION].role == "context"


def test_the_previous_administration_depends_on_the_date(enricher):
    from app.enrich.administrations import previous_president
    from app.enrich.restrictions import _fold

    folded = _fold("the previous administration's rules")
    assert previous_president(folded, date(2025, 3, 1)) == {"biden"}
    assert previous_president(folded, date(2022, 3, 1)) == {"trump"}
    assert previous_president(_fold("the rules"), date(2025, 3, 1)) == frozenset()


DISCOURAGEMENT = "2025-08-china-h20-discouragement"


@pytest.mark.parametrize(
    "body",
    [
        "La CAC a interdit aux groupes de commander des puces RTX Pro 6000D de Nvidia. Cette "
        "décision va plus loin que les précédentes restrictions ciblant la puce H20.",
        "China's cyberspace regulator told ByteDance and Alibaba to stop buying the RTX Pro "
        "6000D. The move goes further than earlier restrictions on the H20.",
        "حظرت هيئة الفضاء الإلكتروني الصينية على الشركات شراء رقائق RTX Pro 6000D. وتذهب "
        "الخطوة أبعد من القيود السابقة على رقائق H20.",
    ],
)
def test_the_previous_restrictions_on_a_chip_are_the_last_before_the_news(enricher, body):
    # The news is Beijing's (the RTX Pro 6000D order): its last action on the H20 before it.
    found = links(enricher, body, "2025-09-19")
    assert RTX in found and found[RTX].role == "reported", _why(found)
    assert DISCOURAGEMENT in found and found[DISCOURAGEMENT].role == "context", _why(found)


@pytest.mark.parametrize(
    "body",
    [
        # no chip: boilerplate, nothing says which
        "China's cyberspace regulator told ByteDance and Alibaba to stop buying the RTX Pro "
        "6000D. The move goes further than earlier restrictions.",
        # the chip's only action of that country is the news itself
        "Nvidia said US authorities now require a licence for the H20. The H20 was designed to "
        "comply with earlier US export restrictions.",
    ],
)
def test_previous_restrictions_without_a_chip_or_an_earlier_action_link_nothing(enricher, body):
    found = links(enricher, body, "2025-09-19" if "6000D" in body else "2025-04-16")
    assert all(link.role == "reported" for link in found.values()), _why(found)
