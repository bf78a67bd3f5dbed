"""The database: schema, numbered migrations, and the queries the CLI and Datasette share."""
from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import sys
import time
import urllib.parse

from sqlite_utils import Database

from .errors import DatabaseError, NotFound, StoreError  # noqa: F401 (the store's errors, for callers)
from .migrations import known_migrations, migrations

DEFAULT_PATH = "compare.db"
ENV_VAR = "COMPARE_DB"
BUSY_TIMEOUT = 30.0  # seconds a statement waits for another process's write before the database is "busy"


def default_path() -> str:
    return os.environ.get(ENV_VAR) or DEFAULT_PATH


def open_db(path: str | os.PathLike | None = None, *, migrate: bool = True, readonly: bool = False,
            create: bool = True) -> Database:
    """Open (creating if needed) a compare database and bring its schema up to date.

    A database written by a newer compare is refused untouched. Whatever writes at open (the switch
    to WAL, the migrations) runs under the advisory lock (`db_lock`), so two processes never race to
    do it. `readonly` is the caller's intent: a command that only reads opens an existing, up-to-date
    database read-only and writes nothing to it (no WAL switch, no migration), so it also works on a
    read-only file, folder or file system. A command that writes is told at once when it cannot.
    `create=False`: a missing file is an error, and nothing is created (no database, lock or WAL file).
    """
    path = str(path or default_path())
    if os.path.isdir(path):
        raise DatabaseError(f"{path}: is a directory, not a database file (pass a file path with -d)")
    if not create and path != ":memory:" and not os.path.exists(path):
        raise DatabaseError(missing_database(path))
    known = known_migrations()
    upgrade = False
    if readonly and path != ":memory:" and os.path.exists(path):
        db = _open_readonly(path, known, migrate)
        if db is not None:
            return db
        upgrade = True  # written by an older compare: the schema upgrade is a write
    if path != ":memory:":
        problem = _unwritable(path)
        if problem:
            if upgrade:
                problem += " (this version of compare must first upgrade its schema)"
            raise DatabaseError(f"{path}: {problem}")
    db = None
    try:
        db = _connect(path)
        _refuse_newer(db, path, known)
        if path != ":memory:" and _needs_writes(db, migrate):
            with db_lock(path, "upgrading the database schema"):
                _refuse_foreign(db, path)  # before anything is written to it: the WAL switch is a write
                _switch_to_wal(db.conn)
                return _checked(db, path, known, migrate)
        return _checked(db, path, known, migrate)
    except sqlite3.Error as e:
        _close(db)
        raise storage_error(e, path) or DatabaseError(f"{path}: cannot be read ({e}); pass another file with -d") \
            from None
    except BaseException:
        _close(db)
        raise


def missing_database(path: str) -> str:
    """The one line for a command that needs a database when there is none at `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    where = "" if os.path.isdir(folder) else f" (no folder {folder})"
    return (f"{path}: no such database{where}; check the path (-d or COMPARE_DB), "
            f"or create it first with: compare align FILES -d {path}")


def _connect(target: str, uri: bool = False) -> Database:
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn)


def _close(db: Database | None) -> None:
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.conn.close()


def _open_readonly(path: str, known: set[str], migrate: bool) -> Database | None:
    """The database opened read-only, or None when its schema needs an upgrade first.

    A WAL database needs its -shm file; in a folder where that cannot be created, the file is opened
    immutable, which is exact only when no write-ahead log is left over, so one that is gets refused.
    """
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    db = None
    try:
        try:
            db = _connect(uri, uri=True)
            applied = _applied(db)
        except sqlite3.OperationalError as e:
            if not _errorname(e).startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
                raise
            _close(db)
            db = None
            wal = path + "-wal"
            if os.path.exists(wal) and os.path.getsize(wal):
                raise DatabaseError(f"{path}: in a read-only folder with an unfinished write-ahead log ({wal}); "
                                    "open it once with compare where the folder is writable") from None
            db = _connect(uri + "&immutable=1", uri=True)
            applied = _applied(db)
        _refuse_newer(db, path, known, applied)
    except sqlite3.Error as e:
        _close(db)
        raise storage_error(e, path) or DatabaseError(f"{path}: cannot be read ({e}); pass another file with -d") \
            from None
    except BaseException:
        _close(db)
        raise
    if migrate and known - applied:
        _close(db)
        return None
    return db


def _unwritable(path: str) -> str | None:
    """Why a command that writes cannot write to `path` (a file that may not exist yet), or None."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            return "read-only; this command writes to it: make it writable, or pass a writable copy with -d"
        if not os.access(folder, os.W_OK) and not all(os.access(path + s, os.W_OK) for s in ("-wal", "-shm")):
            return (f"read-only (its folder {folder} is); this command writes to it: make the folder writable, "
                    "or pass a writable copy with -d")
        return None
    if not os.path.isdir(folder):
        return f"cannot be created: no folder {folder}; create it, or pass another file with -d"
    if not os.access(folder, os.W_OK):
        return f"cannot be created: its folder {folder} is read-only; pass another file with -d"
    return None


def _errorname(e: sqlite3.Error) -> str:
    return getattr(e, "sqlite_errorname", "") or ""


def _applied(db: Database) -> set[str]:
    return {m.name for m in migrations.applied(db)}


def _refuse_newer(db: Database, path: str, known: set[str], applied: set[str] | None = None) -> None:
    newer = (_applied(db) if applied is None else applied) - known
    if newer:
        _close(db)
        raise DatabaseError(f"{path}: written by a newer version of compare (schema {max(newer)}); "
                            "upgrade compare (pip install -U zh-policy-compare)")


def _refuse_foreign(db: Database, path: str) -> None:
    """Refuse another program's SQLite database (tables, none of compare's migrations): compare would
    add its tables to it and switch it to WAL, even for a command that only reads (`-d places.sqlite`).
    An empty database (no tables) is compare's to fill."""
    if _applied(db):
        return
    tables = [name for (name,) in db.conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
        "AND name != '_sqlite_migrations' ORDER BY name")]
    if tables:
        _close(db)
        shown = ", ".join(tables[:3]) + (f" and {len(tables) - 3} more" if len(tables) > 3 else "")
        raise DatabaseError(f"{path}: not a compare database (it holds another program's tables: {shown}); "
                            "nothing was changed; pass another file with -d")


def _needs_writes(db: Database, migrate: bool) -> bool:
    if db.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return True
    return migrate and bool(migrations.pending(db))


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Under the lock: another process may have switched it while this one waited."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = wal")


def storage_error(e: BaseException, path: str) -> DatabaseError | None:
    """The one line for a storage failure met anywhere in a command, or None when `e` is not one.

    Disk full, busy (another process holds the database) and read-only each say so: only a file
    that is not an SQLite database is "not a compare database".
    """
    if isinstance(e, OSError):
        where = f"{e.filename}: " if e.filename else ""  # not the database: SQLite raises sqlite3 errors
        if e.errno == errno.ENOSPC:
            return DatabaseError(f"{where}disk full; free space and run again")
        if e.errno == errno.EROFS:
            return DatabaseError(f"{where}read-only file system; write somewhere else")
        if e.errno in (errno.EFBIG, errno.EDQUOT):
            return DatabaseError(f"{where}{'file too large' if e.errno == errno.EFBIG else 'disk quota exceeded'} "
                                 "(nothing was half-written); free space or write somewhere else")
        return None
    if not isinstance(e, sqlite3.Error):
        return None
    name, text = _errorname(e), str(e)
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return DatabaseError(f"{path}: disk full; nothing was half-written, free space and run again")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return DatabaseError(f"{path}: busy (another process holds it); try again when it finishes")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return DatabaseError(f"{path}: read-only; this command writes to it: make it and its folder writable, "
                             "or pass a writable copy with -d")
    if name == "SQLITE_NOTADB" or "file is not a database" in text:
        return DatabaseError(f"{path}: not a compare database ({e}); pass another file with -d")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return DatabaseError(f"{path}: damaged ({e}); restore it from a copy, or pass another file with -d")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return DatabaseError(f"{path}: cannot be opened ({e}); check that it and its folder can be read")
    return None


def _checked(db: Database, path: str, known: set[str], migrate: bool) -> Database:
    """The schema checked again (under the lock, another process may have changed it) and brought up to date."""
    _refuse_newer(db, path, known)
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
