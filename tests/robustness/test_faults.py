"""Faults: kill -9 mid-run, two writers at once, flags while serving, old and new schemas."""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

from conftest import EXAMPLES, ROOT, free_port, shared_dir

from .conftest import consistency_problems, record

COMPARE = [sys.executable, "-m", "compare"]


def run(*args, timeout=300, check=True):
    p = subprocess.run(COMPARE + [str(a) for a in args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if check:
        assert p.returncode == 0, p.stdout + p.stderr
    return p


def corpus(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    for f in EXAMPLES.iterdir():
        shutil.copy(f, d / f.name)
    seeds = shared_dir()
    if seeds:
        for f in sorted((seeds / "corpus" / "seeds").iterdir()):
            shutil.copy(f, d / f.name)
    return d


def snapshot(db):
    conn = sqlite3.connect(db)
    try:
        threads = sorted(sorted(m for m, in conn.execute("SELECT measure_id FROM thread_members WHERE thread_id = ?",
                                                           [t])) for t, in conn.execute("SELECT id FROM threads"))
        statuses = sorted(conn.execute("SELECT measure_id, status FROM statuses").fetchall())
        flags = conn.execute("SELECT * FROM flags ORDER BY id").fetchall()
        docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        return threads, statuses, flags, docs
    finally:
        conn.close()


def test_kill_9_at_random_points_then_the_next_run_completes(tmp_path):
    src = corpus(tmp_path)
    db = tmp_path / "k.db"
    run("align", "--silent", "-d", db, src / "01_jiading_plan.txt")
    conn = sqlite3.connect(db)
    mid = conn.execute("SELECT id FROM measures WHERE kind = 'target' LIMIT 1").fetchone()[0]
    conn.close()
    run("flag", mid, "--status", "unfulfilled", "--note", "before the kills", "--reviewer", "r", "-d", db)
    flags_before = snapshot(db)[2]
    rnd = random.Random(20261122)
    tried = kills = lost = 0
    first = src / "01_jiading_plan.txt"
    rest = sorted(f for f in src.iterdir() if f != first)
    for k in range(8):
        # every run has new work: one more file than the run before (the first is stored already:
        # with it counted among them, one run had nothing new and could end before its kill)
        part = [first, *rest[: min(len(rest), 1 + k)]]
        proc = subprocess.Popen(COMPARE + ["align", "--silent", "-d", str(db)] + [str(f) for f in part], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.2, 3.0))
        tried += 1
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        problems = consistency_problems(str(db))
        assert not problems, problems
        lost += len(flags_before) - len([f for f in snapshot(db)[2] if f in flags_before])
    final = run("align", "-d", db, src)
    assert "Traceback" not in final.stderr
    assert not consistency_problems(str(db))
    # the work is complete: the same as a run that was never interrupted
    clean_db = tmp_path / "clean.db"
    run("align", "--silent", "-d", clean_db, src / "01_jiading_plan.txt")
    run("align", "--silent", "-d", clean_db, src)
    got, want = snapshot(db), snapshot(clean_db)
    assert got[0] == want[0] and got[1] == want[1] and got[3] == want[3]
    assert got[2] == flags_before
    record("kill -9", tried=tried, clean=kills, lost=lost)
    assert kills >= 1 and lost == 0


def test_two_aligns_at_once_both_finish(tmp_path):
    src = corpus(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    for i, f in enumerate(sorted(src.iterdir())):
        shutil.copy(f, (a if i % 2 else b) / f.name)
    db = tmp_path / "two.db"
    procs = [subprocess.Popen(COMPARE + ["align", "-d", str(db), str(d)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for d in (a, b)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "database is locked" not in err and "Traceback" not in err
    assert not consistency_problems(str(db))
    conn = sqlite3.connect(db)
    n = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn.close()
    expected = len(list(src.iterdir()))
    record("two writers", tried=2, clean=sum("waiting for it" in e for _, e in outs), lost=expected - n)
    assert n == expected


def test_flag_while_serving(tmp_path):
    db = tmp_path / "s.db"
    run("align", "--silent", "--model", "hashing", "-d", db, EXAMPLES)
    port = free_port()
    server = subprocess.Popen(COMPARE + ["serve", "-d", str(db), "-p", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/compare", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        conn = sqlite3.connect(db)
        tid = conn.execute("SELECT id FROM threads LIMIT 1").fetchone()[0]
        conn.close()
        for i in range(5):
            p = run("flag", tid, "--status", "disputed", "--note", f"while serving {i}", "--reviewer", "r", "-d", db)
            assert "locked" not in p.stderr
            page = urllib.request.urlopen(f"http://127.0.0.1:{port}/-/compare/thread/{tid}", timeout=5).read().decode()
            assert f"while serving {i}" in page
        run("align", "--silent", "--model", "hashing", "-d", db, EXAMPLES)  # and a no-op align, too
    finally:
        server.terminate()
        server.wait(timeout=10)
    record("flag while serving", tried=5)


def test_older_schema_is_migrated_and_newer_refused(tmp_path):
    from sqlite_utils import Database

    from compare.stages import ingest
    from db import open_db, queries
    from db.migrations import known_migrations, migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m004_publishing")
    # today's ingest writes the column migration 13 adds: there for the ingest, gone before the upgrade
    old.execute("ALTER TABLE documents ADD COLUMN alignable_count INTEGER NOT NULL DEFAULT 0")
    ingest(old, [EXAMPLES])
    old.execute("ALTER TABLE documents DROP COLUMN alignable_count")
    old.execute("INSERT INTO flags (target_id, target_type, status, note, reviewer, created_at) "
                "VALUES ('tX', 'thread', 'unfulfilled', 'old flag', 'r', '2025-01-01')")
    old.conn.commit()
    counts = {t: old.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "measures", "flags")}
    old.conn.close()
    db = open_db(path)
    assert {m.name for m in migrations.applied(db)} == known_migrations() and not migrations.pending(db)
    assert {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts} == counts
    assert db.execute("SELECT count(*) FROM flag_scopes").fetchone()[0] == counts["flags"]  # old flags scoped
    assert queries.search_measures(db, "嘉智杯")  # the new full-text index covers old rows
    # migration 13 counted each document's alignable measures
    assert db.execute("SELECT count(*) FROM documents d WHERE d.alignable_count IS NOT (SELECT count(*) "
                      "FROM measures m WHERE m.document_id = d.id AND m.kind != 'other')").fetchone()[0] == 0
    assert db.execute("SELECT min(alignable_count) FROM documents").fetchone()[0] > 0
    db.conn.close()
    p = run("align", "--silent", "--model", "hashing", "-d", path)
    assert p.returncode == 0
    # a newer database is refused, byte for byte untouched
    newer = Database(path)
    newer["_sqlite_migrations"].insert({"migration_set": "compare", "name": "m999_future", "applied_at": "x"})
    newer.conn.close()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    before = path.read_bytes()
    p = run("docs", "-d", path, check=False)
    assert p.returncode != 0 and "newer version of compare" in p.stderr
    assert path.read_bytes() == before
    record("schema versions", tried=2, clean=1)


def test_reviewers_file_errors_are_clean(tmp_path):
    bad = tmp_path / "reviewers.json"
    bad.write_text(json.dumps({"x": "plaintext"}), encoding="utf-8")
    run("align", "--model", "hashing", "--silent", "-d", tmp_path / "x.db", EXAMPLES / "01_jiading_plan.txt")
    p = run("serve", "-d", tmp_path / "x.db", "--reviewers", bad, check=False)
    assert p.returncode != 0 and "reviewers.json" in p.stderr and "hash-password" in p.stderr
    record("schema versions", tried=1, clean=1)
