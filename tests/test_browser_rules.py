"""In Debian's chromium: from an article about the January 2025 AI diffusion rule, one click
opens the restriction, whose page links the primary document (the Federal Register rule)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Article
from tests.live import sample_app

pytestmark = pytest.mark.browser
RESTRICTION = "2025-01-ai-diffusion-rule"
FR_URL = "https://www.federalregister.gov/documents/2025/01/15/2025-00636/framework-for-artificial-intelligence-diffusion"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with sample_app(tmp_path_factory, "browser-rules") as (base, runtime):
        yield base, runtime


def test_article_to_restriction_to_primary_document(browser, live):
    base, runtime = live
    with runtime.sessions() as session:
        article_id = session.scalar(
            select(Article.id).where(
                Article.title
                == "AI diffusion rule puts Gulf and Southeast Asian buyers in the middle tier"
            )
        )
    assert article_id is not None
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base}/articles/{article_id}")
        actions = page.locator("section.restriction-links")
        # The article already shows where the rule is published, beside the link.
        expect(actions.locator(f'a.primary-doc-link[href="{FR_URL}"]')).to_have_text("90 FR 4544")
        actions.locator(f'a[href="/entities/{RESTRICTION}"]').click()
        page.wait_for_url(f"{base}/entities/{RESTRICTION}")
        expect(page.locator("h1")).to_have_text("AI Diffusion Rule")
        rule = page.locator("section.rule")
        link = rule.locator("a.primary-doc-link").first
        expect(link).to_have_attribute("href", FR_URL)
        expect(link).to_have_text("90 FR 4544")
        expect(rule).to_contain_text("effective 2025-01-13")
        expect(
            rule.locator("ol.rule-news a", has_text="AI diffusion rule puts Gulf")
        ).to_have_count(1)
    finally:
        context.close()
    assert not errors, errors
