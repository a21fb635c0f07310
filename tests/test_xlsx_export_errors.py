"""/export.xlsx refused by the search (an unknown entity: 422) leaves no half-written workbook
behind: openpyxl's write-only sheet, opened and never saved, was closed by the garbage
collector later, raising inside whatever request ran then (the API fuzz test's warnings)."""

import gc
import sys


def test_a_refused_export_leaves_no_open_workbook(client, sample):
    unraised = []
    hook, sys.unraisablehook = sys.unraisablehook, unraised.append
    try:
        answer = client.get("/export.xlsx?company=no-such-company")
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert answer.status_code == 422
    assert "no-such-company" in answer.text
    assert [u.object for u in unraised] == []
