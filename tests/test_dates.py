"""Dates as the press writes them, in any supported language, end up in UTC."""

from datetime import UTC, datetime

import pytest

from app.ingest.normalize import parse_date

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw, expected", [
    # ISO 8601 and RFC 822, the feed formats (fast path)
    ("2025-04-15T21:30:00Z", "2025-04-15T21:30:00"),
    ("2025-04-15T21:30:00+08:00", "2025-04-15T13:30:00"),
    ("2025-04-15", "2025-04-15T00:00:00"),
    ("Tue, 15 Apr 2025 21:30:00 GMT", "2025-04-15T21:30:00"),
    ("Thu, 08 May 2025 09:00:00 +0800", "2025-05-08T01:00:00"),
    ("Tue, 15 Apr 2025 21:30:00 EDT", "2025-04-16T01:30:00"),
    ("Tue, 15 Apr 2025 21:30:00 CEST", "2025-04-15T19:30:00"),  # a zone parsedate does not know
    # Arabic: Egyptian/Gulf, Levantine and Maghrebi month names, Eastern Arabic digits
    ("16 أبريل 2025", "2025-04-16T00:00:00"),
    ("١٦ أبريل ٢٠٢٥", "2025-04-16T00:00:00"),
    ("16 نيسان 2025", "2025-04-16T00:00:00"),
    ("١٦ نيسان/أبريل ٢٠٢٥", "2025-04-16T00:00:00"),
    ("16 كانون الثاني 2025", "2025-01-16T00:00:00"),
    ("3 تشرين الأول 2024", "2024-10-03T00:00:00"),
    ("16 تموز 2025", "2025-07-16T00:00:00"),
    ("16 أفريل 2025", "2025-04-16T00:00:00"),
    ("16 جويلية 2025", "2025-07-16T00:00:00"),
    ("الثلاثاء، 15 أبريل 2025 09:30 مساءً", "2025-04-15T21:30:00"),
    ("الأربعاء 16 أبريل 2025 - 10:30 بتوقيت مكة المكرمة", "2025-04-16T07:30:00"),
    ("16 أبريل 2025 10:30 بتوقيت غرينتش", "2025-04-16T10:30:00"),
    # Chinese: 年月日, afternoon times, Beijing time
    ("2025年4月16日", "2025-04-16T00:00:00"),
    ("２０２５年４月１６日", "2025-04-16T00:00:00"),
    ("2025年4月16日 15:30", "2025-04-16T15:30:00"),
    ("2025年4月16日 下午3时30分", "2025-04-16T15:30:00"),
    ("2025年4月16日 15:30 北京时间", "2025-04-16T07:30:00"),
    ("2025年4月16日 晚上8点（北京时间）", "2025-04-16T12:00:00"),
    # French, German, time zone names and offsets
    ("16 avril 2025", "2025-04-16T00:00:00"),
    ("15 avril 2025 21:30 CEST", "2025-04-15T19:30:00"),
    ("Donnerstag, 17. April 2025", "2025-04-17T00:00:00"),
    ("2025-04-16 15:30 GMT+8", "2025-04-16T07:30:00"),
    ("Tuesday, April 15, 2025 9:30 PM EDT", "2025-04-16T01:30:00"),
])
def test_absolute_dates_in_utc(raw, expected):
    parsed = parse_date(raw, NOW)
    assert parsed.tzinfo == UTC
    assert parsed.replace(tzinfo=None).isoformat() == expected


@pytest.mark.parametrize("raw, expected", [
    ("3 hours ago", "2025-04-20T09:00:00"),
    ("yesterday 10:00", "2025-04-19T10:00:00"),
    ("منذ 3 ساعات", "2025-04-20T09:00:00"),
    ("قبل 3 ساعات", "2025-04-20T09:00:00"),
    ("منذ يومين", "2025-04-18T12:00:00"),
    ("3小时前", "2025-04-20T09:00:00"),
    ("3天前", "2025-04-17T12:00:00"),
    ("昨天 15:30", "2025-04-19T15:30:00"),
    ("il y a 2 jours", "2025-04-18T12:00:00"),
])
def test_relative_dates_count_from_now(raw, expected):
    assert parse_date(raw, NOW).replace(tzinfo=None).isoformat() == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "not a date", "قريباً جداً", "12345678901234567890"])
def test_no_date(raw):
    assert parse_date(raw, NOW) is None


def test_article_without_a_date_is_kept_with_its_ingestion_time(runtime):
    from app.ingest.items import RawItem
    from app.ingest.pipeline import Ingestor
    from app.models import Article

    before = datetime.now(UTC)
    report = Ingestor(runtime.sessions, runtime.enricher).ingest(
        [RawItem(origin="t", body="Huawei readies Ascend 910C shipments to Chinese customers next month.")])
    with runtime.sessions() as session:
        article = session.get(Article, report.article_ids[0])
    assert article.date_estimated and article.published_at.replace(tzinfo=UTC) >= before.replace(microsecond=0)
