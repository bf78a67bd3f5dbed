"""compare's read-only pages: commitments, thread timeline, regions, document, diff, search.

Server-rendered (templates/compare_*.html), no JavaScript, no CDN. Reads go through the shared
queries in db/; these pages answer GET and HEAD only (the one write is flagging.py's route).
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from compare import reports

from .common import FLAG_FORM_STATUSES, KIND_COLOURS, STATUS_LABELS, current_reviewer, is_compare, page, run
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
        return Response.redirect(datasette.urls.path(f"/-/compare/thread/{tid}"))
    thread, rows, flags = await run(datasette, reports.thread_view, tid)
    return await page(datasette, request, "compare_thread.html", {
        "thread": thread, "rows": rows, "svg": timeline_svg(rows), "flags": flags, "kind_colours": KIND_COLOURS,
        "status_labels": STATUS_LABELS, "can_flag": bool(current_reviewer(datasette, request)),
        "flag_statuses": FLAG_FORM_STATUSES, "actor": request.actor,
    })


async def regions_page(request, datasette):
    """The same thread across regions and levels, side by side."""
    tid = await _thread_or_404(datasette, request.url_vars["thread_id"])
    thread, rows, _ = await run(datasette, reports.thread_view, tid)
    order = {"national": 0, "province": 1, "city": 2, "district": 3, "town": 4}
    columns: dict[tuple, list] = {}
    for r in rows:
        columns.setdefault((order.get(r["level"], 9), r["level"] or "?", r["region"] or "?"), []).append(r)
    return await page(datasette, request, "compare_regions.html", {
        "thread": thread, "columns": [(k[1], k[2], v) for k, v in sorted(columns.items())],
        "kind_colours": KIND_COLOURS, "status_labels": STATUS_LABELS})


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
    unplaced = [f for f in await run(datasette, queries.flags_needing_review)
                if f["doc_key"] == doc.get("doc_key") or f["source"] == doc.get("source")]
    return await page(datasette, request, "compare_document.html", {
        "doc": doc, "measures": measures, "statuses": statuses, "memberships": memberships, "threads": threads,
        "unplaced": unplaced,
        "kind_colours": KIND_COLOURS, "status_labels": STATUS_LABELS})


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
            result = await run(datasette, diff_documents, da["id"], dbb["id"])
            result["doc_a"], result["doc_b"] = da, dbb
        except (CompareError, StoreError) as e:
            error = str(e)
    return await page(datasette, request, "compare_diff.html", {
        "docs": docs, "a": a, "b": b, "result": result, "error": error})


async def search_page(request, datasette):
    from db import queries

    q = (request.args.get("q") or "").strip()[:100]
    results = await run(datasette, queries.search_measures, q) if q else []
    return await page(datasette, request, "compare_search.html", {
        "q": q, "results": results, "method": "trigram full-text index" if len(q) >= 3 else "substring (LIKE)",
        "kind_colours": KIND_COLOURS})


async def index_page(request, datasette):
    from db import queries

    threads = await run(datasette, queries.list_threads)
    counts = await run(datasette, queries.status_counts)
    docs = await run(datasette, queries.list_documents)
    return await page(datasette, request, "compare_index.html", {
        "threads": [t for t in threads if t["size"] >= 2][:200], "counts": counts, "docs": docs,
        "status_labels": STATUS_LABELS})


def _get_only(view):
    """compare's pages only read; the one write is the flag route."""
    async def guarded(request, datasette):
        if request.method not in ("GET", "HEAD"):
            return Response.text("Method not allowed: these pages only read", status=405, headers={"Allow": "GET"})
        return await view(request, datasette)
    return guarded


@hookimpl
def register_routes(datasette):
    if not is_compare(datasette):
        return []
    return [(pattern, _get_only(view)) for pattern, view in (
        (r"^/-/compare$", index_page),
        (r"^/-/compare/thread/(?P<thread_id>[A-Za-z0-9_-]+)$", thread_page),
        (r"^/-/compare/thread/(?P<thread_id>[A-Za-z0-9_-]+)/regions$", regions_page),
        (r"^/-/compare/document/(?P<document_id>[A-Za-z0-9_.-]+)$", document_page),
        (r"^/-/compare/diff$", diff_page),
        (r"^/-/compare/search$", search_page),
    )]
