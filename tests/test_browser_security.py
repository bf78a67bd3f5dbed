"""In a real Chromium: compare's pages cannot be framed by another page, and the one inline script
Datasette puts on every page (closing an open menu) still runs under compare's CSP."""
import pytest
from browser import chromium, needs_chromium, serve_examples

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve_examples(tmp_path_factory.mktemp("browsersec")) as (base, db, _):
        yield base


def test_another_page_cannot_frame_the_site(server):
    with chromium() as browser:
        page = browser.new_page()
        page.set_content(f'<iframe id="f" src="{server}/-/login" width="600" height="400"></iframe>')
        page.wait_for_timeout(1500)
        framed = [f for f in page.frames if f != page.main_frame]
        assert framed, "the iframe itself is there"
        # a refused frame is Chromium's error page: the login form never loads inside it
        assert not any(f.query_selector("input[name=password]") for f in framed)


def test_compare_pages_run_datasettes_menu_script_and_report_no_policy_violation(server):
    with chromium() as browser:
        page = browser.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        for path in ("/-/compare", "/-/compare/documents", "/-/login", "/compare/documents"):
            page.goto(server + path)
            state = page.evaluate("() => { const d = document.querySelector('details.nav-menu'); if (!d) return null;"
                                  " d.open = true; document.body.click(); return d.open; }")
            assert state is False, f"{path}: the menu stayed open (its script did not run)"
        assert errors == []
