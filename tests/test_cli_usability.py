"""The CLI as a new user meets it (issue 16): a mistyped database, a mistyped filter value or id,
`serve -h` and a busy port, readable tables, a diff of a plan against a report, the export."""
import json
import os
import socket
import unicodedata

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


@pytest.mark.parametrize("change", [{"weights": {"cos": float("nan")}}, {"word_max_df": 0}],
                         ids=["NaN weight", "word_max_df 0"])
def test_a_bad_parameters_file_is_one_line_and_nothing_is_created_or_stored(run, tmp_path, change):
    from compare.params import params_text

    params = json.loads(params_text())
    params.update(change)
    (tmp_path / "bad.json").write_text(json.dumps(params), encoding="utf-8")  # json writes NaN as NaN
    before = sorted(os.listdir(tmp_path))
    line = one_line_error(run("align", "--params", "bad.json", "-d", "new.db", EXAMPLES / "01_jiading_plan.txt",
                              ok=False).output)
    assert "bad.json" in line and "must be" in line, line
    assert sorted(os.listdir(tmp_path)) == before  # no new.db, no lock
    # an existing database is left as it was: no document read, no run recorded
    run("align", "--model", "hashing", "--silent", "-d", "old.db", EXAMPLES / "01_jiading_plan.txt")
    counts = rows(str(tmp_path / "old.db"), "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM runs)")
    run("align", "--params", "bad.json", "-d", "old.db", EXAMPLES / "02_jiading_reply_2025.md", ok=False)
    assert rows(str(tmp_path / "old.db"), "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM runs)") \
        == counts


# --- 4. serve: -h is help, a busy port is one line before "serving" -------------------------------

def test_serve_h_is_help_and_the_example_makes_sense(run):
    out = run("serve", "-h").output
    assert out.startswith("Usage: ") and " serve [OPTIONS]" in out and "--host" in out and "--port" in out
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


# --- 2. a filter value that matches nothing in the database is an error listing the valid ones ---

def test_report_refuses_an_unknown_status_listing_the_statuses(run, built):
    from compare.vocabulary import VOCAB

    line = one_line_error(run("report", "-d", built, "--status", "overdue,foo", ok=False).output)
    assert "'foo'" in line and "'overdue'" not in line
    for s in VOCAB.statuses:
        assert s.name in line, (s.name, line)


def test_report_refuses_a_region_or_issuer_with_no_commitment_listing_those_present(run, built):
    present = rows(built, "SELECT DISTINCT region, issuer FROM commitments")
    regions, issuers = {r for r, _ in present if r}, {i for _, i in present if i}
    line = one_line_error(run("report", "-d", built, "--region", "不存在区", ok=False).output)
    assert "不存在区" in line and regions and all(r in line for r in regions), line
    line = one_line_error(run("report", "-d", built, "--issuer", "某某委员会", ok=False).output)
    assert "某某委员会" in line and all(i in line for i in issuers), line
    # a valid value still gives its rows, and a valid combination with no row is an empty table, not an error
    region = sorted(regions)[0]
    out = json.loads(run("report", "-d", built, "--region", region, "--format", "json").output)
    assert out and {r["region"] for r in out} == {region}


# --- 3. an ambiguous id prefix says so and lists some matches ------------------------------------

def test_flag_with_an_ambiguous_prefix_lists_the_matches(run, built):
    ids = [i for (i,) in rows(built, "SELECT id FROM measures ORDER BY id")]
    flags_before = rows(built, "SELECT count(*) FROM flags")
    line = one_line_error(run("flag", "m", "--status", "disputed", "--note", "n", "--reviewer", "r", "-d", built,
                              ok=False).output)
    assert "ambiguous" in line and f"{len(ids)} measures" in line and "no measure" not in line
    assert ids[0] in line and ids[1] in line and ids[-1] not in line  # a few, not all
    text = rows(built, "SELECT text FROM measures WHERE id = ?", [ids[0]])[0][0]
    assert text[:6] in line and len(line) < 600  # each with its text, shortened
    assert rows(built, "SELECT count(*) FROM flags") == flags_before


def test_a_unique_prefix_is_that_id_not_an_old_merged_one(run, tmp_path, built):
    import sqlite3

    db = tmp_path / "own.db"
    src, dst = sqlite3.connect(built), sqlite3.connect(db)
    src.backup(dst)  # a copy to flag in, the module's database stays as it is
    src.close()
    dst.close()
    tid = rows(str(db), "SELECT id FROM threads ORDER BY id")[-1][0]
    out = run("flag", tid[:6], "--status", "disputed", "--note", "n", "--reviewer", "r", "-d", db).output
    assert f"thread {tid}" in out and "has since become part" not in out, out


def test_thread_measures_and_diff_with_an_ambiguous_prefix_list_the_matches(run, built):
    threads = rows(built, "SELECT id, label FROM threads ORDER BY id")
    line = one_line_error(run("thread", "t", "-d", built, ok=False).output)
    assert "ambiguous" in line and f"{len(threads)} threads" in line and threads[0][0] in line
    assert threads[0][1][:6] in line
    docs = rows(built, "SELECT id, title FROM documents WHERE is_current = 1 ORDER BY id")
    for args in (["measures", "d"], ["diff", "d", docs[0][0]], ["diff", docs[0][0], "d"]):
        line = one_line_error(run(*args, "-d", built, ok=False).output)
        assert "ambiguous" in line and f"{len(docs)} documents" in line, line
        assert sum(d in line for d, _ in docs) >= 2, line


def test_diff_of_a_document_with_itself_is_refused_in_one_line(run, built):
    doc = rows(built, "SELECT id FROM documents WHERE is_current = 1 ORDER BY id")[0][0]
    line = one_line_error(run("diff", doc, doc[:8], "-d", built, ok=False).output)
    assert "same document" in line and "pass two documents" in line, line


# --- 5. text tables: a header, and columns that line up with Chinese text ------------------------

def test_display_width_counts_wide_characters_twice():
    from compare.formats import display_width, pad, text_cell

    assert display_width("abc") == 3 and display_width("宝山区") == 6 and display_width("（2024）") == 8
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert display_width(pad("宝山", 7)) == 7 and pad("12", 4, right=True) == "  12"
    assert text_cell("a\x1b[31mred\nnext\tcell") == "a [31mred next cell"  # no escape sequence, one line


def column(line: str, start: int) -> int:
    """The display column at which character `start` of `line` is shown."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line[:start])


@pytest.mark.parametrize("command,table,header,value", [
    ("docs", "documents WHERE is_current = 1", "region", "region"),
    ("docs", "documents WHERE is_current = 1", "title", "title"),
    ("threads", "threads WHERE size >= 2", "label", "label")])
def test_text_tables_have_a_header_and_aligned_columns(run, built, command, table, header, value):
    lines = run(command, "-d", built).output.splitlines()
    head = lines[0].split()
    assert head[0] == "id" and header in head
    want = column(lines[0], lines[0].index(header))
    stored = dict(rows(built, f"SELECT id, {value} FROM {table}"))
    assert len(lines) == len(stored) + 1
    for line in lines[1:]:
        got = stored[line.split()[0]]
        assert got in line, (got, line)
        assert column(line, line.index(got)) == want, (line, got)


# --- 6. diff: a report of progress against a promise is "reported", not "weakened" ---------------

PLAN = """某区推进算力产业发展行动方案

1、建设算力中心。到2027年，建成不少于4个公共算力中心。

2、培育企业。到2027年，引进培育不少于20家算力企业。
"""
PLAN_V2 = PLAN.replace("不少于4个", "不少于2个").replace("某区", "另一区")  # another plan, not a new version
REPLY = """关于对区人大代表建议的答复

目前已建成公共算力中心1个，第二个正在建设中。

截至目前，已引进培育算力企业25家。
"""


def test_diff_of_a_plan_and_a_report_says_reported_not_weakened(run, tmp_path):
    for name, text in (("plan.txt", PLAN), ("plan-v2.txt", PLAN_V2), ("reply.txt", REPLY)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        run("align", "--model", "hashing", "--silent", tmp_path / name)
    result = json.loads(run("diff", "plan.txt", "reply.txt", "--json").output)
    changed = [c for c in result["changes"] if c["status"] == "changed"]
    assert changed, result["changes"]
    for c in changed:
        assert (c["a"]["kind"], c["b"]["kind"]) in (("target", "progress"), ("commitment", "progress")), c
        assert c["direction"] == "reported", c
    details = {d for c in changed for d in c["details"]}
    assert "1 of ≥ 4 个" in details and "25 of ≥ 20 家" in details, details
    text = run("diff", "plan.txt", "reply.txt").output
    assert "reported 1 of ≥ 4 个" in text and "weakened" not in text and "strengthened" not in text
    # between two promises a lower target is still weaker
    promise = [c for c in json.loads(run("diff", "plan.txt", "plan-v2.txt", "--json").output)["changes"]
               if c["status"] == "changed"]
    assert [c["direction"] for c in promise] == ["weakened"]
    assert "weakened" in run("diff", "plan.txt", "plan-v2.txt").output


# --- 7. export: flags in the JSON, CSV of measures, a SQLite copy to publish ----------------------

def test_export_json_has_the_flags_with_their_placement_and_every_key_it_had(run, built):
    export = json.loads(run("export", "-d", built).output)
    assert set(export) == {"documents", "measures", "threads", "links", "statuses", "flags"}
    stored = rows(built, "SELECT id, target_type, target_id, status, note, reviewer FROM flags ORDER BY id")
    assert stored and [(f["id"], f["target_type"], f["target_id"], f["status"], f["note"], f["reviewer"])
                       for f in sorted(export["flags"], key=lambda f: f["id"])] == stored
    for f in export["flags"]:
        placed = {m for (m,) in rows(built, "SELECT measure_id FROM flag_placements WHERE flag_id = ? AND "
                                            "measure_id IS NOT NULL", [f["id"]])}
        assert placed and set(f["measure_ids"]) == placed and f["placement"] == f"on {len(placed)} measures"


def test_export_csv_is_one_row_per_measure_with_thread_status_and_flags(run, built, tmp_path):
    import csv
    import io

    out = tmp_path / "measures.csv"
    run("export", "--format", "csv", "-o", out, "-d", built)
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    current = rows(built, "SELECT m.id, m.text FROM measures m JOIN documents d ON d.id = m.document_id "
                          "WHERE d.is_current = 1")
    assert sorted(r["measure_id"] for r in table) == sorted(m for m, _ in current)
    by_id = {r["measure_id"]: r for r in table}
    for mid, status in rows(built, "SELECT measure_id, status FROM statuses"):
        assert by_id[mid]["status"] == status
    members = {}
    for tid, mid in rows(built, "SELECT thread_id, measure_id FROM thread_members"):
        members.setdefault(mid, set()).add(tid)
    assert all(r["thread_id"] in members[r["measure_id"]] for r in table if r["thread_id"])
    assert sum(bool(r["thread_id"]) for r in table) == len(members)
    flagged = {m for (m,) in rows(built, "SELECT measure_id FROM flag_placements WHERE measure_id IS NOT NULL")}
    assert flagged and {r["measure_id"] for r in table if r["flags"]} == flagged
    assert all("disputed by 张三" in by_id[m]["flags"] and by_id[m]["flagged_status"] == "disputed"
               for m in flagged if by_id[m]["status"])


def test_export_csv_cells_never_start_a_formula(run, tmp_path):
    doc = tmp_path / "inj.txt"
    doc.write_text("上海市测试区人民政府\n\n关于推进测试工作的实施方案\n\n一、主要任务\n\n"
                   "=HYPERLINK(\"http://x\",\"y\")推进创新平台建设，到2026年建成3家创新平台。\n\n"
                   "@SUM(A1)强化政策支持，到2028年覆盖100家企业。\n", encoding="utf-8")
    run("align", "--model", "hashing", "--silent", doc)
    import csv
    import io

    table = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").output, newline="")))
    texts = [r["text"] for r in table]
    assert any(t.startswith("'=HYPERLINK(") for t in texts) and any(t.startswith("'@SUM(A1)") for t in texts)
    for r in table:
        for cell in r.values():
            assert not cell.startswith(("=", "@", "+", "-", "\t", "\r")), r


def test_export_sqlite_is_a_standalone_copy_without_secrets_or_server_paths(run, tmp_path):
    import asyncio
    import shutil

    from datasette.app import Datasette

    from cli import web_app

    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    db = tmp_path / "live.db"
    run("align", "--model", "hashing", "--silent", "-d", db, corpus)  # absolute paths, as given
    tid = rows(str(db), "SELECT id FROM threads ORDER BY size DESC LIMIT 1")[0][0]
    run("flag", tid, "--status", "disputed", "--note", "note", "--reviewer", "张三", "-d", db)
    web_app(str(db))  # what serve leaves beside it: the session key
    secret = (tmp_path / "live.db.secret").read_text().strip()
    assert str(tmp_path).encode() in db.read_bytes() + b"".join(  # the live database has server paths
        p.read_bytes() for p in tmp_path.glob("live.db-wal"))

    copy = tmp_path / "out" / "copy.db"
    copy.parent.mkdir()
    run("export", "--format", "sqlite", "-o", copy, "-d", db)
    assert sorted(os.listdir(copy.parent)) == ["copy.db"]  # one file: no -wal, -journal or temporary file
    data = copy.read_bytes()
    assert str(tmp_path).encode() not in data and secret.encode() not in data
    tables = [t for (t,) in rows(str(db), "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for t in tables:
        assert rows(str(copy), f'SELECT count(*) FROM "{t}"') == rows(str(db), f'SELECT count(*) FROM "{t}"'), t
    assert rows(str(copy), "SELECT file_name, source FROM documents") == \
        [(f, f) for (f,) in rows(str(db), "SELECT file_name FROM documents")]
    assert rows(str(copy), "PRAGMA journal_mode") == [("delete",)]
    assert rows(str(copy), "SELECT id, status, note, reviewer FROM flags") == \
        rows(str(db), "SELECT id, status, note, reviewer FROM flags")

    ds = Datasette([str(copy)])
    r = asyncio.run(ds.client.get("/copy/commitments.json?_shape=array"))
    assert r.status_code == 200 and len(r.json()) == rows(str(db), "SELECT count(*) FROM statuses")[0][0]

    # an existing file is kept unless --force; the database itself never
    copy.write_bytes(b"keep me")
    line = one_line_error(run("export", "--format", "sqlite", "-o", copy, "-d", db, ok=False).output)
    assert "--force" in line and copy.read_bytes() == b"keep me"
    run("export", "--format", "sqlite", "-o", copy, "--force", "-d", db)
    assert rows(str(copy), "SELECT count(*) FROM documents") == rows(str(db), "SELECT count(*) FROM documents")
    before = db.read_bytes()
    line = one_line_error(run("export", "--format", "sqlite", "-o", db, "--force", "-d", db, ok=False).output)
    assert "database itself" in line and db.read_bytes() == before
    assert "-o" in one_line_error(run("export", "--format", "sqlite", "-d", db, ok=False).output)


def test_a_port_held_by_a_socket_merely_bound_with_reuseaddr_is_busy_for_a_second_server():
    # two servers started at once: both bind with SO_REUSEADDR before either listens; the port is
    # only held once a socket listens, so bind() listens at once and the second one is refused
    from compare.errors import CompareError
    from compare.listen import bind, bound_port

    first = bind("127.0.0.1", 0)
    try:
        with pytest.raises(CompareError, match="already in use"):
            bind("127.0.0.1", bound_port(first)).close()
    finally:
        first.close()


def test_export_json_publishes_no_absolute_folder_of_the_user(run, tmp_path):
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    untitled = corpus / "untitled.txt"  # no title, no 文号: keyed by its path
    untitled.write_text("推进平台建设，加强人才培养。\n", encoding="utf-8")
    db = tmp_path / "live.db"
    run("align", "--model", "hashing", "--silent", "-d", db, corpus)  # absolute paths, as given
    assert any(str(tmp_path) in s for (s,) in rows(str(db), "SELECT source FROM documents"))
    out = run("export", "-d", db).output
    assert str(tmp_path) not in out
    docs = json.loads(out)["documents"]
    assert sorted(d["source"] for d in docs) == sorted(f for (f,) in rows(str(db), "SELECT file_name FROM documents"))
    assert [d["doc_key"] for d in docs if d["file_name"] == "untitled.txt"] == ["path:untitled.txt"]
