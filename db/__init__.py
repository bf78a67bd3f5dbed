"""The database: schema, numbered migrations, and the queries the CLI and Datasette share."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time

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
    if path != ":memory:" and migrate and _pending(db):
        with db_lock(path, "upgrading the database schema"):
            return _checked(db, path, known, migrate)
    return _checked(db, path, known, migrate)


def _pending(db: Database) -> bool:
    try:
        return bool(migrations.pending(db))
    except sqlite3.DatabaseError:
        return False


def _checked(db: Database, path: str, known: set[str], migrate: bool) -> Database:
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


@contextlib.contextmanager
def write_tx(db: Database):
    """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once under WAL when another
    process wrote in between; taking the lock first makes it wait (busy_timeout) instead.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


@contextlib.contextmanager
def db_lock(path: str, what: str, wait_message: bool = True):
    """An advisory lock beside the database: one schema upgrade or `compare align` at a time.

    A second process waits, saying so once on stderr, and then goes on.
    """
    import fcntl

    lock_path = os.path.abspath(path) + ".lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if wait_message:
                print(f"{path}: another compare process is {what}; waiting for it to finish…", file=sys.stderr)
            start = time.monotonic()
            fcntl.flock(fd, fcntl.LOCK_EX)
            if wait_message:
                print(f"{path}: went on after {time.monotonic() - start:.1f} s", file=sys.stderr)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
