"""compare's Datasette pages: commitment timeline, district comparison, document, diff, search.

Server-rendered (templates/compare_*.html), no JavaScript, no CDN. Reads go through the
shared queries in db/; the only write, a reviewer's flag, is the POST /-/compare/flag route,
accepted only from a current reviewer's session (compare_auth.py) with Datasette's CSRF token.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.parse

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

DB_NAME = "compare"
KIND_COLOURS = {"progress": "#2a7d4f", "commitment": "#1f5fa8", "target": "#b8600b", "other": "#777777"}
STATUS_LABELS = {"fulfilled": "已兑现 fulfilled", "in_progress": "推进中 in progress", "overdue": "已逾期 overdue",
                 "no_evidence": "无后续 no evidence", "unfulfilled": "未兑现 unfulfilled", "disputed": "有争议 disputed"}


def _db(datasette):
    return datasette.get_database(DB_NAME)


async def _run(datasette, fn, *args):
    """Run a db/queries function on Datasette's connection (read-only use)."""
    from sqlite_utils import Database

    return await _db(datasette).execute_fn(lambda conn: fn(Database(conn), *args))


def _reviewer(datasette, request) -> str | None:
    """The reviewer of a verified session (compare_auth), checked against the reviewers file now."""
    from compare.reviewers import SESSION_COOKIE, reviewer_from_cookie

    return reviewer_from_cookie(getattr(datasette, "_compare_auth", None), request.cookies.get(SESSION_COOKIE),
                                datasette.unsign)


async def _page(datasette, request, template, context):
    return Response.html(await datasette.render_template(template, context, request=request))


# --- timeline ---------------------------------------------------------------------------

def _date_value(s: str | None) -> float | None:
    if not s:
        return None
    parts = [int(p) for p in s.split("-")]
    # a year alone (an undated plan placed at its period start) sits at the start of that year
    y, m, d = parts[0], (parts[1] if len(parts) > 1 else 1), (parts[2] if len(parts) > 2 else 1)
    return y + (m - 1) / 12 + (d - 1) / 365


def timeline_svg(rows: list[dict]) -> Markup:
    """An inline SVG time axis: one lane per region, one mark per mention, coloured by kind and
    ringed by status; marks of one date are spread side by side; approximate dates are dashed."""
    values = [_date_value(r["sort_date"]) for r in rows]
    known = [v for v in values if v is not None]
    if not known:
        return Markup("")
    lo, hi = min(known), max(known)
    if hi - lo < 1:
        lo, hi = lo - 0.5, hi + 0.5
    width, left, right, lane_h = 960, 90, 70, 40  # room on the right for marks spread past the last date
    lanes: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: ({"city": 0, "district": 1}.get(r.get("level"), 2), r["region"] or "?")):
        lanes.setdefault(r["region"] or "?", len(lanes))
    height = 50 + lane_h * len(lanes)

    def x(v):
        return left + 12 + (v - lo) / (hi - lo) * (width - left - right - 24)

    parts = [f'<svg class="compare-axis" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="timeline" xmlns="http://www.w3.org/2000/svg">']
    for year in range(int(lo), int(hi) + 2):
        if lo <= year <= hi:
            parts.append(f'<line x1="{x(year):.1f}" y1="20" x2="{x(year):.1f}" y2="{height - 10}" stroke="#ddd"/>'
                         f'<text x="{x(year):.1f}" y="14" font-size="12" text-anchor="middle">{year}</text>')
    for region, lane in lanes.items():
        parts.append(f'<text x="4" y="{44 + lane_h * lane}" font-size="13">{escape(region)}</text>'
                     f'<line x1="{left}" y1="{40 + lane_h * lane}" x2="{width - right}" y2="{40 + lane_h * lane}" '
                     f'stroke="#eee"/>')
    placed: dict[str, float] = {}
    order = sorted((v, i) for i, v in enumerate(values) if v is not None)
    for v, i in order:
        r = rows[i]
        lane = r["region"] or "?"
        cx = min(max(x(v), placed.get(lane, -1e9) + 20), width - 10)  # spread marks that would overlap
        placed[lane] = cx
        cy = 40 + lane_h * lanes[lane]
        colour = KIND_COLOURS.get(r["kind"], "#777")
        status = r.get("effective_status")
        ring = {"fulfilled": "#2a7d4f", "overdue": "#c0392b", "unfulfilled": "#c0392b",
                "no_evidence": "#999", "in_progress": "#e0a800", "disputed": "#8e44ad"}.get(status, "#fff")
        dash = ' stroke-dasharray="3,2"' if r.get("date_approximate") else ""
        title = escape(f"{r['sort_date']}{' (approx.)' if r.get('date_approximate') else ''} {r['issuer'] or ''} "
                       f"[{r['kind']}{'/' + status if status else ''}] {r['text']}")
        parts.append(f'<a href="#m-{escape(r["measure_id"])}"><circle cx="{cx:.1f}" cy="{cy}" r="8" fill="{colour}" '
                     f'stroke="{ring}" stroke-width="3"{dash}><title>{title}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


async def _thread_or_404(datasette, ref: str) -> str:
    """The current id of a thread (an old, merged id resolves), else 404."""
    from compare.errors import CompareError
    from db import queries

    try:
        return await _run(datasette, queries.resolve_thread, ref)
    except CompareError:
        raise NotFound(f"No thread {ref}")


async def thread_page(request, datasette):
    ref = request.url_vars["thread_id"]
    tid = await _thread_or_404(datasette, ref)
    if tid != ref:
        return Response.redirect(datasette.urls.path(f"/-/compare/thread/{tid}"))
    thread, rows, flags = await _run(datasette, _thread_data, tid)
    return await _page(datasette, request, "compare_thread.html", {
        "thread": thread, "rows": rows, "svg": timeline_svg(rows), "flags": flags, "kind_colours": KIND_COLOURS,
        "status_labels": STATUS_LABELS, "can_flag": bool(_reviewer(datasette, request)),
        "flag_statuses": list(STATUS_LABELS)[4:] + ["fulfilled", "in_progress"], "actor": request.actor,
    })


def _thread_data(db, tid):
    from db import queries

    thread = queries.list_threads(db, tid)[0]
    statuses = {s["measure_id"]: s for s in queries.list_statuses(db, thread_id=tid)}
    rows = []
    for r in queries.thread_timeline(db, tid):
        # a status, computed or flagged, belongs to a promise; reports of progress carry none
        s = statuses.get(r["measure_id"])
        flag = {"status": s["flagged_status"], "reviewer": s["flagged_by"], "note": s["flag_note"],
                "placement": s["flag_placement"]} \
            if s and s["flagged_status"] else None
        rows.append(dict(r, computed_status=s["computed_status"] if s else None,
                         effective_status=s["effective_status"] if s else None,
                         flag=flag, reason=s["reason"] if s else None))
    from compare.flags import flags_for_thread

    flags = flags_for_thread(queries.list_flags(db), tid, [r["measure_id"] for r in rows])
    return thread, rows, flags


async def regions_page(request, datasette):
    """The same thread across regions and levels, side by side."""
    tid = await _thread_or_404(datasette, request.url_vars["thread_id"])
    thread, rows, _ = await _run(datasette, _thread_data, tid)
    order = {"national": 0, "province": 1, "city": 2, "district": 3, "town": 4}
    columns: dict[tuple, list] = {}
    for r in rows:
        columns.setdefault((order.get(r["level"], 9), r["level"] or "?", r["region"] or "?"), []).append(r)
    return await _page(datasette, request, "compare_regions.html", {
        "thread": thread, "columns": [(k[1], k[2], v) for k, v in sorted(columns.items())],
        "kind_colours": KIND_COLOURS, "status_labels": STATUS_LABELS})


async def document_page(request, datasette):
    from compare.errors import CompareError
    from db import queries

    ref = request.url_vars["document_id"]
    try:
        doc = await _run(datasette, queries.resolve_document, ref)
    except CompareError:
        raise NotFound(f"No document {ref}")
    measures, statuses, memberships, threads = await _run(datasette, _document_data, doc["id"])
    unplaced = [f for f in await _run(datasette, queries.flags_needing_review)
                if f["doc_key"] == doc.get("doc_key") or f["source"] == doc.get("source")]
    return await _page(datasette, request, "compare_document.html", {
        "doc": doc, "measures": measures, "statuses": statuses, "memberships": memberships, "threads": threads,
        "unplaced": unplaced,
        "kind_colours": KIND_COLOURS, "status_labels": STATUS_LABELS})


def _document_data(db, doc_id):
    from db import queries

    measures = queries.list_measures(db, doc_id)
    statuses = {s["measure_id"]: s for s in queries.list_statuses(db, document_id=doc_id)}
    memberships = queries.thread_memberships(db)
    threads = {t["id"]: t for t in queries.list_threads(db)}
    return measures, statuses, memberships, threads


async def diff_page(request, datasette):
    from compare.diff import diff_documents
    from compare.errors import CompareError
    from db import queries

    a, b = request.args.get("a"), request.args.get("b")
    docs = await _run(datasette, queries.list_documents, True)
    result = error = None
    if a and b:
        try:
            da = await _run(datasette, queries.resolve_document, a)
            dbb = await _run(datasette, queries.resolve_document, b)
            result = await _run(datasette, diff_documents, da["id"], dbb["id"])
            result["doc_a"], result["doc_b"] = da, dbb
        except CompareError as e:
            error = str(e)
    return await _page(datasette, request, "compare_diff.html", {
        "docs": docs, "a": a, "b": b, "result": result, "error": error})


async def search_page(request, datasette):
    from db import queries

    q = (request.args.get("q") or "").strip()[:100]
    results = await _run(datasette, queries.search_measures, q) if q else []
    return await _page(datasette, request, "compare_search.html", {
        "q": q, "results": results, "method": "trigram full-text index" if len(q) >= 3 else "substring (LIKE)",
        "kind_colours": KIND_COLOURS})


async def index_page(request, datasette):
    from db import queries

    threads = await _run(datasette, queries.list_threads)
    counts = await _run(datasette, queries.status_counts)
    docs = await _run(datasette, queries.list_documents)
    return await _page(datasette, request, "compare_index.html", {
        "threads": [t for t in threads if t["size"] >= 2][:200], "counts": counts, "docs": docs,
        "status_labels": STATUS_LABELS})


async def flag_post(request, datasette):
    """A reviewer's flag: only from a current reviewer's session (CSRF-checked by Datasette).

    A stale page is resolved to what the reviewer saw (a merged-away thread, a superseded mention)
    and the answer says so; an unknown id, a bad status or a missing note is refused with the reason.
    """
    from sqlite_utils import Database

    from compare.errors import CompareError
    from compare.flags import record_flag

    if request.method != "POST":
        return Response.text("Use the form on a thread page", status=405, headers={"Allow": "POST"})
    reviewer = _reviewer(datasette, request)
    if not reviewer:
        return Response.html(await datasette.render_template("compare_message.html", {
            "title": "Not signed in", "message": "Only reviewers can flag: log in first (your session may have "
            "expired or your account been removed).", "back": datasette.urls.path("/-/login")}, request=request),
            status=403)
    form = await request.post_vars()
    target = (form.get("target_id") or "")[:200]
    seen = [m for m in (form.get("seen") or "").split()[:5000] if len(m) <= 200] if form.get("seen") else None
    back = _local_path(form.get("back"), datasette)
    try:
        recorded = await _db(datasette).execute_write_fn(
            lambda conn: record_flag(Database(conn), target, form.get("status") or "", form.get("note"), reviewer,
                                     source="web", seen=seen))
    except CompareError as e:
        return Response.html(await datasette.render_template("compare_message.html", {
            "title": "The flag was not recorded", "message": str(e), "back": back}, request=request), status=400)
    datasette.add_message(request, recorded.message, datasette.INFO)
    return Response.redirect(datasette.urls.path(await _where_flag_shows(datasette, recorded)) or back)


async def _where_flag_shows(datasette, recorded) -> str | None:
    """The timeline of the thread flagged, else of the mention's thread, else its document."""
    from db import queries

    if recorded.target_type == "thread":
        return f"/-/compare/thread/{urllib.parse.quote(recorded.target_id)}#flags"
    mid = (recorded.placed_ids or [recorded.target_id])[0]
    tids = (await _run(datasette, queries.thread_memberships)).get(mid)
    if tids:
        return f"/-/compare/thread/{urllib.parse.quote(tids[0])}#flags"
    doc = (await _run(datasette, queries.measure_rows, [mid])).get(mid)
    return f"/-/compare/document/{urllib.parse.quote(doc['document_id'])}#m-{mid}" if doc else None


def _local_path(value: str | None, datasette) -> str:
    """A path on this site to go back to (never another host)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return datasette.urls.path("/-/compare")


def _get_only(view):
    """compare's pages only read; the one write is the flag route."""
    async def guarded(request, datasette):
        if request.method not in ("GET", "HEAD"):
            return Response.text("Method not allowed: these pages only read", status=405, headers={"Allow": "GET"})
        return await view(request, datasette)
    return guarded


@hookimpl
def register_routes():
    return [(pattern, _get_only(view)) for pattern, view in (
        (r"^/-/compare$", index_page),
        (r"^/-/compare/thread/(?P<thread_id>[A-Za-z0-9_-]+)$", thread_page),
        (r"^/-/compare/thread/(?P<thread_id>[A-Za-z0-9_-]+)/regions$", regions_page),
        (r"^/-/compare/document/(?P<document_id>[A-Za-z0-9_.-]+)$", document_page),
        (r"^/-/compare/diff$", diff_page),
        (r"^/-/compare/search$", search_page),
    )] + [(r"^/-/compare/flag$", flag_post)]


@hookimpl
def render_cell(value, column, table, database):
    """Ids in compare's tables and views link to the pages that explain them."""
    if database != DB_NAME or value is None or not isinstance(value, str):
        return None
    if column == "thread_id":
        return Markup(f'<a href="/-/compare/thread/{escape(value)}">{escape(value)}</a>')
    if column == "document_id":
        return Markup(f'<a href="/-/compare/document/{escape(value)}">{escape(value)}</a>')
    if column in ("computed_status", "effective_status", "flagged_status") and value in STATUS_LABELS:
        return Markup(f'<span class="compare-status compare-{escape(value)}">{escape(STATUS_LABELS[value])}</span>')
    return None


@hookimpl
def asgi_wrapper(datasette):
    """Under /compare/<name>, only a writable canned query takes POST; anything else gets 405
    (Datasette 0.65 answers a POST to a table or a read-only query with a 500)."""
    def wrap(app):
        async def guarded(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") == "POST":
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


@hookimpl
def extra_template_vars(request):
    return {"compare_now": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")}


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/compare"), "label": "Commitments"},
            {"href": datasette.urls.path("/-/compare/search"), "label": "Search"}]


def make_datasette(db_path: str, metadata: dict, template_dir: str, plugins_dir: str, secret: str,
                   reviewers=None, *, allow_sql: bool = False, session_hours: float = 12.0):
    """The Datasette instance compare serves: its database named 'compare'; reviewers from their
    file on disk (compare.reviewers.ReviewersFile), never in the published metadata."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    # Only compare's session cookie names an actor: not Datasette's ds_actor cookie, and not
    # datasette-auth-passwords (whose hashes live in the published metadata) if it is installed.
    for name in ("datasette.actor_auth_cookie", "datasette_auth_passwords"):
        plugin = pm.get_plugin(name) or next((p for n, p in pm.list_name_plugin() if n.endswith(name)), None)
        if plugin is not None:
            pm.unregister(plugin)
    metadata = json.loads(json.dumps(metadata))
    metadata.get("plugins", {}).pop("datasette-auth-passwords", None)
    ds = Datasette([], metadata=metadata, template_dir=template_dir, plugins_dir=plugins_dir, secret=secret,
                   settings={"sql_time_limit_ms": 3000, "default_page_size": 100, "default_allow_sql": allow_sql,
                             "max_returned_rows": 100 if allow_sql else 1000, "allow_download": False})
    from compare.reviewers import ReviewerAccess, ReviewersFile

    ds._compare_auth = ReviewerAccess(reviewers or ReviewersFile(None), session_hours, allow_sql)
    # whatever the file is called, the database is 'compare' to metadata.yml and the pages
    ds.add_database(Database(ds, path=db_path, is_mutable=True), name=DB_NAME)
    return ds
