"""Datelines in the first lines of a body date an article that brings no date of its own,
in every language the tagger knows (en, ar, zh, fr, ja, ko, de, ru)."""

from datetime import UTC, datetime

import pytest

from app.ingest.datelines import dateline_date
from app.models import Article

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("opening", [
    "WASHINGTON, 3 March 2026 - The Commerce Department tightened rules on accelerators.",
    "WASHINGTON, March 3, 2026 (Reuters) - The Commerce Department tightened rules.",
    "WASHINGTON, Tuesday, March 3, 2026 -- Officials said the rule takes effect at once.",
    "بكين - 3 مارس 2026 - أعلنت وزارة التجارة الصينية عن قيود جديدة.",
    "بكين، ٣ آذار ٢٠٢٦ - قالت الوزارة إن القيود تشمل الرقائق.",
    "新华社北京3月3日电（记者 王明）中国商务部表示将采取措施。",
    "本报华盛顿2026年3月3日讯 美国商务部宣布新的出口管制措施。",
    "PARIS, le 3 mars 2026 - Le gouvernement a réagi aux nouvelles règles américaines.",
    "BERLIN, 3. März 2026 - Die Bundesregierung prüft die neuen Exportregeln.",
    "МОСКВА, 3 марта 2026 — Минпромторг прокомментировал новые ограничения.",
    "東京、2026年3月3日 - 経済産業省は新たな輸出規制を発表した。",
    "서울, 2026년 3월 3일 - 산업통상자원부는 새 수출 규제를 발표했다.",
])
def test_datelines_in_every_tagger_language(opening):
    assert dateline_date(opening, NOW) == datetime(2026, 3, 3, tzinfo=UTC)


def test_a_dateline_on_the_second_line_counts():
    body = "By Staff Reporter\nPARIS, le 3 mars 2026 - Le gouvernement a réagi."
    assert dateline_date(body, NOW) == datetime(2026, 3, 3, tzinfo=UTC)


def test_a_dateline_without_a_year_is_the_latest_such_day():
    assert dateline_date("新华社北京12月20日电 商务部宣布。", NOW) == datetime(2025, 12, 20, tzinfo=UTC)


@pytest.mark.parametrize("opening", [
    "WASHINGTON - The Commerce Department tightened rules on accelerators.",  # place, no date
    "The Commerce Department said on 3 March 2026 that it would act - or might - soon.",
    "Nvidia - the chip designer - said in 2026 it would ship fewer H20 chips.",  # a year alone
    "Top 10 - chips to watch - this year",
    "Monday - a quiet day - for chip stocks.",
    "Line one\nLine two\nLine three\nWASHINGTON, 3 March 2026 - too far down the text.",
    "WASHINGTON, 3 March 2031 - a date in the future is not a dateline.",
])
def test_no_dateline(opening):
    assert dateline_date(opening, NOW) is None


def test_a_text_file_with_a_dateline_gets_its_date(runtime, ingest, tmp_path):
    path = tmp_path / "wire.txt"
    path.write_text("Commerce tightens accelerator rules\n\nWASHINGTON, 3 March 2026 - The Commerce "
                    "Department said Nvidia would need a licence to ship H20 chips to China.")
    arabic = tmp_path / "arabic.txt"
    arabic.write_text("قيود جديدة على الرقائق\n\nبكين - 3 مارس 2026 - قالت وزارة التجارة الصينية إن "
                      "القيود الأمريكية على رقائق إنفيديا تضر بالشركات.")
    report = ingest(path, arabic)
    assert report.added == 2
    with runtime.sessions() as session:
        for article_id in report.article_ids:
            article = session.get(Article, article_id)
            assert not article.date_estimated
            assert article.published_at.date().isoformat() == "2026-03-03"


def test_a_given_date_wins_over_the_dateline(runtime, ingest, tmp_path):
    path = tmp_path / "dated.jsonl"
    path.write_text('{"title": "Rules", "published_at": "2026-03-05", "body": "WASHINGTON, 3 March '
                    '2026 - The Commerce Department said Nvidia would need a licence for H20 chips."}\n')
    report = ingest(path)
    with runtime.sessions() as session:
        article = session.get(Article, report.article_ids[0])
    assert article.published_at.date().isoformat() == "2026-03-05" and not article.date_estimated
