"""`compare align --jobs N`: files read, cleaned and segmented in N processes store the same rows,
say the same things about each file, and align the same way as with one process (issue 15)."""
import shutil
import sqlite3

import pytest
from conftest import EXAMPLES, rows
from test_incremental import AS_OF, state

VOLATILE = {"run_id", "added_at", "first_seen", "at"}  # when and in which run, not what


def table(db_path, name):
    conn = sqlite3.connect(db_path)
    try:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({name})") if r[1] not in VOLATILE]
        return conn.execute(f"SELECT {', '.join(map(repr, cols))} FROM {name} ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()


@pytest.fixture
def corpus(tmp_path):
    """The examples, a second copy of one (a file already read in this run), a new version of one,
    an empty file (an error) and a file of another kind (ignored or refused)."""
    d = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, d)
    shutil.copy(d / "01_jiading_plan.txt", d / "05_copy_of_the_plan.txt")
    (d / "06_empty.txt").write_text("   \n", encoding="utf-8")
    (d / "07_notes.xyz").write_text("not a document", encoding="utf-8")
    later = tmp_path / "later"
    later.mkdir()
    data = (d / "03_city_reply_2025.txt").read_bytes()
    lines = data.split(b"\n")  # bytes: the file is not UTF-8
    long = [k for k, ln in enumerate(lines) if len(ln.strip()) > 30]
    middle = long[len(long) // 2]
    (later / "03_city_reply_2025.txt").write_bytes(b"\n".join(lines[:middle] + lines[middle + 1:]))
    return d, later


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_store_the_same_rows_and_messages_as_one_process(run, tmp_path, corpus, jobs, monkeypatch):
    from compare import stages

    d, later = corpus
    parsed_ahead = []
    take = stages.ParseAhead.take
    monkeypatch.setattr(stages.ParseAhead, "take",
                        lambda self, path: parsed_ahead.append(path) or take(self, path) if self.pool else None)
    one, many = tmp_path / "one.db", tmp_path / "many.db"
    said = {}
    for db, n in ((one, 1), (many, jobs)):
        out = run("align", "--model", "hashing", "--as-of", AS_OF, "--jobs", n, "-d", db, d, ok=None).output
        out += run("align", "--model", "hashing", "--as-of", AS_OF, "--jobs", n, "-d", db, d, later, ok=None).output
        said[n] = [ln for ln in out.splitlines() if "s" in ln and not ln.startswith("  ")]
    assert len(parsed_ahead) >= 5  # the files new to each run went through the worker processes
    assert said[1] == said[jobs]
    assert any("error" in ln for ln in said[1]) and any("skipped" in ln for ln in said[1])
    for name in ("documents", "measures", "quantities", "terms", "files"):
        assert table(str(one), name) == table(str(many), name), name
    assert rows(str(one), "SELECT count(*) FROM documents WHERE is_current = 0") == [(1,)]
    assert state(str(one)) == state(str(many))


def test_bad_jobs_is_a_clear_error(run, tmp_path):
    r = run("align", "--jobs", "0", "-d", tmp_path / "x.db", EXAMPLES, ok=False)
    assert "--jobs" in r.output and "Traceback" not in r.output
