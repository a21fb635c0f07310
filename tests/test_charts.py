"""Chart arithmetic: the interval follows the range, quarters fold from months, crowded markers
group, issuers get their colour, each entity keeps its colour, shares are shares."""

from datetime import date

from app.search.periods import bucket_end, bucket_start, fold, interval_for
from app.web.charts import PALETTE, bar_chart, colour_slots, issuer_tone, line_chart, markers


def test_interval_keeps_a_chart_between_12_and_60_buckets():
    assert interval_for(date(2025, 1, 1), date(2025, 3, 31)) == "week"      # 13 weeks
    assert interval_for(date(2025, 1, 1), date(2025, 12, 31)) == "week"     # 53 buckets
    assert interval_for(date(2025, 1, 1), date(2026, 6, 30)) == "month"     # 18 months
    assert interval_for(date(2024, 1, 1), date(2025, 12, 31)) == "month"    # 24 months
    assert interval_for(date(2019, 1, 1), date(2026, 12, 31)) == "quarter"  # 96 months, 32 quarters
    assert interval_for(date(1990, 1, 1), date(2026, 12, 31)) == "year"     # 148 quarters
    for first, last in [(date(2025, 1, 1), date(2025, 3, 31)), (date(2024, 1, 1), date(2025, 12, 31)),
                        (date(2019, 1, 1), date(2026, 12, 31)), (date(2020, 3, 5), date(2021, 2, 1))]:
        interval, n, day = interval_for(first, last), 0, bucket_start(first, interval_for(first, last))
        while day <= last:
            n, day = n + 1, bucket_end(day, interval) + (date(2000, 1, 2) - date(2000, 1, 1))
        assert n <= 60, (first, last, interval, n)


def test_quarters_fold_from_months():
    months = {date(2025, 1, 1): 2, date(2025, 3, 1): 1, date(2025, 4, 1): 5, date(2025, 12, 1): 1}
    assert fold(months, "quarter") == {date(2025, 1, 1): 3, date(2025, 4, 1): 5, date(2025, 10, 1): 1}
    assert fold(months, "year") == {date(2025, 1, 1): 9}
    assert bucket_end(date(2025, 10, 1), "quarter") == date(2025, 12, 31)
    assert bucket_end(date(2025, 4, 1), "quarter") == date(2025, 6, 30)


def _event(i: str, day: str, issuer="bis") -> dict:
    return {"id": i, "date": day, "title": f"Rule {i}", "issuer": issuer}


def test_crowded_markers_group_with_a_zoom_range_that_holds_them():
    events = [_event("a", "2025-01-10"), _event("b", "2025-01-20"), _event("c", "2025-02-01"),
              _event("d", "2025-09-01", "mofcom")]
    out = markers(events, date(2019, 1, 1), date(2026, 12, 31))
    assert [m.grouped for m in out] == [True, False]
    group, single = out
    assert [m.id for m in group.members] == ["a", "b", "c"]
    assert group.zoom[0] < date(2025, 1, 10) and group.zoom[1] > date(2025, 2, 1)
    assert group.label == "3 restrictions, 2025-01-10 to 2025-02-01"
    assert single.tone == "cn" and single.label == "Rule d, 2025-09-01"
    # Zoomed into the group's range, they stand apart.
    zoomed = markers(events, group.zoom[0], group.zoom[1])
    assert [m.grouped for m in zoomed] == [False, False, False]


def test_issuers_are_coloured_by_their_government():
    assert issuer_tone("bis")[0] == issuer_tone("white-house")[0] == "us"
    assert issuer_tone("mofcom")[0] == issuer_tone("china")[0] == "cn"
    assert issuer_tone("nl-gov")[0] == "nl" and issuer_tone("meti")[0] == "jp"
    assert issuer_tone("miti-my")[0] == issuer_tone(None)[0] == "other"


def test_an_entity_keeps_its_colour_and_two_never_share_one():
    alone = colour_slots(["nvidia"])["nvidia"]
    for others in (["huawei"], ["h20", "amd", "smic"], ["a", "b", "c", "d", "e", "f", "g"]):
        slots = colour_slots(others + ["nvidia"])
        assert len(set(slots.values())) == len(slots)
        if alone not in {colour_slots([o])[o] for o in others}:
            assert slots["nvidia"] == alone
    assert len(PALETTE) >= 8


def test_share_of_all_articles():
    buckets = [{"start": "2025-01-01", "count": 2}, {"start": "2025-02-01", "count": 1}]
    totals = {date(2025, 1, 1): 8, date(2025, 2, 1): 2}
    chart = bar_chart(buckets, [], "month", totals)
    assert [b.share for b in chart["bars"]] == [0.25, 0.5] and chart["top"] == "50%"
    assert bar_chart(buckets, [], "month")["top"] == "2"
    lines = line_chart([{"id": "nvidia", "name": "Nvidia", "buckets": {d: 1 for d in totals}}], [], "month", totals)
    assert [p["share"] for p in lines["lines"][0]["points"]] == [0.125, 0.5]


def test_the_asked_range_is_covered_even_without_articles():
    buckets = [{"start": "2025-03-01", "count": 4}]
    chart = bar_chart(buckets, [], "month", span=(date(2025, 1, 1), date(2025, 6, 30)))
    assert chart["first"] == date(2025, 1, 1) and chart["last"] == date(2025, 6, 30)
    assert [b.count for b in chart["bars"]] == [0, 0, 4, 0, 0, 0]
