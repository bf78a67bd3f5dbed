import sqlite3

import pytest

from db import open_db
from db.errors import DatabaseError
from db.migrations import known_migrations, migrations


def test_migrations_are_applied_and_wal_is_on(db_path):
    db = open_db(db_path)
    assert {m.name for m in migrations.applied(db)} == known_migrations()
    assert not migrations.pending(db)
    assert {"documents", "measures", "quantities", "terms", "files", "runs"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_database_is_refused_untouched(db_path):
    db = open_db(db_path)
    db["_sqlite_migrations"].insert({"migration_set": "compare", "name": "m999_future",
                                     "applied_at": "2030-01-01"})
    db.conn.close()
    before = open(db_path, "rb").read()
    with pytest.raises(DatabaseError, match="newer version"):
        open_db(db_path)
    assert open(db_path, "rb").read() == before


def test_not_a_database(tmp_path):
    p = tmp_path / "x.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="x.db"):
        open_db(p)


def test_cli_reports_newer_database_cleanly(run, db_path):
    db = open_db(db_path)
    db["_sqlite_migrations"].insert({"migration_set": "compare", "name": "m999_future",
                                     "applied_at": "2030-01-01"})
    db.conn.close()
    r = run("docs", "-d", db_path, ok=False)
    assert "newer version of compare" in r.output
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE name='m999_future'").fetchone()[0] == 1
