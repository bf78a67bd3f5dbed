"""Labels a newcomer met raw on the pages, in process (a real SQLite file, a real Datasette): a
document's genre and a flagged commitment's computed status read as words, as on the other pages."""
import asyncio
import re

import pytest
from conftest import EXAMPLES, rows


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from click.testing import CliRunner

    from cli import cli, web_app

    db_path = str(tmp_path_factory.mktemp("web-newcomer") / "compare.db")
    runner = CliRunner()
    r = runner.invoke(cli, ["align", "--silent", "--model", "hashing", "-d", db_path, str(EXAMPLES)],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    # a reviewer's verdict that differs from the computed status, on a measure of a thread
    mid, tid, computed = rows(db_path, "SELECT measure_id, thread_id, computed_status FROM commitments "
                                       "WHERE thread_id IS NOT NULL AND computed_status NOT IN ('unfulfilled', 'disputed') "
                                       "ORDER BY measure_id LIMIT 1")[0]
    r = runner.invoke(cli, ["flag", mid, "--status", "disputed", "--note", "待核实", "--reviewer", "张三",
                            "-d", db_path], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return web_app(db_path), db_path, (mid, tid, computed)


def get(ds, path):
    r = asyncio.run(ds.client.get(path))
    assert r.status_code == 200, path
    return r.text


def test_document_page_names_the_genre_in_words(site):
    ds, db, _ = site
    for doc_id, genre in rows(db, "SELECT id, genre FROM documents WHERE genre LIKE '%\\_%' ESCAPE '\\'"):
        html = get(ds, f"/-/compare/document/{doc_id}")
        cell = re.search(r"<th>Genre</th><td>([^<]*)", html).group(1)
        assert cell == genre.replace("_", " "), (doc_id, cell)


def test_flagged_commitment_shows_its_computed_status_as_a_label(site):
    from compare.web.common import STATUS_LABELS

    ds, db, (mid, tid, computed) = site
    doc_id = rows(db, "SELECT document_id FROM measures WHERE id = ?", (mid,))[0][0]
    for path in (f"/-/compare/thread/{tid}", f"/-/compare/document/{doc_id}"):
        shown = re.findall(r"computed: ([^<]*)</div>", get(ds, path))
        assert shown, path
        assert STATUS_LABELS[computed] in shown, (path, shown)
        assert not set(shown) & set(STATUS_LABELS), (path, shown)


def search(ds, q):
    from urllib.parse import quote

    return get(ds, "/-/compare/search?q=" + quote(q))


def test_search_says_when_it_shows_only_the_first_results(site, monkeypatch):
    from compare.web import pages

    ds, db, _ = site
    matching = rows(db, "SELECT count(*) FROM measures m JOIN documents d ON d.id = m.document_id "
                        "WHERE d.is_current = 1 AND m.text LIKE '%平台%'")[0][0]
    limit = matching - 1
    assert limit >= 2
    monkeypatch.setattr(pages, "SEARCH_LIMIT", limit)
    html = search(ds, "平台")
    assert html.count('<td class="compare-hit">') == limit
    assert f"The first {limit} results" in html and "more measures match" in html
    monkeypatch.setattr(pages, "SEARCH_LIMIT", matching)
    html = search(ds, "平台")
    assert html.count('<td class="compare-hit">') == matching
    assert f"{matching} results" in html and "more measures match" not in html


def test_search_with_no_hit_says_so_instead_of_an_empty_table(site):
    ds, db, _ = site
    assert rows(db, "SELECT count(*) FROM measures WHERE text LIKE '%火星基地%'")[0][0] == 0
    html = search(ds, "火星基地")
    assert "No current measure contains “火星基地”" in html
    assert "compare-search" not in html


def test_diff_form_preselects_nothing_and_refuses_a_document_against_itself(site):
    ds, db, _ = site
    html = get(ds, "/-/compare/diff")
    for name in ("a", "b"):
        select = re.search(rf'<select id="diff-{name}"[^>]*>(.*?)</select>', html, re.S)
        assert select and " required" in select.group(0).split(">")[0], name
        selected = re.findall(r'<option value="([^"]*)" selected>', select.group(1))
        assert selected == [""], (name, selected)  # the placeholder, not the first document
    doc_id, title = rows(db, "SELECT id, title FROM documents ORDER BY id LIMIT 1")[0]
    html = get(ds, f"/-/compare/diff?a={doc_id}&b={doc_id[:8]}")
    assert "A and B are the same document" in html and title in html
    assert "compare-diff" not in html


def test_diff_of_two_versions_with_the_same_measures_says_so(tmp_path):
    from click.testing import CliRunner

    from cli import cli, web_app

    plan = (EXAMPLES / "01_jiading_plan.txt").read_text(encoding="utf-8")
    (tmp_path / "plan.txt").write_text(plan, encoding="utf-8")
    db_path = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["align", "--silent", "--model", "hashing", "-d", db_path, str(tmp_path / "plan.txt")]).exit_code == 0
    (tmp_path / "plan.txt").write_text(plan + "\n（此件公开发布）\n", encoding="utf-8")
    assert runner.invoke(cli, ["align", "--silent", "--model", "hashing", "-d", db_path, str(tmp_path / "plan.txt")]).exit_code == 0
    (old, new), = [tuple(i for (i,) in rows(db_path, "SELECT id FROM documents ORDER BY version"))]
    texts = [sorted(t for (t,) in rows(db_path, "SELECT text FROM measures WHERE document_id = ?", (d,))) for d in (old, new)]
    assert texts[0] == texts[1]
    html = get(web_app(db_path), f"/-/compare/diff?a={old}&b={new}")
    assert "No measure differs" in html and "compare-diff" not in html
