"""Numbered schema migrations, applied every time a database is opened.

Never edit a migration after it has landed: add the next number instead.
"""
from __future__ import annotations

import json

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("compare")


def known_migrations() -> set[str]:
    """The names of every migration this version has: those pending on an empty database
    (sqlite-utils' public API; a read, nothing is written)."""
    return {m.name for m in migrations.pending(Database(memory=True))}


@migrations()
def m001_initial(db: Database) -> None:
    db.execute("""
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            code_version TEXT NOT NULL,
            model TEXT,
            params TEXT,           -- JSON: thresholds, weights, options
            documents_added INTEGER DEFAULT 0,
            files_skipped INTEGER DEFAULT 0,
            status TEXT NOT NULL   -- running, done, failed
        )""")
    db.execute("""
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,           -- content-derived: hash of the cleaned text
            doc_key TEXT NOT NULL,         -- the logical document across versions
            version INTEGER NOT NULL DEFAULT 1,
            is_current INTEGER NOT NULL DEFAULT 1,
            source TEXT NOT NULL,          -- the path given
            file_name TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,
            format TEXT NOT NULL,
            encoding TEXT,
            title TEXT,
            issuer TEXT,
            doc_number TEXT,
            date TEXT,                     -- YYYY-MM-DD or partial YYYY-MM / YYYY
            date_source TEXT,
            sort_date TEXT,                -- date, else the period start (approximate)
            date_approximate INTEGER NOT NULL DEFAULT 0,
            level TEXT,
            region TEXT,
            genre TEXT,
            addressee TEXT,
            suggestion_number TEXT,
            session TEXT,
            handling_result TEXT,
            openness TEXT,
            draft INTEGER NOT NULL DEFAULT 0,
            draft_label TEXT,
            period_start INTEGER,
            period_end INTEGER,
            inferred TEXT,                 -- JSON list of fields inferred, not read
            original_text TEXT NOT NULL,
            cleaned_text TEXT NOT NULL,
            measure_count INTEGER NOT NULL DEFAULT 0,
            run_id TEXT REFERENCES runs(id),
            added_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX idx_documents_key ON documents(doc_key)")
    db.execute("CREATE INDEX idx_documents_sha ON documents(file_sha256)")
    db.execute("""
        CREATE TABLE measures (
            id TEXT PRIMARY KEY,           -- content-derived: document id + text hash + occurrence
            document_id TEXT NOT NULL REFERENCES documents(id),
            ordinal INTEGER NOT NULL,
            section TEXT,
            item TEXT,
            kind TEXT NOT NULL,            -- progress, commitment, target, other
            kind_cues TEXT,                -- JSON: why
            text TEXT NOT NULL,
            analysis_text TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            start INTEGER NOT NULL,        -- offsets in the cleaned text
            "end" INTEGER NOT NULL,
            orig_start INTEGER NOT NULL,   -- offsets in the original text
            orig_end INTEGER NOT NULL,
            deadline TEXT,
            deadline_relative INTEGER NOT NULL DEFAULT 0,
            comparator TEXT,
            value REAL,
            unit TEXT,
            object TEXT,
            terms TEXT                     -- JSON list of term strings
        )""")
    db.execute("CREATE INDEX idx_measures_document ON measures(document_id, ordinal)")
    db.execute("CREATE INDEX idx_measures_hash ON measures(text_hash)")
    db.execute("""
        CREATE TABLE quantities (
            measure_id TEXT NOT NULL REFERENCES measures(id),
            ordinal INTEGER NOT NULL,
            comparator TEXT,
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            object TEXT,
            raw TEXT NOT NULL,
            PRIMARY KEY (measure_id, ordinal)
        )""")
    db.execute("""
        CREATE TABLE terms (
            measure_id TEXT NOT NULL REFERENCES measures(id),
            term TEXT NOT NULL,
            kind TEXT NOT NULL,            -- title, quoted, institution, amount
            norm TEXT NOT NULL,
            PRIMARY KEY (measure_id, kind, term)
        )""")
    db.execute("CREATE INDEX idx_terms_norm ON terms(norm)")
    db.execute("""
        CREATE TABLE files (
            sha256 TEXT NOT NULL,
            path TEXT NOT NULL,
            document_id TEXT REFERENCES documents(id),
            first_seen TEXT NOT NULL,
            run_id TEXT REFERENCES runs(id),
            PRIMARY KEY (sha256, path)
        )""")


@migrations()
def m002_alignment(db: Database) -> None:
    db.execute("""
        CREATE TABLE embeddings (
            model TEXT NOT NULL,           -- encoder name: vectors of two models never meet
            text_hash TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,          -- little-endian float32, unit length
            PRIMARY KEY (model, text_hash)
        )""")
    db.execute("""
        CREATE TABLE aligned (
            model TEXT NOT NULL,
            measure_id TEXT NOT NULL,      -- candidates of this measure were generated under model
            run_id TEXT,
            PRIMARY KEY (model, measure_id)
        )""")
    db.execute("""
        CREATE TABLE pairs (
            model TEXT NOT NULL,
            a TEXT NOT NULL,               -- measure ids, a < b
            b TEXT NOT NULL,
            cos REAL NOT NULL,             -- semantic cosine under model
            hash_cos REAL NOT NULL,        -- character n-gram hashing cosine (corpus-independent)
            term_sim REAL NOT NULL,        -- best key-term match, 0..1
            term_match TEXT,               -- the two terms that matched best
            level_conflict REAL NOT NULL DEFAULT 0,  -- both state a level (区级/市级) and they differ
            run_id TEXT,
            PRIMARY KEY (model, a, b)
        )""")
    db.execute("CREATE INDEX idx_pairs_b ON pairs(model, b)")
    db.execute("""
        CREATE TABLE links (
            measure_id TEXT NOT NULL,
            measure_id2 TEXT NOT NULL,
            score REAL NOT NULL,
            signals TEXT NOT NULL,         -- JSON: every signal and its value
            method TEXT NOT NULL,
            run_id TEXT NOT NULL,
            PRIMARY KEY (measure_id, measure_id2)
        )""")
    db.execute("""
        CREATE TABLE threads (
            id TEXT PRIMARY KEY,           -- stable: inherited across runs by overlap
            label TEXT NOT NULL,
            size INTEGER NOT NULL,
            documents INTEGER NOT NULL,
            regions TEXT,                  -- JSON list
            levels TEXT,                   -- JSON list
            first_date TEXT,
            last_date TEXT,
            dates_approximate INTEGER NOT NULL DEFAULT 0,
            method TEXT NOT NULL,
            run_id TEXT NOT NULL,
            created_run TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE thread_members (
            thread_id TEXT NOT NULL REFERENCES threads(id),
            measure_id TEXT NOT NULL,
            role TEXT NOT NULL,            -- core (clustered) or secondary (also speaks of it)
            score REAL NOT NULL,           -- mean link score to the other members
            PRIMARY KEY (thread_id, measure_id)
        )""")
    db.execute("CREATE INDEX idx_thread_members_measure ON thread_members(measure_id)")
    db.execute("""
        CREATE TABLE thread_aliases (
            old_id TEXT PRIMARY KEY,       -- an id that no longer names a thread of its own
            thread_id TEXT NOT NULL,       -- where its members went
            event TEXT NOT NULL,           -- merged, split, retired
            run_id TEXT NOT NULL,
            at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE thread_events (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL,
            at TEXT NOT NULL,
            event TEXT NOT NULL,           -- created, grown, shrunk, merged, split, retired
            thread_id TEXT NOT NULL,
            other_id TEXT,                 -- the thread merged into, or split from
            detail TEXT
        )""")


@migrations()
def m003_statuses_and_flags(db: Database) -> None:
    db.execute("""
        CREATE TABLE statuses (
            measure_id TEXT PRIMARY KEY,   -- a commitment or target measure
            status TEXT NOT NULL,          -- fulfilled, in_progress, overdue, no_evidence
            rule TEXT NOT NULL,            -- which rule fired
            reason TEXT NOT NULL,          -- one line a reviewer can check
            evidence_measure_ids TEXT NOT NULL,  -- JSON list
            deadline TEXT,
            as_of TEXT NOT NULL,
            run_id TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX idx_statuses_status ON statuses(status)")
    # Reviewers' flags: their work of weeks. Append-only, enforced by the database itself.
    db.execute("""
        CREATE TABLE flags (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            target_id TEXT NOT NULL,       -- a measure id or a thread id (old thread ids resolve)
            target_type TEXT NOT NULL,     -- measure or thread
            status TEXT NOT NULL CHECK (status IN ('unfulfilled', 'fulfilled', 'in_progress', 'disputed')),
            note TEXT,
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'cli'
        )""")
    db.execute("CREATE INDEX idx_flags_target ON flags(target_id)")
    db.execute("""CREATE TRIGGER flags_no_update BEFORE UPDATE ON flags
                  BEGIN SELECT RAISE(ABORT, 'flags are append-only'); END""")
    db.execute("""CREATE TRIGGER flags_no_delete BEFORE DELETE ON flags
                  BEGIN SELECT RAISE(ABORT, 'flags are append-only'); END""")


@migrations()
def m004_publishing(db: Database) -> None:
    # Chinese full-text search: trigram FTS5 over measures, kept in step by triggers.
    db.execute("""CREATE VIRTUAL TABLE measures_fts USING fts5(
                    text, section, content='measures', content_rowid='rowid', tokenize='trigram')""")
    db.execute("""CREATE TRIGGER measures_fts_ai AFTER INSERT ON measures BEGIN
                    INSERT INTO measures_fts(rowid, text, section) VALUES (new.rowid, new.text, new.section); END""")
    db.execute("""CREATE TRIGGER measures_fts_ad AFTER DELETE ON measures BEGIN
                    INSERT INTO measures_fts(measures_fts, rowid, text, section)
                    VALUES ('delete', old.rowid, old.text, old.section); END""")
    db.execute("""CREATE TRIGGER measures_fts_au AFTER UPDATE ON measures BEGIN
                    INSERT INTO measures_fts(measures_fts, rowid, text, section)
                    VALUES ('delete', old.rowid, old.text, old.section);
                    INSERT INTO measures_fts(rowid, text, section) VALUES (new.rowid, new.text, new.section); END""")
    db.execute("INSERT INTO measures_fts(measures_fts) VALUES ('rebuild')")
    # Which measures each flag applies to: the measure itself, or the members of the thread it
    # names, following merges through thread_aliases.
    db.execute("""
        CREATE VIEW flag_targets AS
        WITH RECURSIVE resolved(old_id, thread_id, depth) AS (
            SELECT old_id, thread_id, 1 FROM thread_aliases
            UNION ALL
            SELECT r.old_id, a.thread_id, r.depth + 1 FROM resolved r
            JOIN thread_aliases a ON a.old_id = r.thread_id WHERE r.depth < 20
        )
        SELECT f.id AS flag_id, f.target_id, f.target_type, f.status, f.note, f.reviewer, f.created_at, f.source,
               f.target_id AS measure_id
          FROM flags f WHERE f.target_type = 'measure'
        UNION ALL
        SELECT f.id, f.target_id, f.target_type, f.status, f.note, f.reviewer, f.created_at, f.source, tm.measure_id
          FROM flags f JOIN thread_members tm ON tm.thread_id = f.target_id WHERE f.target_type = 'thread'
        UNION ALL
        SELECT f.id, f.target_id, f.target_type, f.status, f.note, f.reviewer, f.created_at, f.source, tm.measure_id
          FROM flags f JOIN resolved r ON r.old_id = f.target_id
          JOIN thread_members tm ON tm.thread_id = r.thread_id WHERE f.target_type = 'thread'""")
    db.execute("""
        CREATE VIEW measure_flags AS
        SELECT ft.* FROM flag_targets ft
        WHERE ft.flag_id = (SELECT max(flag_id) FROM flag_targets x WHERE x.measure_id = ft.measure_id)""")
    db.execute("""
        CREATE VIEW commitments AS
        SELECT s.measure_id, m.text, m.kind, m.section, s.status AS computed_status,
               mf.status AS flagged_status, coalesce(mf.status, s.status) AS effective_status,
               mf.reviewer AS flagged_by, mf.note AS flag_note, mf.created_at AS flagged_at,
               s.reason, s.rule, s.deadline, s.as_of, s.evidence_measure_ids,
               m.comparator, m.value, m.unit, m.object,
               d.id AS document_id, d.title, d.issuer, d.region, d.level, d.date, d.sort_date,
               d.date_approximate, substr(d.sort_date, 1, 4) AS year,
               (SELECT thread_id FROM thread_members tm WHERE tm.measure_id = s.measure_id
                 ORDER BY tm.role, tm.thread_id LIMIT 1) AS thread_id,
               CASE coalesce(mf.status, s.status) WHEN 'overdue' THEN 1 WHEN 'unfulfilled' THEN 2
                    WHEN 'no_evidence' THEN 3 WHEN 'disputed' THEN 4 WHEN 'in_progress' THEN 5 ELSE 6 END AS status_rank,
               m.ordinal
          FROM statuses s JOIN measures m ON m.id = s.measure_id JOIN documents d ON d.id = m.document_id
          LEFT JOIN measure_flags mf ON mf.measure_id = s.measure_id""")
    db.execute("""
        CREATE VIEW unfulfilled_commitments AS
        SELECT effective_status, text, deadline, issuer, region, year, thread_id, reason, computed_status,
               flagged_status, level, date, document_id, measure_id, status_rank
          FROM commitments WHERE effective_status IN ('overdue', 'unfulfilled', 'no_evidence')""")


@migrations()
def m005_alignment_state(db: Database) -> None:
    # What the current links, threads and statuses were built from; written last, in the same
    # transaction as the statuses, so a run killed half-way is redone by the next one.
    db.execute("""
        CREATE TABLE alignment_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            model TEXT NOT NULL,
            fingerprint TEXT NOT NULL,     -- hash of the aligned measure ids
            run_id TEXT NOT NULL,
            at TEXT NOT NULL
        )""")


@migrations()
def m006_neighbours(db: Database) -> None:
    # Each measure's k best similarities per candidate channel, kept up to date as documents
    # arrive, so that top-k candidates mean the same after incremental and batch runs.
    db.execute("""
        CREATE TABLE neighbours (
            model TEXT NOT NULL,
            channel TEXT NOT NULL,         -- semantic or hashing
            measure_id TEXT NOT NULL,
            sims BLOB NOT NULL,            -- float32, best first, at most k
            PRIMARY KEY (model, channel, measure_id)
        )""")


@migrations()
def m007_neighbour_ids(db: Database) -> None:
    # Which measures the k best similarities belong to: when a new version of a document
    # supersedes the old one, the measures that had the old one's measures among their k
    # nearest are found and their neighbours recomputed (NULL: not known, recomputed then).
    db.execute("ALTER TABLE neighbours ADD COLUMN ids TEXT")


@migrations()
def m008_name_conflict(db: Database) -> None:
    # Whether two measures name different programmes or policies (“春昇杯” vs “嘉智杯”,
    # 《细则》 vs 《若干意见》): a signal of the pair. Candidate pairs, best-k lists and
    # "aligned" marks are derived data: they are cleared here and the next `compare align`
    # recomputes them (vectors stay cached); links, threads, statuses and flags stay as they
    # are until then, and thread ids are content-derived, so flags stay attached.
    db.execute("ALTER TABLE pairs ADD COLUMN name_conflict REAL NOT NULL DEFAULT 0")
    for table in ("pairs", "neighbours", "aligned", "alignment_state"):
        db.execute(f"DELETE FROM {table}")


@migrations()
def m009_flag_scopes(db: Database) -> None:
    # A flag is a verdict on the commitments the reviewer saw, not on an id: each flag keeps the
    # measures it covered when it was given (with their text, so that a new version of the
    # document can be searched for the same commitment) in its own append-only table.
    # Where each covered measure stands now is derived data (flag_placements), recomputed after
    # every alignment: the measure itself, its counterpart in a newer version, or nowhere
    # ("needs a reviewer", "document removed").
    db.execute("""
        CREATE TABLE flag_scopes (
            flag_id INTEGER PRIMARY KEY REFERENCES flags(id),
            measure_ids TEXT NOT NULL,     -- JSON list: the measures the flag covered when given
            thread_id TEXT,                -- a thread flag: the thread as the reviewer saw it
            thread_size INTEGER,           -- its number of mentions then
            context TEXT NOT NULL          -- JSON {measure id: {doc_key, source, version, text_hash, text}}
        )""")
    db.execute("""CREATE TRIGGER flag_scopes_no_update BEFORE UPDATE ON flag_scopes
                  BEGIN SELECT RAISE(ABORT, 'flags are append-only'); END""")
    db.execute("""CREATE TRIGGER flag_scopes_no_delete BEFORE DELETE ON flag_scopes
                  BEGIN SELECT RAISE(ABORT, 'flags are append-only'); END""")
    db.execute("""
        CREATE TABLE flag_placements (
            flag_id INTEGER NOT NULL,
            source_measure_id TEXT NOT NULL,   -- a measure the flag covered when given
            measure_id TEXT,                   -- where that verdict applies now; NULL: nowhere
            how TEXT NOT NULL,                 -- given, new_version, unplaced, removed
            detail TEXT,                       -- e.g. "flagged on version 1"
            PRIMARY KEY (flag_id, source_measure_id)
        )""")
    db.execute("CREATE INDEX idx_flag_placements_measure ON flag_placements(measure_id)")
    # Existing flags: a measure flag covers its measure; a thread flag covers the members its
    # thread (followed through merges) has now, the best that can be known of the past.
    resolved: dict[str, str] = {}
    for old, new in db.execute("SELECT old_id, thread_id FROM thread_aliases").fetchall():
        resolved[old] = new
    members: dict[str, list[str]] = {}
    for tid, mid in db.execute("SELECT thread_id, measure_id FROM thread_members ORDER BY measure_id").fetchall():
        members.setdefault(tid, []).append(mid)
    for flag_id, target_id, target_type in db.execute(
            "SELECT id, target_id, target_type FROM flags ORDER BY id").fetchall():
        if target_type == "thread":
            tid = target_id
            for _ in range(20):
                if tid in members or tid not in resolved:
                    break
                tid = resolved[tid]
            covered = members.get(tid, [])
        else:
            covered = [target_id]
        context = {}
        for mid in covered:
            row = db.execute("SELECT d.doc_key, d.source, d.version, m.text_hash, m.text FROM measures m "
                             "JOIN documents d ON d.id = m.document_id WHERE m.id = ?", [mid]).fetchone()
            if row:
                context[mid] = dict(zip(("doc_key", "source", "version", "text_hash", "text"), row))
        db.execute("INSERT INTO flag_scopes (flag_id, measure_ids, thread_id, thread_size, context) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [flag_id, json.dumps(covered), target_id if target_type == "thread" else None,
                    len(covered) if target_type == "thread" else None, json.dumps(context, ensure_ascii=False)])
        for mid in covered:
            db.execute("INSERT INTO flag_placements (flag_id, source_measure_id, measure_id, how) "
                       "VALUES (?, ?, ?, ?)", [flag_id, mid, mid if mid in context else None,
                                               "given" if mid in context else "removed"])
    for view in ("unfulfilled_commitments", "commitments", "measure_flags", "flag_targets"):
        db.execute(f"DROP VIEW IF EXISTS {view}")
    db.execute("""
        CREATE VIEW flag_targets AS
        SELECT f.id AS flag_id, f.target_id, f.target_type, f.status, f.note, f.reviewer, f.created_at, f.source,
               p.measure_id, p.how AS placed_how, p.detail AS placed_detail
          FROM flags f JOIN flag_placements p ON p.flag_id = f.id
         WHERE p.measure_id IS NOT NULL""")
    db.execute("""
        CREATE VIEW measure_flags AS
        SELECT ft.* FROM flag_targets ft
        WHERE ft.flag_id = (SELECT max(flag_id) FROM flag_targets x WHERE x.measure_id = ft.measure_id)""")
    db.execute("""
        CREATE VIEW commitments AS
        SELECT s.measure_id, m.text, m.kind, m.section, s.status AS computed_status,
               mf.status AS flagged_status, coalesce(mf.status, s.status) AS effective_status,
               mf.reviewer AS flagged_by, mf.note AS flag_note, mf.created_at AS flagged_at,
               mf.placed_detail AS flag_placement,
               s.reason, s.rule, s.deadline, s.as_of, s.evidence_measure_ids,
               m.comparator, m.value, m.unit, m.object,
               d.id AS document_id, d.title, d.issuer, d.region, d.level, d.date, d.sort_date,
               d.date_approximate, substr(d.sort_date, 1, 4) AS year,
               (SELECT thread_id FROM thread_members tm WHERE tm.measure_id = s.measure_id
                 ORDER BY tm.role, tm.thread_id LIMIT 1) AS thread_id,
               CASE coalesce(mf.status, s.status) WHEN 'overdue' THEN 1 WHEN 'unfulfilled' THEN 2
                    WHEN 'no_evidence' THEN 3 WHEN 'disputed' THEN 4 WHEN 'in_progress' THEN 5 ELSE 6 END AS status_rank,
               m.ordinal
          FROM statuses s JOIN measures m ON m.id = s.measure_id JOIN documents d ON d.id = m.document_id
          LEFT JOIN measure_flags mf ON mf.measure_id = s.measure_id""")
    db.execute("""
        CREATE VIEW unfulfilled_commitments AS
        SELECT effective_status, text, deadline, issuer, region, year, thread_id, reason, computed_status,
               flagged_status, level, date, document_id, measure_id, status_rank
          FROM commitments WHERE effective_status IN ('overdue', 'unfulfilled', 'no_evidence')""")



@migrations()
def m010_pair_features(db: Database) -> None:
    # Every signal of a candidate pair, kept with the key of what they were computed from
    # (compare.align.measure_keys): a new document changes the keys of the measures sharing its
    # still-rare n-grams and words, and only their pairs are scored again. Derived data: a row
    # whose key no longer holds is recomputed and replaced.
    # `name_conflict`, a column of each stored pair, was redefined in the same change (contests and
    # funds named differently): candidate pairs, best-k lists and "aligned" marks are cleared, as
    # m008 did, and the next `compare align` recomputes them (vectors stay cached); links, threads,
    # statuses and flags stay until then. A migration that clears `pairs` must clear
    # `pair_features` too: the cached rows hold copies of the pairs' columns.
    for table in ("pairs", "neighbours", "aligned", "alignment_state"):
        db.execute(f"DELETE FROM {table}")
    db.execute("""
        CREATE TABLE pair_features (
            model TEXT NOT NULL,
            a TEXT NOT NULL,               -- measure ids, a < b, as in pairs
            b TEXT NOT NULL,
            key INTEGER NOT NULL,          -- what the signals were computed from (a 64-bit hash)
            x BLOB NOT NULL,               -- the signals: float64 values in compare.align.FEATURES order
            PRIMARY KEY (model, a, b)
        )""")


@migrations()
def m011_signals_in_pairs(db: Database) -> None:
    # A pair's cached signals move into its own row of `pairs` (columns key and x, NULL until
    # computed): one scan of one table reads every stored pair with its signals, instead of two
    # scans of 2.7 million rows each at 1,000 documents, and the pair's ids are stored once. The
    # rows of pair_features are copied over, so nothing is computed again.
    # A cache: where the table is missing there is nothing to copy. Row values (SQLite 3.15), not
    # UPDATE … FROM (3.33): Python's sqlite3 is the system's SQLite, older on some Linux releases.
    db.execute("ALTER TABLE pairs ADD COLUMN key INTEGER")  # what x was computed from (a 64-bit hash)
    db.execute("ALTER TABLE pairs ADD COLUMN x BLOB")  # the signals: float64 in compare.align.FEATURES order
    if "pair_features" in db.table_names():
        db.execute("UPDATE pairs SET (key, x) = (SELECT f.key, f.x FROM pair_features AS f WHERE f.model = pairs.model "
                   "AND f.a = pairs.a AND f.b = pairs.b) WHERE EXISTS (SELECT 1 FROM pair_features AS f "
                   "WHERE f.model = pairs.model AND f.a = pairs.a AND f.b = pairs.b)")
    db.execute("DROP TABLE IF EXISTS pair_features")


@migrations()
def m012_judged_documents(db: Database) -> None:
    # What the statuses were judged from beyond the alignment: a hash of the current documents'
    # ids. The alignment's fingerprint covers the measures it aligns, not a document with none
    # (an issued policy whose title fulfils a promise, a notice of 0 measures): a no-op alignment
    # judges again when this differs. NULL (databases before it): judged again once.
    db.execute("ALTER TABLE alignment_state ADD COLUMN judged_documents TEXT")


@migrations()
def m013_alignable_count(db: Database) -> None:
    # Each document's number of alignable measures (kind other left out), stored with it: a
    # document's measures never change, so what an alignment is built from (its fingerprint) and
    # whether anything is to be aligned are read from the documents, not from every measure: a
    # no-op at 10,000 documents reads 10,000 rows instead of a million. NULL (no default): a row an
    # older compare writes without it is counted from its measures (db.queries.ALIGNABLE_COUNT),
    # never taken as a document of nothing to align. A database aligned before keeps its
    # fingerprint of measure ids until the first no-op rewrites it (queries.renew_fingerprint).
    # A later migration that changes measures (their kinds, or which exist) must clear
    # alignment_state, or the fingerprint of documents would not see it.
    # The UPDATE rewrites every document row (with its texts): the write-ahead log grows by about
    # the documents table's size until the next checkpoint.
    db.execute("ALTER TABLE documents ADD COLUMN alignable_count INTEGER")
    db.execute("UPDATE documents SET alignable_count = (SELECT count(*) FROM measures AS m "
               "WHERE m.document_id = documents.id AND m.kind != 'other')")
    # the fingerprint and the count read the index alone, not the rows and their texts
    db.execute("CREATE INDEX idx_documents_alignable ON documents(is_current, alignable_count, id)")
