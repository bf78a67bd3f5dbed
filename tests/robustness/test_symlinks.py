"""A corpus folder is read, not whatever it links to: no /etc/passwd, reviewers file or secret gets published."""
import os
import sqlite3

from click.testing import CliRunner
from conftest import EXAMPLES, rows

from cli import cli

from .conftest import consistency_problems, record

SECRET = "f3b1c2d4e5a6978812345678deadbeef"


def align(db, *args):
    result = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(db), *map(str, args)],
                                catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def lines_naming(output, path):
    return [line for line in output.splitlines() if f" {path}: " in line]


def stored_text(db) -> str:
    return "\n".join(r[0] or "" for r in rows(db, "SELECT original_text FROM documents")) + "\n".join(
        r[0] for r in rows(db, "SELECT text FROM measures"))


def make_tree(tmp_path):
    """inbox/ (the folder given) beside a folder of private things, linked to in every way."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    (inbox / "reply.md").write_bytes((EXAMPLES / "02_jiading_reply_2025.md").read_bytes())
    (outside / "city.txt").write_bytes((EXAMPLES / "03_city_reply_2025.txt").read_bytes())
    (outside / "reviewers.json").write_text('{"张三": "pbkdf2_sha256$480000$salt$hash"}', encoding="utf-8")
    (outside / "compare.db.secret").write_text(SECRET, encoding="utf-8")
    # the database being served, with its side files, next to the documents
    conn = sqlite3.connect(outside / "served.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES ('一是推进平台建设，加强人才培养。')")
    conn.commit()
    conn.close()
    cases = {  # name in inbox -> why it must not be read by default
        "passwd.txt": "outside",     # a link to a system file
        "city.txt": "outside",       # a link to a real document elsewhere: read only with --follow-symlinks
        "ext": "outside",            # a link to a whole folder elsewhere
        "x.txt": "outside",          # a link named .txt to the reviewers file (private too)
        "key.txt": "private",        # ... to the server's signing secret
        "notes.txt": "private",      # ... to a database
        "reviewers.json": "private",
        "reviewers-2026.json": "private",
        "compare.db.secret": "private",
        "compare.db": "private",
        "compare.db-wal": "private",
        "compare.db-shm": "private",
        "compare.db-journal": "private",
        "compare.db.lock": "private",
        "archive.sqlite3": "private",
        "dump.txt": "private",       # a database under a document's name (its header says so)
    }
    passwd = "/etc/passwd" if os.path.exists("/etc/passwd") else str(outside / "city.txt")
    os.symlink(passwd, inbox / "passwd.txt")
    os.symlink(outside / "city.txt", inbox / "city.txt")
    os.symlink(outside, inbox / "ext")
    # links to private files: named like documents; the ones inside the folder are private by their target
    os.symlink(outside / "reviewers.json", inbox / "x.txt")
    (inbox / "reviewers.json").write_text('{"李四": "pbkdf2_sha256$480000$salt$hash"}', encoding="utf-8")
    (inbox / "reviewers-2026.json").write_text('{"王五": "pbkdf2_sha256$480000$salt$hash"}', encoding="utf-8")
    (inbox / "compare.db.secret").write_text(SECRET, encoding="utf-8")
    os.symlink("compare.db.secret", inbox / "key.txt")
    for side in ("compare.db", "compare.db-wal", "compare.db-shm", "compare.db-journal", "compare.db.lock",
                 "archive.sqlite3"):
        (inbox / side).write_bytes((outside / "served.db").read_bytes() if side == "compare.db" else b"x" * 64)
    (inbox / "dump.txt").write_bytes((outside / "served.db").read_bytes())
    os.symlink("dump.txt", inbox / "notes.txt")
    return inbox, outside, cases


def test_a_walked_folder_reads_neither_links_out_of_it_nor_secrets(tmp_path):
    inbox, _outside, cases = make_tree(tmp_path)
    db = tmp_path / "c.db"
    result = align(db, inbox)
    out = result.output
    assert result.exit_code == 0, out  # only met while walking: said, not an error
    clean = 0
    for name, why in cases.items():
        hits = lines_naming(out, inbox / name)
        assert len(hits) == 1, (name, hits, out)
        line = hits[0]
        assert line.startswith("warning: ") and "Traceback" not in line and len(line) < 300, line
        if why == "outside":
            assert f"outside {inbox}" in line and "--follow-symlinks" in line, line
        else:
            assert "never read as a document" in line, line
        clean += 1
    stored = {r[0] for r in rows(db, "SELECT file_name FROM documents")}
    assert stored == {"reply.md"}, stored
    text = stored_text(db)
    leaked = sum(s in text for s in (SECRET, "pbkdf2_sha256", "root:", "SQLite format"))
    assert not leaked
    assert not consistency_problems(str(db))
    record("symlinks", tried=len(cases), clean=clean, refused=len(cases) - leaked, lost=int(stored != {"reply.md"}),
           exposed=leaked)


def test_follow_symlinks_reads_links_out_of_the_folder_but_never_secrets(tmp_path):
    inbox, _outside, cases = make_tree(tmp_path)
    os.remove(inbox / "passwd.txt")  # /etc/passwd would be read as a text, as asked
    db = tmp_path / "c.db"
    result = align(db, "--follow-symlinks", inbox)
    assert result.exit_code == 0, result.output
    stored = {r[0] for r in rows(db, "SELECT file_name FROM documents")}
    assert stored == {"reply.md", "city.txt"}, (stored, result.output)  # city.txt, also met through ext/
    for name, why in cases.items():
        if why == "private" or name == "x.txt":
            hits = lines_naming(result.output, inbox / name)
            assert len(hits) == 1 and "never read as a document" in hits[0], (name, hits)
    assert SECRET not in stored_text(db) and "pbkdf2_sha256" not in stored_text(db)
    record("symlinks", tried=1, clean=1, refused=1)


def test_secrets_named_on_the_command_line_are_errors_and_the_rest_goes_in(tmp_path):
    inbox, outside, _cases = make_tree(tmp_path)
    db = tmp_path / "c.db"
    named = [inbox / "reviewers.json", inbox / "x.txt", inbox / "key.txt", inbox / "compare.db",
             inbox / "dump.txt", outside / "compare.db.secret"]
    result = align(db, *named, inbox / "reply.md")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    # x.txt is a link out of its folder: left out with a warning before anything else is looked at
    warned = [line for line in result.output.splitlines() if line.startswith("warning:") and "x.txt" in line]
    assert len(warned) == 1 and "--follow-symlinks" in warned[0], result.output
    named.remove(inbox / "x.txt")
    assert len(errors) == len(named), errors
    for p in named:
        hits = [e for e in errors if str(p) + ":" in e]
        assert len(hits) == 1 and "never read as a document" in hits[0], (p, errors)
    assert {r[0] for r in rows(db, "SELECT file_name FROM documents")} == {"reply.md"}
    assert SECRET not in stored_text(db)
    record("symlinks", tried=len(named), clean=len(named), refused=len(named))


def test_a_link_named_on_the_command_line_is_read_when_asked_and_inside_the_folder_always(tmp_path):
    inbox, _outside, _ = make_tree(tmp_path)
    db = tmp_path / "c.db"
    # named on the command line, a link out of its folder is left out as in a walk (a shell glob
    # names every entry), and read with --follow-symlinks
    result = align(db, inbox / "city.txt")
    assert result.exit_code == 0 and "--follow-symlinks" in result.output, result.output
    assert not rows(db, "SELECT 1 FROM documents")
    result = align(db, "--follow-symlinks", inbox / "city.txt")
    assert result.exit_code == 0, result.output
    # a folder given through a link, holding a link to a file inside it
    (inbox / "sub").mkdir()
    os.symlink(inbox / "reply.md", inbox / "sub" / "same.md")
    os.symlink(inbox, tmp_path / "inbox-link")
    result = align(db, tmp_path / "inbox-link")
    assert result.exit_code == 0, result.output
    assert not [line for line in result.output.splitlines() if "same.md" in line and "outside" in line]
    assert {r[0] for r in rows(db, "SELECT file_name FROM documents")} == {"reply.md", "city.txt"}
    record("symlinks", tried=2, clean=2)
