"""The gazetteer overlay and the review queue's Python API (app/gazetteer/overlay.py,
suggestions.py): changes with history, the effective gazetteer and its version, export in the
shipped format, proposals (a restriction too) accepted and rejected."""

import json

import pytest

from app import gazetteer as gz
from app.gazetteer import overlay, suggestions
from app.models import Entity, RetagJob

RULE = {
    "id": "2026-11-test-rule", "type": "restriction", "name": "Test Rule (2026)", "date": "2026-11-20",
    "issuer": "bis", "category": "us-restriction", "summary": "A rule made up for this test.",
    "concerns": {"company": ["huawei"], "chip": ["ascend-910c"]},
    "aliases": {"en": ["Test Rule (2026)", "the test rule"]}, "cues": {"en": ["test cue"]},
}


def test_overlay_round_trip(runtime):
    shipped = gz.default()
    with runtime.sessions.begin() as s:
        assert overlay.effective_gazetteer(s).version == shipped.version
        overlay.add_alias(s, "micron", "مايكرون", "ar", "tester")
    with runtime.sessions.begin() as s:
        eff = overlay.effective_gazetteer(s)
        assert "مايكرون" in eff.entities["micron"].aliases["ar"]
        assert eff.version != shipped.version
        assert s.get(Entity, "micron").aliases["ar"][-1] == "مايكرون"
        assert overlay.export(s) == {"companies": [eff.entities["micron"].raw]}
        jobs = list(s.query(RetagJob))
        assert len(jobs) == 1 and jobs[0].entity_ids == ["micron"] and "مايكرون" in jobs[0].names
        overlay.remove_alias(s, "micron", "مايكرون", "tester")
    with runtime.sessions.begin() as s:
        # Undone: the same version as shipped, nothing to export, and the history keeps both.
        assert overlay.effective_gazetteer(s).version == shipped.version
        assert overlay.export(s) == {}
        assert [c.action for c in overlay.history(s)] == ["remove-alias", "add-alias"]
        assert [c.by for c in overlay.history(s)] == ["tester", "tester"]


def test_bad_changes_are_refused(runtime):
    with runtime.sessions.begin() as s:
        with pytest.raises(overlay.OverlayError, match="bad id"):
            overlay.put_entity(s, {"id": "Bad Id", "type": "chip", "name": "x"}, "t")
        with pytest.raises(overlay.OverlayError, match="unknown entity ids nowhere"):
            overlay.put_entity(s, {"id": "x1", "type": "chip", "name": "X1", "parent": "nowhere"}, "t")
        with pytest.raises(overlay.OverlayError, match="starts with its date"):
            overlay.put_entity(s, {**RULE, "id": "test-rule"}, "t")
        with pytest.raises(overlay.OverlayError, match="is a company"):
            overlay.put_entity(s, {"id": "nvidia", "type": "chip", "name": "Nvidia"}, "t")
        with pytest.raises(overlay.OverlayError, match="no alias"):
            overlay.remove_alias(s, "nvidia", "Nvidya", "t")
        assert overlay.history(s) == []


def test_restriction_proposed_accepted_and_exported(runtime, tmp_path):
    """The path an importer takes (a Federal Register rule): propose, accept, read back."""
    with runtime.sessions.begin() as s:
        sid = suggestions.propose(s, "restriction", RULE["name"], RULE,
                                  [{"url": "https://example.org/rule", "text": "A rule was published."}],
                                  origin="federal-register")
        assert suggestions.propose(s, "restriction", RULE["name"], RULE) == sid  # same row
        row = suggestions.as_dict(suggestions.get(s, sid))
        assert row["type"] == "restriction" and row["of"] is None and row["examples"][0]["url"]
        suggestions.accept(s, sid, "editor:ann")
    with runtime.sessions.begin() as s:
        eff = overlay.effective_gazetteer(s)
        assert eff.entities[RULE["id"]].date.isoformat() == "2026-11-20"
        assert s.get(Entity, RULE["id"]).type == "restriction"
        assert suggestions.get(s, sid).status == "accepted"
        with pytest.raises(suggestions.SuggestionError, match="already accepted"):
            suggestions.reject(s, sid, "x")
        written = overlay.write_files(s, tmp_path / "out")
    assert [p.name for p in written] == ["restrictions.json"]
    rows = json.loads(written[0].read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert len(rows) == len(gz.default().of_type("restriction")) + 1
    assert runtime.refresh_gazetteer(force=True)
    assert RULE["id"] in runtime.enricher.gazetteer.entities


def test_rejected_never_comes_back(runtime):
    cand = suggestions.Candidate("chip", "nvidia:h30", "H30", None, "nvidia", "en", "H30", "The H30 chip.",
                                 "accelerator", "h30")
    with runtime.sessions.begin() as s:
        suggestions.record_found(s, [(1, None, cand)])
        (row,) = suggestions.listing(s)
        suggestions.reject(s, row.id, "t")
        suggestions.record_found(s, [(2, None, cand)])
        assert suggestions.listing(s) == []
        assert suggestions.get(s, row.id).count == 1
