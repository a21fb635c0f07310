"""Phrasings from the second round of real German and French dev excerpts (#20, realdev6e), in
sentences of our own: French year phrases elided with a typographic apostrophe ("l’an dernier",
"l’an passé"), China's Nexperia ban as an export ban on the firm's products or exports it
stopped, and the Dutch order as control taken "bei" Nexperia."""

import pytest

from app.enrich.de_fr_phrasing import straight_elisions
from tests.restriction_probe import links, why

NEXPERIA_BAN = "2025-10-china-nexperia-export-ban"
NEXPERIA_ORDER = "2025-09-nexperia-goods-availability-order"
DUTCH_2023 = "2023-09-netherlands-duv-controls"
US_2023 = "2023-10-advanced-computing-update"


def test_only_french_elisions_lose_the_typographic_apostrophe():
    assert straight_elisions("l’an passe, d’asml, qu’a taiwan") == "l'an passe, d'asml, qu'a taiwan"
    # English keeps its own ("China’s", "don’t"), read elsewhere
    assert straight_elisions("china’s rules don’t") == "china’s rules don’t"


@pytest.mark.parametrize(
    ("body", "day", "action"),
    [
        ("La Haye avait imposé l’an passé une licence pour ses scanners DUV les plus avancés "
         "destinés à la Chine.", "2024-05-20", DUTCH_2023),
        ("Les États-Unis avaient durci l’an dernier leurs contrôles sur les puces d’IA vendues à "
         "la Chine.", "2024-11-04", US_2023),
    ],
)
def test_french_last_year_with_a_typographic_apostrophe_dates_the_action(
    enricher, body, day, action
):
    found = links(enricher, body, day)
    assert action in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Seit China ein Exportverbot für Produkte von Nexperia erlassen hat, stehen Bänder still.",
        "Peking stoppte die Exporte von Produkten mit Nexperia-Bauteilen, die Zulieferer warten.",
        "China verhängte ein Ausfuhrverbot für Produkte von Nexperia aus seinen Werken.",
    ],
)
def test_china_s_nexperia_ban_as_an_export_ban_on_the_firm_s_products(enricher, body):
    found = links(enricher, body, "2025-11-18")
    assert NEXPERIA_BAN in found, why(found)


def test_nexperia_raising_its_exports_is_not_the_ban(enricher):
    found = links(
        enricher,
        "Nexperia will die Exporte von Produkten aus Hamburg nach Vietnam verdoppeln.",
        "2025-12-10",
    )
    assert NEXPERIA_BAN not in found, why(found)


def test_control_taken_bei_nexperia_is_the_dutch_order(enricher):
    found = links(
        enricher,
        "Den Haag hatte im Herbst die Kontrolle bei Nexperia übernommen und Wingtech entmachtet.",
        "2025-12-02",
    )
    assert NEXPERIA_ORDER in found, why(found)
