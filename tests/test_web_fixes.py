"""Issue 16's small web fixes, in process on a real Datasette: one database on the index, where a
reviewer lands after logging in, no login offered where nobody can log in, the answer to a flag
on an unknown target, and search hits with their status, thread and the term marked."""
import asyncio
import html
import json
import re

import pytest
from conftest import EXAMPLES, rows

PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from click.testing import CliRunner

    from cli import cli

    tmp = tmp_path_factory.mktemp("webfixes")
    db_path = str(tmp / "compare.db")
    extra = tmp / "extra"
    extra.mkdir()
    (extra / "xss.txt").write_text("某区关于推进平台建设的工作方案\n\n一、重点任务\n\n一是推进<b>平台</b>建设<script>alert(1)</script>。\n",
                                   encoding="utf-8")
    r = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", db_path, str(EXAMPLES), str(extra)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    from compare.reviewers import hash_password

    reviewers = tmp / "reviewers.json"
    reviewers.write_text(json.dumps({"张三": hash_password(PASSWORD, iterations=2_000)}), encoding="utf-8")
    return db_path, str(reviewers)


@pytest.fixture(scope="module")
def site(built):
    from cli import web_app

    return web_app(built[0], built[1]), built[0]


def get(ds, path, **kw):
    return asyncio.run(ds.client.get(path, **kw))


def post(ds, path, **kw):
    return asyncio.run(ds.client.post(path, **kw))


def form_token(ds, path, cookies=None):
    page = get(ds, path, cookies=cookies or {})
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return page, {**(cookies or {}), "ds_csrftoken": page.cookies.get("ds_csrftoken") or token}, token


def test_the_index_lists_only_the_compare_database(site):
    ds, _ = site
    index = get(ds, "/")
    assert index.status_code == 200 and "_memory" not in index.text and "/compare" in index.text
    assert [d["name"] for d in get(ds, "/-/databases.json").json()] == ["compare"]
    assert get(ds, "/_memory").status_code == 404


@pytest.mark.parametrize("next_path, lands", [(None, "/-/compare"), ("", "/-/compare"),
                                              ("/-/compare/search?q=平台", "/-/compare/search?q=平台"),
                                              ("//evil.example/x", "/-/compare"), ("/", "/")])
def test_after_login_the_reviewer_lands_on_the_commitments_or_the_page_asked_for(site, next_path, lands):
    ds, _ = site
    _, cookies, token = form_token(ds, "/-/login")
    data = {"username": "张三", "password": PASSWORD, "csrftoken": token}
    if next_path is not None:
        data["next"] = next_path
    r = post(ds, "/-/login", cookies=cookies, data=data)
    assert r.status_code == 302 and r.headers["location"] == lands


def test_a_failed_login_keeps_the_page_to_return_to(site):
    ds, _ = site
    _, cookies, token = form_token(ds, "/-/login?next=/-/compare/diff")
    bad = post(ds, "/-/login", cookies=cookies, data={"username": "张三", "password": "wrong", "csrftoken": token,
                                                      "next": "/-/compare/diff"})
    assert bad.status_code == 401
    assert re.search(r'name="next" value="([^"]*)"', bad.text).group(1) == "/-/compare/diff"
    bad = post(ds, "/-/login", cookies=cookies, data={"username": "张三", "password": "wrong", "csrftoken": token,
                                                      "next": "https://evil.example/"})
    assert "evil.example" not in re.search(r'name="next" value="([^"]*)"', bad.text).group(1)


def test_no_login_is_offered_where_nobody_can_log_in(built):
    from cli import web_app

    db_path, reviewers = built
    tid = rows(db_path, "SELECT id FROM threads ORDER BY size DESC LIMIT 1")[0][0]
    for path, offered in ((None, False), (reviewers, True)):
        ds = web_app(db_path, path)
        for page in ("/-/compare", f"/-/compare/thread/{tid}", "/-/compare/search?q=平台"):
            text = get(ds, page).text
            assert ("Reviewer login" in text) == offered, (path, page)
        assert ("Log in as a reviewer" in get(ds, f"/-/compare/thread/{tid}").text) == offered
        assert get(ds, "/-/login").status_code == 200  # the page itself still says how to add reviewers


def test_a_flag_on_an_unknown_target_says_so_whatever_else_is_wrong(site):
    from compare.reviewers import SESSION_COOKIE, SESSION_NAMESPACE, session_payload

    ds, db_path = site
    me = {SESSION_COOKIE: ds.sign(session_payload("张三", ds._compare_auth.reviewers.hash_of("张三"), 1),
                                  SESSION_NAMESPACE)}
    _, cookies, token = form_token(ds, "/-/login", me)
    before = rows(db_path, "SELECT count(*) FROM flags")[0][0]
    for form in ({"target_id": "m0000nothere"}, {"target_id": "tnothere", "status": "bogus", "note": "x"},
                 {"target_id": "t<b>x</b>", "status": "unfulfilled", "note": "x"}):
        r = post(ds, "/-/compare/flag", cookies=cookies, data={**form, "csrftoken": token})
        assert r.status_code == 400
        assert "Unknown target" in r.text and "status must be" not in r.text and "<b>x</b>" not in r.text
    r = post(ds, "/-/compare/flag", cookies=cookies, data={"target_id": " ", "status": "x", "csrftoken": token})
    assert r.status_code == 400 and "Nothing to flag" in r.text and "status must be" not in r.text
    assert rows(db_path, "SELECT count(*) FROM flags")[0][0] == before


def hits(text):
    """Rows of the search results table: (cells' text, cells' html)."""
    body = text.split('<table class="compare compare-search">')[1].split("</table>")[0].split("<tbody>")[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("</tr>") if "<td" in row]


def test_search_hits_show_their_status_and_thread_and_mark_the_term(site):
    from compare.web.common import STATUS_LABELS

    ds, db_path = site
    q = "测试验证平台"
    r = get(ds, "/-/compare/search", params={"q": q})
    found = hits(r.text)
    ids = [m for m, in rows(db_path, "SELECT m.id FROM measures m JOIN documents d ON d.id = m.document_id "
                                     "WHERE instr(m.text, ?) > 0 AND d.is_current = 1", [q])]
    assert len(found) == len(ids) > 0
    statuses = dict(rows(db_path, "SELECT measure_id, effective_status FROM commitments"))
    threads = dict(rows(db_path, "SELECT tm.measure_id, t.label FROM thread_members tm JOIN threads t "
                                 "ON t.id = tm.thread_id WHERE tm.role = 'core'"))
    for date_doc, measure in found:
        kind_status = date_doc
        mid = re.search(r"#m-([0-9a-z]+)", date_doc).group(1)
        if statuses.get(mid):
            assert html.escape(STATUS_LABELS[statuses[mid]], quote=False) in kind_status
        if mid in threads:
            assert html.escape(threads[mid], quote=False) in measure and "/-/compare/thread/t" in measure
        assert f"<mark>{q}</mark>" in measure
    assert any(statuses.get(re.search(r"#m-([0-9a-z]+)", d).group(1)) for d, _ in found)


@pytest.mark.parametrize("q", ["script", "<b>平台", "平台</b>", "<mark>"])
def test_search_marks_are_built_from_escaped_text(site, q):
    ds, _ = site
    r = get(ds, "/-/compare/search", params={"q": q})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<b>" not in r.text and "</b>" not in r.text
    for _, measure in hits(r.text) if "compare-search" in r.text else []:
        marked = re.findall(r"<mark>(.*?)</mark>", measure)
        assert marked and all(html.unescape(m).lower() == q.lower() for m in marked)
