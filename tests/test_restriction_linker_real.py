"""Rules of the restriction linker found on real news excerpts (bench/reports/realdev.md, #20).
Every sentence here is written for the repo, in the phrasing the excerpts showed."""

from datetime import UTC, date, datetime

import pytest

from app.enrich import default_enricher
from app.enrich.resolve import Evidence, RestrictionLinker
from app.enrich.restrictions import _fold

H20 = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
SUMMONS = "2025-07-cac-h20-summons"


@pytest.fixture(scope="module")
def enricher():
    return default_enricher()


def links(enricher, body, when, title=""):
    day = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return enricher.enrich(title, body, day).restrictions


def test_an_action_tied_by_its_own_words_needs_them_or_who_did_it():
    """A summons or an antitrust probe (`by_cues_only`) is resolved only from one of its cues,
    its issuer, or its country named in the sentence with a month: "the ban reversed last
    month" (a month, a chip and a restriction word, with China named a sentence before) in an
    August article is not July's summons, nor is undated "export controls" beside a ministry."""
    month_chip_word = {"month": True, "chip": True, "action": True, "rule_word": True}
    assert not RestrictionLinker._says_who_did(Evidence(0, month_chip_word))
    before = {**month_chip_word, "country": True, "country_before": True}
    assert not RestrictionLinker._says_who_did(Evidence(0, before))
    undated = {"chip": True, "country": True, "fresh": True, "action": True}
    assert not RestrictionLinker._says_who_did(Evidence(0, undated))
    assert RestrictionLinker._says_who_did(Evidence(0, {**month_chip_word, "country": True}))
    assert RestrictionLinker._says_who_did(Evidence(0, {"issuer": True, "month": True}))
    assert RestrictionLinker._says_who_did(Evidence(0, {"cue": True}))


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
