"""A company-wide action referred back to weeks later by its own cue phrase and the firm, with
no date and no chip (#20, realdev5b: "die Regierung hat die Kontrolle über Nexperia übernommen"
read a month on). The tie holds only for a cue phrase no other action has, and only when no
other action on the same firm is tied to the sentence."""

import pytest

from tests.restriction_probe import links, why

NEXPERIA = "2025-09-nexperia-goods-availability-order"
SAMR_PROBE = "2024-12-samr-nvidia-antitrust-probe"


@pytest.mark.parametrize(
    "body",
    [
        "Zulieferer in Bayern melden Engpässe, seit Den Haag die Kontrolle über Nexperia "
        "übernommen hat und Peking mit einem Ausfuhrstopp antwortete.",
        "Autobouwers zoeken andere leveranciers sinds het kabinet Nexperia met de Wet "
        "beschikbaarheid goederen onder toezicht plaatste.",
    ],
)
def test_the_nexperia_order_named_by_its_own_phrase_weeks_later(enricher, body):
    found = links(enricher, body, "2025-11-20")
    assert found.get(NEXPERIA) and found[NEXPERIA].role == "context", why(found)


def test_a_shared_cue_and_firm_do_not_pick_between_a_probe_and_its_finding(enricher):
    body = (
        "Nvidia stock dipped as the regulator kept examining the company, weeks after saying "
        "the Mellanox acquisition had broken China's anti-monopoly law."
    )
    found = links(enricher, body, "2025-10-30")
    assert SAMR_PROBE not in found, why(found)
