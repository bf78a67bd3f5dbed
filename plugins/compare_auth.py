"""Reviewers' login and sessions, and what anonymous visitors may run.

- Reviewer names and password hashes are read from the reviewers file on disk (never from
  Datasette's metadata, which is published at /-/metadata.json).
- A session is a signed cookie naming the reviewer, with an expiry and a digest of their
  password hash: it ends when it expires, when the reviewer leaves the reviewers file, or when
  their password changes. Datasette's own `ds_actor` cookie is not honoured.
- Login answers take the same time for known and unknown names, hash off the event loop, and
  failed attempts are limited per name and per client address (429 with Retry-After).
- Arbitrary SQL is off unless `compare serve --allow-sql`; then values and responses are capped.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
import urllib.parse

from datasette import hookimpl
from datasette.utils.asgi import Response

from compare.reviewers import SESSION_COOKIE, SESSION_NAMESPACE

MAX_VALUE_BYTES = 2 * 1024 * 1024       # with --allow-sql: the longest string or blob a query may make
MAX_SQL_RESPONSE_BYTES = 20 * 1024 * 1024
# Password hashing runs here, two at a time at most: the event loop keeps answering pages.
_HASHING = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="compare-login")


def config(datasette):
    """compare's ReviewerAccess for this instance (compare.reviewers), set by make_datasette."""
    return getattr(datasette, "_compare_auth", None)


def current_reviewer(datasette, request) -> str | None:
    from compare.reviewers import reviewer_from_cookie

    return reviewer_from_cookie(config(datasette), request.cookies.get(SESSION_COOKIE), datasette.unsign)


@hookimpl(tryfirst=True)
def actor_from_request(datasette, request):
    name = current_reviewer(datasette, request)
    return {"id": name, "reviewer": True} if name else None


def _safe_next(value: str | None, datasette) -> str:
    """Only a path on this site (no scheme, no //host): no open redirect after login."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return datasette.urls.path("/-/compare")


async def _login_page(datasette, request, error=None, status=200, username="", headers=None):
    html = await datasette.render_template("compare_login.html", {
        "error": error, "username": username, "next": request.args.get("next") or "",
        "has_reviewers": bool(config(datasette) and config(datasette).reviewers.path)}, request=request)
    return Response.html(html, status=status, headers=headers or {})


async def login(request, datasette):
    from compare.reviewers import session_payload, verify_password

    conf = config(datasette)
    if request.method != "POST":
        return await _login_page(datasette, request)
    form = await request.post_vars()
    username = (form.get("username") or "").strip()[:100]
    password = (form.get("password") or "")[:1024]
    address = (request.scope.get("client") or ("?",))[0]
    wait = conf.limiter.retry_after(username, address)
    if wait:
        return await _login_page(datasette, request, f"Too many failed attempts; try again in {wait // 60 + 1} "
                                 "minute(s).", status=429, username=username, headers={"Retry-After": str(wait)})
    password_hash = conf.reviewers.hash_of(username)
    ok = await asyncio.get_running_loop().run_in_executor(_HASHING, verify_password, password, password_hash)
    if not ok:
        conf.limiter.failed(username, address)
        return await _login_page(datasette, request, "Wrong name or password.", status=401, username=username)
    conf.limiter.succeeded(username)
    response = Response.redirect(_safe_next(form.get("next"), datasette))
    max_age = int(conf.session_hours * 3600)
    response.set_cookie(SESSION_COOKIE, datasette.sign(session_payload(username, password_hash, conf.session_hours),
                                                       SESSION_NAMESPACE),
                        max_age=max_age, httponly=True, samesite="lax")
    response.set_cookie("ds_actor", "", expires=0)  # no second login path
    return response


async def logout(request, datasette):
    if request.method != "POST":
        return Response.html(await datasette.render_template("compare_login.html", {"logout": True},
                                                             request=request))
    response = Response.redirect(datasette.urls.path("/-/compare"))
    response.set_cookie(SESSION_COOKIE, "", expires=0, httponly=True, samesite="lax")
    return response


@hookimpl
def register_routes():
    return [(r"^/-/login$", login), (r"^/-/logout$", logout)]


@hookimpl
def prepare_connection(conn, database, datasette):
    """With --allow-sql, no query makes a value longer than MAX_VALUE_BYTES (zeroblob(300000000)
    is refused by SQLite itself), and the blob makers are refused outright."""
    conf = config(datasette)
    if not conf or not conf.allow_sql:
        return
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)

    def authorizer(action, arg1, arg2, dbname, source):
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in ("zeroblob", "randomblob"):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorizer)


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
