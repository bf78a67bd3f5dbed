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


def mark_term(text: str | None, q: str | None) -> Markup:
    """The text, escaped, with each occurrence of q (any case) in <mark>: built from escaped
    pieces, never from the data's own markup (the search page's hits)."""
    import re

    text = text or ""
    if not q:
        return escape(text)
    out, at = [], 0
    for m in re.finditer(re.escape(q), text, re.IGNORECASE):
        out += [escape(text[at:m.start()]), Markup("<mark>"), escape(m.group(0)), Markup("</mark>")]
        at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """compare's templates may mark a term (|compare_mark(q)) and name a status (compare_status_labels)."""
    if is_compare(datasette):
        env.filters["compare_mark"] = mark_term
        env.globals["compare_status_labels"] = STATUS_LABELS


@hookimpl
def menu_links(datasette, actor):
    if not is_compare(datasette):
        return None
    return [{"href": datasette.urls.path("/-/compare"), "label": "Commitments"},
            {"href": datasette.urls.path("/-/compare/search"), "label": "Search"}]
