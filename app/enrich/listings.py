""" "Huawei has been cut off since being added to the Entity List": a company's own listing.

A company is put on the US Entity List once (later rules add affiliates or tighten what the
listing covers, and are actions of their own). A sentence that names a company, says it is on
the list and looks back to when it got there ("since being added", «منذ إدراجها», 自被列入…以来,
"depuis son inscription", "엔티티 리스트에 오른 이후") without writing when, refers to the one
listing of that company announced before the article. Two listings of the company (Inspur's in
2023 and 2025), two listed companies in the sentence, China's "unreliable entity list", or a
listing still in the article's news days, link nothing here; a sentence that writes its date is
read by that date elsewhere. A sentence that names the administration instead ("the Biden
administration put YMTC on the Entity List") is dated by its terms: the one listing of the
company announced in them. A listing the sentence says is only being weighed ("is considering
adding SMIC units to the Entity List") links nothing here.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from app.enrich.restrictions import AnyOf, _fold

# The list, named ("Entity List") or as the press calls it ("trade blacklist", «القائمة السوداء»).
LIST_WORDS = tuple(
    _fold(w)
    for w in (
        "entity list",
        "blacklist",
        "liste des entités",
        "liste noire",
        "قائمة الكيانات",
        "القائمة السوداء",
        "实体清单",
        "實體清單",
        "实体名单",
        "黑名单",
        "엔티티 리스트",
        "엔티티리스트",
        "블랙리스트",
        "우려거래자 목록",
    )
)
# China's own list of "unreliable entities" is another list.
NOT_THIS_LIST = tuple(
    _fold(w) for w in ("unreliable", "non fiables", "غير الموثوقة", "不可靠", "신뢰할 수 없는")
)
# Looking back to the listing: "since", "after being", "has been on", «منذ», 以来, 이후.
SINCE_WORDS = tuple(
    _fold(w)
    for w in (
        "since being",
        "since it was",
        "since its",
        "since they were",
        "since the company was",
        "ever since",
        # the state that only its listing explains ("has been on the Entity List for years")
        "has been on",
        "have been on",
        "had been on",
        "remains on",
        "already on",
        "after being",
        "depuis son inscription",
        "depuis son ajout",
        "depuis qu'il a été",
        "depuis qu'elle a été",
        "après avoir été",
        "منذ إدراج",
        "منذ وضع",
        "منذ إضافة",
        "بعد إدراج",
        "以来",
        "之后",
        "이후",
        "이래",
        "오른 뒤",
        "오른 후",
    )
)
# A listing only weighed ("is considering adding CXMT and SMIC units to the Entity List",
# «تدرس إدارة ترامب إضافة», 正考虑将…列入) is no listing yet: not the company's earlier one.
PLAN_WORDS = tuple(
    _fold(w)
    for w in (
        "considering",
        "considers",
        "weighing",
        "weighs",
        "mulling",
        "contemplating",
        "envisage",
        "envisageait",
        "envisagerait",
        "erwägt",
        "erwogen",
        "overweegt",
        "estudia la posibilidad",
        "considera añadir",
        "تدرس",
        "تبحث إضافة",
        "تعتزم",
        "考虑",
        "拟将",
        "検討",
        "검토",
    )
)
# A listing announced within these days of the article is its news, not a look back.
NEWS_DAYS = timedelta(days=30)


@dataclass(frozen=True)
class Listing:
    id: str
    companies: frozenset[str]
    announced: date


# (one Aho-Corasick pass per word list: read for every undated sentence of every article)
_ANY_LIST_WORD = AnyOf(LIST_WORDS)
_ANY_OTHER_LIST = AnyOf(NOT_THIS_LIST)
_ANY_PLAN_WORD = AnyOf(PLAN_WORDS)


def speaks_of_the_list(folded: str) -> bool:
    """Whether a folded sentence names the US list (not China's unreliable entity list)."""
    return _ANY_LIST_WORD(folded) and not _ANY_OTHER_LIST(folded)


def only_considered(folded: str) -> bool:
    """Whether a folded sentence speaks of a listing that is only being weighed."""
    return _ANY_PLAN_WORD(folded)


def looks_back_to_listing(folded: str) -> str:
    """The look-back word of a sentence that speaks of the US list, or ""."""
    if not speaks_of_the_list(folded):
        return ""
    return next((w for w in SINCE_WORDS if w in folded), "")


def listing_of(
    companies: set[str],
    published: date,
    listings: list[Listing],
    terms: tuple[tuple[str, str | None], ...] = (),
) -> Listing | None:
    """The one listing of the named companies announced before the article's news days (None
    when none, or more than one); with `terms` (an administration's (start, end) ISO days,
    "The Biden administration put YMTC on the Entity List"), only those announced in them."""
    found = [
        x
        for x in listings
        if x.companies & companies
        and x.announced <= published - NEWS_DAYS
        and (
            not terms
            or any(start <= x.announced.isoformat() < (end or "9999") for start, end in terms)
        )
    ]
    return found[0] if len(found) == 1 else None
