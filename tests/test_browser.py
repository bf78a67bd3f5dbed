"""End to end: a real `compare serve`, driven by headless Chromium as a reviewer would use it."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("COMPARE_SCREENSHOTS", ROOT / "screenshots"))
PASSWORD = "correct horse"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="Debian chromium not installed (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    compare = [sys.executable, "-m", "compare"]
    db = tmp_path / "compare.db"
    subprocess.run(compare + ["align", "--silent", "--model", "hashing", "-d", str(db), str(EXAMPLES)],
                   check=True, cwd=ROOT)
    from compare.reviewers import hash_password

    reviewers = tmp_path / "reviewers.json"
    reviewers.write_text(json.dumps({"reviewer": hash_password(PASSWORD)}), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(compare + ["serve", "-d", str(db), "--reviewers", str(reviewers), "-p", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode()) from None
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", db
    proc.terminate()
    proc.wait(timeout=10)


def test_reviewer_flags_a_commitment_in_a_real_browser(server):
    from playwright.sync_api import sync_playwright

    base, db = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        page.goto(base + "/compare/unfulfilled_commitments")
        assert "Unfulfilled commitments" in page.content()
        page.screenshot(path=str(SHOTS / "1-unfulfilled.png"), full_page=True)

        page.locator("a[href^='/-/compare/thread/']").first.click()
        page.wait_for_load_state()
        timeline_url = page.url
        assert "/-/compare/thread/" in timeline_url and page.locator("svg.compare-axis").count() == 1
        assert "Log in as a reviewer" in page.content()
        page.screenshot(path=str(SHOTS / "2-timeline.png"), full_page=True)

        page.goto(base + "/-/login")
        page.fill("input[name=username]", "reviewer")
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.wait_for_load_state()

        page.goto(timeline_url)
        assert "signed in as reviewer" in page.content()
        page.select_option("select[name=status]", "unfulfilled")
        page.fill("input[name=note]", "区内尚未建成（浏览器测试）")
        page.locator("form.compare-flagform input[type=submit]").click()
        page.wait_for_load_state()
        assert page.url.split("#")[0] == timeline_url
        content = page.content()
        assert "区内尚未建成（浏览器测试）" in content and "recorded: unfulfilled on" in content
        page.screenshot(path=str(SHOTS / "3-flagged.png"), full_page=True)
        browser.close()

    import sqlite3

    conn = sqlite3.connect(db)
    row = conn.execute("SELECT reviewer, status, note, source FROM flags ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    assert row == ("reviewer", "unfulfilled", "区内尚未建成（浏览器测试）", "web")
