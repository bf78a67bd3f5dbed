"""compare's Datasette plugin: the pages `compare serve` publishes, reviewers' login and the
limits of a public site, one module per concern as Datasette's own default plugins are.

- app.py       make_datasette: the instance `compare serve` runs (metadata, templates, static)
- pages.py     read-only pages: commitments, thread timeline, regions, document, diff, search
- timeline.py  the timeline's inline SVG
- flagging.py  POST /-/compare/flag: a reviewer's flag
- auth.py      reviewers' login and sessions
- limits.py    with --allow-sql: caps on values and answers
- readonly.py  under /compare/, POST only to a writable canned query
- links.py     table cells and the menu linking to compare's pages
- common.py    what the modules share

The modules are registered once, through the `datasette` entry points in pyproject.toml (or by
make_datasette where Datasette skips entry points). Their hooks act only in an instance that
make_datasette built: in any other Datasette run in the same environment they do nothing.
"""
