"""The CLI as a new user meets it (issue 16): a mistyped database, a mistyped filter value or id,
`serve -h` and a busy port, readable tables, a diff of a plan against a report, the export."""
import json
import os
import socket

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, rows


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example corpus aligned (lexical encoder, fast) with one flag; read-only for the tests."""
    from cli import cli

    path = str(tmp_path_factory.mktemp("usability") / "c.db")
    runner = CliRunner()
    r = runner.invoke(cli, ["align", "--model", "hashing", "--silent", "-d", path, str(EXAMPLES)])
    assert r.exit_code == 0, r.output
    tid = json.loads(runner.invoke(cli, ["threads", "--json", "-d", path]).stdout)[0]["id"]
    r = runner.invoke(cli, ["flag", tid, "--status", "disputed", "--note", "区内尚未建成", "--reviewer", "张三",
                            "-d", path])
    assert r.exit_code == 0, r.output
    return path


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert "Traceback" not in output
    return lines[0]


# --- 1. a missing database is an error, and nothing is created -----------------------------------

NEEDS_A_DATABASE = [["docs"], ["docs", "--json"], ["measures", "x"], ["threads"], ["thread", "t1"], ["flags"],
                    ["report"], ["export"], ["export", "--format", "csv"], ["diff", "a", "b"], ["status"],
                    ["flag", "m1", "--status", "disputed", "--note", "n", "--reviewer", "r"], ["remove", "x"],
                    ["serve", "-p", "0"]]


@pytest.mark.parametrize("args", NEEDS_A_DATABASE, ids=lambda a: " ".join(a[:2]))
def test_a_missing_database_is_one_line_and_nothing_is_created(run, tmp_path, args):
    before = sorted(os.listdir(tmp_path))
    line = one_line_error(run(*args, "-d", "typo.db", ok=False).output)
    assert "typo.db" in line and "no such database" in line and "compare align" in line, line
    assert sorted(os.listdir(tmp_path)) == before  # no typo.db, typo.db.lock, -wal, -shm


def test_a_missing_database_through_the_environment_too(run, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPARE_DB", str(tmp_path / "sub" / "typo.db"))
    (tmp_path / "sub").mkdir()
    line = one_line_error(run("docs", ok=False).output)
    assert "typo.db" in line and "COMPARE_DB" in line
    assert os.listdir(tmp_path / "sub") == []


def test_align_still_creates_the_database(run, tmp_path):
    run("align", "--model", "hashing", "--silent", "-d", "new.db", EXAMPLES / "01_jiading_plan.txt")
    assert rows(str(tmp_path / "new.db"), "SELECT count(*) FROM documents")[0][0] == 1
    assert run("docs", "-d", "new.db").exit_code == 0


# --- 4. serve: -h is help, a busy port is one line before "serving" -------------------------------

def test_serve_h_is_help_and_the_example_makes_sense(run):
    out = run("serve", "-h").output
    assert out.startswith("Usage: compare serve") and "--host" in out and "--port" in out
    example = out[out.index("Example:"):]
    assert "/dev/null" not in example and "hash-password" in example and "reviewers.json" in example


def test_serve_on_a_busy_port_says_so_before_serving(run, built):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        r = run("serve", "-d", built, "-p", port, ok=False)
    finally:
        holder.close()
    line = one_line_error(r.output)
    assert str(port) in line and "--port" in line and "in use" in line
    assert "serving" not in r.output and r.exit_code == 1
