"""bench.real_excerpts: scores a file of excerpts kept outside the repo (#20). The two articles
here are written for this test."""

import json

from bench import real_excerpts

ARTICLES = [
    {"id": "t-en-1", "lang": "en", "url": "https://example.org/a",
     "title": "Washington requires a licence for H20 shipments",
     "body": "US officials told Nvidia that selling the H20 to Chinese buyers now needs an export "
             "licence, with no end date.",
     "published_at": "2025-04-16T08:00:00Z",
     "reported": ["2025-04-h20-licence-requirement"], "context": []},
    {"id": "t-fr-1", "lang": "fr", "url": "https://example.org/b",
     "title": "Le département du Commerce abandonne la règle de diffusion",
     "body": "Le département du Commerce a annoncé l'abrogation de la règle sur la diffusion de "
             "l'IA, qui devait entrer en vigueur cette semaine.",
     "published_at": "2025-05-14T08:00:00Z",
     "reported": ["2025-05-ai-diffusion-rule-rescission"], "context": ["2025-01-ai-diffusion-rule"]},
]


def test_scores_a_file_of_excerpts_split_by_url(tmp_path, capsys):
    path = tmp_path / "excerpts.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES), encoding="utf-8")
    out = tmp_path / "scores.json"
    result = real_excerpts.main([str(path), "--out", str(out), "--misses"])
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(result))
    held = sum(real_excerpts.held_out(a["url"]) for a in ARTICLES)
    assert result["held-out"]["articles"] == held
    assert result["development"]["articles"] == len(ARTICLES) - held
    assert result["all"]["tp"] + result["all"]["fn"] == 3
    assert result["all"]["precision"] == 1.0 and result["all"]["recall"] == 1.0
    printed = capsys.readouterr().out
    assert "all 2 excerpts" in printed and "development misses" in printed
