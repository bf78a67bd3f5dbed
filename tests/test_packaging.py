"""The web plugin as it ships: registered once, through the entry points (or by make_datasette
where Datasette skips them), inert in a Datasette compare did not build, metadata.yml single-sourced.
A non-editable `pip install .` in a fresh venv is checked by .ci/run (.ci/check_install.py)."""
import asyncio
import os
import subprocess
import sys

import pytest
from conftest import EXAMPLES, ROOT


def call(coro):
    return asyncio.run(coro)


def test_entry_points_in_pyproject_are_the_plugin_modules():
    tomllib = pytest.importorskip("tomllib")
    from compare.web.app import PLUGINS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["datasette"] == PLUGINS


def test_packaged_metadata_is_the_top_level_metadata():
    """compare/web/metadata.yml is a link to the design card, not a second copy."""
    from compare.web.app import METADATA

    assert os.path.samefile(METADATA, ROOT / "metadata.yml")


def test_web_files_are_package_data():
    tomllib = pytest.importorskip("tomllib")
    from compare.web.app import STATIC, TEMPLATES

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["compare.web"]
    shipped = {p for g in globs for p in (ROOT / "compare" / "web").glob(g)}
    assert set(TEMPLATES.iterdir()) | set(STATIC.iterdir()) <= shipped
    assert ROOT / "compare" / "web" / "metadata.yml" in shipped


def test_each_plugin_module_is_registered_once(db_path):
    from datasette.plugins import pm

    from cli import web_app
    from compare.web.app import PLUGINS

    ds = web_app(db_path)
    web_app(db_path)  # a second instance registers nothing more
    ours = [p for p in pm.get_plugins() if getattr(p, "__name__", "").startswith("compare.")]
    assert sorted(p.__name__ for p in ours) == sorted(PLUGINS.values())
    patterns = [pattern.pattern for pattern, _ in ds._routes()]
    for route in (r"^/-/compare(?P<format>\.json)?$", "^/-/login$", "^/-/compare/flag$"):
        assert patterns.count(route) == 1, route
    css = call(ds.client.get("/-/compare/static/compare.css"))
    assert css.status_code == 200 and "compare-status" in css.text


@pytest.mark.parametrize("called_from_test", [False, True])
def test_the_plugin_loads_once_with_or_without_entry_points(tmp_path, called_from_test):
    """Datasette skips setuptools entry points when sys._called_from_test is set; then
    make_datasette registers the modules itself. Either way, once, and the pages render."""
    script = f"""
import asyncio, sys
if {called_from_test}:
    sys._called_from_test = True
from datasette.plugins import pm
from cli import web_app
ds = web_app({str(tmp_path / 'x.db')!r})
names = sorted(n for n, p in pm.list_name_plugin() if getattr(p, '__name__', '').startswith('compare.'))
codes = [asyncio.run(ds.client.get(p)).status_code for p in ('/-/compare', '/-/login', '/compare')]
print(names, codes)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    names, codes = out.stdout.strip().split("] [")
    assert names.count("compare_") == 6, out.stdout
    assert codes == "200, 200, 200]", out.stdout


def test_hooks_do_nothing_in_a_datasette_compare_did_not_build(db_path, run):
    """Installed, the entry points reach every Datasette in the environment: there the plugin is inert."""
    from datasette.app import Datasette

    from compare.web.app import register_plugins

    run("align", "--model", "hashing", EXAMPLES / "01_jiading_plan.txt")
    from datasette.plugins import pm

    register_plugins(pm)
    ds = Datasette([db_path])
    for path in ("/-/compare", "/-/login", "/-/compare/flag"):
        assert call(ds.client.get(path)).status_code == 404, path
    page = call(ds.client.get("/compare/measures"))
    assert page.status_code == 200 and "/-/compare/document/" not in page.text


def test_a_model_without_the_extra_says_how_to_install_it(run, monkeypatch):
    """sentence-transformers (and torch) is an extra: without it, --model NAME is one line of advice."""
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    r = run("align", "--model", "BAAI/bge-small-zh-v1.5", EXAMPLES / "01_jiading_plan.txt", ok=False)
    assert r.output.strip().splitlines()[-1] == ("Error: --model needs sentence-transformers: "
                                                 "pip install 'zh-policy-compare[sentence-transformers]'")


def test_the_default_path_imports_no_torch(tmp_path):
    """The default encoder is numpy only: aligning and serving never import torch."""
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from click.testing import CliRunner
from cli import cli
r = CliRunner().invoke(cli, ["align", "--silent", "-d", "x.db", {str(EXAMPLES / "01_jiading_plan.txt")!r},
                             {str(EXAMPLES / "02_jiading_reply_2025.md")!r}])
assert r.exit_code == 0, r.output
from cli import web_app
web_app("x.db")
print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
