"""Headers on every answer (no framing, no sniffing, a CSP), and what a POST must be before
anything reads it: from this site (a cross-site form or script gets 403: Datasette's CSRF check
is skipped for requests without cookies, so a cross-site login or logout would pass it), small (a
body over MAX_POST_BYTES gets 413 before it is read whole), and, under /compare/<name>, addressed
to a writable canned query (else 405; Datasette 0.65 answers a POST to a table or a read-only
query with a 500)."""
from __future__ import annotations

from datasette import hookimpl

from .common import DB_NAME, is_compare

MAX_POST_BYTES = 64 * 1024  # a flag note is at most 4,000 characters; nothing posted here needs more


def cross_site(scope) -> bool:
    """A browser says where a request comes from (Sec-Fetch-Site, Origin): refuse another site's."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
    if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return True
    origin = headers.get("origin")
    if origin and origin != "null":
        import urllib.parse

        return urllib.parse.urlsplit(origin).netloc.lower() != headers.get("host", "").lower()
    return origin == "null"


async def _read_capped(receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_POST_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes):
    sent = {"done": False}

    async def receive():
        if not sent["done"]:
            sent["done"] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}
    return receive


async def _refuse(send, status: int, text: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": text})


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        if not is_compare(datasette):
            return app

        async def guarded(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            send = _with_security_headers(send, scope.get("path", ""))
            params = _params(scope)
            if bad := _bad_number(params):
                return await _refuse(send, 400, f"{bad} must be a whole number of milliseconds".encode())
            if bad := await _bad_sort(datasette, scope, params):
                return await _refuse(send, 400, f"Cannot sort by {bad}: not a column of this table".encode())
            if bad := await _bad_filter(datasette, scope, params):
                return await _refuse(send, 400, bad.encode())
            if scope.get("method") in ("GET", "HEAD") and _csv(scope, params):
                return await _defused_csv(app, scope, receive, send, params)
            if scope.get("method") == "POST":
                if cross_site(scope):
                    return await _refuse(send, 403, b"Cross-site request refused: use this site's own forms")
                body = await _read_capped(receive)
                if body is None:
                    return await _refuse(send, 413, b"Request too large")
                receive = _replay(body)
                parts = scope.get("path", "").strip("/").split("/")
                if parts[0].split(".")[0] == DB_NAME:
                    name = parts[1].split(".")[0] if len(parts) == 2 else None
                    queries = (datasette.metadata("queries", database=DB_NAME) or {})
                    if not (name in queries and queries[name].get("write")):
                        await send({"type": "http.response.start", "status": 405,
                                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET")]})
                        await send({"type": "http.response.body", "body": b"Read-only query: use GET"})
                        return
            await app(scope, receive, send)
        return guarded
    return wrap


# Every answer: no other site may frame a page (a reviewer's flag form clicked through a frame),
# a browser never guesses a type (a .json or .txt answer run as HTML), no page's address (a search,
# ?q=…) goes to another site in a Referer, and no <base>, plugin or form elsewhere. compare's own
# pages have no JavaScript but Datasette's menu-closing script, so only that script runs there:
# an injection that escaped escaping would still not run.
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin")]
CSP = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"
COMPARE_PATHS = ("/-/compare", "/-/login", "/-/logout")


def _menu_script_hash() -> str:
    """The CSP source of Datasette's one inline script on every page (_close_open_menus.html)."""
    import base64
    import hashlib
    import re
    from pathlib import Path

    import datasette

    try:
        html = (Path(datasette.__file__).parent / "templates" / "_close_open_menus.html").read_text(encoding="utf-8")
    except OSError:
        return ""
    m = re.search(r"<script>(.*?)</script>", html, re.S)
    return f" 'sha256-{base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()}'" if m else ""


COMPARE_CSP = (CSP + "; default-src 'self'; script-src 'self'" + _menu_script_hash() +
               "; style-src 'self' 'unsafe-inline'; img-src 'self' data:")


def _with_security_headers(send, path: str):
    """`send` with SECURITY_HEADERS and the CSP added to the answer (a header already set is kept)."""
    ours = path.startswith(COMPARE_PATHS) and not path.startswith("/-/compare/static/")
    csp = (COMPARE_CSP if ours else CSP).encode()

    async def sending(message):
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers") or []}
            extra = [(k, v) for k, v in SECURITY_HEADERS + [(b"content-security-policy", csp)] if k not in names]
            message = {**message, "headers": list(message.get("headers") or []) + extra}
        await send(message)
    return sending


MAX_CSV_BYTES = 32 * 1024 * 1024
NUMBER_PARAMS = ("_timelimit",)  # Datasette 0.65 runs int() on these and answers a 500 when it fails


SORT_PARAMS = ("_sort", "_sort_desc")  # Datasette 0.65 answers an unknown column with a 500 and a traceback


def _params(scope) -> dict[str, list[str]]:
    """The request's query string, read once: every value of each parameter, blank ones too."""
    import urllib.parse

    return urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


async def _bad_sort(datasette, scope, params: dict[str, list[str]]) -> str | None:
    """A sort column that the table or view asked for (/compare/<name>) does not have."""
    import urllib.parse

    wanted = [v for p in SORT_PARAMS for v in params.get(p, [])]
    parts = scope.get("path", "").strip("/").split("/")
    if not wanted or len(parts) != 2 or parts[0] != DB_NAME:
        return None
    name = urllib.parse.unquote(parts[1])
    for ext in (".json", ".csv"):
        name = name.removesuffix(ext)
    rows = await datasette.get_database(DB_NAME).execute("SELECT name FROM pragma_table_info(?)", [name])
    columns = {r[0] for r in rows}  # rowid is not one: Datasette 0.65 answers _sort=rowid with a 500 too
    if not columns:
        return None  # no such table or view: Datasette's own 404
    return next((v for v in wanted if v not in columns), None)


def _scalar_list(text: str) -> bool:
    import json

    try:
        values = json.loads(text)
    except ValueError:
        return False
    return isinstance(values, list) and all(v is None or isinstance(v, (str, int, float)) for v in values)


async def _bad_filter(datasette, scope, params: dict[str, list[str]]) -> str | None:
    """What is wrong with a filter Datasette 0.65 answers with a 500 and a traceback in the server's
    log: ?col__in=[… or ?col__notin=[… that is not a JSON list of values, and ?_through= that is not
    {"table", "column", "value"} naming a table with a foreign key to this one."""
    import json

    for key, values in params.items():
        if key.endswith(("__in", "__notin")) and any(v.startswith("[") and not _scalar_list(v) for v in values):
            return f"{key}: a list of values is a JSON list, e.g. [\"a\", \"b\"], or values separated by commas"
    for through in params.get("_through", []):
        try:
            data = json.loads(through)
        except ValueError:
            data = None
        if not (isinstance(data, dict) and all(isinstance(data.get(k), str) for k in ("table", "column"))
                and (data.get("value") is None or isinstance(data.get("value"), (str, int, float)))):
            return '_through must be {"table": …, "column": …, "value": …}'
        parts = scope.get("path", "").strip("/").split("/")
        if len(parts) != 2 or parts[0] != DB_NAME:
            return None
        import urllib.parse

        table = urllib.parse.unquote(parts[1]).removesuffix(".json").removesuffix(".csv")
        rows = await datasette.get_database(DB_NAME).execute(
            'SELECT "table" FROM pragma_foreign_key_list(?)', [data["table"]])
        if table not in {r[0] for r in rows}:
            return f"_through: {data['table']} has no foreign key to {table}"
    return None


def _bad_number(params: dict[str, list[str]]) -> str | None:
    """The first numeric Datasette parameter of the query string that is not a whole number."""
    return next((p for p in NUMBER_PARAMS for v in params.get(p, [])
                 if not (v.isascii() and v.isdigit() and len(v) <= 9)), None)  # int() refuses 4,300+ digits


def _csv(scope, params: dict[str, list[str]]) -> bool:
    """Datasette's CSV answers (path.csv or ?_format=csv): cells come from document text."""
    return scope.get("path", "").endswith(".csv") or "csv" in params.get("_format", [])


async def _defused_csv(app, scope, receive, send, params: dict[str, list[str]]):
    """Datasette's CSV, with every cell a spreadsheet would run as a formula prefixed (as the CLI's
    --csv does): the answer is buffered (at most MAX_CSV_BYTES) and rewritten; streamed CSV is off."""
    from compare.formats import defuse_csv

    if any(params.get("_stream", [])):  # a blank _stream= is not a streaming request
        return await _refuse(send, 403, b"Streamed CSV is off on this server: page through the CSV, or use "
                                        b"compare report --format csv / compare export")
    state = {"start": None, "body": [], "size": 0, "too_big": False}

    async def collect(message):
        if message["type"] == "http.response.start":
            state["start"] = message
        elif message["type"] == "http.response.body":
            state["size"] += len(message.get("body", b""))
            state["too_big"] = state["too_big"] or state["size"] > MAX_CSV_BYTES
            if not state["too_big"]:
                state["body"].append(message.get("body", b""))
    await app(scope, receive, collect)
    start = state["start"] or {"status": 500, "headers": []}
    if state["too_big"]:
        return await _refuse(send, 413, b"CSV too large: select fewer rows")
    body = b"".join(state["body"])
    kind = dict(start.get("headers") or []).get(b"content-type", b"")
    if start["status"] == 200 and (b"csv" in kind or b"text/plain" in kind):
        body = defuse_csv(body.decode("utf-8")).encode("utf-8")
    headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": start["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})
