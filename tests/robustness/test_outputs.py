"""Injection in outputs: CSV and Markdown made from document text are opened elsewhere (Excel, a renderer)."""
import csv
import io
import json
import re

import pytest

from compare.formats import csv_cell, md_cell

from .conftest import record

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>"]
# each payload starts a sentence of its own, so each becomes the start of a measure's text; the
# last measure repeats the first, so that the document has a thread to flag
DOC = """上海市测试区人民政府

测试府〔2025〕1号

=HYPERLINK("http://x","y")关于推进测试工作的实施方案

一、主要任务

=HYPERLINK("http://x","y")推进创新平台建设，到2026年建成3家创新平台。

+1加快测试验证平台布局，到2027年建成5家测试验证平台。

-2+3举办创新赛事，到2026年举办2次自动驾驶创新大赛。

@SUM(A1)强化政策支持，到2028年覆盖100家企业。

<script>alert(1)</script>完善服务体系，到2026年完成服务中心建设。

<img src=x onerror=alert(1)>加强组织保障，到2027年全面完成各项任务。

二、保障措施

持续推进创新平台建设，到2026年建成3家创新平台。

上海市测试区人民政府

2025年6月18日
"""


@pytest.fixture
def injected(tmp_path, run):
    path = tmp_path / "inj.txt"
    path.write_text(DOC, encoding="utf-8")
    db = tmp_path / "inj.db"
    run("align", "--model", "hashing", "--silent", "-d", db, path)
    measures = json.loads(run("measures", "inj.txt", "--json", "-d", db).stdout)
    texts = [m["text"] for m in measures]
    for p in ("=HYPERLINK(", "+1", "-2+3", "@SUM(A1)", "<script>", "<img src=x onerror"):
        assert any(t.startswith(p) for t in texts), (p, texts)  # the payloads reached the store
    thread = json.loads(run("threads", "--min-size", "1", "--json", "-d", db).stdout)[0]["id"]
    run("flag", thread, "--status", "disputed", "--note", PAYLOADS[0], "--reviewer", "@SUM(A1)", "-d", db)
    return db, thread


def test_csv_cells_never_start_a_formula(injected, run):
    db, thread = injected
    outputs = {
        "docs": run("docs", "--csv", "-d", db).stdout,
        "measures": run("measures", "inj.txt", "--csv", "-d", db).stdout,
        "threads": run("threads", "--min-size", "1", "--csv", "-d", db).stdout,
        "thread": run("thread", thread, "--csv", "-d", db).stdout,
        "report": run("report", "--format", "csv", "-d", db).stdout,
        "flags": run("flags", "--csv", "-d", db).stdout,
    }
    tried = refused = 0
    for name, out in outputs.items():
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows, name
        for row in rows:
            for column, cell in row.items():
                if cell.lstrip("'").startswith(FORMULA_START):
                    tried += 1
                    refused += not cell.startswith(FORMULA_START)
                assert not cell.startswith(FORMULA_START), (name, column, cell)
    # the text is kept, only marked as text: a spreadsheet shows '=HYPERLINK(… and runs nothing
    measures = list(csv.DictReader(io.StringIO(outputs["measures"])))
    for p in ("=HYPERLINK(", "+1", "-2+3", "@SUM(A1)"):
        assert any(m["text"].startswith("'" + p) for m in measures), p
    assert any(m["text"].startswith("<script>") for m in measures)  # not a formula: left as it is
    # numbers stay numbers
    assert {m["value"] for m in measures} >= {"3.0", "5.0", "2.0", "100.0"}
    assert next(csv.DictReader(io.StringIO(outputs["docs"])))["title"].startswith("'=HYPERLINK(")
    flag = next(csv.DictReader(io.StringIO(outputs["flags"])))
    assert (flag["note"], flag["reviewer"], flag["id"]) == ("'" + PAYLOADS[0], "'@SUM(A1)", "1")
    record("injection in outputs", tried=tried, refused=refused)
    assert tried >= 10 and refused == tried


def test_markdown_report_has_no_raw_html(injected, run):
    db, _ = injected
    out = run("report", "--format", "md", "-d", db).stdout
    lines = out.splitlines()
    header = lines[0]
    assert lines[1].startswith("|---|")
    width = len(re.split(r"(?<!\\)\|", header))
    texts = []
    for line in lines[2:]:
        cells = re.split(r"(?<!\\)\|", line)
        assert len(cells) == width, line  # no cell break: every row has the header's columns
        texts.append(cells[header.split("|").index(" text ")].strip())
    tried = sum(any(tag in t.replace("&lt;", "<") for tag in ("<script", "<img")) for t in texts)
    for tag in ("<script", "</script", "<img", "onerror=alert(1)>"):
        assert tag not in out, tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert '"' not in "".join(texts)
    record("injection in outputs", tried=tried, refused=tried)
    assert tried == 2


def test_cell_helpers():
    assert [csv_cell(v) for v in (None, 3, -2, -2.5, True)] == ["", 3, -2, -2.5, True]
    assert [csv_cell(p) for p in PAYLOADS[:4]] == ["'" + p for p in PAYLOADS[:4]]
    assert [csv_cell(s) for s in ("\tx", "\rx", "-2.5", "嘉定区", "a=b")] == ["'\tx", "'\rx", "'-2.5", "嘉定区", "a=b"]
    assert md_cell('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert md_cell("a|b\nc\r\nd") == "a\\|b c d"
    assert md_cell("x\\|y") == "x\\\\\\|y"  # a backslash in the text cannot un-escape the pipe
    assert md_cell("[点此](javascript:alert(1))") == "\\[点此\\](javascript:alert(1))"
    assert md_cell(None) == "" and md_cell(2.0) == "2.0"
    record("injection in outputs", tried=14, refused=14)
