"""What the browser tests share: Debian's Chromium driven by playwright, and a real `compare serve`
of the example corpus whose output goes to a log file the tests read."""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("COMPARE_SCREENSHOTS", ROOT / "screenshots"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                    reason="Debian chromium not installed (.ci/run installs it)")


@contextlib.contextmanager
def chromium():
    """A headless Chromium; screenshots go to SHOTS."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def serve_examples(tmp: Path, password: str | None = None):
    """The example corpus aligned (hashing encoder) and served by `compare serve`, with a reviewer
    "reviewer" when a password is given. Yields (base URL, database, log file)."""
    compare = [sys.executable, "-m", "compare"]
    db = tmp / "compare.db"
    subprocess.run(compare + ["align", "--silent", "--model", "hashing", "-d", str(db), str(EXAMPLES)],
                   check=True, cwd=ROOT)
    args = compare + ["serve", "-d", str(db)]
    if password is not None:
        from compare.reviewers import hash_password

        reviewers = tmp / "reviewers.json"
        reviewers.write_text(json.dumps({"reviewer": hash_password(password)}), encoding="utf-8")
        args += ["--reviewers", str(reviewers)]
    port = free_port()
    log = tmp / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(args + ["-p", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(log.read_text(errors="replace")) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", db, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)
