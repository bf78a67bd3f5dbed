"""End to end: a real `compare serve`, driven by headless Chromium as a reviewer would use it."""
import pytest
from browser import SHOTS, chromium, needs_chromium, serve_examples
from conftest import rows

PASSWORD = "correct horse"

pytestmark = needs_chromium


@pytest.fixture
def server(tmp_path):
    with serve_examples(tmp_path, PASSWORD) as (base, db, _):
        yield base, db


def test_reviewer_flags_a_commitment_in_a_real_browser(server):
    base, db = server
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        page.goto(base + "/compare/unfulfilled_commitments")
        assert "Unfulfilled commitments" in page.content()
        page.screenshot(path=str(SHOTS / "1-unfulfilled.png"), full_page=True)

        page.locator("a[href^='/-/compare/thread/']").first.click()
        page.wait_for_load_state()
        timeline_url = page.url
        assert "/-/compare/thread/" in timeline_url and page.locator("svg.compare-axis").count() == 1
        assert "Log in as a reviewer" in page.content()
        page.screenshot(path=str(SHOTS / "2-timeline.png"), full_page=True)

        page.goto(base + "/-/login")
        page.fill("input[name=username]", "reviewer")
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.wait_for_load_state()

        page.goto(timeline_url)
        assert "signed in as reviewer" in page.content()
        page.select_option("select[name=status]", "unfulfilled")
        page.fill("input[name=note]", "区内尚未建成（浏览器测试）")
        page.locator("form.compare-flagform input[type=submit]").click()
        page.wait_for_load_state()
        assert page.url.split("#")[0] == timeline_url
        content = page.content()
        assert "区内尚未建成（浏览器测试）" in content and "recorded: unfulfilled on" in content
        page.screenshot(path=str(SHOTS / "3-flagged.png"), full_page=True)

    row = rows(db, "SELECT reviewer, status, note, source FROM flags ORDER BY id DESC LIMIT 1")[0]
    assert row == ("reviewer", "unfulfilled", "区内尚未建成（浏览器测试）", "web")
