"""Links into compare's pages: ids in compare's tables and views, and the menu."""
from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

from .common import DB_NAME, STATUS_LABELS, is_compare


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Ids in compare's tables and views link to the pages that explain them."""
    if database != DB_NAME or value is None or not isinstance(value, str) or not is_compare(datasette):
        return None
    if column == "thread_id":
        return Markup(f'<a href="/-/compare/thread/{escape(value)}">{escape(value)}</a>')
    if column == "document_id":
        return Markup(f'<a href="/-/compare/document/{escape(value)}">{escape(value)}</a>')
    if column in ("computed_status", "effective_status", "flagged_status") and value in STATUS_LABELS:
        return Markup(f'<span class="compare-status compare-{escape(value)}">{escape(STATUS_LABELS[value])}</span>')
    return None


@hookimpl
def menu_links(datasette, actor):
    if not is_compare(datasette):
        return None
    return [{"href": datasette.urls.path("/-/compare"), "label": "Commitments"},
            {"href": datasette.urls.path("/-/compare/search"), "label": "Search"}]
