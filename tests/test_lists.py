"""Export-control lists: reading the three layouts, and importing as a history (SQLite and
PostgreSQL). Fixtures in tests/data/lists/: CSL JSON of January 2024 (with malformed rows and a
duplicate name), the same parties as CSL CSV, the JSON of June 2024 (one party removed, one
added, one changed) and of September 2024 (the removed party back), and a Federal Register
supplement text.
"""

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.lists.importer import import_file
from app.lists.parse import detect_format, parse
from app.lists.records import FileError
from app.lists.status import spans_of
from app.models import ListEvent, ListImport, ListLink, ListParty
from tests.feedserver import _feed_server_session, server  # noqa: F401 - fixtures

LISTS = Path(__file__).parent / "data" / "lists"
JAN_JSON, JAN_CSV = LISTS / "csl-2024-01.json", LISTS / "csl-2024-01.csv"
JUN, SEP = LISTS / "csl-2024-06.json", LISTS / "csl-2024-09.json"
SUPPLEMENT = LISTS / "entity-list-supplement.txt"


def do_import(runtime, path: Path, **options):
    with runtime.sessions.begin() as session:
        return import_file(session, path.read_bytes(), path.name, runtime.enricher.gazetteer, **options)


def state(runtime) -> dict:
    """Everything an import writes, to compare before and after."""
    with runtime.sessions() as session:
        return {
            "imports": session.scalar(select(func.count()).select_from(ListImport)),
            "events": sorted(session.execute(select(ListParty.name, ListEvent.action, ListEvent.effective_date)
                                             .join(ListParty, ListParty.id == ListEvent.party_id)).all()),
            "parties": sorted(session.execute(select(ListParty.key, ListParty.fingerprint, ListParty.active)).all()),
            "links": sorted(session.execute(select(ListLink.party_id, ListLink.entity_id, ListLink.status)).all()),
        }


def events_of(runtime, name: str) -> list[tuple[str, date]]:
    with runtime.sessions() as session:
        return [tuple(r) for r in session.execute(
            select(ListEvent.action, ListEvent.effective_date).join(ListParty, ListParty.id == ListEvent.party_id)
            .where(ListParty.name == name).order_by(ListEvent.effective_date, ListEvent.id))]


# --- reading ---------------------------------------------------------------------------------

def test_csl_json_reports_each_malformed_row_with_its_number():
    parsed = parse(JAN_JSON.read_bytes(), JAN_JSON.name)
    assert parsed.format == "csl-json" and parsed.as_of == date(2024, 1, 2)
    assert parsed.lists == {"entity-list", "meu-list"}
    assert [(e.row, e.reason) for e in parsed.errors] == [
        (3, "not an object but str"), (7, "no name"), (9, "unreadable date '31/31/2020'"),
        (11, "no source list")]
    assert len(parsed.records) == 7  # the duplicate Huawei row is still a record: merged on import
    huawei = parsed.records[0]
    assert huawei.list_slug == "entity-list" and huawei.country == "CN"
    assert huawei.start_date == date(2019, 5, 16) and huawei.license_policy == "Presumption of denial."
    assert huawei.addresses == ["Bantian Huawei Base, Longgang District, Shenzhen, 518129, CN"]


def test_csl_csv_reads_the_same_parties_as_the_json():
    from_json = parse(JAN_JSON.read_bytes(), JAN_JSON.name)
    from_csv = parse(JAN_CSV.read_bytes(), JAN_CSV.name)
    assert from_csv.format == "csl-csv"
    assert [r.fields() for r in from_csv.records] == [r.fields() for r in from_json.records]
    assert [(e.row, e.reason) for e in from_csv.errors] == [
        (7, "no name"), (9, "unreadable date '31/31/2020'"), (11, "no source list"),
        (12, "3 fields where the header has 29")]


def test_federal_register_supplement_text():
    parsed = parse(SUPPLEMENT.read_bytes(), SUPPLEMENT.name)
    assert parsed.format == "fr-text" and parsed.as_of == date(2024, 1, 2)
    names = {r.name: r for r in parsed.records}
    assert list(names) == ["Huawei Technologies Co., Ltd.", "Semiconductor Manufacturing International Corporation",
                           "Moscow Radio Components LLC"]
    huawei = names["Huawei Technologies Co., Ltd."]
    assert huawei.alt_names == ["Huawei", "Huawei Technologies"]
    assert huawei.country == "CHINA, PEOPLE'S REPUBLIC OF" and huawei.list_slug == "entity-list"
    assert huawei.addresses == ["Bantian Huawei Base, Longgang District, Shenzhen, 518129, China."]
    assert huawei.start_date == date(2019, 5, 21)  # the first citation's date
    assert huawei.license_requirement == "For all items subject to the EAR. (See § 744.11 of the EAR)"
    assert huawei.license_policy == "Presumption of denial."
    assert huawei.federal_register_notice.startswith("Fixture 84 FR 1001, 5/21/19.")
    assert names["Semiconductor Manufacturing International Corporation"].start_date == date(2020, 12, 18)
    assert names["Moscow Radio Components LLC"].country == "RUSSIA"
    assert [(e.row, e.reason) for e in parsed.errors] == [
        (26, "an entry must start with the party's name"), (29, "unreadable date '13/45/21'")]


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x00\x01\x02binary\xff" * 20, "not text"),
    (b'{"meta": 1}', 'JSON without a "results" list'),
    (b"id,title\n1,x\n", "no `name` column"),
    (b"[not json", "not JSON"),
])
def test_a_file_that_is_no_list_is_refused_with_the_reason(content, reason):
    name = "x.csv" if b"," in content and not content.startswith(b"[") else "x.json"
    with pytest.raises(FileError, match=reason.replace("(", r"\(")):
        parse(content, name)


def test_format_detection_by_extension_then_content():
    assert detect_format("list.csv", "") == "csl-csv"
    assert detect_format("https://example.org/consolidated.json?x=1", "") == "csl-json"
    assert detect_format("", '{"results": []}') == "csl-json"
    assert detect_format("", "source,name,alt_names\n") == "csl-csv"
    assert detect_format("", "CHINA\n\nHuawei\n") == "fr-text"


# --- importing (SQLite and PostgreSQL) -------------------------------------------------------

def test_importing_the_same_file_twice_changes_nothing(runtime):
    first = do_import(runtime, JAN_JSON)
    assert first.import_id is not None and len(first.added) == 6 and len(first.errors) == 4
    before = state(runtime)
    again = do_import(runtime, JAN_JSON)
    assert again.import_id is None and again.added == again.removed == again.changed == []
    assert again.unchanged == 6
    assert state(runtime) == before


def test_the_csv_of_the_same_parties_records_no_change(runtime):
    do_import(runtime, JAN_JSON)
    events = state(runtime)["events"]
    report = do_import(runtime, JAN_CSV, as_of=date(2024, 1, 3))
    assert (report.added, report.removed, report.changed, report.unchanged) == ([], [], [], 6)
    assert state(runtime)["events"] == events


def test_a_newer_file_records_exactly_its_additions_removals_and_changes(runtime):
    do_import(runtime, JAN_JSON)
    before = state(runtime)["events"]
    report = do_import(runtime, JUN)
    assert report.added == ["Moore Threads Technology Co., Ltd."]
    assert report.removed == ["Sunway Microelectronics"]
    assert report.changed == ["Semiconductor Manufacturing International Corporation"]
    new = sorted(set(state(runtime)["events"]) - set(before))
    assert new == [("Moore Threads Technology Co., Ltd.", "added", date(2024, 5, 15)),
                   ("Semiconductor Manufacturing International Corporation", "changed", date(2024, 6, 3)),
                   ("Sunway Microelectronics", "removed", date(2024, 6, 3))]
    with runtime.sessions() as session:
        smic = session.scalar(select(ListEvent).join(ListParty, ListParty.id == ListEvent.party_id)
                              .where(ListEvent.action == "changed"))
        assert smic.detail["changes"]["license_policy"][1] == "Presumption of denial."
        sunway = session.scalar(select(ListParty).where(ListParty.name == "Sunway Microelectronics"))
        assert sunway.active is False  # history kept, not deleted
    assert do_import(runtime, JUN).import_id is None  # and again: nothing


def test_a_party_removed_and_listed_again_has_both_events(runtime):
    for path in (JAN_JSON, JUN, SEP):
        do_import(runtime, path)
    events = events_of(runtime, "Sunway Microelectronics")
    assert events == [("added", date(2021, 4, 8)), ("removed", date(2024, 6, 3)), ("added", date(2024, 8, 20))]
    assert spans_of(events) == [(date(2021, 4, 8), date(2024, 6, 3)), (date(2024, 8, 20), None)]
    with runtime.sessions() as session:
        sunway = session.scalar(select(ListParty).where(ListParty.name == "Sunway Microelectronics"))
        assert sunway.active and sunway.federal_register_notice == "Fixture notice G (2024-08-22)"


def test_duplicate_names_are_one_party_with_every_alias_and_address(runtime):
    report = do_import(runtime, JAN_JSON)
    assert report.duplicates == ["row 4: same party as row 1 (Huawei Technologies Co., Ltd.), merged"]
    with runtime.sessions() as session:
        huawei = session.scalars(select(ListParty).where(ListParty.key.like("entity-list:huawei technologies%"))).all()
    assert len(huawei) == 1
    assert huawei[0].name == "Huawei Technologies Co., Ltd."  # the first row's fields win
    assert huawei[0].alt_names == ["Huawei", "Huawei Technologies"]  # a case variant adds no alias
    assert huawei[0].addresses[1] == "Test Road 1, Dongguan, CN"


def test_a_malformed_row_never_removes_its_party(runtime):
    do_import(runtime, SEP)
    data = json.loads(SEP.read_text())
    sunway = next(r for r in data["results"] if r["name"] == "Sunway Microelectronics")
    sunway["start_date"] = "not a date"
    data["sources_used"][0]["source_last_updated"] = "2024-10-01"
    with runtime.sessions.begin() as session:
        report = import_file(session, json.dumps(data).encode(), "broken.json", runtime.enricher.gazetteer)
    assert report.removed == [] and [e.row for e in report.errors] == [8]
    assert events_of(runtime, "Sunway Microelectronics")[-1] == ("added", date(2024, 8, 20))


def test_a_partial_file_records_no_removals(runtime):
    do_import(runtime, JAN_JSON)
    report = do_import(runtime, JUN, partial=True)
    assert report.removed == [] and report.added == ["Moore Threads Technology Co., Ltd."]


def test_an_end_date_is_a_removal_on_that_date(runtime):
    data = {"as_of": "2019-01-01", "results": [
        {"name": "ZTE Corporation", "source": "Denied Persons List (DPL) - Bureau of Industry and Security",
         "start_date": "2018-04-15", "end_date": "2018-07-13"}]}
    for _ in range(2):
        with runtime.sessions.begin() as session:
            import_file(session, json.dumps(data).encode(), "dpl.json", runtime.enricher.gazetteer)
    assert events_of(runtime, "ZTE Corporation") == [("added", date(2018, 4, 15)), ("removed", date(2018, 7, 13))]
    with runtime.sessions() as session:
        assert session.scalar(select(ListParty.active)) is False


def test_federal_register_text_imports(runtime):
    report = do_import(runtime, SUPPLEMENT)
    assert len(report.added) == 3 and len(report.errors) == 2
    assert events_of(runtime, "Huawei Technologies Co., Ltd.") == [("added", date(2019, 5, 21))]


def test_parties_are_linked_only_above_the_threshold(runtime):
    do_import(runtime, JAN_JSON)
    with runtime.sessions() as session:
        links = {name: (entity, status) for name, entity, status in session.execute(
            select(ListParty.name, ListLink.entity_id, ListLink.status)
            .join(ListParty, ListParty.id == ListLink.party_id))}
    assert links["Huawei Technologies Co., Ltd."] == ("huawei", "auto")
    assert links["Semiconductor Manufacturing International Corporation"] == ("smic", "auto")
    assert links["Huawei Cloud Computing Technologies Co., Ltd."] == ("huawei", "proposed")
    assert "Northwind Trading FZE" not in links


# --- the command ------------------------------------------------------------------------------

def _cli(settings, *args, input=None, **env):
    """Run `chipwatch ...` on the test's data directory (settings are cached per process)."""
    from app.cli import main
    from app.config import get_settings

    env = {"CHIPWATCH_DATA_DIR": str(settings.data_dir), **{f"CHIPWATCH_{k.upper()}": v for k, v in env.items()}}
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), env=env, input=input)
    finally:
        get_settings.cache_clear()


def test_cli_import_reports_and_sets_the_exit_code(sqlite_settings):
    out = _cli(sqlite_settings, "lists", "import", str(JUN))
    assert out.exit_code == 0, out.output
    assert "csl-2024-06.json as of 2024-06-03 (entity-list, meu-list): added 6, removed 0" in out.output
    out = _cli(sqlite_settings, "lists", "import", str(JAN_JSON), "--json")
    assert out.exit_code == 1  # malformed rows were reported
    report = json.loads(out.stdout)
    assert report["malformed"][1] == {"row": 7, "reason": "no name"}
    # An older file changes nothing the newer one had; Moore Threads, listed after its date, stays;
    # Sunway, only in the older file, was listed then and gone by the newer file's date.
    assert report["removed"] == [] and report["added"] == ["Sunway Microelectronics"]
    assert report["stale"] == 5 and report["unchanged"] == 0
    status = _cli(sqlite_settings, "lists", "status")
    assert "entity-list\t6 parties (5 listed, 1 removed)" in status.output and "import 2" in status.output
    assert _cli(sqlite_settings, "lists", "import", "/no/such/file.csv").exit_code == 2
    bad = _cli(sqlite_settings, "lists", "import", "-", "--format", "csl-json", input="[not json")
    assert bad.exit_code == 1 and "not JSON" in bad.output


def test_cli_import_from_a_url_uses_the_safe_fetcher(sqlite_settings, server):
    url = server.add("/csl.json", JAN_JSON.read_bytes(), headers={"Content-Type": "application/json"})
    refused = _cli(sqlite_settings, "lists", "import", url)
    assert refused.exit_code == 1 and "refused" in refused.output and "CHIPWATCH_ALLOW_PRIVATE_URLS" in refused.output
    allowed = _cli(sqlite_settings, "lists", "import", url, allow_private_urls="1")
    assert "added 6" in allowed.output and allowed.exit_code == 1  # the fixture's malformed rows
