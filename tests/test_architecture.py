"""The rooms of the house, checked on the source (ast, no import of the code under test).

- The engine's core (every module of compare/ but the stage runner, the reports module and the
  web package) never imports the store (`db`) or sqlite_utils.
- The store (`db/`) never imports the engine (`compare`).
- Only the stage runner (compare/stages.py), the reports module (compare/reports.py), the CLI
  and the web pages import `db`. (Scripts, benchmarks and tests are entry points of their own.)
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORE_USERS = {"compare/stages.py", "compare/reports.py"}  # the engine modules that may read and write the store
WEB = ("plugins/", "compare/web/")
# Core modules that forward, for the web pages, to a name that moved to the runner or the reports
# module. The web is switched to compare.stages / compare.reports separately (issue 13); then these go.
WEB_COMPAT: set[tuple[str, str]] = set()


def _module_name(rel: str) -> str:
    parts = rel[:-3].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(rel: str) -> set[str]:
    """Every module a file imports, at the top or inside a function, relative imports resolved."""
    tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"), rel)
    package = _module_name(rel) if rel.endswith("__init__.py") else _module_name(rel).rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)  # `from compare import stages`
    return out


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def files(*folders: str) -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for f in folders for p in (ROOT / f).rglob("*.py"))


CORE = [f for f in files("compare") if f not in STORE_USERS and not f.startswith(WEB)]


def test_the_core_is_listed():
    assert {"compare/align.py", "compare/threads.py", "compare/status.py", "compare/diff.py", "compare/flags.py",
            "compare/pipeline.py", "compare/readers.py", "compare/segment.py"} <= set(CORE)


@pytest.mark.parametrize("rel", CORE)
def test_the_core_never_imports_the_store(rel):
    found = sorted(m for m in imports(rel) if _under(m, "db") or _under(m, "sqlite_utils"))
    assert not found, f"{rel} imports {found}: only compare/stages.py and compare/reports.py touch the store"


@pytest.mark.parametrize("rel", CORE)
def test_the_core_never_calls_the_runner_or_the_reports(rel):
    found = sorted(m for m in imports(rel) if any(_under(m, x) for x in ("compare.stages", "compare.reports"))
                   and not any(rel == r and _under(m, allowed) for r, allowed in WEB_COMPAT))
    assert not found, f"{rel} imports {found}: the runner calls the core, not the other way round"


@pytest.mark.parametrize("rel", files("db"))
def test_the_store_never_imports_the_engine(rel):
    found = sorted(m for m in imports(rel) if _under(m, "compare"))
    assert not found, f"{rel} imports {found}: db/ has its own errors and takes plain rows"


def test_only_the_runner_the_reports_the_cli_and_the_web_import_the_store():
    users = {rel for rel in files("compare", "db", "plugins") + ["cli.py"]
             if not rel.startswith("db/") and any(_under(m, "db") for m in imports(rel))}
    assert users <= STORE_USERS | {"cli.py"} | {u for u in users if u.startswith(WEB)}, users


# Functions over the limit that the vocabulary work (another branch of issue 13) is splitting.
LONG_ON_ANOTHER_BRANCH: set[tuple[str, str]] = set()
MAX_LINES = 60


def test_no_function_in_compare_is_over_60_lines():
    long = []
    for rel in files("compare"):
        for node in ast.walk(ast.parse((ROOT / rel).read_text(encoding="utf-8"), rel)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (rel, node.name) not in \
                    LONG_ON_ANOTHER_BRANCH and node.end_lineno - node.lineno + 1 > MAX_LINES:
                long.append(f"{rel}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, long
