"""Database open: racing opens, a busy database, a read-only one, a full disk. Each gets one true line."""
import ctypes
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading

import pytest
from conftest import EXAMPLES, ROOT

from db import db_lock, open_db
from db.errors import DatabaseError

from .conftest import consistency_problems, record

COMPARE = [sys.executable, "-m", "compare"]
FOREIGN = "not a compare database"


def journal_mode(path) -> str:
    """Read from the file header, so that looking changes nothing: 2 at offset 18 is WAL."""
    with open(path, "rb") as f:
        header = f.read(20)
    return "wal" if len(header) == 20 and header[18] == 2 else "rollback"


def one_line_error(output: str, *want: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert "Traceback" not in output and FOREIGN not in output, output
    for w in want:
        assert w in lines[0], (w, output)


def built(tmp_path, run, name="c.db"):
    """A small up-to-date database: two versions of a reply (for diff), a flag; WAL files folded in."""
    path = tmp_path / name
    run("align", "--model", "hashing", "--silent", "-d", path, EXAMPLES)
    tid = json.loads(run("threads", "--json", "-d", path).stdout)[0]["id"]
    run("flag", tid, "--status", "disputed", "--note", "n", "--reviewer", "r", "-d", path)
    gc.collect()  # the CLI's connections close
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path, tid


def read_commands(tid):
    return [["docs"], ["docs", "--csv"], ["measures", "02_jiading_reply_2025.md"], ["threads"], ["thread", tid],
            ["flags"], ["export"], ["report"], ["report", "--format", "csv"],
            ["diff", "02_jiading_reply_2025.md", "04_jiading_reply_2026.html"]]


def write_commands(tid):
    return [["status"], ["flag", tid, "--status", "fulfilled", "--note", "n", "--reviewer", "r"],
            ["align", "--model", "hashing", "--silent", EXAMPLES]]


def test_the_wal_switch_and_the_migrations_wait_for_the_lock(tmp_path):
    """Two first opens raced on the WAL switch ("database is locked"): it now runs under the lock."""
    path = tmp_path / "fresh.db"
    opened, errors = [], []

    def open_it():
        try:
            db = open_db(path)
            opened.append(db.table_names())
            db.conn.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    with db_lock(str(path), "testing", wait_message=False):
        t = threading.Thread(target=open_it)
        t.start()
        t.join(1.5)
        assert t.is_alive(), errors  # waiting for the lock...
        # ...having written nothing: neither the WAL switch nor a table
        assert not path.exists() or journal_mode(path) == "rollback"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if path.exists() else None
        if conn:
            assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
            conn.close()
    t.join(60)
    assert not errors and opened
    assert journal_mode(path) == "wal" and "documents" in opened[0]
    record("database open", tried=1, clean=1)


def test_a_busy_database_is_busy_not_foreign(tmp_path, run, monkeypatch):
    import db as dbmod

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT", 0.3, raising=False)
    path, _ = built(tmp_path, run)
    # at open: another process holds the whole (rollback-journal) file
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = delete")
    holder.execute("BEGIN EXCLUSIVE")
    tried = clean = 0
    try:
        for kwargs in ({}, {"readonly": True}):
            tried += 1
            with pytest.raises(DatabaseError) as e:
                open_db(path, **kwargs)
            assert ": busy (another process holds it)" in str(e.value) and FOREIGN not in str(e.value), e.value
            clean += 1
        for args in (["docs"], ["status"], ["align", "--model", "hashing", "--silent"]):
            tried += 1
            one_line_error(run(*args, "-d", path, ok=False).output, str(path), ": busy (another process holds it)")
            clean += 1
    finally:
        holder.execute("ROLLBACK")
        holder.execute("PRAGMA journal_mode = wal")
        holder.close()
    # later in a command: another process is writing (WAL); readers go on, a writer says busy
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert run("docs", "-d", path).exit_code == 0
        tried += 1
        one_line_error(run("status", "-d", path, ok=False).output, str(path), ": busy (another process holds it)")
        clean += 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # and a file that is not a database at all is still called so
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all " * 300)
    for args in (["docs"], ["status"]):
        tried += 1
        r = run(*args, "-d", junk, ok=False)
        assert FOREIGN in r.output and ": busy" not in r.output and "Traceback" not in r.output, r.output
        clean += 1
    record("database open", tried=tried, clean=clean)
    assert not consistency_problems(str(path))


def test_read_commands_write_nothing_to_an_up_to_date_database(tmp_path, run):
    path, tid = built(tmp_path, run)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = delete")  # so that any write shows in the file itself
    conn.close()
    before = path.read_bytes()
    for args in read_commands(tid):
        run(*args, "-d", path)
    assert path.read_bytes() == before  # no WAL switch, no migration, no run row
    assert not os.path.exists(f"{path}-wal") and journal_mode(path) == "rollback"
    db = open_db(path, readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("INSERT INTO flags (target_id, target_type, status, reviewer, created_at) "
                   "VALUES ('x', 'thread', 'disputed', 'r', 'now')")
    db.conn.close()
    record("database open", tried=len(read_commands(tid)) + 1, clean=len(read_commands(tid)) + 1)


def test_write_commands_on_a_read_only_database_say_so(tmp_path, run, monkeypatch):
    """As the file system answers: a read-only file (os.access says so, even to root on a read-only mount)."""
    path, tid = built(tmp_path, run)
    before = path.read_bytes()
    real_access = os.access

    def access(p, mode, *a, **k):
        if mode & os.W_OK and os.fspath(p).startswith(str(path)):
            return False
        return real_access(p, mode, *a, **k)

    monkeypatch.setattr(os, "access", access)
    for args in write_commands(tid):
        one_line_error(run(*args, "-d", path, ok=False).output, str(path), ": read-only")
    for args in read_commands(tid):
        run(*args, "-d", path)
    assert path.read_bytes() == before
    n = len(write_commands(tid)) + len(read_commands(tid))
    record("database open", tried=n, clean=n)


def _drop_file_override():
    """In the child: root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH obeys file modes like anyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _restricted(*args, cwd=ROOT):
    preexec = _drop_file_override if os.geteuid() == 0 else None
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          preexec_fn=preexec, check=False)


def test_chmod_read_only_database(tmp_path, run):
    """For real: the file (0444) and then its folder (0555) read-only; as root, with the override dropped."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path, tid = built(folder, run)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")
    before = path.read_bytes()
    os.chmod(path, 0o444)
    tried = clean = 0
    try:
        try:
            probe = _restricted(sys.executable, "-c", f"open({str(path)!r}, 'ab')")
        except subprocess.SubprocessError as e:
            pytest.skip(f"cannot drop the file-permission override here ({e})")
        if probe.returncode == 0:
            pytest.skip("a 0444 file is writable here (file-permission override kept)")
        for folder_mode in (0o755, 0o555):
            os.chmod(folder, folder_mode)
            for args in read_commands(tid):
                p = _restricted(*COMPARE, *args, "-d", path)
                tried += 1
                assert p.returncode == 0 and "Traceback" not in p.stderr, (args, oct(folder_mode), p.stderr)
                clean += 1
            assert len(json.loads(_restricted(*COMPARE, "docs", "--json", "-d", path).stdout)) == 4
            for args in write_commands(tid):
                p = _restricted(*COMPARE, *args, "-d", path)
                tried += 1
                assert p.returncode == 1, (args, p.stdout, p.stderr)
                one_line_error(p.stderr, str(path), ": read-only")
                clean += 1
            assert path.read_bytes() == before
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)
    record("database open", tried=tried, clean=clean)


def test_disk_full_is_one_line_and_nothing_is_half_written(tmp_path, run, monkeypatch):
    """SQLite's max_page_count makes the database 'full' where the next document would go."""
    import db as dbmod

    path = tmp_path / "full.db"
    run("align", "--model", "hashing", "--silent", "-d", path, EXAMPLES / "01_jiading_plan.txt")
    real_open = dbmod.open_db

    def full_open(*a, **k):
        db = real_open(*a, **k)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(dbmod, "open_db", full_open)
    tried = clean = 0
    for args in (["align", "--model", "hashing", "--silent", EXAMPLES],
                 ["align", "--model", "hashing", "--silent", EXAMPLES / "02_jiading_reply_2025.md"]):
        tried += 1
        r = run(*args, "-d", path, ok=False)
        one_line_error(r.output, str(path), ": disk full", "nothing was half-written")
        clean += 1
        assert not consistency_problems(str(path))
    monkeypatch.setattr(dbmod, "open_db", real_open)
    gc.collect()
    conn = sqlite3.connect(path)
    docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn.close()
    # space again: the next run completes the work
    run("align", "--model", "hashing", "--silent", "-d", path, EXAMPLES)
    assert len(json.loads(run("docs", "--json", "-d", path).stdout)) == 4
    assert not consistency_problems(str(path))
    record("disk full", tried=tried, clean=clean, lost=1 - docs)
    assert docs == 1


def test_disk_full_writing_an_output_file(tmp_path, run):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    path = tmp_path / "c.db"
    run("align", "--model", "hashing", "--silent", "-d", path, EXAMPLES / "01_jiading_plan.txt")
    one_line_error(run("export", "-o", "/dev/full", "-d", path, ok=False).output, "/dev/full: disk full")
    record("disk full", tried=1, clean=1)


def test_a_database_in_a_missing_folder_is_not_foreign(tmp_path, run):
    path = tmp_path / "no" / "such" / "c.db"
    for args in (["docs"], ["status"]):  # commands that need a database: there is none
        one_line_error(run(*args, "-d", path, ok=False).output, "no such database", "no folder")
    one_line_error(run("align", "--model", "hashing", "-d", path, EXAMPLES / "01_jiading_plan.txt", ok=False).output,
                   "cannot be created", "no folder")
    assert not path.parent.exists()
    shutil.rmtree(tmp_path / "no", ignore_errors=True)
    record("database open", tried=3, clean=3)
