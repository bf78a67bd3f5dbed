"""Security: anonymous visitors cannot write; SQL takes parameters only; user text is escaped."""
import asyncio
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

from cli import cli, web_app

from .conftest import record

INJECTIONS = ["'; DROP TABLE flags; --", '" OR 1=1 --', "1); DELETE FROM flags; --", "%' OR '1'='1",
              "<script>alert(1)</script>", "../../etc/passwd", "\\x00", "t' UNION SELECT * FROM flags --"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sec")
    db = str(tmp / "compare.db")
    (tmp / "x").mkdir()
    (tmp / "x" / "xss.txt").write_text("嘉定区关于推进测试验证平台的工作方案\n\n一、重点任务\n\n"
                                       "一是建设<script>alert('x')</script>测试验证平台。\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", db, str(EXAMPLES), str(tmp / "x")],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    CliRunner().invoke(cli, ["flag", "tnothing", "--status", "disputed", "--note", "n", "--reviewer", "r", "-d", db])
    return web_app(db), db


def counts(db):
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("flags", "documents", "measures", "threads", "statuses"))
    finally:
        conn.close()


def test_anonymous_visitors_cannot_write_anywhere(site):
    ds, db = site
    before = counts(db)
    attempts = [
        ("/compare/flag_commitment", {"target_id": "x", "status": "unfulfilled"}),
        ("/compare/flag_commitment.json", {"target_id": "x", "status": "unfulfilled"}),
        ("/compare/unfulfilled", {"region": ""}),
        ("/compare/district_comparison", {"thread_id": "x"}),
        ("/compare/search", {"q": "x"}),
        ("/compare/flags", {"id": "1"}),
        ("/compare/flags/-/insert", {"row": "{}"}),
        ("/compare/-/create", {}),
        ("/compare", {"sql": "DELETE FROM flags"}),
        ("/-/compare/flagged", {}),
        ("/-/compare/search", {"q": "x"}),
    ]
    for path, data in attempts:
        r = asyncio.run(ds.client.post(path, data=data))
        assert r.status_code in (302, 400, 403, 404, 405), (path, r.status_code)
    for sql in ("DELETE FROM flags", "INSERT INTO flags (target_id, target_type, status, reviewer, created_at) "
                "VALUES ('a', 'measure', 'fulfilled', 'x', 'y')", "UPDATE statuses SET status = 'fulfilled'",
                "DROP TABLE flags"):
        r = asyncio.run(ds.client.get("/compare.json", params={"sql": sql}))
        assert r.status_code >= 400 or "error" in r.text.lower()
    assert counts(db) == before
    record("security: writes", tried=len(attempts) + 4, clean=len(attempts) + 4)


def test_sql_reaches_the_database_only_through_parameters(site):
    ds, db = site
    before = counts(db)
    pages = ["/-/compare/search?q={}", "/-/compare/thread/{}", "/-/compare/document/{}", "/-/compare/diff?a={}&b={}",
             "/compare/search.json?q={}", "/compare/district_comparison.json?thread_id={}",
             "/compare/unfulfilled.json?region={}"]
    tried = 0
    for inj in INJECTIONS:
        for page in pages:
            r = asyncio.run(ds.client.get(page.replace("{}", __import__("urllib.parse").parse.quote(inj))))
            tried += 1
            assert r.status_code in (200, 302, 404), (page, inj, r.status_code)
            if r.headers.get("content-type", "").startswith("text/html"):
                assert "<script>alert(1)</script>" not in r.text
    assert counts(db) == before
    record("security: injection", tried=tried, clean=tried)


def test_user_text_in_pages_is_escaped(site):
    ds, db = site
    conn = sqlite3.connect(db)
    mid, doc = conn.execute("SELECT id, document_id FROM measures WHERE text LIKE '%<script>%'").fetchone()
    tid = conn.execute("SELECT thread_id FROM thread_members WHERE measure_id = ?", [mid]).fetchone()
    conn.close()
    pages = [f"/-/compare/document/{doc}", "/-/compare/search?q=script", f"/compare/measures/{mid}",
             "/compare/measures?_search=script"]
    if tid:
        pages.append(f"/-/compare/thread/{tid[0]}")
    for page in pages:
        r = asyncio.run(ds.client.get(page))
        assert r.status_code == 200, page
        assert "<script>alert('x')</script>" not in r.text, page
    record("security: escaping", tried=len(pages), clean=len(pages))


def test_serve_binds_to_loopback_and_warns_elsewhere(tmp_path):
    db = tmp_path / "w.db"
    CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(db), str(EXAMPLES / "01_jiading_plan.txt")])
    out = {}
    for host in ("127.0.0.1", "0.0.0.0"):
        args = [sys.executable, "-m", "compare", "serve", "-d", str(db), "-p", "0"]
        if host != "127.0.0.1":
            args += ["--host", host]
        p = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        lines = []
        deadline = time.time() + 20
        while time.time() < deadline:
            line = p.stderr.readline()
            lines.append(line)
            if "serving" in line:
                break
        p.terminate()
        p.wait(timeout=10)
        out[host] = "".join(lines)
    assert "http://127.0.0.1:" in out["127.0.0.1"] and "warning" not in out["127.0.0.1"]
    assert "warning" in out["0.0.0.0"] and "--reviewers" in out["0.0.0.0"]
    record("security: binding", tried=2, clean=1)
