"""What compare's Datasette modules share: the database name, labels, the instance's reviewer
access (set by make_datasette; None in a Datasette compare did not build) and page helpers."""
from __future__ import annotations

from datasette.utils.asgi import Response

from compare.vocabulary import VOCAB

DB_NAME = "compare"
KIND_COLOURS = {"progress": "#2a7d4f", "commitment": "#1f5fa8", "target": "#b8600b", "other": "#777777"}
# status -> what the pages show (已兑现 fulfilled), in the order of compare/vocab/statuses.txt
STATUS_LABELS = {s.name: f"{s.label} {s.name.replace('_', ' ')}" for s in VOCAB.statuses}
STATUS_RINGS = {s.name: s.ring for s in VOCAB.statuses}  # status -> its ring on a thread's timeline
# the statuses a reviewer can set on a thread page: the reviewer's own verdicts (unfulfilled,
# disputed) first, then those the rules can give too (fulfilled, in_progress), each in file order
FLAG_FORM_STATUSES = [s.name for s in sorted((s for s in VOCAB.statuses if s.flag), key=lambda s: s.computed)]


def config(datasette):
    """compare's ReviewerAccess for this instance (compare.reviewers), set by make_datasette."""
    return getattr(datasette, "_compare_auth", None)


def is_compare(datasette) -> bool:
    """Whether this Datasette is the one make_datasette built (the hooks do nothing elsewhere)."""
    return config(datasette) is not None


def current_reviewer(datasette, request) -> str | None:
    """The reviewer of a verified session, checked against the reviewers file now."""
    from compare.reviewers import SESSION_COOKIE, reviewer_from_cookie

    return reviewer_from_cookie(config(datasette), request.cookies.get(SESSION_COOKIE), datasette.unsign)


def local_path(value: str | None, datasette) -> str:
    """A path on this site to go to next: never an open redirect. Browsers drop tabs and line
    breaks and read a backslash as a slash, so "/\t/evil.example" would leave the site: any
    control character, space or backslash is refused, and the path must parse without a host."""
    import urllib.parse

    if (value and value.startswith("/") and not value.startswith("//") and len(value) <= 2000
            and not any(ord(c) <= 0x20 or ord(c) == 0x7F or c == "\\" for c in value)):
        parts = urllib.parse.urlsplit(value)
        if not parts.scheme and not parts.netloc:
            return value
    return datasette.urls.path("/-/compare")


def database(datasette):
    return datasette.get_database(DB_NAME)


async def run(datasette, fn, *args):
    """Run a db/queries function on Datasette's connection (read-only use)."""
    from sqlite_utils import Database

    return await database(datasette).execute_fn(lambda conn: fn(Database(conn), *args))


async def page(datasette, request, template, context, status: int = 200, headers: dict | None = None) -> Response:
    return Response.html(await datasette.render_template(template, context, request=request), status=status,
                         headers=headers or {})


# --- what is never published: the server's paths ------------------------------------------------

# columns holding the server's absolute paths (documents.source, files.path, the paths a run was
# given in runs.params, documents.doc_key: 'path:/...' for a document with no 文号 and no title) or
# copies of them (flag_scopes.context): every query a visitor's request
# runs reads them as NULL (SQLite's authorizer, SQLITE_IGNORE), the raw tables, views, JSON and CSV
# included; the file name is in documents.file_name. compare's own code reads them through
# with_private_columns.
PRIVATE_COLUMNS = frozenset({("documents", "source"), ("documents", "doc_key"), ("files", "path"),
                             ("flag_scopes", "context"),
                             ("runs", "params"), ("pragma_database_list", "file")})  # the database's own path


def published_authorizer(allow_sql: bool):
    """The authorizer of every connection the site opens: private columns read as NULL; with
    --allow-sql, the blob makers are refused outright (limits.py)."""
    import sqlite3

    def authorizer(action, arg1, arg2, dbname, source):
        if action == sqlite3.SQLITE_READ and (arg1, arg2) in PRIVATE_COLUMNS:
            return sqlite3.SQLITE_IGNORE
        if allow_sql and action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in ("zeroblob", "randomblob"):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK
    return authorizer


def with_private_columns(datasette, conn, fn):
    """fn(conn) with the private columns readable (a flag keeps its document's path to follow it
    into a new version): the authorizer is lifted for this call only and put back after; setting
    it expires the prepared statements, so none prepared here is reused by a visitor's query."""
    conf = config(datasette)
    conn.set_authorizer(None)
    try:
        return fn(conn)
    finally:
        conn.set_authorizer(published_authorizer(bool(conf and conf.allow_sql)))


async def run_private(datasette, fn, *args):
    """As run, for compare's own reads of a private column; the page publishes none of it."""
    from sqlite_utils import Database

    return await database(datasette).execute_fn(
        lambda conn: with_private_columns(datasette, conn, lambda c: fn(Database(c), *args)))


def without_paths(value):
    """A value for a JSON answer: Markup and sets as plain values, no key 'source' holding a path
    (a document's source, a flag's context), no document texts."""
    if isinstance(value, dict):
        return {k: without_paths(v) for k, v in value.items()
                if not (k == "source" and isinstance(v, str) and ("/" in v or "\\" in v))
                and k not in ("original_text", "cleaned_text")}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [without_paths(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return without_paths(dataclasses.asdict(value))
    if isinstance(value, (str, int, float, bool)) or value is None:
        return str(value) if type(value) is not str and isinstance(value, str) else value
    return str(value)


def json_requested(request) -> bool:
    return bool((request.url_vars or {}).get("format"))


async def answer(datasette, request, template, context, data=None, status: int = 200) -> Response:
    """The page, or with .json the data it shows (Datasette's convention: /-/compare/regions.json)."""
    if json_requested(request):
        return Response.json(without_paths(context if data is None else data), status=status,
                             default=str)
    return await page(datasette, request, template, context, status=status)


async def not_found(datasette, request, message: str) -> Response:
    """404: a page under compare's nav, or {"ok": false, "error": …, "status": 404} for .json."""
    if json_requested(request) or request.path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": 404}, status=404)
    return await page(datasette, request, "compare_message.html", {
        "title": "Not found", "message": message, "back": datasette.urls.path("/-/compare")}, status=404)
