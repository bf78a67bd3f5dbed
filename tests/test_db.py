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


def _measure_ids_fingerprint(db_path, digest):
    """The fingerprint as databases before migration 13 hold it, computed here from the file."""
    import hashlib

    from conftest import rows

    ids = sorted(r[0] for r in rows(db_path, "SELECT m.id FROM measures m JOIN documents d ON d.id = m.document_id "
                                             "WHERE d.is_current = 1 AND m.kind != 'other'"))
    return hashlib.sha256(("".join(ids) + "|" + digest).encode()).hexdigest()


def test_a_database_aligned_before_counts_by_document_stays_aligned_after_the_upgrade(db_path):
    # m013 stores each document's number of alignable measures; a database aligned before it holds
    # a fingerprint of measure ids, which must still count as current (an upgrade must not realign
    # a thousand documents), and is then rewritten in the new form
    from conftest import EXAMPLES, rows

    from compare import stages

    stages.run(open_db(db_path), [EXAMPLES], model="hashing")
    digest = stages.load_params().digest
    db = open_db(db_path)
    db.execute("DROP INDEX idx_documents_alignable")
    db.execute("ALTER TABLE documents DROP COLUMN alignable_count")
    db.execute("UPDATE alignment_state SET fingerprint = ?", [_measure_ids_fingerprint(db_path, digest)])
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm013_alignable_count'")
    db.conn.commit()
    db.conn.close()
    counted = rows(db_path, "SELECT d.id, (SELECT count(*) FROM measures m WHERE m.document_id = d.id "
                            "AND m.kind != 'other') FROM documents d ORDER BY d.id")
    assert len(counted) > 1 and all(n for _, n in counted)
    outcome = stages.run(open_db(db_path), [], model="hashing")
    assert outcome.alignment is None  # still current: nothing realigned
    assert rows(db_path, "SELECT id, alignable_count FROM documents ORDER BY id") == counted
    fingerprint = rows(db_path, "SELECT fingerprint FROM alignment_state")[0][0]
    assert fingerprint.startswith("d:")
    assert stages.run(open_db(db_path), [], model="hashing").alignment is None  # and current in the new form


def test_an_old_fingerprint_that_no_longer_holds_realigns(db_path):
    from conftest import EXAMPLES

    from compare import stages

    stages.run(open_db(db_path), [EXAMPLES], model="hashing")
    db = open_db(db_path)
    db.execute("UPDATE alignment_state SET fingerprint = ?", [_measure_ids_fingerprint(db_path, "other weights")])
    db.conn.commit()
    db.conn.close()
    assert stages.run(open_db(db_path), [], model="hashing").alignment is not None


def test_each_document_counts_its_alignable_measures_and_the_fingerprint_reads_the_current_ones(db_path):
    from conftest import EXAMPLES, rows

    from compare import stages
    from db import queries

    stages.run(open_db(db_path), [EXAMPLES], model="hashing")
    counted = rows(db_path, "SELECT d.alignable_count, (SELECT count(*) FROM measures m WHERE m.document_id = d.id "
                            "AND m.kind != 'other'), d.measure_count FROM documents d")
    assert all(stored == want for stored, want, _ in counted)
    assert any(total > want for _, want, total in counted)  # measures of kind other are left out
    db = open_db(db_path)
    fingerprint, total = queries.alignment_fingerprint(db, "p"), queries.count_alignable(db)
    assert total == sum(want for _, want, _ in counted)
    # a row written without its count (by an older compare) is counted from its measures
    db.execute("UPDATE documents SET alignable_count = NULL")
    db.conn.commit()
    assert (queries.alignment_fingerprint(db, "p"), queries.count_alignable(db)) == (fingerprint, total)
    # a document no longer current leaves the fingerprint, as its measures leave the alignment
    db.execute("UPDATE documents SET is_current = 0 WHERE id = (SELECT min(id) FROM documents)")
    db.conn.commit()
    assert queries.alignment_fingerprint(db, "p") != fingerprint
    assert queries.count_alignable(db) < total
