"""Follow-up articles (#20, restrict17): the news is a company's or a market's reaction to an
action (a charge in earnings, a market exit, a production halt) or a new step about an earlier
one; the actions they mention are context. Each rule has a case that fails without it; the
others guard what must keep linking."""

import pytest

from tests.restriction_probe import links, why

MICRON_BAN = "2023-05-cac-micron-ban"
H20_RULE = "2025-04-h20-licence-requirement"
H20_RESUMPTION = "2025-07-h20-sales-resumption"
AFFILIATES = "2025-09-bis-affiliates-rule"
GULF_APPROVALS = "2025-11-g42-humain-export-approvals"  # 19 November 2025


# (the gazetteer's Dutch and Spanish cues: cyberveiligheidsonderzoek, revisión de ciberseguridad)
@pytest.mark.parametrize(
    "body",
    [
        "Micron levert geen geheugenchips meer aan datacenters in China, omdat de verkoop nooit "
        "herstelde sinds Peking de chips in 2023 na een cyberveiligheidsonderzoek uit kritieke "
        "infrastructuur weerde.",
        "Micron dejó de vender a centros de datos en China desde que Pekín excluyó sus chips en "
        "2023 de las infraestructuras críticas tras una revisión de ciberseguridad.",
    ],
)
def test_the_micron_ban_described_in_dutch_and_spanish(enricher, body):
    assert MICRON_BAN in links(enricher, body, "2025-10-17")


# --- a falling figure is no backing down (resolve.py _a_fall_in_figures) --------------------


@pytest.mark.parametrize(
    "body",
    [
        "قالت AMD إن أرباحها الفصلية تراجعت بعد أن سجلت أعباء مرتبطة برقائق MI308 التي لم "
        "تتمكن من شحنها إلى الصين منذ فرض شرط الترخيص في أبريل.",
        "تراجعت أسهم إنفيديا بعد أن سجلت أعباء على رقائق H20 التي لم تتمكن من شحنها إلى الصين "
        "منذ فرض شرط الترخيص في أبريل.",
    ],
)
def test_profits_that_fell_do_not_undo_the_april_rule(enricher, body):
    found = links(enricher, body, "2025-08-06")
    assert H20_RULE in found and H20_RESUMPTION not in found, why(found)


def test_a_government_backing_down_still_undoes_it(enricher):
    body = (
        "تراجعت واشنطن عن القيود التي فرضتها في أبريل على رقائق H20، وستسمح إنفيديا باستئناف "
        "بيعها في الصين."
    )
    assert H20_RESUMPTION in links(enricher, body, "2025-07-20")


# --- a back-reference by country and month is to an action already out ---------------------


def test_a_date_of_the_news_is_no_action_of_the_days_after(enricher):
    body = (
        "美国商务部工业与安全局宣布，自11月10日起暂停实施9月底出台的关联方规则一年。"
    )
    found = links(enricher, body, "2025-11-11")
    assert AFFILIATES in found and GULF_APPROVALS not in found, why(found)
    # Read after the rule, its country and month still name it.
    later = "美国商务部9月底出台的规则已暂停实施。"
    assert AFFILIATES in links(enricher, later, "2025-12-15")
