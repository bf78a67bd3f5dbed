"""The database: schema, numbered migrations, and the queries the CLI and Datasette share."""
from __future__ import annotations

import os
import sqlite3

from sqlite_utils import Database

from compare.errors import DatabaseError

from .migrations import migrations

DEFAULT_PATH = "compare.db"
ENV_VAR = "COMPARE_DB"


def default_path() -> str:
    return os.environ.get(ENV_VAR) or DEFAULT_PATH


def open_db(path: str | os.PathLike | None = None, *, migrate: bool = True) -> Database:
    """Open (creating if needed) a compare database and bring its schema up to date.

    A database written by a newer compare is refused untouched.
    """
    path = str(path or default_path())
    if os.path.isdir(path):
        raise DatabaseError(f"{path}: is a directory, not a database file (pass a file path with -d)")
    try:
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        db = Database(conn)
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if journal != "wal":
            conn.execute("PRAGMA journal_mode = wal")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"{path}: not a compare database ({e}); pass another file with -d") from None
    known = {m.name for m in migrations._migrations}
    try:
        applied = {m.name for m in migrations.applied(db)}
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"{path}: cannot be read ({e}); pass another file with -d") from None
    newer = applied - known
    if newer:
        raise DatabaseError(f"{path}: written by a newer version of compare (schema {sorted(newer)[-1]}); "
                            "upgrade compare (pip install -U zh-policy-compare)")
    if migrate and migrations.pending(db):
        migrations.apply(db)
    return db
