"""What a person sees of issue 16's timeline, search and small fixes: a real `compare serve`,
headless Chromium at 1400 px and at 390 px (a phone). Screenshots go to screenshots/."""
import pytest
from browser import SHOTS, chromium, needs_chromium, serve_examples
from conftest import rows

PASSWORD = "correct horse"
WIDTHS = (1400, 390)

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_examples(tmp_path_factory.mktemp("browser16b"), PASSWORD) as found:
        yield found


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def fits(page, width):
    """Nothing wider than the window: the page does not scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_a_timeline_as_a_reviewer_sees_it(served, browser, width):
    base, db, log = served
    tid, label = rows(db, "SELECT t.id, t.label FROM threads t JOIN thread_members tm ON tm.thread_id = t.id "
                           "JOIN statuses s ON s.measure_id = tm.measure_id WHERE s.deadline IS NOT NULL "
                           "GROUP BY t.id ORDER BY t.size DESC, t.id LIMIT 1")[0]
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{base}/-/compare/thread/{tid}")
    assert page.locator("h1").inner_text() == label
    axis = page.locator("svg.compare-axis")
    assert axis.is_visible() and fits(page, width)
    marks = page.evaluate("""() => [...document.querySelectorAll('svg.compare-axis circle.mark')].map(
        c => [c.getAttribute('data-date'), c.getBoundingClientRect().x + c.getBoundingClientRect().width / 2])""")
    dated = rows(db, "SELECT count(*) FROM thread_members tm JOIN measures m ON m.id = tm.measure_id JOIN documents d "
                      "ON d.id = m.document_id WHERE tm.thread_id = ? AND d.sort_date IS NOT NULL", [tid])[0][0]
    assert len(marks) == dated > 0
    ordered = sorted(marks, key=lambda m: (m[0].ljust(10, "0"), m[1]))
    assert [x for _, x in ordered] == sorted(x for _, x in marks)  # left to right in date order
    assert page.locator("svg.compare-axis path.deadline").count() >= 1
    years = page.evaluate("() => [...document.querySelectorAll('svg.compare-axis text.year')].map(t => t.textContent)")
    first = min(m[0][:4] for m in marks)
    assert first in years
    legend = page.locator("ul.compare-legend")
    assert legend.is_visible() and "ring:" in legend.inner_text() and "deadline" in legend.inner_text()
    statuses = {s for s, in rows(db, "SELECT DISTINCT c.effective_status FROM commitments c JOIN thread_members tm "
                                      "ON tm.measure_id = c.measure_id WHERE tm.thread_id = ?", [tid])}
    from compare.web.common import STATUS_LABELS

    for s in statuses:
        assert STATUS_LABELS[s] in legend.inner_text()
    assert "Reviewer login" in page.locator(".compare-nav").inner_text()
    page.screenshot(path=str(SHOTS / f"16b-timeline-{width}.png"), full_page=True)
    page.close()
    assert "Traceback" not in log.read_text(errors="replace")


@pytest.mark.parametrize("width", WIDTHS)
def test_search_hits_show_status_thread_and_the_term_marked(served, browser, width):
    base, db, log = served
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{base}/-/compare/search?q=测试验证平台")
    marks = page.locator("table.compare-search mark")
    assert marks.count() >= 1 and set(marks.all_inner_texts()) == {"测试验证平台"}
    assert marks.first.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    table = page.locator("table.compare-search").inner_text()
    assert "thread:" in table and any(label in table for label, in rows(db, "SELECT label FROM threads"))
    from compare.web.common import STATUS_LABELS

    assert any(label in table for label in STATUS_LABELS.values())
    assert fits(page, width)
    page.screenshot(path=str(SHOTS / f"16b-search-{width}.png"), full_page=True)
    page.close()
    assert "Traceback" not in log.read_text(errors="replace")


def test_index_login_and_landing(served, browser):
    base, _, log = served
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(base + "/")
    assert "_memory" not in page.locator("body").inner_text()
    page.goto(base + "/-/compare")
    page.get_by_text("Reviewer login").click()
    page.fill("input[name=username]", "reviewer")
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.url == base + "/-/compare" and "signed in as reviewer" in page.content()
    page.close()
    assert "Traceback" not in log.read_text(errors="replace")
