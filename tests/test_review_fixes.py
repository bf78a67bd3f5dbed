"""Fixes from a code review: terminal escapes in document text, the sqlite export, diff labels,
thread labels, control characters in a search, atomic exports."""
import json
import os
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import rows

HOSTILE_TITLE = "某区关于推进\x1b]0;PWNED\x07平台建设的工作方案"
HOSTILE_MEASURE = "一是推进\x1b[2J\x1b[35m概念验证中心建设，到2026年建成不少于3家概念验证中心。"


def hostile_text() -> str:
    padding = [f"{i}. 本行为普通的说明文字，用于填充文档的正文内容，不含任何控制字符。" for i in range(140)]
    return "\n".join([HOSTILE_TITLE, "", "一、主要任务", "", HOSTILE_MEASURE,
                      "二是完善人才培养体系，到2026年培养不少于100名技术经理人。",
                      # the hostile measure's commitment again: a thread through the hostile text
                      "三是持续推进概念验证中心建设，到2026年建成不少于3家概念验证中心。", "", "二、保障措施", ""]
                     + padding) + "\n"


@pytest.fixture
def hostile(tmp_path, run):
    path = tmp_path / "hostile.txt"
    path.write_text(hostile_text(), encoding="utf-8")
    run("align", path)
    return path


def cli_bytes(*args, color: bool):
    from cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args], color=color)
    return result.output


def assert_no_terminal_escapes(out: str, color: bool):
    assert "\x07" not in out and "\x1b]" not in out and "\x1b[2J" not in out and "\x1b[35m" not in out
    if not color:
        assert "\x1b" not in out
    assert not [ch for ch in out if unicodedata.category(ch) == "Cc" and ch not in "\n\t\x1b"]


def test_stored_text_has_no_control_characters(hostile, db_path):
    texts = [t for (t,) in rows(db_path, "SELECT text FROM measures")]
    texts += [t for (t,) in rows(db_path, "SELECT coalesce(title, '') FROM documents")]
    assert any("概念验证中心" in t for t in texts)
    assert not [t for t in texts if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in t)]


def test_reader_drops_controls_and_keeps_lines():
    from compare.readers import drop_controls

    assert drop_controls("甲\x1b]0;x\x07乙\x1b[2J丙\t丁\r\n戊\x0c己\x85庚\x9b1m辛\x00") == "甲]0;x乙[2J丙\t丁\r\n戊\n己\n庚1m辛"


@pytest.mark.parametrize("color", [False, True])
def test_cli_prints_no_terminal_escapes(hostile, run, color):
    doc = json.loads(run("docs", "--json").output)[0]["id"]
    measure = json.loads(run("measures", doc, "--json").output)[0]["id"]
    thread = json.loads(run("threads", "--min-size", "1", "--json").output)[0]["id"]
    for args in (("measures", doc), ("docs",), ("report",), ("report", "--format", "csv"),
                 ("diff", doc, doc, "--all"), ("thread", thread), ("export", "--format", "csv"),
                 ("export",), ("flag", measure[:1], "--status", "fulfilled", "--note", "x", "--reviewer", "r")):
        assert_no_terminal_escapes(cli_bytes(*args, color=color), color)


def test_terminal_helpers_take_out_escapes():
    from compare.formats import csv_cell, json_text, md_cell, terminal_text

    assert terminal_text("a\x1b]0;x\x07b\r\nc\td\x9b") == "a]0;xb\nc\td"
    assert "\x1b" not in csv_cell("x\x1b[2Jy") and "\x07" not in md_cell("x\x07y")
    raw = json.dumps({"t": "a\x9bb\x7f"}, ensure_ascii=False)
    assert json.loads(json_text(raw)) == {"t": "a\x9bb\x7f"} and "\x9b" not in json_text(raw)


def test_ambiguous_prefix_lists_texts_without_controls():
    from db.queries import ambiguous

    message = str(ambiguous("m", "measures", [("m1", "甲\x1b]0;PWNED\x07乙"), ("m2", "丙\x1b[2J")]))
    assert "\x1b" not in message and "\x07" not in message and "m1" in message and "m2" in message


def test_compare_group_error_message_has_no_escapes(hostile):
    from cli import cli

    result = CliRunner().invoke(cli, ["measures", "no\x1b]0;PWNED\x07such"], color=True)
    assert result.exit_code != 0 and "PWNED" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from conftest import EXAMPLES

    from cli import cli, web_app

    db_path = str(tmp_path_factory.mktemp("reviewfixes") / "compare.db")
    r = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", db_path, str(EXAMPLES)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return web_app(db_path), db_path


def web_get(ds, path, **kw):
    import asyncio

    return asyncio.run(ds.client.get(path, **kw))


@pytest.mark.parametrize("q", ["测试验证平台\x00", "ab\x00", "\x00", "平台\x1b", "测试\x00验证平台"])
def test_search_with_control_characters_is_an_answer_not_a_500(site, q):
    ds, db_path = site
    r = web_get(ds, "/-/compare/search", params={"q": q})
    assert r.status_code == 200, r.text[:300]
    clean = q.replace("\x00", "").replace("\x1b", "")
    expected = rows(db_path, "SELECT count(*) FROM measures m JOIN documents d ON d.id = m.document_id "
                             "WHERE instr(lower(m.text), lower(?)) > 0 AND d.is_current = 1", [clean])[0][0] if clean else 0
    from test_web_fixes import hits

    assert (len(hits(r.text)) if '<table class="compare compare-search">' in r.text else 0) == expected


# --- diff: a report that reached the promise, large numbers, details on the web page ------------

DIFF_PLAN = """某区推进概念验证中心建设行动方案

1、建设概念验证中心。到2027年，建成不少于3家概念验证中心。

2、扩大产业规模。到2027年，产业规模达到不少于1234567万元。
"""
DIFF_REPLY = """关于对区人大代表建议的答复

目前已建成概念验证中心3家，运行良好。

截至目前，产业规模已达到1234568万元。
"""
DIFF_REPLY_2 = DIFF_REPLY.replace("关于对区人大代表建议的答复", "关于对区政协委员提案的答复").replace("3家", "4家")


@pytest.fixture
def diffed(tmp_path, run):
    for name, text in (("plan.txt", DIFF_PLAN), ("reply.txt", DIFF_REPLY), ("reply2.txt", DIFF_REPLY_2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        run("align", "--model", "hashing", "--silent", tmp_path / name)


def test_diff_reports_a_promise_met_exactly_and_numbers_as_written(diffed, run):
    result = json.loads(run("diff", "plan.txt", "reply.txt", "--json").output)
    details = {d for c in result["changes"] if c["direction"] == "reported" for d in c["details"]}
    assert "3 of ≥ 3 家" in details, result["changes"]
    assert "1234568 of ≥ 1234567 万元" in details, details
    text = run("diff", "plan.txt", "reply.txt").output
    assert "reported 3 of ≥ 3 家" in text and "e+06" not in text


def test_number_formatting_has_no_exponent():
    from compare.diff import _number

    assert [_number(v) for v in (1234567.0, 3.0, 0.5, 12.75, 1e15, 2.675)] == \
        ["1234567", "3", "0.5", "12.75", "1000000000000000", "2.675"]


def test_web_diff_shows_details_without_a_direction(diffed, db_path):
    import re

    from cli import web_app

    ds = web_app(db_path)
    ids = dict(rows(db_path, "SELECT file_name, id FROM documents"))
    r = web_get(ds, "/-/compare/diff", params={"a": ids["reply.txt"], "b": ids["reply2.txt"]})
    assert r.status_code == 200
    result = json.loads(CliRunner().invoke(__import__("cli").cli, ["diff", "reply.txt", "reply2.txt", "--json"]).output)
    undirected = [c for c in result["changes"] if c["details"] and not c["direction"]]
    assert undirected, result["changes"]
    shown = re.findall(r'<span class="compare-muted">([^<]*)</span>', r.text)
    for c in undirected:
        assert any("; ".join(c["details"]) in s.replace("&gt;", ">") for s in shown), (c["details"], shown)


# --- export --format sqlite: no overwrite race, no rows lost to the scrub, no paths left ------------

@pytest.fixture
def two_folders(tmp_path, run):
    """One file name in two folders (same text: two rows of `files`, one document), a document with
    neither 文号 nor title (its key is its path), a database aligned with a local model folder."""
    from conftest import EXAMPLES

    for sub in ("c1", "c2"):
        (tmp_path / "corpus" / sub).mkdir(parents=True)
        (tmp_path / "corpus" / sub / "plan.txt").write_text(
            (EXAMPLES / "01_jiading_plan.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "corpus" / "c2" / "notitle.txt").write_text(
        "一是推进平台建设，到2026年建成不少于3家平台。\n二是加强人才培养，到2026年培养不少于100名人才。\n", encoding="utf-8")
    db = tmp_path / "live.db"
    run("align", "--model", "hashing", "--silent", "-d", db, tmp_path / "corpus" / "c1", tmp_path / "corpus" / "c2")
    import sqlite3

    conn = sqlite3.connect(db)  # as a corpus aligned with --model /srv/models/bge would hold it
    model = "st:" + str(tmp_path / "models" / "bge-small")
    for (table,) in conn.execute("SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p "
                                 "WHERE m.type = 'table' AND p.name = 'model'").fetchall():
        conn.execute(f'UPDATE "{table}" SET model = ?', [model])
    conn.commit()
    conn.close()
    return db


def test_sqlite_copy_keeps_every_row_and_publishes_no_absolute_path(two_folders, run, tmp_path):
    db = two_folders
    assert rows(str(db), "SELECT count(*) FROM files")[0][0] == 3
    assert rows(str(db), "SELECT count(*) FROM documents WHERE doc_key LIKE 'path:/%'")[0][0] == 1
    copy = tmp_path / "copy.db"
    run("export", "--format", "sqlite", "-o", copy, "-d", db)
    tables = [t for (t,) in rows(str(db), "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for t in tables:
        assert rows(str(copy), f'SELECT count(*) FROM "{t}"') == rows(str(db), f'SELECT count(*) FROM "{t}"'), t
    assert str(tmp_path).encode() not in copy.read_bytes()
    paths = sorted(p for (p,) in rows(str(copy), "SELECT path FROM files"))
    assert paths == ["c1/plan.txt", "c2/plan.txt", "notitle.txt"], paths
    assert rows(str(copy), "SELECT doc_key FROM documents WHERE doc_key LIKE 'path:%'") == [("path:notitle.txt",)]
    models = {m for (t,) in rows(str(copy), "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p "
                                            "WHERE m.type = 'table' AND p.name = 'model'")
              for (m,) in rows(str(copy), f'SELECT DISTINCT model FROM "{t}"')}
    assert models == {"st:bge-small"}


def test_sqlite_copy_never_overwrites_a_file_that_appears_meanwhile(run, tmp_path, monkeypatch):
    from conftest import EXAMPLES

    from db import queries

    db = tmp_path / "live.db"
    run("align", "--model", "hashing", "--silent", "-d", db, EXAMPLES)
    copy = tmp_path / "copy.db"
    write_copy = queries.write_copy

    def slow_copy(source, target):  # another process creates the file while the copy is written
        copy.write_bytes(b"theirs")
        write_copy(source, target)

    monkeypatch.setattr(queries, "write_copy", slow_copy)
    r = run("export", "--format", "sqlite", "-o", copy, "-d", db, ok=False)
    assert "already exists" in r.output and copy.read_bytes() == b"theirs"
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".compare-copy")]


def test_sqlite_copy_counts_a_dangling_symlink_as_existing(run, tmp_path):
    from conftest import EXAMPLES

    db = tmp_path / "live.db"
    run("align", "--model", "hashing", "--silent", "-d", db, EXAMPLES)
    link = tmp_path / "copy.db"
    link.symlink_to(tmp_path / "nowhere.db")
    r = run("export", "--format", "sqlite", "-o", link, "-d", db, ok=False)
    assert "already exists" in r.output and link.is_symlink() and not (tmp_path / "nowhere.db").exists()


# --- thread labels: no item or heading marker, the modifier particle from the vocabulary ---------

@pytest.mark.parametrize("text, label", [("二是加快推进科技创新平台建设", "科技创新平台建设"),
                                         ("（三）加强人才培养", "人才培养"), ("1.完善政策体系", "政策体系"),
                                         ("其二、加强人才培养，形成梯队。", "人才培养"),
                                         ("第三，加快推进平台建设", "平台建设")])
def test_a_label_made_from_a_measure_has_no_enumeration_marker(text, label):
    from compare import threads as th

    assert th.text_object(text) == label
    assert th.label_for(["a"], {}, {"a": text}) == label


def test_the_modifier_particle_of_a_label_is_read_from_the_vocabulary(monkeypatch, tmp_path):
    import shutil

    from compare import threads as th
    from compare import vocabulary

    assert th._head("对经认定的区级概念验证平台") == "区级概念验证平台"
    vocab = tmp_path / "vocab"
    shutil.copytree(Path(vocabulary.__file__).parent / "vocab", vocab)
    terms = (vocab / "terms.txt").read_text(encoding="utf-8")
    assert terms.rstrip().endswith("[modifier ends]\n的")
    (vocab / "terms.txt").write_text(terms.rstrip()[:-1] + "之\n", encoding="utf-8")
    monkeypatch.setattr(vocabulary, "VOCAB", vocabulary.load(str(vocab)))
    th._modifier_end.cache_clear()
    try:
        assert th._head("对经认定的区级概念验证平台") == "对经认定的区级概念验证平台"
        assert th._head("本区之区级概念验证平台") == "区级概念验证平台"
    finally:
        th._modifier_end.cache_clear()


# --- export -o is written whole or not at all; Ctrl-C while the server starts -------------------------

def _limited_export(db, out, fmt, limit):
    """`compare export` in a process that may write no file past `limit` bytes (a full disk, for it)."""
    import resource
    import signal
    import subprocess
    import sys

    def limit_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-c", "from cli import main; main()", "export", "--format", fmt,
                           "-d", str(db), "-o", str(out)], capture_output=True, text=True, preexec_fn=limit_files,
                          cwd=Path(__file__).resolve().parent.parent)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_to_a_file_that_cannot_be_finished_leaves_the_old_file(run, tmp_path, fmt):
    from conftest import EXAMPLES

    db = tmp_path / "live.db"
    run("align", "--model", "hashing", "--silent", "-d", db, EXAMPLES)
    out = tmp_path / f"export.{fmt}"
    old = "the export of yesterday\n" * 50
    out.write_text(old, encoding="utf-8")
    full = len(run("export", "--format", fmt, "-d", db).output.encode())
    r = _limited_export(db, out, fmt, limit=full // 2)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert out.read_text(encoding="utf-8") == old
    assert sorted(os.listdir(tmp_path)) == sorted(n for n in os.listdir(tmp_path) if not n.startswith(".compare-"))
    run("export", "--format", fmt, "-d", db, "-o", out)
    assert out.read_text(encoding="utf-8") == run("export", "--format", fmt, "-d", db).output
    line = run("export", "--format", fmt, "-d", db, "-o", tmp_path / "no" / "x.json", ok=False).output.strip()
    assert len(line.splitlines()) == 1 and "no folder" in line


def test_ctrl_c_before_the_server_starts_is_one_line_and_code_130(run, db_path, monkeypatch):
    import uvicorn
    from conftest import EXAMPLES

    run("align", "--model", "hashing", "--silent", EXAMPLES)

    def interrupted(self, sockets=None):  # Ctrl-C while uvicorn starts: it re-raises the signal
        raise KeyboardInterrupt

    monkeypatch.setattr(uvicorn.Server, "run", interrupted)
    r = run("serve", "--port", "0", ok=False)
    assert r.exit_code == 130, r.output
    assert r.output.strip().splitlines()[-1] == "compare: interrupted before the server started"
    assert "Traceback" not in r.output


def test_sqlite_copy_never_replaces_a_device_or_a_pipe(run, tmp_path):
    from conftest import EXAMPLES

    db = tmp_path / "live.db"
    run("align", "--model", "hashing", "--silent", "-d", db, EXAMPLES)
    fifo = tmp_path / "copy.db"
    os.mkfifo(fifo)
    r = run("export", "--format", "sqlite", "-o", fifo, "--force", "-d", db, ok=False)
    assert "not a regular file" in r.output and __import__("stat").S_ISFIFO(os.stat(fifo).st_mode)


def measure(mid, ordinal, kind, text):
    """A measure row as compare.diff reads it."""
    return {"id": mid, "ordinal": ordinal, "section": "", "kind": kind, "text": text, "analysis_text": text,
            "deadline": None}


def test_diff_matches_a_report_to_the_promise_counting_in_its_unit():
    from compare.diff import diff_measures

    heading = measure("a1", 0, "commitment", "建设概念验证中心。")
    target = measure("a2", 1, "target", "到2027年，建成不少于3家概念验证中心。")
    report = measure("b1", 0, "progress", "目前已建成概念验证中心3家。")
    quantities = {"a2": [{"unit": "家", "comparator": ">=", "value": 3.0, "object": "概念验证中心"}],
                  "b1": [{"unit": "家", "comparator": "=", "value": 3.0, "object": "概念验证中心"}]}
    # the heading's link is a little stronger than the target's: the shared unit decides
    links = {("a1", "b1"): 0.88, ("a2", "b1"): 0.87}
    changed = [c for c in diff_measures("A", "B", [heading, target], [report], quantities, links)["changes"]
               if c["b"]]
    assert [c["a"]["id"] for c in changed] == ["a2"]
    assert changed[0]["similarity"] == 0.87  # the similarity shown is the pair's own
    # without quantities the stronger link wins
    changed = [c for c in diff_measures("A", "B", [heading, target], [report], {}, links)["changes"] if c["b"]]
    assert [c["a"]["id"] for c in changed] == ["a1"]


def test_diff_gives_no_unit_bonus_between_two_promises():
    from compare.diff import diff_measures

    # a plan's next version drops the number from its promise; another promise keeps the unit
    old = measure("a1", 0, "target", "到2026年，建成不少于3家概念验证中心，服务企业。")
    reworded = measure("b1", 0, "commitment", "到2026年，建成一批概念验证中心，服务企业。")
    other = measure("b2", 1, "target", "到2026年，建成不少于5家中试验证平台。")
    quantities = {"a1": [{"unit": "家", "comparator": ">=", "value": 3.0, "object": "概念验证中心"}],
                  "b2": [{"unit": "家", "comparator": ">=", "value": 5.0, "object": "中试验证平台"}]}
    links = {("a1", "b1"): 0.857, ("a1", "b2"): 0.808}
    matched = [c for c in diff_measures("A", "B", [old], [reworded, other], quantities, links)["changes"]
               if c["a"] and c["b"]]
    assert [(c["a"]["id"], c["b"]["id"]) for c in matched] == [("a1", "b1")]


@pytest.mark.parametrize("query", ["_facet=nope", "_size=abc", "_col=nope"])
def test_a_visitors_bad_request_prints_no_traceback_with_locals(site, monkeypatch, query):
    # Datasette 0.65 prints every exception with its local variables where `rich` is installed:
    # a stand-in for rich records whether it was asked to
    import datasette.handle_exception as handler

    from cli import web_app

    printed = []

    class Console:
        def print_exception(self, **kw):
            printed.append(kw)

    class Rich:
        def get_console(self):
            return Console()

    monkeypatch.setattr(handler, "rich", Rich())
    ds = web_app(site[1])  # a server started where rich is installed
    r = web_get(ds, f"/compare/measures?{query}")
    assert r.status_code == 400 and "Traceback" not in r.text
    assert printed == []
