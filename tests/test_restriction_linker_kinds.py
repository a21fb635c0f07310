"""A sentence that names a listing ("added to the Entity List", 实体清单, «قائمة الكيانات») is
about an action that put names on the list: never a rule of the same days that listed no one."""

import pytest

from tests.restriction_probe import links

H20_RULE = "2025-04-h20-licence-requirement"  # April 2025: a licence for the H20, nobody listed
HBM_RULE = "2024-12-hbm-sme-rule"  # December 2024: controls, and 140 entities listed


@pytest.mark.parametrize(
    "body",
    [
        "The US added two Chinese server makers to the Entity List on Tuesday.",
        "Washington put a dozen Chinese firms on its trade blacklist this week.",
        "美国本周将多家中国企业列入实体清单。",
        "أضافت واشنطن هذا الأسبوع شركات صينية إلى قائمة الكيانات.",
        "Les États-Unis ont ajouté cette semaine des entreprises chinoises à la liste des entités.",
    ],
)
def test_a_listing_is_not_the_licence_rule_of_the_same_days(enricher, body):
    assert H20_RULE not in links(enricher, body, "2025-04-18")


def test_a_rule_that_also_listed_is_still_found_by_its_listing(enricher):
    found = links(enricher, "Washington put 140 Chinese firms on the Entity List.", "2024-12-05")
    assert HBM_RULE in found


def test_the_licence_rule_named_beside_a_listing_is_still_linked(enricher):
    body = (
        "Days after it required licences for Nvidia's H20, the US added more Chinese firms "
        "to the Entity List."
    )
    assert H20_RULE in links(enricher, body, "2025-04-18")
