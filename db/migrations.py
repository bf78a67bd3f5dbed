"""Numbered schema migrations, applied every time a database is opened.

Never edit a migration after it has landed: add the next number instead.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("compare")


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
