"""The restriction linker on German as outlets write it (#20, restrictde): seasons of a named or
past year, compounds and split verbs, actors by seat, cues of what an action did. Each sentence
is our own, written after reading how German, Swiss and Austrian outlets report these actions."""

from datetime import UTC, datetime

import pytest

from tests.restriction_probe import links

H20 = "2025-04-h20-licence-requirement"
RESUMPTION = "2025-07-h20-sales-resumption"
REVENUE_SHARE = "2025-08-revenue-share-deal"
OCT22 = "2022-10-advanced-computing-rule"
GALLIUM_2023 = "2023-08-china-gallium-germanium-controls"
JAPAN = "2023-07-japan-sme-controls"
NEXPERIA = "2025-09-nexperia-goods-availability-order"
ASML_REVOKED = "2024-01-asml-licence-revocation"


@pytest.mark.parametrize("when,body,expected,role", [
    # a season with "last year" after it is last year's, whatever the article's month
    ("2024-11-20", "Schon im Sommer vergangenen Jahres hatte Peking die Ausfuhr von Gallium "
                   "genehmigungspflichtig gemacht.", GALLIUM_2023, "context"),
    ("2024-05-02", "Im Sommer des Vorjahres führte China eine Genehmigungspflicht für die Ausfuhr "
                   "von Germanium ein.", GALLIUM_2023, "context"),
    # a season with a preposition and a year: its best-known action
    ("2025-06-10", "Die Regeln der USA aus dem Herbst 2022 verlangen Lizenzen für die Ausfuhr "
                   "moderner Fertigungsanlagen nach China.", OCT22, "context"),
    # a sale allowed again, the object between the verb's parts
    ("2025-07-15", "Nvidia darf den eigens für chinesische Rechenzentren gebauten Beschleuniger "
                   "H20 wieder in die Volksrepublik liefern, teilte der Konzern mit.",
     RESUMPTION, "reported"),
    # a deal described by what it does, not by its rate
    ("2025-08-20", "Peking warnt vor dem H20. Zuvor hatten Nvidia und AMD zugesagt, einen Teil ihrer "
                   "China-Umsätze an den US-Fiskus abzuführen.", REVENUE_SHARE, "context"),
    # Japan by its seat, and what its ordinance covers
    ("2023-05-24", "Tokio hat die Ausfuhr von 23 Gerätetypen für die Chipfertigung an eine "
                   "Genehmigung geknüpft.", JAPAN, "reported"),
    # a government putting a company under its control, said as German outlets say it
    ("2025-10-14", "Die Regierung in Den Haag hat den Chipzulieferer Nexperia unter staatliche "
                   "Aufsicht gestellt.", NEXPERIA, "reported"),
    # a lifting said as a noun ("die Aufhebung des Verkaufsverbots"): the reversal, and the ban
    ("2025-07-16", "Die Aufhebung des Verkaufsverbots für den H20 durch die US-Regierung kam "
                   "überraschend.", RESUMPTION, "reported"),
    ("2025-07-16", "Die Aufhebung des Verkaufsverbots für den H20 durch die US-Regierung kam "
                   "überraschend.", H20, "context"),
    # the start of the article's month ("zu Monatsbeginn"), and a week back as a step back
    ("2026-01-29", "Zu Monatsbeginn hatte der chinesische Zoll die H200-Chips von Nvidia noch an "
                   "der Grenze gestoppt.", "2026-01-china-customs-h200-block", "context"),
    ("2024-12-10", "Peking reagiert eine Woche nach neuen US-Exportbeschränkungen für Speicherchips "
                   "und Chipmaschinen.", "2024-12-hbm-sme-rule", "context"),
    # a licence taken back, as a compound noun
    ("2024-01-03", "Nach dem Lizenzentzug durch Den Haag kann ASML zwei Anlagen nicht nach China "
                   "ausliefern.", ASML_REVOKED, "reported"),
])
def test_german_phrasing_links_the_action(enricher, when, body, expected, role):
    found = links(enricher, body, when)
    assert expected in found, (body, {k: v.reason for k, v in found.items()})
    assert found[expected].role == role, found[expected]


def test_a_season_of_last_year_is_not_this_years(enricher):
    # the summer of the article's own year holds no gallium action; last year's does
    found = links(enricher, "Bereits im Sommer vergangenen Jahres hatte China die Ausfuhr der "
                  "Metalle Gallium und Germanium beschränkt.", "2024-12-10")
    assert GALLIUM_2023 in found, found
    assert "2023" in found[GALLIUM_2023].reason, found[GALLIUM_2023]


@pytest.mark.parametrize("when,body", [
    # a threatened duty is no action of the timeline
    ("2025-08-07", "Trump droht mit Zöllen von rund 100 Prozent auf eingeführte Halbleiter; Firmen "
                   "mit Werken in den USA sollen ausgenommen werden."),
    # a market that matters less is no action either
    ("2025-09-18", "Für Nvidia spielt der chinesische Markt nach Angaben des Chefs keine große "
                   "Rolle mehr."),
])
def test_german_sentences_without_an_action_link_nothing(enricher, when, body):
    assert links(enricher, body, when) == {}


def test_tokio_is_japan(enricher):
    found = enricher.enrich("", "Tokio verschärft die Ausfuhrregeln.", datetime(2023, 7, 25, tzinfo=UTC))
    assert "japan" in found.tags
