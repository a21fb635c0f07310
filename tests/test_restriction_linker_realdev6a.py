"""Phrasings from real German and French outlets' dev excerpts (#20, realdev6a), in sentences of
our own: China's October 2025 ban on exports of Nexperia China's products referred back weeks
later (an action the gazetteer lacked), SAMR's Nvidia finding as "gegen Kartellgesetze
verstoßen" / "a violé la loi antitrust", Beijing's H20 warning as "mis en garde", and the Dutch
Nexperia order as "reprise en main"."""

import pytest

from tests.restriction_probe import links, why

NEXPERIA_BAN = "2025-10-china-nexperia-export-ban"
NEXPERIA_ORDER = "2025-09-nexperia-goods-availability-order"
FINDING = "2025-09-samr-nvidia-antitrust-finding"
WARNING = "2025-08-china-h20-discouragement"
RARE_EARTHS = "2025-10-china-rare-earth-controls"


@pytest.mark.parametrize(
    ("body", "day"),
    [
        ("Mehrere Zulieferer melden Kurzarbeit an, weil Peking den Export von Nexperia-Bauteilen "
         "aus China blockiert.", "2025-11-07"),
        ("Die Werke warten auf eine Lockerung, seit China ein Exportverbot für einige "
         "Nexperia-Chips verhängt hat.", "2025-11-10"),
        ("Les usines tournent au ralenti depuis que la Chine a voulu bloquer l'exportation des "
         "puces Nexperia.", "2025-11-07"),
        ("Los talleres siguen parados por la prohibición de exportación que China impuso a "
         "Nexperia.", "2025-11-07"),
    ],
)
def test_china_s_nexperia_export_ban_referred_back_weeks_later(enricher, body, day):
    found = links(enricher, body, day)
    assert NEXPERIA_BAN in found, why(found)


def test_the_dutch_takeover_alone_is_not_china_s_ban(enricher):
    found = links(
        enricher,
        "Die niederländische Regierung hat die Kontrolle über den Chiphersteller Nexperia "
        "übernommen.",
        "2025-10-13",
    )
    assert NEXPERIA_ORDER in found and NEXPERIA_BAN not in found, why(found)


def test_china_s_ban_on_nexperia_is_not_its_rare_earth_controls(enricher):
    # read as the rare-earth rules of that week before the ban was in the gazetteer
    found = links(
        enricher,
        "Nexperia sagte am Dienstag, Peking habe ihm untersagt, Bauteile aus China zu exportieren; "
        "betroffen ist der Export von Nexperia-Chips aus dem Werk in Dongguan.",
        "2025-10-14",
    )
    assert NEXPERIA_BAN in found and RARE_EARTHS not in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Die chinesische Wettbewerbsbehörde wirft Nvidia vor, gegen die Kartellgesetze des Landes "
        "verstoßen zu haben.",
        "Selon le régulateur chinois, Nvidia a violé la loi antitrust en ne tenant pas ses "
        "engagements.",
        "Pékin accuse Nvidia d'avoir enfreint les lois antitrust chinoises.",
    ],
)
def test_samr_s_finding_in_german_and_french_words(enricher, body):
    found = links(enricher, body, "2025-09-16")
    assert FINDING in found, why(found)


def test_antitrust_words_a_year_before_the_finding_are_not_it(enricher):
    found = links(
        enricher,
        "Selon le régulateur chinois, Nvidia a violé la loi antitrust en ne tenant pas ses "
        "engagements.",
        "2024-09-16",
    )
    assert FINDING not in found, why(found)


def test_beijing_s_warning_against_the_h20_in_french(enricher):
    found = links(
        enricher,
        "Plusieurs groupes ont gelé leurs commandes depuis que Pékin a mis en garde les "
        "entreprises contre les puces H20 de Nvidia le mois dernier.",
        "2025-09-04",
    )
    assert WARNING in found, why(found)


def test_the_dutch_order_as_reprise_en_main(enricher):
    found = links(
        enricher,
        "Nexperia manque de plaquettes depuis la reprise en main de l'entreprise par La Haye fin "
        "septembre.",
        "2025-11-05",
    )
    assert NEXPERIA_ORDER in found, why(found)
