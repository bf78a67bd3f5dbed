"""What a person sees on the scoreboard, a plan's scorecard, the unfulfilled list and the documents
page: a real `compare serve` (its log read after), headless Chromium at desktop and phone width,
screenshots saved, the meters' counts checked against the SQLite file itself."""
import json
import re
import urllib.error
import urllib.request

import pytest
from browser import SHOTS, chromium, needs_chromium, serve_examples
from conftest import EXAMPLES, ROOT, rows

WIDTHS = {"desktop": 1400, "phone": 390}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The example corpus aligned, served by `compare serve`, its output going to a log file."""
    with serve_examples(tmp_path_factory.mktemp("pages")) as (base, db, log):
        yield base, db, log
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "Internal Server Error" not in text, text[-3000:]


def db_meter(db, where="", args=()):
    """Counts per part of the meter, straight from the database: effective statuses, those only a
    reviewer gives as flagged, and the no-evidence promises of documents no later document of a
    nested region could have reported on as awaiting."""
    docs = rows(db, "SELECT id, sort_date, region, level FROM documents WHERE is_current = 1 AND sort_date IS NOT NULL")
    inside = {"上海市": None}
    for (name,) in rows(db, "SELECT DISTINCT region FROM documents WHERE level = 'district'"):
        inside[name] = "上海市"

    def nested(a, b):
        return a == b or inside.get(a) == b or inside.get(b) == a

    awaiting = {d for d, date, region, _ in docs
                if not any(o_date > date and nested(region, o_region) for _, o_date, o_region, _ in docs)}
    counts = {"fulfilled": 0, "in_progress": 0, "overdue": 0, "no_evidence": 0, "awaiting": 0, "flagged": 0}
    for status, flagged, doc in rows(db, f"SELECT effective_status, flagged_status, document_id FROM commitments {where}",
                                    args):
        if status in ("unfulfilled", "disputed"):
            counts["flagged"] += 1
        elif status == "no_evidence" and not flagged and doc in awaiting:
            counts["awaiting"] += 1
        else:
            counts[status] += 1
    return counts


def shown_meter(locator) -> dict:
    """The counts a meter shows as text, by part (parts with no count may be left out)."""
    out = {}
    for el in locator.locator("[data-meter]").all():
        out[el.get_attribute("data-meter")] = int(el.inner_text())
    return out


def nonzero(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if v}


def look(page, base, path, name, shots):
    """Open a page at every width: no horizontal scrolling; a screenshot of each."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
            f"{path} scrolls sideways at {width}px: {page.evaluate('document.documentElement.scrollWidth')}"
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_scoreboard_shows_each_region_with_its_meter(served, browser):
    base, db, _ = served
    page = browser.new_page()
    look(page, base, "/-/compare/regions", "4-scoreboard", SHOTS)
    regions = rows(db, "SELECT DISTINCT region, level FROM commitments")
    assert len(regions) >= 2
    for region, level in regions:
        row = page.locator(f"tr.compare-region-row[data-region='{region}'][data-level='{level}']")
        assert row.count() == 1 and region in row.inner_text()
        assert shown_meter(row) == nonzero(db_meter(db, "WHERE region = ? AND level = ?", (region, level)))
        overdue = rows(db, "SELECT count(*) FROM commitments WHERE region = ? AND level = ? "
                          "AND effective_status = 'overdue'", (region, level))[0][0]
        assert row.locator("td[data-label=Overdue]").inner_text().strip() == str(overdue)
    # a commitment picked by search, compared across regions
    page.set_viewport_size({"width": 1400, "height": 900})
    word = rows(db, "SELECT m.text FROM thread_members tm JOIN measures m ON m.id = tm.measure_id "
                   "JOIN threads t ON t.id = tm.thread_id WHERE t.regions LIKE '%,%' ORDER BY t.size DESC LIMIT 1")
    assert word, "the example corpus has a thread spanning two regions"
    page.fill("input[name=q]", word[0][0][:6])
    page.locator("form input[type=submit]").click()
    page.wait_for_load_state()
    page.locator("ul.compare-matches a[href$='/regions']").first.click()
    page.wait_for_load_state()
    assert "across regions and levels" in page.content()


def test_a_plans_scorecard_lists_every_measure_in_order(served, browser):
    base, db, _ = served
    doc_id, title = rows(db, "SELECT id, title FROM documents WHERE genre = 'action_plan' ORDER BY sort_date LIMIT 1")[0]
    page = browser.new_page()
    look(page, base, f"/-/compare/document/{doc_id}", "5-scorecard", SHOTS)
    assert title in page.content()
    assert shown_meter(page.locator(".compare-meter").first) == db_meter(db, "WHERE document_id = ?", (doc_id,))
    shown = [r.get_attribute("id")[2:] for r in page.locator("table.compare-scorecard tr[id^='m-']").all()]
    assert shown == [m for (m,) in rows(db, "SELECT id FROM measures WHERE document_id = ? ORDER BY ordinal", (doc_id,))]
    for mid, status in rows(db, "SELECT measure_id, effective_status FROM commitments WHERE document_id = ?", (doc_id,)):
        assert page.locator(f"tr[id='m-{mid}']").get_attribute("data-status") == status
    text = page.inner_text("body")
    assert "/" + EXAMPLES.name + "/" not in text and str(ROOT) not in page.content()


def test_unfulfilled_list_puts_text_first_and_the_newest_promises_apart(served, browser):
    base, db, _ = served
    page = browser.new_page()
    look(page, base, "/-/compare/unfulfilled", "6-unfulfilled", SHOTS)
    counts = db_meter(db)
    listed = rows(db, "SELECT count(*) FROM unfulfilled_commitments")[0][0]
    items = page.locator("li.compare-item")
    assert items.count() == listed
    assert page.locator("#awaiting ~ section li.compare-item").count() == counts["awaiting"]
    assert int(page.locator("[data-count=no_evidence]").inner_text()) == counts["no_evidence"]
    text = items.first.locator(".compare-item-text")
    assert text.inner_text() in [t for (t,) in rows(db, "SELECT text FROM unfulfilled_commitments")]
    page.set_viewport_size({"width": 390, "height": 900})
    assert text.bounding_box()["width"] > 250  # the text is wide, not squeezed into a column
    region = rows(db, "SELECT region FROM unfulfilled_commitments ORDER BY region LIMIT 1")[0][0]
    page.goto(base + "/-/compare/unfulfilled?region=" + urllib.request.quote(region))
    assert page.locator("li.compare-item").count() == rows(
        db, "SELECT count(*) FROM unfulfilled_commitments WHERE region = ?", (region,))[0][0]


def test_documents_page_replaces_the_raw_table(served, browser):
    base, db, _ = served
    page = browser.new_page()
    page.goto(base + "/-/compare")
    page.locator(".compare-nav a", has_text="Documents").click()
    page.wait_for_load_state()
    assert page.url.endswith("/-/compare/documents")
    look(page, base, "/-/compare/documents", "7-documents", SHOTS)
    assert page.evaluate("document.documentElement.scrollHeight") < 3000
    for doc_id, title, file_name, source in rows(db, "SELECT id, title, file_name, source FROM documents"):
        row = page.locator(f"tr[data-document='{doc_id}']")
        assert title in row.inner_text() and file_name in row.inner_text()
        assert shown_meter(row) == nonzero(db_meter(db, "WHERE document_id = ?", (doc_id,)))
        assert source.startswith("/") and source not in page.content()


def fetch(url):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def test_every_page_answers_json_and_unknowns_are_404(served):
    base, db, _ = served
    doc_id = rows(db, "SELECT id FROM documents LIMIT 1")[0][0]
    tid = rows(db, "SELECT id FROM threads ORDER BY size DESC LIMIT 1")[0][0]
    for path in ("/-/compare", "/-/compare/regions", "/-/compare/unfulfilled", "/-/compare/documents",
                 f"/-/compare/thread/{tid}", f"/-/compare/thread/{tid}/regions", f"/-/compare/document/{doc_id}",
                 "/-/compare/diff", "/-/compare/search?q=%E5%B9%B3%E5%8F%B0"):
        base_path, _, query = path.partition("?")
        status, body = fetch(base + base_path + ".json" + ("?" + query if query else ""))
        assert status == 200, path
        data = json.loads(body)
        assert isinstance(data, dict) and data, path
        assert not re.search(r'"(/[^"/]+)+/[^"/]+\.(txt|md|html)"', body), path  # no path of a file read
    assert json.loads(fetch(base + "/-/compare/documents.json")[1])["documents"][0]["file_name"]
    for path in ("/-/compare/thread/tnothere", "/-/compare/document/nothere", "/-/compare/nothing/here",
                 "/-/compare/thread/tnothere/regions", "/-/compare/unfulfilled?region=nowhere"):
        status, body = fetch(base + path)
        assert status == 404 and "<html" in body.lower() and "Traceback" not in body, path
        base_path, _, query = path.partition("?")
        status, body = fetch(base + base_path + ".json" + ("?" + query if query else ""))
        assert status == 404 and json.loads(body)["status"] == 404, path


def test_raw_tables_never_publish_the_servers_paths(served):
    base, db, _ = served
    sources = [s for (s,) in rows(db, "SELECT source FROM documents")] + [p for (p,) in rows(db, "SELECT path FROM files")]
    assert sources and all(s.startswith("/") for s in sources)
    assert str(EXAMPLES) in rows(db, "SELECT params FROM runs LIMIT 1")[0][0]  # the folder the run was given
    for path in ("/compare/documents", "/compare/documents.json", "/compare/documents.csv", "/compare/files.json",
                 "/compare/flag_scopes.json", f"/compare/documents/{rows(db, 'SELECT id FROM documents LIMIT 1')[0][0]}",
                 "/compare/commitments.json", "/compare/unfulfilled_commitments.csv", "/compare/runs.json"):
        status, body = fetch(base + path)
        assert status == 200, path
        assert not any(s in body or json.dumps(s)[1:-1] in body for s in sources + [str(EXAMPLES)]), path
    # the file names stay
    assert rows(db, "SELECT file_name FROM documents LIMIT 1")[0][0] in fetch(base + "/compare/documents.json")[1]
