"""A reviewer's flag from a timeline: the one write compare's pages accept.

POST /-/compare/flag, only from a current reviewer's session (auth.py), with Datasette's CSRF
token; the flag goes into the same append-only table the CLI writes (compare.stages.record_flag).
"""
from __future__ import annotations

import urllib.parse

from datasette import hookimpl
from datasette.utils.asgi import Response

from .common import current_reviewer, database, is_compare, local_path, page, run, with_private_columns


async def flag_post(request, datasette):
    """A reviewer's flag: only from a current reviewer's session (CSRF-checked by Datasette).

    A stale page is resolved to what the reviewer saw (a merged-away thread, a superseded mention)
    and the answer says so; an unknown id, a bad status or a missing note is refused with the reason.
    """
    from sqlite_utils import Database

    from compare.errors import CompareError
    from compare.stages import record_flag
    from db.errors import StoreError

    if request.method != "POST":
        return Response.text("Use the form on a thread page", status=405, headers={"Allow": "POST"})
    reviewer = current_reviewer(datasette, request)
    if not reviewer:
        return await page(datasette, request, "compare_message.html", {
            "title": "Not signed in", "message": "Only reviewers can flag: log in first (your session may have "
            "expired or your account been removed).", "back": datasette.urls.path("/-/login")}, status=403)
    form = await request.post_vars()
    target = (form.get("target_id") or "")[:200]
    seen = [m for m in (form.get("seen") or "").split()[:5000] if len(m) <= 200] if form.get("seen") else None
    back = local_path(form.get("back"), datasette)
    refused = await _unknown_target(datasette, target)
    if refused:  # said before the status or the note are looked at: they are not what is wrong
        status, message = refused
        return await page(datasette, request, "compare_message.html", {
            "title": "The flag was not recorded", "message": message, "back": back}, status=status)
    try:
        recorded = await database(datasette).execute_write_fn(
            lambda conn: with_private_columns(datasette, conn, lambda c: record_flag(
                Database(c), target, form.get("status") or "", form.get("note"), reviewer, source="web", seen=seen,
                exact=True)))
    except (CompareError, StoreError) as e:
        return await page(datasette, request, "compare_message.html", {
            "title": "The flag was not recorded", "message": str(e), "back": back}, status=400)
    datasette.add_message(request, recorded.message, datasette.INFO)
    where = await _where_flag_shows(datasette, recorded)
    return Response.redirect(datasette.urls.path(where) if where else back)


async def _unknown_target(datasette, target: str) -> tuple[int, str] | None:
    """(HTTP status, message) when the form names nothing to flag or no measure or thread of this
    database: 400, a bad request, as for a bad status or note; None when the target exists."""
    from db import queries

    if not target.strip():
        return 400, "Nothing to flag: say what to flag (the form sends a measure id or a thread id). Reload the page."
    if await run(datasette, queries.exact_target, target.strip()) is None:
        return 400, (f"Unknown target: no measure or thread '{target.strip()}' in this database (it may have been "
                     "removed or renamed since the page was loaded). Reload the page and flag again.")
    return None


async def _where_flag_shows(datasette, recorded) -> str | None:
    """The timeline of the thread flagged, else of the mention's thread, else its document."""
    from db import queries

    if recorded.target_type == "thread":
        return f"/-/compare/thread/{urllib.parse.quote(recorded.target_id)}#flags"
    mid = (recorded.placed_ids or [recorded.target_id])[0]
    tids = (await run(datasette, queries.thread_memberships)).get(mid)
    if tids:
        return f"/-/compare/thread/{urllib.parse.quote(tids[0])}#flags"
    doc = (await run(datasette, queries.measure_rows, [mid])).get(mid)
    return f"/-/compare/document/{urllib.parse.quote(doc['document_id'])}#m-{mid}" if doc else None


@hookimpl
def register_routes(datasette):
    return [(r"^/-/compare/flag$", flag_post)] if is_compare(datasette) else []
