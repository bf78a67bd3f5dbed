"""CI: compare as `pip install .` installs it (not editable), run from outside the checkout.

Usage: VENV/bin/python .ci/check_install.py CHECKOUT   (run in an empty directory)

Aligns CHECKOUT/examples/corpus with the default encoder, starts `compare serve` on a free port
and checks that /-/compare, a thread's timeline, /-/login and the stylesheet render from the
installed package, that the plugin is registered once, and that the installed metadata.yml is
the checkout's metadata.yml. Exits 1 with the reason otherwise.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PLUGIN_MODULES = 6  # compare/web/app.py PLUGINS


def fail(message: str) -> None:
    sys.exit(f"check_install: {message}")


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def installed_files(checkout: Path) -> None:
    import compare
    from compare.web import app

    here = Path(compare.__file__).resolve()
    if checkout.resolve() in here.parents or "site-packages" not in here.parts:
        fail(f"compare imported from {here}, not from site-packages")
    if app.METADATA.is_symlink() or app.METADATA.read_bytes() != (checkout / "metadata.yml").read_bytes():
        fail(f"{app.METADATA} is not a copy of the checkout's metadata.yml")
    for name in ("compare_thread.html", "compare_login.html"):
        if not (app.TEMPLATES / name).is_file():
            fail(f"{name} not installed")
    print(f"check_install: package in {here.parent}; metadata.yml, templates and static installed")


def main(checkout: Path) -> None:
    installed_files(checkout)
    bindir = Path(sys.executable).parent
    compare = [str(bindir / "compare")]
    db = Path.cwd() / "compare.db"
    subprocess.run([sys.executable, "-m", "compare", "--help"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(compare + ["align", "--silent", "-d", str(db), str(checkout / "examples" / "corpus")], check=True)
    port = free_port()
    with open("serve.log", "w") as log:
        proc = subprocess.Popen(compare + ["serve", "-d", str(db), "-p", str(port)], stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            check_pages(f"http://127.0.0.1:{port}", port, proc)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def check_pages(base: str, port: int, proc) -> None:
    deadline = time.time() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                fail("compare serve did not start:\n" + Path("serve.log").read_text())
            time.sleep(0.2)
    status, index = get(base + "/-/compare")
    threads = re.findall(r'href="(/-/compare/thread/[A-Za-z0-9_-]+)"', index)
    if status != 200 or "Commitments" not in index or not threads:
        fail(f"/-/compare: {status}, {len(threads)} thread links")
    status, thread = get(base + threads[0])
    if status != 200 or "<svg" not in thread or "compare-status" not in thread:
        fail(f"{threads[0]}: {status}, no timeline")
    status, login = get(base + "/-/login")
    if status != 200 or 'name="password"' not in login or "csrftoken" not in login:
        fail(f"/-/login: {status}, no login form")
    status, css = get(base + "/-/compare/static/compare.css")
    if status != 200 or ".compare-status" not in css:
        fail(f"/-/compare/static/compare.css: {status}")
    status, plugins = get(base + "/-/plugins.json")
    ours = [p for p in json.loads(plugins) if p.get("name") == "zh-policy-compare"]
    if status != 200 or len(ours) != PLUGIN_MODULES:
        fail(f"/-/plugins.json: {len(ours)} compare modules registered, expected {PLUGIN_MODULES}")
    print(f"check_install: compare serve rendered /-/compare ({len(threads)} threads), {threads[0]}, "
          "/-/login and the stylesheet; plugin modules registered once through the entry points")

if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail(__doc__)
    if os.path.exists("compare.db"):
        fail("run in an empty directory")
    main(Path(sys.argv[1]).resolve())
