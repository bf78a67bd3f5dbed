"""A hostile visitor against a real Datasette of compare's (in process): what the security review of
2026-11 found, each attack tried as a visitor would (pages, .json, .csv, raw tables, query strings)."""
import asyncio
import json

import pytest
from conftest import EXAMPLES, rows

# a document with no 文号 and no title: compare keys it by its path (documents.doc_key 'path:/...')
UNTITLED = "一、重点任务\n\n一是推进测试验证平台建设，到2026年建成不少于3家。\n\n二是加快车路协同创新中心建设。\n"


@pytest.fixture(scope="module")
def untitled_site(tmp_path_factory):
    from click.testing import CliRunner

    from cli import cli, web_app

    tmp = tmp_path_factory.mktemp("websec")
    folder = tmp / "private-folder-of-the-user"
    folder.mkdir()
    (folder / "untitled.txt").write_text(UNTITLED, encoding="utf-8")
    db_path = str(tmp / "compare.db")
    r = CliRunner().invoke(cli, ["align", "--silent", "--model", "hashing", "-d", db_path, str(EXAMPLES),
                                 str(folder)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return web_app(db_path), db_path, str(folder)


def get(ds, path, **kw):
    return asyncio.run(ds.client.get(path, **kw))


def test_a_documents_path_key_is_not_published(untitled_site):
    """doc_key is 'path:<absolute path>' for a document without 文号 or title: the site reads it as
    NULL, like documents.source, in every table, row, view, CSV and compare page."""
    ds, db_path, folder = untitled_site
    (doc_id, key), = rows(db_path, "SELECT id, doc_key FROM documents WHERE file_name = 'untitled.txt'")
    assert key.startswith("path:" + folder)  # the database keeps it: align needs it
    for path in ("/compare/documents.json?_shape=array", f"/compare/documents/{doc_id}.json",
                 f"/compare/documents/{doc_id}", "/compare/documents.csv", "/compare/documents",
                 "/compare/documents.json?_facet=doc_key", "/compare/documents.json?doc_key__contains=private",
                 "/-/compare.json", "/-/compare/documents.json", f"/-/compare/document/{doc_id}.json",
                 f"/-/compare/document/{doc_id}", "/-/compare/diff.json", "/compare/commitments.json?_shape=array"):
        r = get(ds, path)
        assert r.status_code == 200, (path, r.status_code)
        assert "private-folder-of-the-user" not in r.text, path
        assert folder not in r.text and json.dumps(folder)[1:-1] not in r.text, path
    # the page still shows the document, by its file name
    assert "untitled.txt" in get(ds, f"/-/compare/document/{doc_id}").text


@pytest.mark.parametrize("path", ["/-/compare", "/-/compare/documents.json", "/-/login", "/-/compare/nope",
                                  "/compare/documents", "/compare/documents.csv", "/-/compare/static/compare.css",
                                  "/compare/measures.json?_sort=nope"])
def test_every_answer_forbids_framing_sniffing_and_leaking_its_address(untitled_site, path):
    ds, _, _ = untitled_site
    r = get(ds, path)
    assert r.headers.get("x-frame-options") == "DENY", path
    assert r.headers.get("x-content-type-options") == "nosniff", path
    assert r.headers.get("referrer-policy") in ("same-origin", "no-referrer"), path  # Datasette's tables: none
    csp = {d.split()[0]: d.split()[1:] for d in r.headers.get("content-security-policy", "").split("; ") if d}
    assert csp.get("frame-ancestors") == ["'none'"] and csp.get("form-action") == ["'self'"], path
    if path.startswith(("/-/compare", "/-/login")) and "static" not in path:
        # compare's pages: scripts from this site and Datasette's one known inline script, nothing else
        assert "'unsafe-inline'" not in csp["script-src"] and csp["script-src"][0] == "'self'", path
        assert all(s.startswith("'sha256-") for s in csp["script-src"][1:]), path


def test_a_refused_post_carries_the_headers_too(untitled_site):
    ds, _, _ = untitled_site
    r = asyncio.run(ds.client.post("/-/login", data={"username": "x", "password": "y"},
                                   headers={"Origin": "https://evil.example"}))
    assert r.status_code == 403 and r.headers.get("x-frame-options") == "DENY"


@pytest.mark.parametrize("query", [
    'id__in=["a"', 'id__in=[{"a": 1}]', "id__in=[[1]]", "id__notin=[1",
    "_through=nope", "_through=[1]", '_through={"table": "thread_members"}',
    '_through={"table": "thread_members", "column": "measure_id", "value": {}}',
    '_through={"table": "thread_members", "column": "thread_id", "value": "x"}',  # no foreign key to measures
])
def test_a_malformed_filter_is_a_bad_request_not_a_server_error(untitled_site, query):
    """Datasette 0.65 answers these with a 500 and prints a traceback to the server's log: a visitor
    could fill the log with them. They are refused with one line, before Datasette sees them."""
    ds, _, _ = untitled_site
    for path in ("/compare/measures.json", "/compare/measures"):
        r = get(ds, f"{path}?{query}")
        assert r.status_code == 400, (path, query, r.status_code, r.text[:200])
        assert "Traceback" not in r.text


def test_well_formed_filters_still_work(untitled_site):
    ds, db_path, _ = untitled_site
    mid, tid = rows(db_path, "SELECT measure_id, thread_id FROM thread_members ORDER BY measure_id LIMIT 1")[0]
    ids = [m for (m,) in rows(db_path, "SELECT id FROM measures ORDER BY id")]
    r = get(ds, "/compare/measures.json", params={"id__in": json.dumps(ids[:1] + [1, None]), "_shape": "array"})
    assert r.status_code == 200 and [m["id"] for m in r.json()] == ids[:1]
    assert [m["id"] for m in get(ds, "/compare/measures.json", params={
        "id__notin": ",".join(ids[1:]), "_shape": "array"}).json()] == ids[:1]
    r = get(ds, "/compare/threads.json", params={"_shape": "array", "_through": json.dumps(
        {"table": "thread_members", "column": "measure_id", "value": mid})})
    assert r.status_code == 200 and tid in [t["id"] for t in r.json()]
