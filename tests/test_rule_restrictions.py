"""Rules become restrictions, and restrictions link to their primary documents.

Recorded Federal Register responses (tests/data/federal_register) are polled from a loopback
server: the export-control rules are proposed to the gazetteer review queue as restrictions, the
others are not, a second poll proposes nothing new; accepting one puts it on /api/timeline and
links it from a matching article's page. Articles linked to a shipped restriction show its
primary document (Federal Register citation, dates, link; or a note that it was never published),
and the restriction's page lists the rule, its amendments and the news, newest first.
"""

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.article.retag import run_jobs
from app.gazetteer import overlay, suggestions
from app.gazetteer.sync import sync_entities
from app.ingest.poller import poll_due_sources
from app.models import Article, GazetteerSuggestion
from tests.conftest import ADMIN_TOKEN
from tests.feedserver import _feed_server_session, server  # noqa: F401 - fixtures
from tests.test_federal_register import add_fr, recorded

DIFFUSION = "2025-01-ai-diffusion-rule"
FR_URL = "https://www.federalregister.gov/documents/2025/01/15/2025-00636/framework-for-artificial-intelligence-diffusion"


@pytest.fixture
def allow_private(settings):
    settings.allow_private_urls = True
    return settings


def ingest_news(ingest, tmp_path, *articles) -> list[int]:
    path = tmp_path / f"news-{len(list(tmp_path.glob('news-*')))}.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    report = ingest(path)
    assert not report.rejected, report.rejected
    return report.article_ids


DIFFUSION_NEWS = [
    {
        "title": "Washington caps AI chip exports by country tier",
        "lang": "en",
        "published_at": "2025-01-14",
        "source": "Chip Ledger",
        "url": "https://chipledger.example/2025/01/diffusion",
        "body": "The Commerce Department's AI Diffusion Rule sorts countries into three tiers and "
        "caps how "
        "many advanced Nvidia chips Tier 2 buyers such as Malaysia and the UAE may import.",
    },
    {
        "title": "Gulf buyers weigh the diffusion rule before its May deadline",
        "lang": "en",
        "published_at": "2025-03-02",
        "source": "Chip Ledger",
        "url": "https://chipledger.example/2025/03/gulf",
        "body": "Data-centre builders in Saudi Arabia say the AI Diffusion Rule's compute caps "
        "will slow "
        "their Nvidia orders unless they qualify as validated end users.",
    },
]


def test_an_article_links_the_rule_and_the_restriction_page_lists_it(client, ingest, tmp_path):
    first, second = ingest_news(ingest, tmp_path, *DIFFUSION_NEWS)
    detail = client.get(f"/api/articles/{first}").json()
    link = next(r for r in detail["restrictions"] if r["id"] == DIFFUSION)
    assert link["document"]["citation"] == "90 FR 4544" and link["document"]["published"] is True
    assert link["document"]["url"] == FR_URL and link["document"]["effective_on"] == "2025-01-13"
    page = client.get(f"/articles/{first}").text
    assert (
        f'href="/entities/{DIFFUSION}"' in page
        and f'href="{FR_URL}"' in page
        and "90 FR 4544" in page
    )

    entity = client.get(f"/api/entities/{DIFFUSION}").json()
    assert entity["primary_document"]["document_number"] == "2025-00636"
    assert entity["primary_document"]["publication_date"] == "2025-01-15"
    assert [a["restriction"] for a in entity["amendments"]] == [
        "2025-05-ai-diffusion-rule-rescission"
    ]
    assert [n["id"] for n in entity["news"]] == [second, first]  # newest first
    html = client.get(f"/entities/{DIFFUSION}").text
    assert (
        "The rule" in html
        and f'href="{FR_URL}"' in html
        and "effective <time>2025-01-13</time>" in html
    )
    assert "Amendments" in html and html.index(f"/articles/{second}") < html.index(
        f"/articles/{first}"
    )


def test_an_is_informed_letter_says_it_was_never_published(runtime, client):
    with runtime.sessions.begin() as session:  # what any ingest or `chipwatch demo` does first
        sync_entities(session, runtime.enricher.gazetteer)
    entity = client.get("/api/entities/2025-04-h20-licence-requirement").json()
    doc = entity["primary_document"]
    assert doc["published"] is False and "is-informed letter" in doc["note"] and doc["links"]
    html = client.get("/entities/2025-04-h20-licence-requirement").text
    assert "Not published as a rule" in html and doc["links"][0] in html
    rule_2022 = client.get("/api/entities/2022-10-advanced-computing-rule").json()
    assert rule_2022["primary_document"]["citation"] == "87 FR 62186"
    assert {a["document_number"] for a in rule_2022["amendments"]} == {
        "2023-00888",
        "2023-23055",
        "2023-23049",
    }


def _open_proposals(runtime) -> list[GazetteerSuggestion]:
    with runtime.sessions() as session:
        return [
            s for s in suggestions.listing(session, status=None) if s.origin == "federal-register"
        ]


def test_export_control_rules_are_proposed_once_and_accepting_one_links_it(
    server, allow_private, runtime, client, ingest, tmp_path
):
    t0 = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    recorded(server)
    add_fr(runtime, server)
    assert poll_due_sources(runtime, now=t0)["added"] == 5
    proposals = _open_proposals(runtime)
    # The Entity List and advanced-computing rules; not the notices, not 2025-00636 (a shipped
    # restriction's primary document already).
    assert sorted(p.payload["document"]["document_number"] for p in proposals) == [
        "2026-24101",
        "2026-24102",
    ]
    entity_list = next(
        p for p in proposals if p.payload["document"]["document_number"] == "2026-24101"
    )
    payload = entity_list.payload
    assert payload["type"] == "restriction" and payload["id"].startswith(
        "2026-11-additions-to-the-entity-list"
    )
    assert (
        payload["date"] == "2026-11-18"
        and payload["issuer"] == "bis"
        and payload["category"] == "us-restriction"
    )
    assert {"sophgo", "inspur"} <= set(payload["concerns"]["company"])
    assert {"china", "malaysia"} <= set(payload["concerns"]["region"])
    assert (
        payload["document"]["citation"] == "91 FR 79340"
        and payload["document"]["published"] is True
    )
    assert (
        payload["sources"][0] == payload["document"]["html_url"]
        and "Entity List" in payload["cues"]["en"]
    )
    computing = next(
        p for p in proposals if p.payload["document"]["document_number"] == "2026-24102"
    ).payload
    assert {"h20", "mi308"} <= set(computing["concerns"]["chip"])
    assert set(computing["cues"]["en"]) >= {
        "advanced computing",
        "semiconductor manufacturing items",
        "foreign direct product rule",
    }

    # The same data again proposes nothing new.
    recorded(server, ETag="")
    assert poll_due_sources(runtime, now=t0 + timedelta(hours=2))["unchanged"] == 5
    assert len(_open_proposals(runtime)) == 2

    # News citing the rule, then the editor accepts it: it is on the timeline and the news links it.
    [news] = ingest_news(
        ingest,
        tmp_path,
        {
            "title": "Commerce blacklists Sophgo units",
            "lang": "en",
            "published_at": "2026-11-19",
            "url": "https://chipledger.example/2026/11/sophgo",
            "body": "The rule, published as 91 FR 79340, adds units of Sophgo and Inspur to the "
            "Entity List "
            "for acquiring advanced computing items.",
        },
    )
    assert payload["id"] not in {
        r["id"] for r in client.get(f"/api/articles/{news}").json()["restrictions"]
    }
    with runtime.sessions.begin() as session:
        suggestions.accept(session, entity_list.id, "editor@example.org")
    assert run_jobs(runtime)["retagged"] >= 1
    events = client.get(
        "/api/timeline", params={"from": "2026-11-01", "to": "2026-11-30", "markers": "all"}
    ).json()["events"]
    assert payload["id"] in {e["id"] for e in events}
    detail = client.get(f"/api/articles/{news}").json()
    link = next(r for r in detail["restrictions"] if r["id"] == payload["id"])
    assert link["document"]["citation"] == "91 FR 79340"
    page = client.get(f"/articles/{news}").text
    assert f'href="/entities/{payload["id"]}"' in page and payload["document"]["html_url"] in page
    # The restriction's page names the rule as stored here.
    with runtime.sessions() as session:
        rule_id = session.scalar(
            select(Article.id).where(
                Article.kind == "rule", Article.title == "Additions to the Entity List"
            )
        )
    entity = client.get(f"/api/entities/{payload['id']}").json()
    assert entity["primary_document"]["article_id"] == rule_id and [
        n["id"] for n in entity["news"]
    ] == [news]


def test_a_rule_article_shows_its_record(server, allow_private, runtime, client):
    recorded(server)
    add_fr(runtime, server)
    poll_due_sources(runtime, now=(datetime.now(UTC) + timedelta(minutes=10)))
    with runtime.sessions() as session:
        rule_id = session.scalar(
            select(Article.id).where(Article.kind == "rule", Article.title.like("Framework%"))
        )
    detail = client.get(f"/api/articles/{rule_id}").json()
    assert detail["kind"] == "rule" and detail["rule_document"]["citation"] == "90 FR 4544"
    html = client.get(f"/articles/{rule_id}").text
    assert "Federal Register document" in html and re.search(
        r"Effective</dt><dd><time>2025-01-13", html
    )


def test_the_review_page_shows_a_rule_proposal_and_accepting_keeps_its_document(
    server, allow_private, runtime, client
):
    recorded(server)
    add_fr(runtime, server)
    poll_due_sources(runtime, now=(datetime.now(UTC) + timedelta(minutes=10)))
    with runtime.sessions() as session:
        rule_id = session.scalar(
            select(Article.id).where(
                Article.kind == "rule", Article.title == "Additions to the Entity List"
            )
        )
    proposal = next(
        p
        for p in _open_proposals(runtime)
        if p.payload["document"]["document_number"] == "2026-24101"
    )
    document = proposal.payload["document"]
    client.post("/admin/login", data={"token": ADMIN_TOKEN})
    page = client.get("/admin/gazetteer").text
    row = re.search(rf'<tr id="suggestion-{proposal.id}">(.*?)</tr>', page, re.S).group(1)
    assert "<time>2026-11-18</time>" in row
    assert f'<a href="{document["html_url"]}" rel="noopener noreferrer">91 FR 79340</a>' in row
    assert "document 2026-24101" in row
    assert f'<a href="/articles/{rule_id}"><bdi>Additions to the Entity List</bdi></a>' in row

    # Accept with the form as the page fills it in: the restriction keeps its document.
    action = f"/admin/gazetteer/suggestions/{proposal.id}/accept"
    form = re.search(rf'<form method="post" action="{action}">(.*?)</form>', row, re.S).group(1)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', form))
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.S).group(1)
    fields["aliases"] = html.unescape(textarea)
    fields["type"] = "restriction"
    answer = client.post(
        f"/admin/gazetteer/suggestions/{proposal.id}/accept",
        data={k: html.unescape(v) for k, v in fields.items()},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    with runtime.sessions() as session:
        accepted = overlay.effective_gazetteer(session).entities[proposal.payload["id"]]
    assert accepted.raw["document"]["document_number"] == "2026-24101"
    assert accepted.raw["document"]["html_url"] == document["html_url"]
    entity = client.get(f"/api/entities/{proposal.payload['id']}").json()
    assert entity["primary_document"]["citation"] == "91 FR 79340"


# --- an Entity List rule's parties feed the list import ------------------------------------------


def test_an_entity_list_rule_feeds_its_parties_to_the_list_import(
    server, allow_private, runtime, client
):
    from app.models import ListImport, ListLink, ListParty

    t0 = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    recorded(server, "bis-entity-list-rule.json")
    add_fr(runtime, server)
    assert poll_due_sources(runtime, now=t0)["added"] == 1
    with runtime.sessions() as session:
        (imported,) = session.scalars(select(ListImport))
        assert (imported.origin, imported.partial, imported.added) == ("2026-25010", True, 3)
        assert imported.lists == ["entity-list"] and imported.as_of.isoformat() == "2026-12-02"
        parties = {p.name: p for p in session.scalars(select(ListParty))}
        assert set(parties) == {
            "Sophgo Technologies Ltd.",
            "Lanting Microsystems Co., Ltd.",
            "Kestrel Compute Sdn. Bhd.",
        }
        sophgo, lanting, kestrel = (
            parties["Sophgo Technologies Ltd."],
            parties["Lanting Microsystems Co., Ltd."],
            parties["Kestrel Compute Sdn. Bhd."],
        )
        assert sophgo.country == "CHINA, PEOPLE'S REPUBLIC OF" and kestrel.country == "MALAYSIA"
        assert sophgo.alt_names == ["Sophgo"]
        assert lanting.alt_names == ["Lanting Micro", "Shenzhen Lanting Microelectronics"]
        assert kestrel.addresses == [
            "Level 12, Menara Kestrel, Jalan Ampang, 50450 Kuala Lumpur, Malaysia."
        ]
        assert sophgo.federal_register_notice == "91 FR 81200, 12/2/26."
        # A party the supplement gives no citation gets the rule's; every one is listed from
        # the rule's effective date, with the document as its source.
        assert kestrel.federal_register_notice == "91 FR 81200, 12/2/26"
        assert {p.start_date.isoformat() for p in parties.values()} == {"2026-12-02"}
        assert {p.source for p in parties.values()} == {"Entity List (Federal Register 2026-25010)"}
        links = {
            party: entity
            for party, entity in session.execute(
                select(ListParty.name, ListLink.entity_id).join(
                    ListLink, ListLink.party_id == ListParty.id
                )
            )
        }
    assert links.get("Sophgo Technologies Ltd.") == "sophgo"  # matched to the gazetteer company
    summary = client.get("/api/lists").json()
    assert "2026-25010" in {i["origin"] for i in summary["imports"]}
    client.post("/admin/login", data={"token": ADMIN_TOKEN})
    page = client.get("/admin/lists").text
    assert "2026-25010" in page and "Kestrel Compute Sdn. Bhd." in page

    # The same rule again (unchanged, or listed once more) imports nothing more.
    recorded(server, "bis-entity-list-rule.json", ETag="")
    assert poll_due_sources(runtime, now=t0 + timedelta(hours=2))["unchanged"] == 1
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ListImport)) == 1
        rule = session.scalar(select(Article).where(Article.kind == "rule"))
        from app.lists.rule_parties import import_rule_parties

        again = import_rule_parties(session, rule, runtime.enricher.gazetteer)
        assert again is not None and again.import_id is None and again.unchanged == 3


def test_a_rule_that_names_parties_only_in_passing_imports_none(
    server, allow_private, runtime
):
    from app.lists.rule_parties import is_entity_list_addition, parties_of
    from app.models import ListImport

    recorded(server)
    add_fr(runtime, server)
    poll_due_sources(runtime, now=(datetime.now(UTC) + timedelta(minutes=10)))
    with runtime.sessions() as session:
        rules = {a.title: a for a in session.scalars(select(Article).where(Article.kind == "rule"))}
        entity_list = rules["Additions to the Entity List"]  # "among them units of Sophgo..."
        assert is_entity_list_addition(entity_list) and parties_of(entity_list) is None
        assert not is_entity_list_addition(rules["Framework for Artificial Intelligence Diffusion"])
        assert session.scalar(select(func.count()).select_from(ListImport)) == 0
