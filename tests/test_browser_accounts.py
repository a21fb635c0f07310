"""Real Chromium against a live chipwatch: a reader logs in, saves a private view and
subscribes to it, and another reader neither sees it in the list nor opens it by its URL;
logout ends the session."""

import re

import pytest
from playwright.sync_api import expect

from app.accounts import service
from tests.conftest import ADMIN_TOKEN, SAMPLE
from tests.live import live_app, require_chromium

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    from app.cli import run_ingest
    from app.config import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("browser-accounts"), admin_token=ADMIN_TOKEN)
    with live_app(settings) as (base, runtime):
        run_ingest(runtime, [str(SAMPLE)], None, None)
        with runtime.sessions.begin() as session:
            for name in ("alice", "bob"):
                service.add_user(session, name, "reader", PASSWORD)
        yield base


def log_in(context, base: str, name: str):
    page = context.new_page()
    page.goto(base + "/views")
    page.get_by_role("link", name="Log in").click()
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/views")  # the login returns to where it started
    return page


def test_a_private_view_is_its_owners_alone(browser, live_server):
    alice_ctx, bob_ctx = browser.new_context(), browser.new_context()
    alice = log_in(alice_ctx, live_server, "alice")
    alice.goto(live_server + "/?q=nvidia&lang=ar")
    alice.fill("#view-name", "Nvidia in Arabic")
    alice.click(".saveview button")
    alice.wait_for_url(live_server + "/views")
    view = alice.locator(".view", has_text="Nvidia in Arabic")
    expect(view).to_have_count(1)
    expect(view.locator(".visibility")).to_contain_text("private")
    href = view.locator("a").first.get_attribute("href")
    assert re.fullmatch(r"/views/\d+", href)

    bob = log_in(bob_ctx, live_server, "bob")
    expect(bob.locator(".view", has_text="Nvidia in Arabic")).to_have_count(0)
    answer = bob.goto(live_server + href)
    assert answer.status == 403
    expect(bob.locator("main")).to_contain_text("private to its owner")

    # Subscribing to it from the page: the alert shows on her account page.
    view.locator("input[name=target]").fill("alice@example.org")
    view.locator("select[name=cadence]").select_option("daily")
    view.get_by_role("button", name="Subscribe").click()
    alice.wait_for_url(live_server + "/account")
    expect(alice.locator(".alert-sub")).to_contain_text("Nvidia in Arabic")
    expect(alice.locator(".alert-sub")).to_contain_text("alice@example.org (daily)")
    alice.goto(live_server + "/views")
    view = alice.locator(".view", has_text="Nvidia in Arabic")
    view.locator("a").first.click()  # alice opens her own view: its search
    alice.wait_for_url(re.compile(r"/\?q=nvidia&lang=ar$"))
    # Logging out ends the session for good: the old cookie no longer opens the view.
    cookies = alice_ctx.cookies()
    alice.goto(live_server + "/account")
    alice.get_by_role("button", name="Log out", exact=True).click()
    alice.wait_for_url(live_server + "/")
    replay = browser.new_context()
    replay.add_cookies(cookies)
    assert replay.new_page().goto(live_server + href).status == 403
    for ctx in (alice_ctx, bob_ctx, replay):
        ctx.close()
