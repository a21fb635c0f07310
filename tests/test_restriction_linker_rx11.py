"""Back-references (#20, restrict11), with sentences of our own in several languages: a listing
dated "N years ago" (the rule's year-only references), and a company's own Entity List listing
looked back to without a date ("since being added", «منذ إدراجها», 自被列入…以来)."""

import pytest

from tests.restriction_probe import links
from tests.restriction_probe import why as _why

HUAWEI = "2019-05-huawei-entity-list"
SMIC = "2020-12-smic-entity-list"
INSPUR = ("2023-03-inspur-loongson-entity-list", "2025-03-inspur-subsidiaries-entity-list")


class _NONE:
    reason = ""


@pytest.mark.parametrize(
    "body",
    [
        "The US added Huawei to the Entity List five years ago.",
        "Washington blacklisted Huawei five years ago, and its phones lost Google's apps.",
        "华为五年前被美国列入实体清单。",
        # Arabic counts "years" with the numeral's short form: خمس سنوات, not خمسة
        "أدرجت واشنطن هواوي في القائمة السوداء قبل خمس سنوات.",
        "Huawei a été ajouté à la liste noire américaine il y a cinq ans.",
        "화웨이는 5년 전 미국의 엔티티 리스트에 올랐다.",
    ],
)
def test_a_listing_n_years_ago_is_that_years_listing(enricher, body):
    found = links(enricher, body, "2024-05-10")
    assert HUAWEI in found and found[HUAWEI].role == "context", _why(found)


def test_n_years_ago_dates_the_year_counted_not_another(enricher):
    # (the guard: two years before 2024 is 2022, when Huawei was not listed)
    found = links(enricher, "Washington blacklisted Huawei two years ago.", "2024-05-10")
    assert HUAWEI not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Huawei has been cut off from US suppliers since being added to the Entity List.",
        "Huawei has struggled to buy chips since it was blacklisted by Washington.",
        "华为自被列入实体清单以来，一直无法获得美国芯片。",
        "Huawei est privé de fournisseurs américains depuis son inscription sur la liste noire.",
        "هواوي محرومة من الموردين الأمريكيين منذ إدراجها في قائمة الكيانات.",
        "화웨이는 엔티티 리스트에 오른 이후 미국 칩을 살 수 없다.",
    ],
)
def test_an_undated_look_back_to_a_listing_is_the_companys_one_listing(enricher, body):
    found = links(enricher, body, "2025-06-10")
    assert HUAWEI in found and found[HUAWEI].role == "context", _why(found)
    assert "only listing" in found[HUAWEI].reason


@pytest.mark.parametrize(
    "body",
    [
        # no look back: a listing to come, or the list alone
        "Huawei said it expects the US to add more of its affiliates to the Entity List.",
        "Huawei is on the Entity List.",
        # China's own list is another list
        "华为自被列入不可靠实体清单以来一直受影响。",
        # two listed companies: whose listing?
        "Since SMIC was added to the Entity List, Huawei has relied on it less.",
    ],
)
def test_no_look_back_or_no_single_listing_links_nothing(enricher, body):
    found = links(enricher, body, "2025-06-10")
    assert HUAWEI not in found and SMIC not in found, _why(found)


def test_a_company_listed_twice_is_left_unlinked(enricher):
    # Inspur was listed in 2023 and its subsidiaries in 2025: "since being listed" says neither
    found = links(
        enricher,
        "Inspur has kept selling servers since being added to the Entity List.",
        "2025-09-01",
    )
    assert not set(INSPUR) & set(found), _why(found)


def test_a_listing_in_the_articles_news_days_is_not_looked_back_to(enricher):
    # an article of the listing's own week: its news, read as such elsewhere, not "since"
    found = links(
        enricher,
        "SMIC shares fell, and suppliers paused shipments since it was blacklisted.",
        "2020-12-21",
    )
    assert "only listing" not in found.get(SMIC, _NONE).reason, _why(found)


H20_BAN = "2025-04-h20-licence-requirement"
H20_BACK = "2025-07-h20-sales-resumption"
CAC_H20 = "2025-07-cac-h20-summons"


@pytest.mark.parametrize(
    "body",
    [
        # 중국 수출 ("exports to China"), 중국에 (to China): China is where the chips go, not
        # who acted, so "last month" is not China's July summons over the H20
        "트럼프 행정부는 지난 4월 H20의 중국 수출을 막았다가 지난달 이를 허용하기로 입장을 바꿨다.",
        "트럼프 행정부는 지난 4월 중국에 대한 H20 판매를 금지했다가 지난달 이를 허용했다.",
    ],
)
def test_korean_destination_is_not_the_actor(enricher, body):
    found = links(enricher, body, "2025-08-09")
    assert H20_BAN in found and H20_BACK in found, _why(found)
    assert CAC_H20 not in found, _why(found)


def test_korean_topic_marker_keeps_china_the_actor(enricher):
    # (the guard: 중국은, the topic, acts: its regulator's July summons)
    found = links(
        enricher, "중국은 지난 7월 엔비디아를 소환해 H20의 백도어 위험을 따졌다.", "2025-09-01"
    )
    assert CAC_H20 in found and found[CAC_H20].role == "context", _why(found)


@pytest.mark.parametrize(
    "body, rid",
    [
        # Korean words of China's own actions: an antitrust probe, a summons over backdoors
        (
            "중국은 작년 12월 엔비디아에 대한 반독점 조사에 착수했다.",
            "2024-12-samr-nvidia-antitrust-probe",
        ),
        (
            "중국 인터넷정보판공실은 지난 7월 엔비디아를 불러 H20의 백도어 위험을 설명하라고 "
            "요구했다.",
            CAC_H20,
        ),
        # French: Beijing "discouraged" buying the H20
        (
            "En août, Pékin avait dissuadé ses entreprises d'acheter la H20.",
            "2025-08-china-h20-discouragement",
        ),
    ],
)
def test_chinese_actions_in_korean_and_french_words(enricher, body, rid):
    found = links(enricher, body, "2025-10-01" if "12월" in body else "2025-12-20")
    assert rid in found and found[rid].role == "context", _why(found)


LETTERS = "2022-08-a100-h100-is-informed-letters"


@pytest.mark.parametrize(
    "body",
    [
        # the telling verb before a plural subject (طلب مسؤولون), and Korean's stop-then-tell
        "في أغسطس 2022 طلب مسؤولون أمريكيون من إنفيديا وقف تصدير رقائق A100 وH100 إلى الصين.",
        "2022년 8월 미국 정부는 엔비디아에 A100과 H100의 중국 수출을 중단하라고 통보했다.",
    ],
)
def test_officials_telling_a_company_to_stop_in_arabic_and_korean(enricher, body):
    found = links(enricher, body, "2024-01-10")
    assert LETTERS in found and found[LETTERS].role == "context", _why(found)


@pytest.mark.parametrize(
    "body",
    [
        # a company telling its customers, customers asking a company: no government acts
        "엔비디아는 2022년 8월 고객사들에 A100 주문을 취소하라고 통보했다.",
        "في أغسطس 2022 طلب عملاء من إنفيديا إلغاء طلبيات رقائق A100.",
    ],
)
def test_a_company_telling_or_asked_is_no_order(enricher, body):
    found = links(enricher, body, "2024-01-10")
    assert LETTERS not in found, _why(found)


def test_cut_off_around_its_object(enricher):
    zte = "2018-04-zte-denial-order"
    found = links(
        enricher, "In 2018 the US cut ZTE off from American suppliers for months.", "2024-01-10"
    )
    assert zte in found and found[zte].role == "context", _why(found)
    # (the guard: "off" without "from" is no cutting off)
    found = links(
        enricher, "In 2018 ZTE cut its forecast off the back of weak sales.", "2024-01-10"
    )
    assert zte not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "中国11月要求国有资金支持的数据中心只使用国产AI芯片。",
        "중국은 11월 국가 자금이 투입된 데이터센터에 국산 AI 칩만 쓰라고 지시했다.",
    ],
)
def test_state_funded_data_centres_in_chinese_and_korean(enricher, body):
    rid = "2025-11-china-state-data-centre-domestic-chip-rule"
    found = links(enricher, body, "2026-01-10")
    assert rid in found and found[rid].role == "context", _why(found)


OCT22 = "2022-10-advanced-computing-rule"
OCT23 = "2023-10-advanced-computing-update"
HBM = "2024-12-hbm-sme-rule"


@pytest.mark.parametrize(
    "body",
    [
        "The Commerce Department on Monday added high-bandwidth memory to its export controls on "
        "China. This round expands previous amendments in October 2022 and October 2023.",
        "美国商务部周一将高带宽存储器纳入对华出口管制。新规扩大了2022年10月和2023年10月的管制。",
        "Le département du Commerce a ajouté lundi la mémoire HBM aux contrôles à l'exportation "
        "vers la Chine. Ces règles élargissent les mesures d'octobre 2022 et d'octobre 2023.",
        # (and the second month's year is the one right after it, not the one before its «و»)
        "أضافت وزارة التجارة الأمريكية يوم الاثنين ذاكرة HBM إلى ضوابط التصدير إلى الصين. وتوسع "
        "القواعد الجديدة القيود التي صدرت في أكتوبر 2022 وأكتوبر 2023.",
        "미국 상무부는 월요일 HBM을 대중국 수출통제 대상에 추가했다. 이번 규정은 2022년 10월과 "
        "2023년 10월의 통제를 확대한 것이다.",
    ],
)
def test_dated_rounds_with_no_actor_are_the_news_countrys(enricher, body):
    found = links(enricher, body, "2024-12-05")
    assert found.get(HBM) and found[HBM].role == "reported", _why(found)
    assert OCT22 in found and OCT23 in found, _why(found)
    assert found[OCT22].role == found[OCT23].role == "context"


@pytest.mark.parametrize(
    "second",
    [
        # another country acts in that month
        "In October 2023, China tightened its graphite export controls.",
        # no action word: a month of figures
        "Samsung's sales fell in October 2022.",
    ],
)
def test_another_actor_or_no_action_word_is_not_the_news_countrys(enricher, second):
    body = (
        "The Commerce Department on Monday added high-bandwidth memory to its export controls on "
        "China. " + second
    )
    found = links(enricher, body, "2024-12-05")
    assert OCT22 not in found and OCT23 not in found, _why(found)


def test_a_month_already_answered_is_not_read_again(enricher):
    # "extending the probe it opened last December": December 2024 is the probe's, linked by
    # its own words, not China's other action of that month (the metals ban)
    found = links(
        enricher,
        "The State Administration for Market Regulation said Nvidia broke anti-monopoly rules in "
        "the Mellanox deal, extending the probe it opened last December.",
        "2025-09-16",
    )
    assert "2024-12-samr-nvidia-antitrust-probe" in found, _why(found)
    assert "2024-12-china-gallium-germanium-antimony-ban" not in found, _why(found)


RTX = "2025-09-cac-rtx-pro-6000d-ban"
DISCOURAGED = "2025-08-china-h20-discouragement"


@pytest.mark.parametrize(
    "body",
    [
        "China's internet regulator told ByteDance and Alibaba to stop buying the RTX Pro 6000D. "
        "The ban goes beyond the previous directives that targeted chips such as the H20.",
        "طلبت هيئة الفضاء الإلكتروني الصينية من بايت دانس وعلي بابا وقف شراء رقائق RTX Pro "
        "6000D. ولا يقتصر القرار على التوجيهات السابقة التي استهدفت رقائق مثل H20، بل يمثل حظرا "
        "أشمل على منتجات الشركة الأمريكية.",
        "Le régulateur chinois du cyberespace a demandé à ByteDance et Alibaba de cesser "
        "d'acheter la RTX Pro 6000D. L'interdiction va plus loin que les précédentes consignes "
        "visant la H20.",
    ],
)
def test_previous_directives_on_a_chip_are_the_news_countrys_last(enricher, body):
    # "previous directives" (a noun of either kind) on the H20, in news of a Chinese ban: China's
    # August guidance against the H20, not the only US action on the chip near the word "ban"
    found = links(enricher, body, "2025-09-17")
    assert found.get(RTX) and found[RTX].role == "reported", _why(found)
    assert DISCOURAGED in found and found[DISCOURAGED].role == "context", _why(found)
    assert H20_BAN not in found, _why(found)


def test_a_month_to_take_effect_is_not_the_news_countrys_action_of_that_month(enricher):
    # rules that took effect in May (the diffusion rule's compliance date) are not Commerce's
    # Huawei Ascend guidance, its one restriction made in May 2025
    found = links(
        enricher,
        "Nvidia said it would resume H20 sales after Washington promised licences. Trump has "
        "suspended the export rules that were to take effect in May.",
        "2025-07-15",
        "Nvidia to resume H20 sales in China",
    )
    assert found.get(H20_BACK) and found[H20_BACK].role == "reported", _why(found)
    assert "2025-05-huawei-ascend-guidance" not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Last year's H20 ban cost Nvidia $4.5 billion.",
        "去年的H20禁令让英伟达损失45亿美元。",
        "كلف حظر رقائق H20 العام الماضي إنفيديا 4.5 مليار دولار.",
        "L'interdiction de la H20 l'an dernier a coûté 4,5 milliards de dollars à Nvidia.",
        "작년 H20 수출 금지로 엔비디아는 45억 달러의 손실을 입었다.",
    ],
)
def test_a_named_ban_is_not_the_rule_that_lifted_it(enricher, body):
    # the ban named ("the H20 ban") with its year: the ban, not the July resumption that
    # amended it, which no word of relaxing speaks of
    found = links(enricher, body, "2026-02-01")
    assert H20_BAN in found and found[H20_BAN].role == "context", _why(found)
    assert H20_BACK not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "Nvidia is still recovering from the ban imposed in the spring on its H20 chip.",
        "Nvidia se remet encore de l'interdiction imposée au printemps sur sa puce H20.",
        "英伟达仍未从今年春天对H20芯片的禁令中恢复。",
        "لا تزال إنفيديا تتعافى من الحظر الذي فُرض في الربيع على رقائق H20.",
        "엔비디아는 올봄 H20 수출 금지의 충격에서 아직 회복하지 못했다.",
    ],
)
def test_a_season_dates_the_ban_away_from_the_news_days(enricher, body):
    # six days after the July resumption, "the ban imposed in the spring" is April's, not the
    # resumption's news read on the word "ban"
    found = links(enricher, body, "2025-07-20")
    assert H20_BAN in found and found[H20_BAN].role == "context", _why(found)
    assert H20_BACK not in found, _why(found)


@pytest.mark.parametrize(
    "body",
    [
        "The restrictions that blocked the A800 and H800 pushed Nvidia to design the H20.",
        "Les restrictions qui ont bloqué l'A800 et la H800 ont poussé Nvidia à concevoir la H20.",
        "限制A800和H800的规定促使英伟达设计了H20。",
        "دفعت القيود التي حظرت رقائق A800 وH800 إنفيديا إلى تصميم H20.",
        "A800과 H800을 막은 규제 때문에 엔비디아는 H20을 설계했다.",
    ],
)
def test_the_chips_an_action_covered_not_the_chip_made_next(enricher, body):
    # the A800 and H800 are the October 2023 update's alone; the H20 designed afterwards is a
    # product, not one more chip the restriction must have covered
    found = links(enricher, body, "2024-06-01")
    assert OCT23 in found and found[OCT23].role == "context", _why(found)


def test_a_chip_restricted_and_made_is_still_covered(enricher):
    # (the guard: a chip named also outside "to design ..." still counts: no action covers the
    # A800 and the H20 both, so nothing is read as "the only such action")
    found = links(
        enricher,
        "The restrictions that blocked the A800 and the H20 pushed Nvidia to design the H20 again.",
        "2025-06-01",
    )
    assert OCT23 not in found, _why(found)


def test_the_news_listing_of_affiliates_is_not_the_first_listing(enricher):
    # "after Commerce put 38 Huawei affiliates on the Entity List" in that news' own days is the
    # news (the August 2020 expansion), not Huawei's own listing of 2019
    found = links(
        enricher,
        "美国商务部将38家华为子公司列入实体清单之后，华为的芯片库存将很快耗尽。",
        "2020-08-18",
    )
    assert "2020-08-huawei-fdpr-expansion" in found, _why(found)
    assert HUAWEI not in found, _why(found)
