"""China's Nexperia export ban told right after a sentence dated to the Dutch order's September
(#20, carry8), in sentences of our own: the carried month is the order's, not the ban's that the
sentence names by its own cue and firm; and the ban as Chinese and Arabic outlets phrase it
("限制安世中国的芯片出口", "صادرات نكسبيريا")."""

import pytest

from tests.restriction_probe import links, why

NEXPERIA_BAN = "2025-10-china-nexperia-export-ban"
NEXPERIA_ORDER = "2025-09-nexperia-goods-availability-order"


@pytest.mark.parametrize(
    "body",
    [
        "Ende September hatte Den Haag die Kontrolle über Nexperia übernommen. China antwortete "
        "bald mit einem Exportverbot für Produkte von Nexperia, die Autobauer bangen.",
        "Im September übernahm die niederländische Regierung die Kontrolle über Nexperia. Kurz "
        "danach stoppte Peking die Exporte von Nexperia aus seinen Werken.",
        "荷兰政府9月底接管安世半导体。中方随后限制安世中国的芯片出口，车企一度停产。",
        "سيطرت الحكومة الهولندية على نكسبيريا في أواخر سبتمبر. وردت بكين بحظر صادرات نكسبيريا.",
    ],
)
def test_the_month_before_does_not_date_the_ban_the_next_sentence_names(enricher, body):
    found = links(enricher, body, "2025-11-04")
    assert NEXPERIA_BAN in found, why(found)


def test_the_carried_month_still_dates_a_sentence_without_its_own_cue(enricher):
    # the order, named again without a cue of another action: still September's order
    found = links(
        enricher,
        "Ende September hatte Den Haag die Kontrolle über Nexperia übernommen. Die Regierung "
        "beruft sich dabei auf ein Gesetz aus dem Kalten Krieg.",
        "2025-11-04",
    )
    assert NEXPERIA_ORDER in found and NEXPERIA_BAN not in found, why(found)


@pytest.mark.parametrize(
    "body",
    [
        "中方限制安世中国的芯片出口后，安世半导体的欧洲客户被迫减产。",
        "商务部禁止安世中国出口部分成品，安世半导体的汽车芯片随即吃紧。",
        "وفرضت بكين قيودا على صادرات نكسبيريا من مصانعها في الصين.",
    ],
)
def test_china_s_nexperia_ban_in_chinese_and_arabic(enricher, body):
    found = links(enricher, body, "2025-11-12")
    assert NEXPERIA_BAN in found, why(found)


def test_a_feared_ban_before_it_exists_is_not_linked(enricher):
    found = links(enricher, "分析人士担心中方可能限制安世中国出口，安世半导体股价下跌。", "2025-10-02")
    assert NEXPERIA_BAN not in found, why(found)
