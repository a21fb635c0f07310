"""Rules of the restriction linker found on real news excerpts (bench/reports/realdev.md, #20).
Every sentence here is written for the repo, in the phrasing the excerpts showed."""

from datetime import date

import pytest

from app.enrich.resolve import Evidence, RestrictionLinker
from app.enrich.restrictions import _fold
from tests.restriction_probe import links

H20 = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
SUMMONS = "2025-07-cac-h20-summons"


def test_an_action_tied_by_its_own_words_needs_them_or_who_did_it():
    """A summons or an antitrust probe (`by_cues_only`) is resolved only from one of its cues,
    its issuer, or its country and a date: "the restrictions" beside "the ban lifted last month"
    (a month, a chip, a restriction word) in an August article is not July's summons, nor is
    "export controls" beside a ministry in the days after it, undated."""
    says = RestrictionLinker._says_which
    month_chip_word = {"month": True, "chip": True, "action": True, "rule_word": True}
    assert not says(Evidence(0, month_chip_word))
    assert not says(Evidence(0, {"chip": True, "country": True, "fresh": True, "action": True}))
    assert says(Evidence(0, {**month_chip_word, "country": True}))
    assert says(Evidence(0, {"issuer": True, "fresh": True}))
    assert says(Evidence(0, {"cue": True}))


def test_a_summons_is_still_resolved_from_its_country_and_month(enricher):
    """Its country named in the sentence and a month still stand for it, as its words do."""
    body = (
        "The H20 was stopped in April, let back in July and then avoided by Chinese firms once "
        "regulators in Beijing raised doubts about its security."
    )
    assert SUMMONS in links(enricher, body, "2025-12-20")
    assert SUMMONS in links(enricher, "Beijing summoned Nvidia over H20 backdoors.", "2025-12-20")


@pytest.mark.parametrize(
    "sentence",
    [
        "Nvidia had warned that the curbs would cut its July-quarter sales by $8 billion.",
        "The restrictions will hit revenue in the quarter ending in July.",
        "وحذرت الشركة من أن القيود ستخفض مبيعاتها في الربع المالي المنتهي في يوليو.",
        "وحذرت من أن القيود ستخفض مبيعات ربع السنة المنتهي في تموز/يوليو.",
        "英伟达称，限制将使截至7月的季度收入减少80亿美元。",
    ],
)
def test_the_month_a_quarter_closes_dates_no_action(enricher, sentence):
    """ "its July-quarter sales", «الربع المنتهي في يوليو»: the month closes a company's quarter;
    it is no reference to an action of July (as "5月营收" is none)."""
    rule = enricher.linker.rule
    folded = _fold(sentence)
    found = rule._scan(folded)
    assert found.months, "the month word is read"
    assert not rule._dates(folded, found, date(2025, 8, 9))


def test_a_month_of_an_action_is_still_its_date(enricher):
    rule = enricher.linker.rule
    folded = _fold("Washington banned the chip in July, hitting quarterly sales.")
    assert rule._dates(folded, rule._scan(folded), date(2025, 8, 9)) == {(2025, 7)}


CUSTOMS = "2026-01-china-customs-h200-block"
CASE_BY_CASE = "2026-01-h200-case-by-case-rule"
CUSTOMS_LEAD = (
    "China's customs told agents this week that Nvidia's H200 chips may not enter the country."
)
US_RULE = (
    "the US Commerce Department allowed H200 exports to China, reviewed case by case, capped at "
    "half of US sales."
)


def test_an_older_action_of_the_days_after_the_lead_is_what_the_news_follows(enricher):
    """Two actions of the article's days: the one it speaks of first (in its lead) is its news;
    an older one first read later ("on Tuesday", for a Thursday article) is context."""
    body = f"{CUSTOMS_LEAD} Officials urged firms to buy them only when necessary. On Tuesday {US_RULE}"
    found = links(enricher, body, "2026-01-15")
    assert found[CUSTOMS].role == "reported", found
    assert found[CASE_BY_CASE].role == "context", found


def test_an_action_said_to_come_at_the_same_time_is_news_too(enricher):
    """ "At the same time", «同时», "gleichzeitig": the article reports both."""
    found = links(enricher, f"{CUSTOMS_LEAD} At the same time, {US_RULE}", "2026-01-15")
    assert found[CUSTOMS].role == found[CASE_BY_CASE].role == "reported", found


@pytest.mark.parametrize(
    "when,body",
    [
        (
            "2025-10-01",
            "Cloud firms keep buying the H20, which Nvidia designed for China to comply "
            "with US export restrictions.",
        ),
        (
            "2025-10-01",
            "DeepSeek trained on the H20, which Nvidia designed to get around US curbs.",
        ),
        (
            "2025-09-19",
            "Pékin interdit aux groupes chinois d'acheter la RTX Pro 6000D. La mesure va "
            "plus loin que les précédentes restrictions visant la puce H20, elle aussi "
            "conçue par Nvidia pour contourner les sanctions américaines.",
        ),
    ],
)
def test_what_a_chip_was_designed_to_comply_with_is_no_action_on_it(enricher, when, body):
    """ "The H20, designed to comply with US export controls": the clause names the older rules
    the chip was built around (and no actor), not the April licence requirement on the chip."""
    assert H20 not in links(enricher, body, when)


def test_an_action_after_the_design_clause_is_still_read(enricher):
    """ "... designed to comply with US rules before they were tightened in October 2023": the
    clause ends at "before"; the tightening that caught the chip is still linked."""
    body = (
        "Nvidia designed the H800 to comply with US export rules before they were tightened in "
        "October 2023."
    )
    assert "2023-10-advanced-computing-update" in links(enricher, body, "2025-01-28")


@pytest.mark.parametrize(
    "when,body,expected",
    [
        # the plural outlets write («les lois anti-monopole»)
        (
            "2025-09-16",
            "Selon le régulateur, Nvidia a enfreint les lois anti-monopole chinoises "
            "lors du rachat de Mellanox.",
            "2025-09-samr-nvidia-antitrust-finding",
        ),
        # the guidance described: advised to refrain from using the chip
        (
            "2025-08-13",
            "Pékin a conseillé aux administrations de s'abstenir d'utiliser les puces "
            "H20 de Nvidia.",
            "2025-08-china-h20-discouragement",
        ),
        # licences issued in August, written without の
        (
            "2025-08-10",
            "米商務省は、エヌビディアの中国向けH20の輸出許可証発行を始めた。",
            "2025-08-revenue-share-deal",
        ),
        # the regulator as French outlets name it
        (
            "2025-09-18",
            "L'Administration chinoise du cyberespace a interdit aux groupes du pays "
            "d'acheter des puces Nvidia.",
            "2025-09-cac-rtx-pro-6000d-ban",
        ),
    ],
)
def test_words_and_names_as_real_outlets_write_them(enricher, when, body, expected):
    assert expected in links(enricher, body, when)


def test_two_months_in_the_arabic_dual_date_an_action_back(enricher):
    """«رغم مرور نحو شهرين على موافقة ترامب» (nearly two months after Trump's approval), in a
    February article: December's approval, not China's own approvals of those days."""
    body = "لا تزال شحنات رقائق H200 إلى الصين معلقة رغم مرور نحو شهرين على موافقة ترامب على بيعها."
    found = links(enricher, body, "2026-02-05")
    assert "2025-12-h200-china-approval" in found, found
    assert "2026-01-china-h200-import-approvals" not in found, found


def test_german_nach_meaning_according_to_is_no_step_back(enricher):
    """ "nach der Erklärung von Nvidia" is "according to Nvidia's statement": the letters of the
    days before the article are still its news."""
    body = (
        "Washington verhängt neue Exportbeschränkungen für KI-Chips nach China. Davon betroffen "
        "sind nach der Erklärung des Herstellers Nvidia die Modelle A100 und H100 mit ihren "
        "Exportbeschränkungen."
    )
    found = links(enricher, body, "2022-09-01")
    assert found["2022-08-a100-h100-is-informed-letters"].role == "reported", found


@pytest.mark.parametrize(
    "body",
    [
        "The H20 remains subject to export controls, analysts said.",
        "英伟达H20芯片仍受出口管制约束。",
    ],
)
def test_an_article_of_the_day_before_an_action_names_it_in_its_own_words(enricher, body):
    """An August 11 article is not about China's H20 guidance of August 12 from "export
    controls" alone: news that comes before an action's date carries its words (a cue)."""
    assert "2025-08-china-h20-discouragement" not in links(enricher, body, "2025-08-11")
    assert "2025-08-china-h20-discouragement" in links(
        enricher, "Beijing urged firms to avoid the H20 for government work.", "2025-08-11"
    )


def test_a_japanese_destination_is_a_place_not_the_actor(enricher):
    """中国向け (for China): the US issued licences for China-bound chips; China's own H20
    guidance of that August is not meant."""
    body = "8月、米政府はエヌビディアに対し、中国向けAI半導体「H20」の輸出許可証の発行を開始した。"
    found = links(enricher, body, "2025-08-20")
    assert "2025-08-revenue-share-deal" in found, found
    assert "2025-08-china-h20-discouragement" not in found, found


def test_the_ban_a_linked_relaxation_reverses_is_the_one_reversed_on_the_chip(enricher):
    """Licences for the H20 said to reverse the government's ban: the licences are the
    August deal (which does not say what it undoes); the ban is the one reversed on the H20
    (April's licence requirement), context. Licences granted are no ban."""
    body = (
        "The US Commerce Department has begun issuing licences for Nvidia's H20 chips bound for "
        "China, reversing the government's earlier export ban."
    )
    found = links(enricher, body, "2025-08-09")
    assert found["2025-08-revenue-share-deal"].role == "reported", found
    assert found[H20].role == "context", found
    plain = "The US Commerce Department has begun issuing licences for Nvidia's H20 chips."
    assert H20 not in links(enricher, plain, "2025-08-09")


@pytest.mark.parametrize(
    "body",
    [
        "Het kabinet breidt de vergunningplicht voor chipmachines van ASML uit naar oudere "
        "DUV-machines. Voor de meest geavanceerde machines hadden exporteurs al een vergunning "
        "nodig.",
        "The Dutch government extended ASML's licence requirement to older DUV machines. "
        "Exporters had already needed licences for the most advanced ones.",
    ],
)
def test_an_update_refers_back_to_what_it_updates(enricher, body):
    """In the news of an update, a sentence that steps back with a licence word and dates
    nothing else is the action updated: the 2023 Dutch controls, context."""
    found = links(enricher, body, "2024-09-06")
    assert found["2024-09-netherlands-duv-expansion"].role == "reported", found
    assert found["2023-09-netherlands-duv-controls"].role == "context", found


def test_a_step_back_dated_elsewhere_is_not_the_action_updated(enricher):
    body = (
        "The Dutch government extended ASML's licence requirement to older DUV machines. "
        "Exporters had already needed licences in 2019 for EUV machines."
    )
    assert "2023-09-netherlands-duv-controls" not in links(enricher, body, "2024-09-06")
