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
