"""Datasette, in process: every page and query, reviewers' flags, CSRF, search, escaping."""
import asyncio
import json
import re
import sqlite3

import pytest
from conftest import EXAMPLES, rows

PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from click.testing import CliRunner

    from cli import cli, web_app

    tmp = tmp_path_factory.mktemp("web")
    db_path = str(tmp / "compare.db")
    extra = tmp / "extra"
    extra.mkdir()
    (extra / "xss.txt").write_text("某区关于推进平台建设的工作方案\n\n一、重点任务\n\n一是推进<script>alert(1)</script>平台建设。\n",
                                   encoding="utf-8")
    r = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", db_path, str(EXAMPLES), str(extra)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    from compare.reviewers import hash_password

    reviewers = tmp / "reviewers.json"
    reviewers.write_text(json.dumps({"张三": hash_password(PASSWORD)}), encoding="utf-8")
    ds = web_app(db_path, str(reviewers))
    return ds, db_path


def call(coro):
    return asyncio.run(coro)


def get(ds, path, **kw):
    return call(ds.client.get(path, **kw))


def first_thread(db_path):
    return rows(db_path, "SELECT id, label FROM threads ORDER BY size DESC, id LIMIT 1")[0]


def flags_count(db_path):
    return rows(db_path, "SELECT count(*) FROM flags")[0][0]


def actor_cookie(ds, name="张三"):
    """A session as /-/login makes it, for a reviewer of the site's reviewers file."""
    from compare.reviewers import SESSION_COOKIE, SESSION_NAMESPACE, session_payload

    return {SESSION_COOKIE: ds.sign(session_payload(name, ds._compare_auth.reviewers.hash_of(name), 1),
                                    SESSION_NAMESPACE)}


def test_index_lists_threads_and_documents(site):
    ds, db_path = site
    r = get(ds, "/-/compare")
    assert r.status_code == 200
    tid, label = first_thread(db_path)
    assert label in r.text and f"/-/compare/thread/{tid}" in r.text
    assert "嘉定区促进智能网联汽车产业高质量发展行动方案" in r.text


def test_timeline_page(site):
    ds, db_path = site
    tid, label = first_thread(db_path)
    r = get(ds, f"/-/compare/thread/{tid}")
    assert r.status_code == 200
    assert "<svg" in r.text and label in r.text and "/-/compare/document/" in r.text
    assert "flag_commitment" not in r.text  # anonymous: no form
    assert get(ds, "/-/compare/thread/tnothere").status_code == 404


def test_unfulfilled_list_and_its_facets(site):
    ds, _ = site
    r = get(ds, "/compare/unfulfilled_commitments")
    assert r.status_code == 200 and "Unfulfilled commitments" in r.text
    assert "/-/compare/thread/" in r.text  # rows link to their timeline
    data = get(ds, "/compare/unfulfilled_commitments.json?_shape=array&_facet=region").json()
    assert data and {r["effective_status"] for r in data} <= {"overdue", "unfulfilled", "no_evidence"}
    ranks = [r["status_rank"] for r in data]
    assert ranks == sorted(ranks)  # overdue first
    q = get(ds, "/compare/unfulfilled.json?_shape=array&region=").json()
    assert len(q) == len(data)


def test_district_comparison_page_and_query(site):
    ds, db_path = site
    conn = sqlite3.connect(db_path)
    tid = conn.execute("SELECT id FROM threads WHERE regions LIKE '%,%' ORDER BY size DESC LIMIT 1").fetchone()
    conn.close()
    assert tid, "no thread across two regions"
    r = get(ds, f"/-/compare/thread/{tid[0]}/regions")
    assert r.status_code == 200 and "上海市" in r.text and "嘉定区" in r.text
    rows = get(ds, f"/compare/district_comparison.json?_shape=array&thread_id={tid[0]}").json()
    assert len({row["region"] for row in rows}) >= 2


def test_document_page_shows_metadata_and_measures(site):
    ds, _ = site
    r = get(ds, "/-/compare/document/01_jiading_plan.txt")
    assert r.status_code == 200
    assert "送审稿" in r.text and "2024–2026" in r.text and "(inferred)" in r.text
    assert "建成不少于3家智能网联汽车测试验证平台" in r.text and "target" in r.text


def test_diff_page(site):
    ds, _ = site
    r = get(ds, "/-/compare/diff?a=02_jiading_reply_2025.md&b=04_jiading_reply_2026.html")
    assert r.status_code == 200 and "reworded" in r.text and "<ins>" in r.text
    assert get(ds, "/-/compare/diff").status_code == 200


@pytest.mark.parametrize("q, expect", [("嘉智杯", "嘉智杯"), ("出海", None), ("基金", "基金"), ("车", "车")])
def test_search_in_chinese_including_one_and_two_characters(site, q, expect):
    ds, _ = site
    r = get(ds, "/-/compare/search", params={"q": q})
    assert r.status_code == 200
    method = "trigram" if len(q) >= 3 else "substring"
    assert method in r.text
    if expect:
        assert re.search(r"[1-9]\d* results? for", r.text) and expect in r.text
    rows = get(ds, "/compare/search.json", params={"q": q, "_shape": "array"}).json()
    assert bool(rows) == bool(expect)


def test_user_text_is_escaped(site):
    ds, _ = site
    r = get(ds, "/-/compare/search", params={"q": "alert"})
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    r = get(ds, "/-/compare/document/xss.txt")
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text


def test_anonymous_flag_attempt_is_refused(site):
    ds, db_path = site
    tid, _ = first_thread(db_path)
    before = flags_count(db_path)
    for path in ("/-/compare/flag", "/compare/flag_commitment", "/compare/flag_commitment.json"):
        r = call(ds.client.post(path, data={"target_id": tid, "status": "unfulfilled", "note": "x"}))
        assert r.status_code in (403, 404, 405), path
    assert flags_count(db_path) == before


def csrf(ds, path, cookies):
    page = get(ds, path, cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return page, {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken") or token}, token


def test_reviewer_flag_is_stored_with_actor_and_time_and_shown(site):
    ds, db_path = site
    tid, _ = first_thread(db_path)
    page, cookies, token = csrf(ds, f"/-/compare/thread/{tid}", actor_cookie(ds))
    assert 'action="/-/compare/flag"' in page.text and "signed in as 张三" in page.text
    seen = re.search(r'name="seen" value="([^"]*)"', page.text).group(1).split()
    before = flags_count(db_path)
    r = call(ds.client.post("/-/compare/flag", cookies=cookies, data={
        "target_id": tid, "status": "unfulfilled", "note": "区内尚未建成", "seen": " ".join(seen), "csrftoken": token}))
    assert r.status_code == 302 and r.headers["location"].endswith(f"/-/compare/thread/{tid}#flags")
    assert flags_count(db_path) == before + 1
    row = rows(db_path, "SELECT target_id, target_type, status, note, reviewer, created_at, source FROM flags "
                        "ORDER BY id DESC LIMIT 1")[0]
    assert row[:5] == (tid, "thread", "unfulfilled", "区内尚未建成", "张三") and row[6] == "web"
    assert re.match(r"20\d\d-\d\d-\d\d", row[5])
    covered = json.loads(rows(db_path, "SELECT measure_ids FROM flag_scopes ORDER BY flag_id DESC LIMIT 1")[0][0])
    assert sorted(covered) == sorted(seen)
    shown = get(ds, f"/-/compare/thread/{tid}")
    assert "区内尚未建成" in shown.text and "张三" in shown.text


@pytest.mark.parametrize("form, expect", [
    ({"target_id": "nothing-here", "status": "unfulfilled", "note": "x"}, "no measure or thread"),
    ({"target_id": "", "status": "unfulfilled", "note": "x"}, "say what to flag"),
    ({"status": "unfulfilled"}, "a note is required"),
    ({"status": "unfulfilled", "note": "   "}, "a note is required"),
    ({"status": "overdue", "note": "x"}, "status must be one of"),
    ({"status": "unfulfilled", "note": "长" * 4001}, "keep it under 4000"),
])
def test_a_flag_that_cannot_be_recorded_says_why_and_stores_nothing(site, form, expect):
    ds, db_path = site
    tid, _ = first_thread(db_path)
    _, cookies, token = csrf(ds, f"/-/compare/thread/{tid}", actor_cookie(ds))
    form = {"target_id": tid, **form, "csrftoken": token}
    before = flags_count(db_path)
    r = call(ds.client.post("/-/compare/flag", cookies=cookies, data=form))
    assert r.status_code == 400 and expect in r.text and "Flag recorded" not in r.text
    assert flags_count(db_path) == before


def test_flag_without_csrf_token_is_refused(site):
    ds, db_path = site
    tid, _ = first_thread(db_path)
    before = flags_count(db_path)
    r = call(ds.client.post("/-/compare/flag", cookies=actor_cookie(ds),
                            data={"target_id": tid, "status": "disputed", "note": "x"}))
    assert r.status_code == 403
    assert flags_count(db_path) == before


def test_reviewer_logs_in_with_password_and_out(site):
    from compare.reviewers import SESSION_COOKIE, SESSION_NAMESPACE

    ds, _ = site
    login, cookies, token = csrf(ds, "/-/login", {})
    assert login.status_code == 200
    bad = call(ds.client.post("/-/login", cookies=cookies,
                              data={"username": "张三", "password": "wrong", "csrftoken": token}))
    assert bad.status_code == 401 and SESSION_COOKIE not in bad.cookies
    ok = call(ds.client.post("/-/login", cookies=cookies,
                             data={"username": "张三", "password": PASSWORD, "csrftoken": token,
                                   "next": "//evil.example/x"}))
    assert ok.status_code == 302 and ok.headers["location"] == "/-/compare"  # no open redirect
    assert ds.unsign(ok.cookies[SESSION_COOKIE], SESSION_NAMESPACE)["n"] == "张三"
    session = {SESSION_COOKIE: ok.cookies[SESSION_COOKIE]}
    assert get(ds, "/-/actor.json", cookies=session).json()["actor"]["id"] == "张三"
    _, cookies, token = csrf(ds, "/-/logout", session)
    out = call(ds.client.post("/-/logout", cookies=cookies, data={"csrftoken": token}))
    assert out.status_code == 302 and not out.cookies.get(SESSION_COOKIE)


def test_tables_have_descriptions_and_hidden_internals(site):
    ds, _ = site
    r = get(ds, "/compare")
    assert r.status_code == 200 and "unfulfilled_commitments" in r.text
    assert get(ds, "/compare/flags").status_code == 200
    meta = get(ds, "/-/metadata.json").json()
    tables = meta["databases"]["compare"]["tables"]
    assert "append-only" in tables["flags"]["description"].lower()


def test_a_flag_given_on_the_web_keeps_its_documents_path_that_the_site_never_shows(site):
    """The published site reads documents.source, files.path and flag_scopes.context as NULL; the
    flag route reads them through, so a web flag can follow its document into a new version."""
    ds, db_path = site
    mid, source = rows(db_path, "SELECT m.id, d.source FROM measures m JOIN documents d ON d.id = m.document_id "
                                "WHERE m.kind = 'target' ORDER BY m.id LIMIT 1")[0]
    tid = first_thread(db_path)[0]
    _, cookies, token = csrf(ds, f"/-/compare/thread/{tid}", actor_cookie(ds))
    r = call(ds.client.post("/-/compare/flag", cookies=cookies, data={
        "target_id": mid, "status": "disputed", "note": "路径测试", "csrftoken": token}))
    assert r.status_code == 302
    context = json.loads(rows(db_path, "SELECT context FROM flag_scopes ORDER BY flag_id DESC LIMIT 1")[0][0])
    assert context[mid]["source"] == source and source.startswith("/")
    for path in ("/compare/flag_scopes.json?_shape=array", "/compare/documents.json?_shape=array",
                 "/compare/files.json?_shape=array", f"/-/compare/document/{mid[1:]}.json"):
        body = get(ds, path).text
        assert source not in body and json.dumps(source)[1:-1] not in body, path
    data = get(ds, "/compare/documents.json?_shape=array&_col=source&_col=file_name").json()
    assert all(d["source"] is None and d["file_name"] for d in data)
    # the page still finds the flag's measure and shows the verdict
    doc = rows(db_path, "SELECT document_id FROM measures WHERE id = ?", (mid,))[0][0]
    assert "有争议" in get(ds, f"/-/compare/document/{doc}").text


def test_compare_pages_answer_json_and_404(site):
    ds, db_path = site
    tid = first_thread(db_path)[0]
    thread = get(ds, f"/-/compare/thread/{tid}.json")
    assert thread.status_code == 200 and thread.json()["thread"]["id"] == tid
    assert {m["measure_id"] for m in thread.json()["mentions"]} == {
        m for (m,) in rows(db_path, "SELECT measure_id FROM thread_members WHERE thread_id = ?", (tid,))}
    by_region = get(ds, f"/-/compare/thread/{tid}/regions.json").json()["regions"]
    assert sum((r["meter"] or {"total": 0})["total"] for r in by_region) == rows(
        db_path, "SELECT count(*) FROM statuses WHERE measure_id IN (SELECT measure_id FROM thread_members "
                 "WHERE thread_id = ?)", (tid,))[0][0]
    regions = get(ds, "/-/compare/regions.json").json()["regions"]
    assert sum(r["meter"]["total"] for r in regions) == rows(db_path, "SELECT count(*) FROM commitments")[0][0]
    for path in ("/-/compare/thread/tnothere.json", "/-/compare/nope.json", "/-/compare/document/x/y"):
        r = get(ds, path)
        assert r.status_code == 404, path
    assert get(ds, "/-/compare/static/compare.css").status_code == 200


def test_databases_list_leaves_out_the_files_path(site):
    ds, db_path = site
    for path in ("/-/databases.json", "/-/databases"):
        r = get(ds, path)
        assert r.status_code == 200 and db_path not in r.text
        assert "compare" in {d["name"] for d in r.json()} and not any("path" in d for d in r.json())


def test_with_allow_sql_no_query_reads_a_path(site, tmp_path):
    from cli import web_app

    ds_site, db_path = site
    ds = web_app(db_path, allow_sql=True)
    paths = [s for (s,) in rows(db_path, "SELECT source FROM documents")] + [db_path]
    for q in ("select source, file_name from documents", "select * from files", "select params from runs",
              "select context from flag_scopes", "select file from pragma_database_list",
              "select count(*) from documents where source like '/%'",
              "select d.source from documents d join measures m on m.document_id = d.id limit 5"):
        r = get(ds, "/compare.json", params={"sql": q})
        assert r.status_code == 200, (q, r.text)
        assert not any(p in r.text or json.dumps(p)[1:-1] in r.text for p in paths), q
    # the path cannot be probed either: it reads as NULL in a WHERE too
    assert get(ds, "/compare.json", params={"sql": "select count(*) from documents where source like '/%'"}
               ).json()["rows"] == [[0]]
    names = get(ds, "/compare.json", params={"sql": "select file_name from documents"}).json()["rows"]
    assert names and all(n[0] and "/" not in n[0] for n in names)
