"""The Datasette instance `compare serve` runs, from what ships in this package: the plugin
modules, templates/, static/ and metadata.yml (a link to the top-level metadata.yml, the design
card; the wheel holds its content)."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

from datasette.app import Datasette

from .common import DB_NAME

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
METADATA = HERE / "metadata.yml"
STATIC_MOUNT = "-/compare/static"  # served at /-/compare/static/compare.css

# name -> module, as in pyproject.toml's [project.entry-points.datasette] (tests/test_packaging.py checks)
PLUGINS = {
    "compare_pages": "compare.web.pages",
    "compare_flagging": "compare.web.flagging",
    "compare_auth": "compare.web.auth",
    "compare_limits": "compare.web.limits",
    "compare_readonly": "compare.web.readonly",
    "compare_links": "compare.web.links",
}


def load_metadata() -> dict:
    import yaml

    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


def register_plugins(pm) -> None:
    """Register compare's modules with Datasette's plugin manager unless the entry points did
    (Datasette skips entry points when sys._called_from_test is set): each exactly once."""
    for name, module_name in PLUGINS.items():
        module = importlib.import_module(module_name)
        if not pm.is_registered(module):
            pm.register(module, name)


class CompareDatasette(Datasette):
    """Datasette with compare's reviewer access set before __init__ builds the routes and the
    ASGI wrappers: the plugin's hooks act only where it is set (common.is_compare)."""

    def __init__(self, *args, compare_auth, **kwargs):
        self._compare_auth = compare_auth
        quiet_errors()
        super().__init__(*args, **kwargs)


def quiet_errors() -> None:
    """Datasette 0.65's exception handler prints, where `rich` is installed, every exception a
    request raises, a visitor's 400 (`?_facet=nope`, `?_size=abc`) included, as a traceback with
    every local variable to the server's log: any visitor can fill the log, and locals are not
    for logs. Without `rich` it prints only server errors, as a plain traceback; compare's
    server runs it that way. (Every handle_exception hook runs, so a hook of compare's own
    cannot stop the default's printing.)"""
    import datasette.handle_exception as handler

    handler.rich = None


def make_datasette(db_path: str, secret: str, reviewers=None, *, metadata: dict | None = None,
                   allow_sql: bool = False, session_hours: float = 12.0):
    """The Datasette instance compare serves: its database named 'compare'; reviewers from their
    file on disk (compare.reviewers.ReviewersFile), never in the published metadata."""
    from datasette.database import Database
    from datasette.plugins import pm

    from compare.reviewers import ReviewerAccess, ReviewersFile

    register_plugins(pm)
    # Only compare's session cookie names an actor: not Datasette's ds_actor cookie, and not
    # datasette-auth-passwords (whose hashes live in the published metadata) if it is installed.
    for _, plugin in list(pm.list_name_plugin()):
        module = getattr(plugin, "__name__", "")
        if module == "datasette.actor_auth_cookie" or module.startswith("datasette_auth_passwords"):
            pm.unregister(plugin)
    metadata = json.loads(json.dumps(load_metadata() if metadata is None else metadata))
    metadata.get("plugins", {}).pop("datasette-auth-passwords", None)
    access = ReviewerAccess(reviewers or ReviewersFile(None), session_hours, allow_sql)
    ds = CompareDatasette(
        [], metadata=metadata, template_dir=str(TEMPLATES), static_mounts=[(STATIC_MOUNT, str(STATIC))],
        secret=secret, compare_auth=access,
        settings={"sql_time_limit_ms": 3000, "default_page_size": 100, "default_allow_sql": allow_sql,
                  "max_returned_rows": 100 if allow_sql else 1000, "allow_download": False})
    # whatever the file is called, the database is 'compare' to metadata.yml and the pages
    ds.add_database(Database(ds, path=db_path, is_mutable=True), name=DB_NAME)
    # Datasette adds an empty in-memory '_memory' database when it is given no files: compare's
    # site has one database, so the index lists only that one (Datasette's remove_database)
    if "_memory" in ds.databases:
        ds.remove_database("_memory")
    return ds
