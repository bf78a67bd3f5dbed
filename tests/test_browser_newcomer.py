"""What a newcomer saw on a phone and a desktop, checked in headless Chromium against a real
`compare serve` of the example corpus: the home page's thread table, the diff page's form and
changes, a thread's kind column, the login and flag forms fit the screen and keep their words whole."""
import pytest
from browser import SHOTS, chromium, needs_chromium, serve_examples
from conftest import rows

pytestmark = needs_chromium

PHONE, DESKTOP = 390, 1400
PASSWORD = "correct horse"

# How many lines the text directly inside each element matched takes on screen.
LINES = """sel => [...document.querySelectorAll(sel)].map(el => {
  const tops = new Set();
  for (const n of el.childNodes) {
    if (n.nodeType !== 3 || !n.textContent.trim()) continue;
    const r = document.createRange(); r.selectNodeContents(n);
    for (const box of r.getClientRects()) tops.add(Math.round(box.top));
  }
  return [el.textContent.trim(), tops.size];
})"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_examples(tmp_path_factory.mktemp("newcomer"), PASSWORD) as (base, db, log):
        yield base, db, log
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "Internal Server Error" not in text, text[-3000:]


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def open_at(browser, base, path, width, shot):
    page = browser.new_page(viewport={"width": width, "height": 900})
    response = page.goto(base + path)
    assert response.status == 200, path
    page.screenshot(path=str(SHOTS / f"newcomer-{shot}-{width}.png"), full_page=True)
    return page


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# How many lines everything inside each element matched takes (boxes more than 8 px apart in height).
ALL_LINES = """sel => [...document.querySelectorAll(sel)].map(el => {
  const r = document.createRange(); r.selectNodeContents(el);
  const tops = [...r.getClientRects()].filter(b => b.width > 0).map(b => b.top).sort((a, b) => a - b);
  return [el.textContent.trim(), tops.filter((t, i) => i === 0 || t - tops[i - 1] > 8).length];
})"""


def wrapped(page, selector):
    """The elements whose whole content (a dot and its word too) takes more than one line."""
    return [text for text, lines in page.evaluate(ALL_LINES, selector) if lines > 1]


def broken(page, selector):
    """The elements whose own text wraps onto more than one line."""
    return [text for text, lines in page.evaluate(LINES, selector) if lines > 1]


def test_home_thread_table_fits_a_phone(served, browser):
    base, db, _ = served
    assert rows(db, "SELECT count(*) FROM threads WHERE size >= 2")[0][0] > 0
    for width in (PHONE, DESKTOP):
        page = open_at(browser, base, "/-/compare", width, "home")
        assert no_sideways_scroll(page), f"home scrolls sideways at {width}px"
        links = page.locator("a[href$='/regions']")
        assert links.count() > 0
        assert broken(page, "a[href$='/regions']") == [], f"'compare regions' broken at {width}px"


def test_diff_form_labels_and_change_words_stay_whole_on_a_phone(served, browser):
    base, db, _ = served
    a, b = (rows(db, "SELECT id FROM documents WHERE file_name = ?", (f,))[0][0]
            for f in ("02_jiading_reply_2025.md", "04_jiading_reply_2026.html"))
    for width in (PHONE, DESKTOP):
        page = open_at(browser, base, f"/-/compare/diff?a={a}&b={b}", width, "diff")
        assert no_sideways_scroll(page), f"diff scrolls sideways at {width}px"
        assert broken(page, "label[for^='diff-']") == [], f"form labels wrap at {width}px"
        assert page.locator("td[data-label='Change']").count() > 0
        assert broken(page, "td[data-label='Change'] strong") == [], f"a change's direction breaks at {width}px"


def test_thread_kind_and_date_are_never_cut(served, browser):
    base, db, _ = served
    tid = rows(db, "SELECT thread_id FROM thread_members GROUP BY thread_id ORDER BY count(*) DESC LIMIT 1")[0][0]
    page = open_at(browser, base, f"/-/compare/thread/{tid}", DESKTOP, "thread-kinds")
    kinds = page.evaluate(LINES, "table.compare-stack tbody td:nth-child(3)")
    assert kinds and {k for k, _ in kinds} & {"commitment", "target", "progress"}
    assert [k for k, lines in kinds if lines > 1] == []
    assert wrapped(page, "table.compare-stack tbody td:nth-child(3)") == [], "a kind's dot and word part"
    assert wrapped(page, "table.compare-stack tbody td:nth-child(1)") == [], "a date breaks"


def test_document_dates_stay_whole_on_the_documents_page(served, browser):
    base, db, _ = served
    page = open_at(browser, base, "/-/compare/documents", DESKTOP, "documents")
    dates = page.evaluate(ALL_LINES, "td[data-label='Date']")
    assert len(dates) == rows(db, "SELECT count(*) FROM documents WHERE is_current = 1")[0][0]
    assert [d for d, lines in dates if lines > 1] == []


def test_login_and_flag_forms_keep_labels_whole_and_inside_on_a_phone(served, browser):
    base, db, _ = served
    page = open_at(browser, base, "/-/login", PHONE, "login")
    assert no_sideways_scroll(page)
    assert broken(page, "form label") == []
    name, password = (page.locator(f"#login-{f}").bounding_box() for f in ("username", "password"))
    assert abs(name["height"] - password["height"]) < 2 and abs(name["width"] - password["width"]) < 2, (name, password)
    page.fill("#login-username", "reviewer")
    page.fill("#login-password", PASSWORD)
    page.locator("input[type=submit]").first.click()
    page.wait_for_load_state()
    tid = rows(db, "SELECT id FROM threads ORDER BY size DESC, id LIMIT 1")[0][0]
    page.goto(base + f"/-/compare/thread/{tid}")
    form = page.locator("form.compare-flagform")
    assert form.count() == 1, "not logged in"
    page.screenshot(path=str(SHOTS / f"newcomer-flagform-{PHONE}.png"), full_page=True)
    assert no_sideways_scroll(page)
    assert broken(page, "form.compare-flagform label") == []
    room, note = page.locator("#flag-note >> xpath=..").bounding_box(), page.locator("#flag-note").bounding_box()
    assert note["x"] + note["width"] <= room["x"] + room["width"] + 0.5, (note, room)  # not over the form's edge
