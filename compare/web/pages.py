"""compare's read-only pages: commitments, thread timeline, regions, document, diff, search.

Server-rendered (templates/compare_*.html), no JavaScript, no CDN. Reads go through the shared
queries in db/; these pages answer GET and HEAD only (the one write is flagging.py's route).
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from compare import reports

from .common import (
    FLAG_FORM_STATUSES,
    KIND_COLOURS,
    STATUS_LABELS,
    answer,
    current_reviewer,
    is_compare,
    not_found,
    run,
    run_private,
)
from .timeline import timeline_svg


async def _thread_or_404(datasette, ref: str) -> str:
    """The current id of a thread (an old, merged id resolves), else 404."""
    from compare.errors import CompareError
    from db import queries
    from db.errors import StoreError

    try:
        return await run(datasette, queries.resolve_thread, ref)
    except (CompareError, StoreError):
        raise NotFound(f"No thread {ref}") from None


async def thread_page(request, datasette):
    ref = request.url_vars["thread_id"]
    tid = await _thread_or_404(datasette, ref)
    if tid != ref:
        return Response.redirect(datasette.urls.path(f"/-/compare/thread/{tid}{request.url_vars.get('format') or ''}"))
    thread, rows, flags = await run(datasette, reports.thread_view, tid)
    meter = await run(datasette, reports.thread_meter, tid)
    return await answer(datasette, request, "compare_thread.html", {
        "thread": thread, "rows": rows, "svg": timeline_svg(rows), "flags": flags, "kind_colours": KIND_COLOURS,
        "status_labels": STATUS_LABELS, "can_flag": bool(current_reviewer(datasette, request)),
        "flag_statuses": FLAG_FORM_STATUSES, "actor": request.actor, "meter": meter,
    }, {"thread": thread, "meter": meter, "mentions": rows, "flags": flags})


async def regions_page(request, datasette):
    """The same thread across regions and levels, side by side."""
    tid = await _thread_or_404(datasette, request.url_vars["thread_id"])
    thread, rows, _ = await run(datasette, reports.thread_view, tid)
    order = {"national": 0, "province": 1, "city": 2, "district": 3, "town": 4}
    columns: dict[tuple, list] = {}
    for r in rows:
        columns.setdefault((order.get(r["level"], 9), r["level"] or "?", r["region"] or "?"), []).append(r)
    cols = [(k[1], k[2], v) for k, v in sorted(columns.items())]
    meters = await run(datasette, reports.thread_meters_by_region, tid)
    return await answer(datasette, request, "compare_regions.html", {
        "thread": thread, "columns": cols, "kind_colours": KIND_COLOURS, "status_labels": STATUS_LABELS,
        "meters": meters}, {"thread": thread, "regions": [{"level": lv, "region": rg, "meter": meters.get((lv, rg)),
                                                          "mentions": ms} for lv, rg, ms in cols]})


async def document_page(request, datasette):
    from compare.errors import CompareError
    from db import queries
    from db.errors import StoreError

    ref = request.url_vars["document_id"]
    try:
        doc = await run(datasette, queries.resolve_document, ref)
    except (CompareError, StoreError):
        raise NotFound(f"No document {ref}") from None
    measures, statuses, memberships, threads = await run(datasette, reports.document_view, doc["id"])
    meter, sections = await run(datasette, reports.document_scorecard, doc["id"])
    private = await run_private(datasette, queries.resolve_document, doc["id"])  # its path and path key
    unplaced = [f for f in await run_private(datasette, queries.flags_needing_review)
                if f["doc_key"] == private["doc_key"] or f["source"] == private["source"]]
    doc = reports.public_document(doc)
    return await answer(datasette, request, "compare_document.html", {
        "doc": doc, "measures": measures, "statuses": statuses, "memberships": memberships, "threads": threads,
        "unplaced": unplaced, "meter": meter, "sections": sections,
        "kind_colours": KIND_COLOURS, "status_labels": STATUS_LABELS},
        {"document": doc, "meter": meter, "scorecard": [s | {"rows": [r | {"threads": memberships.get(
            r["measure_id"], [])} for r in s["rows"]]} for s in sections], "flags_needing_review": unplaced})


async def diff_page(request, datasette):
    from compare.errors import CompareError
    from compare.reports import diff_documents
    from db import queries
    from db.errors import StoreError

    a, b = request.args.get("a"), request.args.get("b")
    docs = await run(datasette, queries.list_documents, True)
    result = error = None
    if a and b:
        try:
            da = await run(datasette, queries.resolve_document, a)
            dbb = await run(datasette, queries.resolve_document, b)
            if da["id"] == dbb["id"]:
                error = (f"A and B are the same document ({da.get('title') or da['id']}): "
                         "choose two different ones, e.g. a draft and its final version.")
            else:
                result = await run(datasette, diff_documents, da["id"], dbb["id"])
                result["doc_a"], result["doc_b"] = da, dbb
        except (CompareError, StoreError) as e:
            error = str(e)
    return await answer(datasette, request, "compare_diff.html", {
        "docs": docs, "a": a, "b": b, "result": result, "error": error},
        {"documents": docs, "a": a, "b": b, "result": result, "error": error})


SEARCH_LIMIT = 100  # measures a search page shows


async def search_page(request, datasette):
    from db import queries

    q = (request.args.get("q") or "").strip()[:100]
    results = await run(datasette, queries.search_measures, q, SEARCH_LIMIT + 1) if q else []
    more = len(results) > SEARCH_LIMIT  # one more asked for, to say "the first N" rather than "N results"
    return await answer(datasette, request, "compare_search.html", {
        "q": q, "results": results[:SEARCH_LIMIT], "more": more,
        "method": "trigram full-text index" if len(q) >= 3 else "substring (LIKE)", "kind_colours": KIND_COLOURS})


async def index_page(request, datasette):
    from db import queries

    threads = await run(datasette, queries.list_threads)
    counts = await run(datasette, queries.status_counts)
    overview = await run(datasette, reports.overview)
    docs = overview["documents"]
    shown = [t for t in threads if t["size"] >= 2][:200]
    return await answer(datasette, request, "compare_index.html", {
        "threads": shown, "counts": counts, "docs": docs, "overview": overview,
        "status_labels": STATUS_LABELS},
        {"counts": counts, "meter": overview["meter"], "issuers": overview["issuers"], "threads": shown,
         "documents": docs})


async def scoreboard_page(request, datasette):
    """The district scoreboard: a row per region and level; and a commitment picked by search to
    compare across regions (the thread's side-by-side page)."""
    q = (request.args.get("q") or "").strip()[:100]
    rows = await run(datasette, reports.region_scoreboard)
    matches = await run(datasette, reports.threads_matching, q) if q else []
    return await answer(datasette, request, "compare_scoreboard.html", {
        "rows": rows, "q": q, "matches": matches, "status_labels": STATUS_LABELS},
        {"regions": rows, "q": q, "threads": matches})


UNFULFILLED_SHOWN = {False: 100, True: 1000}  # the most urgent shown per region: of all regions, of one


async def unfulfilled_page(request, datasette):
    """What is not kept, by region then document, most urgent first; the newest promises apart."""
    region = (request.args.get("region") or "").strip()[:100] or None
    listing = await run(datasette, reports.unfulfilled_list, region, UNFULFILLED_SHOWN[bool(region)])
    regions = listing.regions
    if region and region not in regions:
        return await not_found(datasette, request, f"No commitments of region {region}: the regions are "
                                                   f"{'、'.join(regions) or 'none yet'}.")
    return await answer(datasette, request, "compare_unfulfilled.html", {
        "listing": listing, "region": region, "regions": regions, "status_labels": STATUS_LABELS},
        {"region": region, "counts": listing.counts, "groups": listing.groups, "awaiting": listing.awaiting,
         "regions": regions})


async def documents_page(request, datasette):
    docs = await run(datasette, reports.documents_overview)
    return await answer(datasette, request, "compare_documents.html", {"docs": docs}, {"documents": docs})


async def databases_page(request, datasette):
    """Datasette's /-/databases without the database file's path on the server."""
    return Response.json([{k: v for k, v in d.items() if k != "path"} for d in datasette._connected_databases()])


async def unknown_page(request, datasette):
    return await not_found(datasette, request, f"No page {request.path}: start from the commitments page.")


def _get_only(view):
    """compare's pages only read (the one write is the flag route); an unknown id is a 404 page
    (or 404 JSON for .json), never a traceback."""
    async def guarded(request, datasette):
        if request.method not in ("GET", "HEAD"):
            return Response.text("Method not allowed: these pages only read", status=405, headers={"Allow": "GET"})
        try:
            return await view(request, datasette)
        except NotFound as e:
            return await not_found(datasette, request, f"{e.args[0] if e.args else 'Not found'}.")
    return guarded


_JSON = r"(?P<format>\.json)?$"


@hookimpl
def register_routes(datasette):
    if not is_compare(datasette):
        return []
    return [(pattern, _get_only(view)) for pattern, view in (
        (r"^/-/compare" + _JSON, index_page),
        (r"^/-/compare/thread/(?P<thread_id>[A-Za-z0-9_-]+)" + _JSON, thread_page),
        (r"^/-/compare/thread/(?P<thread_id>[A-Za-z0-9_-]+)/regions" + _JSON, regions_page),
        (r"^/-/compare/document/(?P<document_id>[A-Za-z0-9_.-]+?)" + _JSON, document_page),
        (r"^/-/compare/diff" + _JSON, diff_page),
        (r"^/-/compare/search" + _JSON, search_page),
        (r"^/-/compare/regions" + _JSON, scoreboard_page),
        (r"^/-/compare/unfulfilled" + _JSON, unfulfilled_page),
        (r"^/-/compare/documents" + _JSON, documents_page),
        (r"^/-/databases" + _JSON, databases_page),
        # anything else under /-/compare/ but the style sheet's mount and the flag route
        (r"^/-/compare/(?!static/|flag$).*$", unknown_page),
    )]
