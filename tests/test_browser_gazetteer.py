"""In Debian's chromium: an editor logs in, finds a suggestion on /admin/gazetteer with its
evidence, accepts it as an alias of an existing entity, and sees the change in the history and
its re-tag job with its progress (run by the worker, here called in the test)."""

import pytest
from playwright.sync_api import expect

from app.accounts import service
from app.article.retag import run_jobs
from app.cli import run_ingest
from app.gazetteer import suggestions
from tests.live import sample_app

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
NEWS = {
    "title": "Chip stocks fall on licence news",
    "lang": "en",
    "published_at": "2025-04-16",
    "url": "https://news.example/nvidea-browser",
    "body": "Shares of Nvidea fell after the company said its H20 would need a licence to be "
    "sold in China.",
}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    import json

    with sample_app(tmp_path_factory, "browser-gazetteer") as (base, runtime):
        data = tmp_path_factory.mktemp("gazetteer-news") / "news.jsonl"
        data.write_text(json.dumps(NEWS) + "\n", encoding="utf-8")
        report = run_ingest(runtime, [str(data)], None, None)
        with runtime.sessions.begin() as session:
            service.add_user(session, "erin", "editor", PASSWORD)
        yield base, runtime, report.article_ids[0]


def test_an_editor_accepts_a_spelling_as_an_alias(browser, live):
    base, runtime, article_id = live
    with runtime.sessions() as session:
        suggestion = next(s for s in suggestions.listing(session) if s.name == "Nvidea")
        suggestion_id = suggestion.id
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(base + "/admin/gazetteer")
        page.locator("main").get_by_role("link", name="account").click()
        page.fill("#name", "erin")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base + "/admin/gazetteer")

        row = page.locator(f"#suggestion-{suggestion_id}")
        expect(row).to_contain_text("Nvidea")
        expect(row).to_contain_text("alias of nvidia")
        # The evidence: the sentence and a link to the article it is from.
        expect(row.locator(f'a[href="/articles/{article_id}"]')).to_have_count(1)
        expect(row).to_contain_text("Shares of Nvidea fell")

        # Accept it as an alias of an entity the editor names.
        row.locator("input[name=as_entity]").fill("nvidia")
        row.get_by_role("button", name="Accept Nvidea as an alias of the entity given").click()
        page.wait_for_url(base + "/admin/gazetteer")
        expect(page.locator(f"#suggestion-{suggestion_id}")).to_have_count(0)
        history = page.locator("h2:has-text('History') + table tbody tr").first
        expect(history).to_contain_text("user:erin")
        expect(history).to_contain_text("add-alias")
        expect(history.locator('a[href="/admin/gazetteer?entity=nvidia"]')).to_have_count(1)
        job = page.locator("h2:has-text('Re-tagging') + table tbody tr").first
        expect(job).to_contain_text("queued")

        # The worker runs the job; the page shows it done, with its progress.
        assert run_jobs(runtime, max_chunks=100)["retagged"] >= 1
        page.reload()
        job = page.locator("h2:has-text('Re-tagging') + table tbody tr").first
        expect(job).to_contain_text("done")
        progress = job.locator("progress")
        total = progress.get_attribute("max")
        assert int(total) >= 1 and progress.get_attribute("value") == total
        page.goto(f"{base}/articles/{article_id}")
        expect(page.locator("mark, .mention").filter(has_text="Nvidea").first).to_be_visible()
    finally:
        context.close()
    assert not errors, errors
