"""The restriction linker on German and French back-references (#20, restrict14): a year inside
the German participle phrase before the action noun ("die 2022 unter Biden eingeführten
Ausfuhrbeschränkungen"), the noun of "verschärft", the diffusion rule's German paraphrases and
"nicht in Kraft setzen", Beijing's pressure said in French, the genitive of the US Commerce
Department, a French stop said before its restart, a rule "enterrée" (buried), the Chinese
antitrust authority and its finding in German, a cue that is a word of another action's name,
and a same-day action the sentence does not discuss. Each sentence is our own, written
after reading how German and French outlets report these actions; each positive one linked
nothing (or not this) before the mechanism it tests."""

from datetime import UTC, datetime

from app.enrich.de_fr_phrasing import stop_then_restart, year_in_participle_phrase
from app.enrich.restrictions import _fold
from tests.restriction_probe import links, why

OCT_2022 = "2022-10-advanced-computing-rule"
OCT_2023 = "2023-10-advanced-computing-update"
DIFFUSION = "2025-01-ai-diffusion-rule"
RESCISSION = "2025-05-ai-diffusion-rule-rescission"
ASCEND = "2025-05-huawei-ascend-guidance"
DISCOURAGED = "2025-08-china-h20-discouragement"
HUAWEI_LISTING = "2019-05-huawei-entity-list"
H20 = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
H200_RULE = "2026-01-h200-case-by-case-rule"


def test_a_year_inside_the_german_participle_phrase_dates_the_action(enricher):
    body = (
        "Die 2022 unter Biden eingeführten Ausfuhrbeschränkungen für Hochleistungschips haben "
        "Chinas KI-Firmen nicht aufgehalten, heißt es in einer Studie."
    )
    found = links(enricher, body, "2025-03-10")
    assert OCT_2022 in found and found[OCT_2022].role == "context", why(found)


def test_the_participle_phrase_must_close_on_an_action_noun():
    words = ["ausfuhrbeschrankung"]
    folded = _fold("Die 2022 unter Biden eingeführten Ausfuhrbeschränkungen")
    assert year_in_participle_phrase(folded, folded.index("2022") + 4, words)
    # the participle qualifies something else ("die 2022 eingeführten Modelle")
    other = _fold("Die 2022 eingeführten Modelle unterliegen Ausfuhrbeschränkungen")
    assert not year_in_participle_phrase(other, other.index("2022") + 4, words)
    # too far from the year
    far = _fold("Die 2022 von der damaligen Regierung in Washington eingeführten Beschränkungen")
    assert not year_in_participle_phrase(far, far.index("2022") + 4, ["beschrankung"])


def test_a_year_with_no_one_acting_links_no_landmark(enricher):
    # the year is read, but nobody (Washington, a president) acts: no landmark
    body = "Die 2022 eingeführten Regeln für Chips zählen nicht, sagte der Analyst."
    assert links(enricher, body, "2025-03-10") == {}


def test_a_tightening_said_by_its_german_noun(enricher):
    body = (
        "DeepSeek etwa trainierte auf H800-Chips, die vor der Verschärfung im Herbst 2023 "
        "gekauft worden waren."
    )
    found = links(enricher, body, "2025-03-10")
    assert set(found) == {OCT_2023}, why(found)


def test_the_diffusion_rule_paraphrased_and_not_put_in_force(enricher):
    body = (
        "Die US-Regierung wird die im Januar unter Joe Biden erlassene Regel zur weltweiten "
        "Verteilung von KI-Chips nicht in Kraft setzen."
    )
    found = links(enricher, body, "2025-05-14")
    assert found[DIFFUSION].role == "context", why(found)
    assert found[RESCISSION].role == "reported", why(found)
    # "weltweit" here is a word of the rule's name, no cue of the Ascend guidance
    assert ASCEND not in found, why(found)


def test_the_ascend_guidance_is_still_read_by_its_cue(enricher):
    body = "Die US-Regierung warnte, die Nutzung von Huawei-Chips weltweit verstoße gegen US-Exportregeln."
    assert ASCEND in links(enricher, body, "2025-05-14")


def test_a_same_day_action_the_title_does_not_discuss(enricher):
    # the title reads the rescission through the rule it undoes; the Ascend guidance of the
    # same day is not the article's news
    found = enricher.enrich(
        "Trump-Regierung kippt Bidens Regel für KI-Chips",
        "Die US-Regierung wird die im Januar erlassene Regel zur weltweiten Verteilung von "
        "KI-Chips nicht in Kraft setzen. Partnerländer hoffen nun auf eigene Abkommen mit "
        "Washington.",
        datetime(2025, 5, 14, 8, tzinfo=UTC),
    ).restrictions
    assert RESCISSION in found and ASCEND not in found, why(found)


def test_beijings_pressure_said_in_french(enricher):
    body = (
        "Le H20, boudé par les acheteurs chinois sous la pression de Pékin, ne génère presque "
        "plus de ventes."
    )
    found = links(enricher, body, "2025-11-25")
    assert DISCOURAGED in found, why(found)
    # shunned without a word of pressure: a market's choice, no action
    assert DISCOURAGED not in links(
        enricher, "Le H20 est boudé par les acheteurs chinois.", "2025-11-25"
    )


def test_the_german_genitive_of_the_commerce_department_acts(enricher):
    body = (
        "Huawei hat seinen Gewinn mehr als verdoppelt. Seit der Konzern im Mai 2019 auf die "
        "schwarze Liste des US-Handelsministeriums gesetzt wurde, braucht jeder Lieferant eine "
        "Ausfuhrgenehmigung."
    )
    found = links(enricher, body, "2024-03-29")
    assert set(found) == {HUAWEI_LISTING} and found[HUAWEI_LISTING].role == "context"


def test_a_french_stop_said_before_its_restart(enricher):
    body = "Les ventes de H20 avaient été suspendues en avril avant de reprendre cet été."
    found = links(enricher, body, "2025-10-10")
    assert {H20, RESUMPTION} <= set(found), why(found)


def test_stop_then_restart_needs_both():
    assert stop_then_restart(_fold("Les livraisons ont été interrompues, puis ont repris."))
    assert not stop_then_restart(_fold("Les ventes de H20 ont été suspendues en avril."))
    assert not stop_then_restart(_fold("Nvidia veut reprendre ses ventes."))


def test_the_h200_rule_by_its_german_name_and_cue(enricher):
    found = links(
        enricher,
        "Die im Januar von Washington erlassene Regel für den H200 sieht Tests durch "
        "unabhängige Labore vor.",
        "2026-02-10",
    )
    assert set(found) == {H200_RULE}, why(found)
    found = links(
        enricher,
        "Jede Lieferung des H200 muss von unabhängigen Laboren geprüft werden, verlangt das "
        "US-Handelsministerium.",
        "2026-02-10",
    )
    assert set(found) == {H200_RULE}, why(found)


def test_a_rule_buried_in_french_is_undone(enricher):
    found = links(
        enricher, "Washington enterre la règle de Joe Biden sur les puces d'IA.", "2025-05-14"
    )
    assert set(found) == {RESCISSION} and found[RESCISSION].role == "reported", why(found)
    found = links(
        enricher,
        "La règle de l'administration Biden, qui classait les pays en trois catégories, a été "
        "enterrée en mai.",
        "2025-06-01",
    )
    assert {DIFFUSION, RESCISSION} <= set(found), why(found)
    # a bill buried in the Senate is no rule undone
    assert links(enricher, "Le projet de loi a été enterré au Sénat.", "2025-09-01") == {}


def test_the_chinese_antitrust_authority_in_german(enricher):
    found = links(
        enricher,
        "Die Kartellbehörde in Peking hatte im September bei Nvidia einen Verstoß festgestellt.",
        "2025-11-01",
    )
    assert set(found) == {"2025-09-samr-nvidia-antitrust-finding"}, why(found)
