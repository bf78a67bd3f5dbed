"""Reviewer accounts and the server: nothing secret is readable, logins are limited, sessions end,
only current reviewers flag, arbitrary SQL is off by default and capped when on."""
import asyncio
import json
import os
import re
import sqlite3
import time

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from cli import cli, web_app
from compare import reviewers as rv

from .conftest import record

PASSWORD = "correct horse battery"
ACCOUNTS = {"审阅者甲": PASSWORD, "reviewer-b": "another one"}
FAST = 2_000  # iterations for test hashes (the login checks cost nothing but still hash)


def call(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("accounts")
    db = str(tmp / "compare.db")
    r = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", db, str(EXAMPLES)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    path = tmp / "reviewers.json"
    path.write_text(json.dumps({n: rv.hash_password(p, iterations=FAST) for n, p in ACCOUNTS.items()}),
                    encoding="utf-8")
    return tmp, db, path


@pytest.fixture
def site(served):
    _, db, path = served
    return web_app(db, str(path)), db, path


def secrets_of(db, path):
    out = list(ACCOUNTS) + list(json.loads(path.read_text(encoding="utf-8")).values())
    with open(os.path.abspath(db) + ".secret") as f:
        out.append(f.read().strip())
    return out


def login(ds, name, password, address="10.0.0.1"):
    page = call(ds.client.get("/-/login"))
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookies = {"ds_csrftoken": page.cookies.get("ds_csrftoken")}
    # the in-process client has no address of its own: give each attempt one
    app = ds.app()

    async def go():
        import httpx

        transport = httpx.ASGITransport(app=app, client=(address, 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            return await client.post("/-/login", cookies=cookies,
                                     data={"username": name, "password": password, "csrftoken": token})
    return asyncio.run(go())


def test_no_endpoint_publishes_reviewers_hashes_or_the_secret(site):
    ds, db, path = site
    tables = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type IN "
                                                          "('table', 'view')")]
    pages = ["/-/metadata.json", "/-/plugins.json", "/-/settings.json", "/-/config.json", "/-/actor.json",
             "/-/versions.json", "/-/databases.json", "/-/threads.json", "/.json", "/compare.json", "/-/metadata",
             "/-/login", "/-/compare"]
    pages += [f"/compare/{t}.json?_shape=array&_size=max" for t in tables]
    pages += [f"/compare.json?sql=select+*+from+[{t}]" for t in tables]
    pages += ["/_memory.json?sql=select+1", "/compare/documents.json?_where=1=1"]
    needles = secrets_of(db, path) + ["pbkdf2_sha256"]
    exposed = 0
    for page in pages:
        r = call(ds.client.get(page))
        exposed += sum(1 for n in needles if n in r.text)
        assert not any(n in r.text for n in needles), page
    record("secrets exposed", tried=len(pages), refused=len(pages), exposed=exposed)


def test_arbitrary_sql_is_refused_to_visitors_but_pages_and_canned_queries_work(site):
    ds, _, _ = site
    for q in ("select hex(zeroblob(300000000))", "select 1"):
        r = call(ds.client.get("/compare.json", params={"sql": q}))
        assert r.status_code == 403, q
    assert call(ds.client.get("/compare/documents.json", params={"_where": "1=1"})).status_code in (400, 403)
    for page in ("/-/compare", "/compare/unfulfilled.json?region=", "/compare/search.json?q=平台",
                 "/compare/measures.json", "/compare/unfulfilled_commitments"):
        assert call(ds.client.get(page)).status_code == 200, page
    record("anonymous SQL", tried=3, refused=3)


def test_allow_sql_caps_values_and_answers(served):
    _, db, path = served
    ds = web_app(db, str(path), allow_sql=True)
    assert call(ds.client.get("/compare.json", params={"sql": "select 1 as x"})).json()["rows"] == [[1]]
    refused = 0
    for q in ("select hex(zeroblob(300000000))", "select randomblob(300000000)",
              "select printf('%.*c', 50000000, 'x')",
              ("with recursive r(i, s) as (select 0, 'x' union all select i + 1, s || s from r where i < 40) "
               "select max(length(s)) from r")):
        r = call(ds.client.get("/compare.json", params={"sql": q}))
        assert r.status_code >= 400 or "error" in r.text.lower(), q
        assert len(r.content) < 1_000_000
        refused += 1
    record("anonymous SQL", tried=refused, refused=refused)


def test_known_and_unknown_names_cost_the_same(monkeypatch):
    calls = []
    real = rv.hash_password
    monkeypatch.setattr(rv, "hash_password", lambda *a, **k: calls.append(a[2] if len(a) > 2 else None) or real(*a))
    known = rv.hash_password("pw")
    calls.clear()
    assert rv.verify_password("pw", known) and not rv.verify_password("x", None)
    assert not rv.verify_password("x", "not$a$valid$hash")
    assert len(calls) == 3 and len(set(calls)) == 1  # one full-cost hash each, same iterations
    record("login", tried=3, refused=2)


def test_failed_logins_are_limited_per_name_and_per_address(site):
    ds, _, _ = site
    for i in range(5):
        assert login(ds, "审阅者甲", f"wrong{i}", address="10.0.0.2").status_code == 401
    r = login(ds, "审阅者甲", PASSWORD, address="10.0.0.3")  # the right password, too late
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "compare_session" not in r.cookies
    # one address guessing many names
    for i in range(20):
        login(ds, f"nobody{i}", "x", address="10.0.0.9")
    r = login(ds, "reviewer-b", "another one", address="10.0.0.9")
    assert r.status_code == 429
    ok = login(ds, "reviewer-b", "another one", address="10.0.0.10")
    assert ok.status_code == 302 and ok.cookies.get("compare_session")
    record("login", tried=27, refused=2)


def test_limiter_window_passes():
    now = [0.0]
    lim = rv.LoginLimiter(per_name=2, per_address=10, window=60, clock=lambda: now[0])
    lim.failed("a", "x")
    lim.failed("a", "x")
    assert lim.retry_after("a", "y") > 0 and lim.retry_after("b", "x") == 0
    now[0] = 61
    assert lim.retry_after("a", "x") == 0


def test_password_checks_do_not_stall_the_pages(served):
    """A slow hash runs off the event loop: a page asked for meanwhile answers first."""
    tmp, db, _ = served
    slow = tmp / "slow.json"
    slow.write_text(json.dumps({"慢": rv.hash_password("pw", iterations=3_000_000)}), encoding="utf-8")
    ds = web_app(db, str(slow))
    page = call(ds.client.get("/-/login"))
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookies = {"ds_csrftoken": page.cookies.get("ds_csrftoken")}
    done = []

    async def attempt():
        await ds.client.post("/-/login", cookies=cookies, data={"username": "慢", "password": "x", "csrftoken": token})
        done.append("login")

    async def browse():
        await asyncio.sleep(0.05)
        await ds.client.get("/-/compare")
        done.append("page")

    async def both():
        await asyncio.gather(attempt(), browse())
    call(both())
    assert done == ["page", "login"]
    record("login", tried=1, refused=1)


def session(ds, name, hours=1.0, now=None):
    h = ds._compare_auth.reviewers.hash_of(name) or rv.hash_password("x", iterations=FAST)
    return {rv.SESSION_COOKIE: ds.sign(rv.session_payload(name, h, hours, now=now), rv.SESSION_NAMESPACE)}


def flag_attempt(ds, db, cookies):
    tid = sqlite3.connect(db).execute("SELECT id FROM threads ORDER BY size DESC LIMIT 1").fetchone()[0]
    page = call(ds.client.get("/-/login", cookies=cookies))  # a CSRF token, whoever asks
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookies = {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken")}
    return call(ds.client.post("/-/compare/flag", cookies=cookies,
                               data={"target_id": tid, "status": "disputed", "note": "x", "csrftoken": token}))


def count_flags(db):
    return sqlite3.connect(db).execute("SELECT count(*) FROM flags").fetchone()[0]


def test_sessions_expire_and_end_with_the_account(site):
    ds, db, path = site
    before = count_flags(db)
    refused = 0
    expired = session(ds, "审阅者甲", hours=1, now=time.time() - 7200)
    forged_ds_actor = {"ds_actor": ds.sign({"a": {"id": "审阅者甲"}}, "actor")}
    made_up = session(ds, "made-up")
    for cookies in (expired, forged_ds_actor, made_up):
        assert call(ds.client.get("/-/actor.json", cookies=cookies)).json()["actor"] is None
        assert flag_attempt(ds, db, cookies).status_code == 403
        refused += 1
    live = session(ds, "reviewer-b")
    assert call(ds.client.get("/-/actor.json", cookies=live)).json()["actor"]["id"] == "reviewer-b"
    # reviewer-b is removed from the reviewers file: the same cookie no longer flags
    original = path.read_text(encoding="utf-8")
    try:
        data = json.loads(original)
        del data["reviewer-b"]
        path.write_text(json.dumps(data), encoding="utf-8")
        os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
        assert flag_attempt(ds, db, live).status_code == 403
        refused += 1
    finally:
        path.write_text(original, encoding="utf-8")
        os.utime(path, ns=(time.time_ns() + 2 * 10**9, time.time_ns() + 2 * 10**9))
    assert count_flags(db) == before
    record("sessions", tried=4, refused=refused)


def test_a_new_password_ends_old_sessions():
    old = rv.hash_password("a", iterations=FAST)
    payload = rv.session_payload("x", old, 1)
    assert rv.session_reviewer(payload, {"x": old}) == "x"
    assert rv.session_reviewer(payload, {"x": rv.hash_password("b", iterations=FAST)}) is None


def test_session_length_is_configurable(served):
    _, db, path = served
    ds = web_app(db, str(path), session_hours=0.5)
    r = login(ds, "审阅者甲", PASSWORD, address="10.1.0.1")
    assert r.status_code == 302
    payload = ds.unsign(r.cookies[rv.SESSION_COOKIE], rv.SESSION_NAMESPACE)
    assert abs(payload["e"] - (time.time() + 1800)) < 60
    assert "max-age=1800" in r.headers["set-cookie"].lower()


def test_secret_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "x.db.secret"
    target.write_text("")
    with pytest.raises(rv.ReviewersError, match="empty or too short"):
        rv.read_or_create_secret(str(target))
    target.unlink()

    def full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(rv.ReviewersError, match="No space left"):
        rv.read_or_create_secret(str(target))
    assert not target.exists() and not list(tmp_path.iterdir())
    monkeypatch.undo()
    assert len(rv.read_or_create_secret(str(target))) == 64
    record("secrets exposed", tried=2, clean=2)


def test_serve_refuses_an_empty_secret_in_one_line(served, tmp_path):
    _, _, path = served
    db2 = tmp_path / "e.db"
    web_app(db2)  # a database to serve: its secret file is the problem here
    (tmp_path / "e.db.secret").write_text("")
    r = CliRunner().invoke(cli, ["serve", "-d", str(db2), "--reviewers", str(path), "-p", "0"])
    assert r.exit_code == 1 and "too short" in r.output and "Traceback" not in r.output
