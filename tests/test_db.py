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


def test_upgrading_to_cached_signals_clears_the_pairs_stored_under_the_old_name_conflict(db_path):
    # m010 redefined a stored column of each pair (contests and funds named differently conflict):
    # pairs found before must be found and described again, or a database aligned before the
    # upgrade would keep links a batch run does not make
    db = open_db(db_path)
    db.execute("INSERT INTO pairs (model, a, b, cos, hash_cos, term_sim, level_conflict, name_conflict) "
               "VALUES ('m', 'a', 'b', 0.5, 0.5, 0.2, 0, 0)")
    db.execute("INSERT INTO aligned (model, measure_id) VALUES ('m', 'a')")
    # as it was before m010 (and m011, which moved the cached signals into `pairs`)
    db.execute("ALTER TABLE pairs DROP COLUMN key")
    db.execute("ALTER TABLE pairs DROP COLUMN x")
    db.execute("ALTER TABLE alignment_state DROP COLUMN judged_documents")
    db.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m010_pair_features', 'm011_signals_in_pairs', "
               "'m012_judged_documents')")
    db.conn.commit()
    db.conn.close()
    db = open_db(db_path)
    assert db.execute("SELECT count(*) FROM pairs").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM aligned").fetchone()[0] == 0
    assert {"key", "x"} <= set(db["pairs"].columns_dict) and "pair_features" not in db.table_names()


def test_upgrading_to_signals_in_pairs_keeps_the_signals_cached_by_pair(db_path):
    # m011 moves pair_features' rows into their pairs: nothing is computed again after the upgrade
    db = open_db(db_path)
    db.execute("ALTER TABLE pairs DROP COLUMN key")  # as it was at m010
    db.execute("ALTER TABLE pairs DROP COLUMN x")
    db.execute("CREATE TABLE pair_features (model TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, "
               "key INTEGER NOT NULL, x BLOB NOT NULL, PRIMARY KEY (model, a, b))")
    for a, b in (("a", "b"), ("a", "c"), ("b", "c")):
        db.execute("INSERT INTO pairs (model, a, b, cos, hash_cos, term_sim, level_conflict, name_conflict) "
                   "VALUES ('m', ?, ?, 0.5, 0.5, 0.2, 0, 0)", [a, b])
    db.execute("INSERT INTO pair_features VALUES ('m', 'a', 'b', 7, x'0102')")
    db.execute("INSERT INTO pair_features VALUES ('m', 'b', 'c', -9, x'0304')")
    db.execute("INSERT INTO pair_features VALUES ('other', 'a', 'c', 5, x'05')")  # another model's pair
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_signals_in_pairs'")
    db.conn.commit()
    db.conn.close()
    db = open_db(db_path)
    got = db.execute("SELECT a, b, key, x FROM pairs ORDER BY a, b").fetchall()
    assert got == [("a", "b", 7, b"\x01\x02"), ("a", "c", None, None), ("b", "c", -9, b"\x03\x04")]
    assert "pair_features" not in db.table_names()


def test_upgrading_a_database_whose_cache_of_signals_is_gone_still_opens(db_path):
    # pair_features was a cache: a database at m010 without it (dropped by hand) must open
    db = open_db(db_path)
    db.execute("ALTER TABLE pairs DROP COLUMN key")
    db.execute("ALTER TABLE pairs DROP COLUMN x")
    db.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m011_signals_in_pairs', 'm012_judged_documents')")
    db.execute("ALTER TABLE alignment_state DROP COLUMN judged_documents")
    db.conn.commit()
    db.conn.close()
    db = open_db(db_path)
    assert {"key", "x"} <= set(db["pairs"].columns_dict)
    assert "judged_documents" in db["alignment_state"].columns_dict
