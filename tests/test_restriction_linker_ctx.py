"""Back-references on real phrasing (#20, realctx): broad mechanisms, each with sentences of our
own: an action noun whose actor stands in a relative clause after it, wire-style weekdays, and
"the latest curbs" resolved to the country's most recent action before the article."""


import pytest

from tests.restriction_probe import links

HBM = "2024-12-hbm-sme-rule"
GALLIUM_2024 = "2024-12-china-gallium-germanium-antimony-ban"
OCT23 = "2023-10-advanced-computing-update"
H20 = "2025-04-h20-licence-requirement"


def test_the_actor_of_an_action_noun_in_a_relative_clause_after_it(enricher):
    # Beijing acts in the sentence, but the curbs are the ones "that Washington unveiled".
    found = links(
        enricher,
        "Beijing banned shipments of gallium to the United States following fresh export curbs "
        "that Washington unveiled on Monday.",
        "2024-12-04",
    )
    assert HBM in found, {k: v.reason for k, v in found.items()}


def test_a_wire_style_weekday_dates_the_action(enricher):
    # "announced Monday" (no "on") is the week before the article, as "on Monday" is.
    found = links(
        enricher,
        "Beijing struck back against the United States following fresh export curbs that "
        "Washington unveiled Monday.",
        "2024-12-04",
    )
    assert HBM in found, {k: v.reason for k, v in found.items()}


@pytest.mark.parametrize("when, body, expected", [
    # the country's most recent action of that kind before the article
    ("2024-12-05", "The Commerce Ministry said the export ban on gallium answers Washington's "
                   "latest crackdown on the Chinese chip industry.", HBM),
    ("2023-11-28", "Nvidia verschiebt den Marktstart seines neuen Chips; der Konzern nennt die "
                   "jüngsten US-Exportbeschränkungen als Grund.", OCT23),
    ("2024-12-20", "Les dernières restrictions américaines visent aussi la mémoire HBM.", HBM),
])
def test_the_latest_curbs_are_the_most_recent_action_before_the_article(
    enricher, when, body, expected
):
    found = links(enricher, body, when)
    assert expected in found, (body, {k: v.reason for k, v in found.items()})
    assert found[expected].role == "context"
    assert "the latest" in found[expected].reason or expected == HBM


@pytest.mark.parametrize("when, body, must_not", [
    # "latest" qualifying something else, far from the action word
    ("2023-11-28", "Nvidia's latest data-centre chip for Chinese buyers, a slower part, still "
                   "has to meet US export rules.", OCT23),
    # the article's own news is not "the latest" before it
    ("2024-12-03", "China's latest export ban covers gallium, germanium and antimony.", HBM),
])
def test_latest_needs_its_action_word_and_an_earlier_action(enricher, when, body, must_not):
    found = links(enricher, body, when)
    assert must_not not in found, (body, {k: v.reason for k, v in found.items()})


def test_a_german_relaxation_verb_on_the_day_of_a_tariff_on_the_same_chip(enricher):
    # "lockern" is a relaxation; the chip tariff of the same day, without its duty words, is no
    # rival that would make the sentence ambiguous.
    found = links(
        enricher,
        "Die Vereinigten Staaten lockern die Exportbeschränkungen für Nvidias H200-Chips nach "
        "China.",
        "2026-01-15",
    )
    assert "2026-01-h200-case-by-case-rule" in found, {k: v.reason for k, v in found.items()}
    assert "2026-01-semiconductor-tariff-proclamation" not in found


@pytest.mark.parametrize("body", [
    "Washington put 140 Chinese firms under its export restrictions.",
    "Washington a imposé des restrictions à 140 de ses entreprises.",
    "Die USA verhängten Beschränkungen gegen 140 chinesische Unternehmen.",
])
def test_a_count_cue_with_words_between_the_number_and_what_was_counted(enricher, body):
    # in the days after the December 2024 rule that listed 140 entities
    found = links(enricher, body, "2024-12-04")
    assert HBM in found, (body, {k: v.reason for k, v in found.items()})
    assert "140" in found[HBM].reason


def test_a_count_needs_a_counted_noun_after_it(enricher):
    rule = enricher.linker.rule
    hbm = [i for i, rx in enumerate(rule.restrictions) if rx.id == HBM][0]
    assert hbm in rule._lexicon.scan("140 chinese firms were listed").cues
    assert hbm not in rule._lexicon.scan("restrictions on 140 billion dollars of trade").cues


@pytest.mark.parametrize("when, body, expected", [
    # German nouns for a stop: "die Sperre ... vom April" is what the July reversal undid
    ("2025-10-10", "Die Sperre für den H20 vom April wurde im Juli wieder aufgehoben.", H20),
    ("2025-10-10", "Nach dem Lieferstopp im April verkaufte Nvidia keine H20 mehr nach China.", H20),
])
def test_german_nouns_for_a_stop_are_restrictions(enricher, when, body, expected):
    found = links(enricher, body, when)
    assert expected in found, (body, {k: v.reason for k, v in found.items()})


@pytest.mark.parametrize("when, body, expected", [
    ("2023-05-23", "Peking verbannt die Speicherchips von Micron aus kritischen Netzen.",
     "2023-05-cac-micron-ban"),
    ("2025-11-20", "Den Haag hatte den Chiphersteller Nexperia Ende September in Obhut genommen.",
     "2025-09-nexperia-goods-availability-order"),
])
def test_more_german_words_for_a_ban_and_a_takeover(enricher, when, body, expected):
    found = links(enricher, body, when)
    assert expected in found, (body, {k: v.reason for k, v in found.items()})


def test_a_country_s_companies_do_not_act_for_it(enricher):
    # "140 Chinese companies" were listed: China did not act (no Chinese countermeasure of
    # the same days is meant)
    found = links(enricher, "The US added 140 Chinese companies to its entity list on Monday.",
                  "2024-12-05")
    assert HBM in found
    assert GALLIUM_2024 not in found, {k: v.reason for k, v in found.items()}


def test_an_action_made_public_days_later_answers_the_month_it_was_reported_in(enricher):
    # The August 2022 letters became news on 31 August-1 September: "in September 2022".
    found = links(
        enricher,
        "Im September 2022 wurde bekannt, dass Nvidia für die A100 und die H100 nach China eine "
        "Lizenz braucht.",
        "2023-06-01",
    )
    assert "2022-08-a100-h100-is-informed-letters" in found, {
        k: v.reason for k, v in found.items()
    }


def test_a_links_reason_does_not_depend_on_the_hash_seed():
    """Two count cues with one number ("140 entities", "140 firms"): the reason names the one
    the data lists first, whatever PYTHONHASHSEED orders a set by."""
    import os
    import subprocess
    import sys

    script = (
        "from datetime import UTC, datetime\n"
        "from app.enrich import default_enricher\n"
        "found = default_enricher().enrich('', 'The Biden administration on Monday restricted "
        "exports of high-bandwidth memory to China and added 140 companies to the Entity List.', "
        "datetime(2024, 12, 3, tzinfo=UTC)).restrictions\n"
        f"print(found[{HBM!r}].reason)\n"
    )
    reasons = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(reasons) == 1 and "140 entities" in reasons.pop()
