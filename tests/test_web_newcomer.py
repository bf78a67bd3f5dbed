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
