"""What visitors may run with `compare serve --allow-sql` (arbitrary SQL is off by default,
compare.reviewers.ReviewerAccess): no value longer than MAX_VALUE_BYTES, no answer larger than
MAX_SQL_RESPONSE_BYTES."""
from __future__ import annotations

import sqlite3
import urllib.parse

from datasette import hookimpl

from .common import config, published_authorizer

MAX_VALUE_BYTES = 2 * 1024 * 1024       # with --allow-sql: the longest string or blob a query may make
MAX_COLUMNS = 64                        # the widest result (the widest table, documents, has 34 columns)
MAX_ANSWER_BYTES = 16 * 1024 * 1024     # text and blobs one query may return, counted as rows are fetched
MAX_SQL_RESPONSE_BYTES = 20 * 1024 * 1024


@hookimpl
def prepare_connection(conn, database, datasette):
    """Every connection: the server's paths read as NULL (common.PRIVATE_COLUMNS). With
    --allow-sql, no query makes a value longer than MAX_VALUE_BYTES (zeroblob(300000000) is
    refused by SQLite itself), and the blob makers are refused outright."""
    conf = config(datasette)
    if not conf:
        return
    conn.set_authorizer(published_authorizer(conf.allow_sql))
    if not conf.allow_sql:
        return
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
    conn.row_factory = _budgeted_rows(conn.row_factory or sqlite3.Row)


def _budgeted_rows(make_row):
    """A row factory that counts the text and blobs each query returns and stops it, with an
    error Datasette shows, once they pass MAX_ANSWER_BYTES: memory is bounded while rows are
    fetched, not after the whole answer is built."""
    import weakref

    spent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def factory(cursor, row):
        n = spent.get(cursor, 0) + sum(len(v) for v in row if isinstance(v, (str, bytes)))
        if n > MAX_ANSWER_BYTES:
            raise sqlite3.OperationalError(f"answer too large (over {MAX_ANSWER_BYTES // 2**20} MB): "
                                           "select fewer rows or columns")
        spent[cursor] = n
        return make_row(cursor, row)
    return factory


@hookimpl
def asgi_wrapper(datasette):
    """With --allow-sql, an answer to arbitrary SQL larger than MAX_SQL_RESPONSE_BYTES is replaced
    by a one-line 413 (write a narrower query)."""
    def wrap(app):
        async def capped(scope, receive, send):
            conf = config(datasette)
            qs = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1")) \
                if scope.get("type") == "http" else {}
            if not (conf and conf.allow_sql and ("sql" in qs or "_where" in qs)):
                return await app(scope, receive, send)
            sent = {"bytes": 0, "start": None, "blocked": False}

            async def counting_send(message):
                if sent["blocked"]:
                    return
                if message["type"] == "http.response.start":
                    sent["start"] = message
                    return
                if message["type"] == "http.response.body":
                    sent["bytes"] += len(message.get("body", b""))
                    if sent["bytes"] > MAX_SQL_RESPONSE_BYTES:
                        sent["blocked"] = True
                        if sent["start"] is not None:
                            await send({"type": "http.response.start", "status": 413,
                                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                            await send({"type": "http.response.body",
                                        "body": b"Answer too large: select fewer rows or columns"})
                        else:  # a streamed answer already under way ends here
                            await send({"type": "http.response.body", "body": b"", "more_body": False})
                        return
                    if sent["start"] is not None:
                        await send(sent["start"])
                        sent["start"] = None
                await send(message)
            await app(scope, receive, counting_send)
        return capped
    return wrap
