"""The CLI against hostile input (the security review of 2026-11): a database file compare did not
write, passed with -d (another program's SQLite database is left byte for byte as it was, a
trigger's error is one clean line), and a file name that holds a line break."""
import hashlib
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from cli import cli


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def foreign(tmp_path):
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org/')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("args", [["docs"], ["threads"], ["export", "--format", "json"], ["status"],
                                  ["align", "--model", "hashing", str(EXAMPLES / "01_jiading_plan.txt")]])
def test_another_programs_database_is_refused_and_left_as_it_was(foreign, args):
    """compare added its 30 tables to it and switched it to WAL, even for `compare docs`, exit code 0."""
    before = digest(foreign)
    r = CliRunner().invoke(cli, args + ["-d", str(foreign)])
    assert r.exit_code == 1, r.output
    assert "not a compare database" in r.output and "moz_places" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert digest(foreign) == before
    conn = sqlite3.connect(foreign)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["moz_places"]


def test_an_empty_database_file_is_compares_to_fill(tmp_path):
    empty = tmp_path / "new.db"
    empty.touch()
    r = CliRunner().invoke(cli, ["align", "--silent", "--model", "hashing", "-d", str(empty),
                                 str(EXAMPLES / "01_jiading_plan.txt")])
    assert r.exit_code == 0, r.output


def test_a_trigger_that_refuses_a_write_is_one_line_without_its_escape_sequences(tmp_path):
    """RAISE(ABORT, '<ESC>]0;title<BEL><ESC>[2J') in a trigger: a traceback with the sequences raw
    (retitle and clear the terminal). Now one line, the control characters taken out."""
    db = tmp_path / "trap.db"
    r = CliRunner().invoke(cli, ["align", "--silent", "--model", "hashing", "-d", str(db),
                                 str(EXAMPLES / "01_jiading_plan.txt")])
    assert r.exit_code == 0, r.output
    conn = sqlite3.connect(db)
    conn.execute("CREATE TRIGGER trap BEFORE INSERT ON runs BEGIN "
                 "SELECT RAISE(ABORT, 'refused\x1b]0;PWNED\x07\x1b[2J'); END")
    conn.commit()
    conn.close()
    r = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(db), str(EXAMPLES)])
    assert r.exit_code == 1
    assert "refused" in r.output and "Traceback" not in r.output
    assert isinstance(r.exception, SystemExit)  # click's one-line error, not the sqlite3 error itself
    assert not any(c in r.output for c in "\x1b\x07")
    assert len(r.output.strip().splitlines()) == 1, r.output


def test_a_file_name_with_a_line_break_cannot_print_a_line_of_its_own(tmp_path):
    """A file called 'x<LF>error: ….txt' printed a forged line under `compare align`; escape
    sequences in a name were already taken out."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan\nerror: forged line\x1b[31m.txt").write_text(
        (EXAMPLES / "01_jiading_plan.txt").read_text(encoding="utf-8"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(tmp_path / "c.db"), str(folder)])
    assert r.exit_code == 0, r.output
    assert not any(line.startswith("error: forged") for line in r.output.splitlines()), r.output
    assert "plan\\nerror: forged line[31m.txt: added as" in r.output and "\x1b" not in r.output
