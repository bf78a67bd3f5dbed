import json

import pytest
from conftest import EXAMPLES, rows


def test_align_docs_measures_export_on_examples(run, db_path):
    r = run("align", EXAMPLES)
    assert "4 document(s) added" in r.output
    docs = json.loads(run("docs", "--json").output)
    assert len(docs) == 4
    by_file = {d["file_name"]: d for d in docs}
    plan = by_file["01_jiading_plan.txt"]
    assert plan["date"] is None and plan["date_approximate"] and plan["sort_date"] == "2024"
    assert plan["draft"] and plan["genre"] == "action_plan"
    assert by_file["03_city_reply_2025.txt"]["encoding"] == "gb18030"
    assert by_file["04_jiading_reply_2026.html"]["doc_number"] == "嘉府〔2026〕21号"

    ms = json.loads(run("measures", "01_jiading_plan.txt", "--json").output)
    target = next(m for m in ms if "测试验证平台" in m["text"] and m["kind"] == "target")
    assert target["comparator"] == ">=" and target["value"] == 3 and target["deadline"] == "2026"
    assert "https" not in "".join(m["text"] for m in ms)

    text = run("measures", plan["id"][:8]).output
    assert "二、重点任务 > （一）提升创新能力" in text

    export = json.loads(run("export", "--format", "json").output)
    assert set(export) >= {"documents", "measures", "threads", "statuses", "links"}
    assert {d["source"].split("/")[-1] for d in export["documents"]} == set(by_file)
    m = export["measures"][0]
    assert {"id", "document_id", "text", "kind", "section", "target", "terms", "offsets"} <= set(m)


def test_rerun_adds_nothing_and_says_so(run, db_path):
    run("align", EXAMPLES)
    before = rows(db_path, "SELECT count(*) FROM measures")[0][0]
    r = run("align", EXAMPLES)
    assert r.output.count("already stored") == 4 and "0 document(s) added" in r.output
    assert rows(db_path, "SELECT count(*) FROM measures")[0][0] == before
    assert rows(db_path, "SELECT count(*) FROM documents")[0][0] == 4


def test_same_text_in_another_encoding_is_a_duplicate(run, tmp_path, db_path):
    src = (EXAMPLES / "02_jiading_reply_2025.md").read_text(encoding="utf-8")
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(src, encoding="utf-8")
    b.write_bytes(src.encode("gb18030"))
    r = run("align", a, b)
    assert "same text as" in r.output
    assert rows(db_path, "SELECT count(*) FROM documents")[0][0] == 1


def test_changed_file_becomes_a_new_version(run, tmp_path, db_path):
    p = tmp_path / "reply.md"
    src = (EXAMPLES / "02_jiading_reply_2025.md").read_text(encoding="utf-8")
    p.write_text(src, encoding="utf-8")
    run("align", p)
    p.write_text(src.replace("120 支团队", "150 支团队"), encoding="utf-8")
    r = run("align", p)
    assert "new version 2" in r.output
    docs = rows(db_path, "SELECT version, is_current FROM documents ORDER BY version")
    assert docs == [(1, 0), (2, 1)]
    assert len(json.loads(run("docs", "--json").output)) == 1


def test_bad_inputs_each_get_one_line_and_the_rest_goes_in(run, tmp_path, db_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "random.txt").write_bytes(bytes(range(256)) * 8)
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 not a zip" * 5)
    (bad / "scan.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    (bad / "notes.xlsx").write_bytes(b"x")
    good = tmp_path / "good.md"
    good.write_text((EXAMPLES / "02_jiading_reply_2025.md").read_text(encoding="utf-8"), encoding="utf-8")
    r = run("align", bad, good, tmp_path / "missing.txt", ok=False)
    assert r.exit_code == 1
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    for name in ("empty.txt", "random.txt", "broken.docx", "scan.pdf", "notes.xlsx", "missing.txt"):
        assert sum(name in line for line in errors) == 1, (name, errors)
    assert rows(db_path, "SELECT count(*) FROM documents")[0][0] == 1


def test_a_failure_mid_document_leaves_nothing_half_written(db_path, monkeypatch):
    from compare import stages
    from db import open_db

    db = open_db(db_path)
    real = db.table("terms").insert_all

    def failing(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(db.table("terms")), "insert_all", failing)
    with pytest.raises(RuntimeError):
        stages.ingest(db, [EXAMPLES / "02_jiading_reply_2025.md"])
    monkeypatch.setattr(type(db.table("terms")), "insert_all", real.__func__)
    for table in ("documents", "measures", "quantities", "files"):
        assert rows(db_path, f"SELECT count(*) FROM {table}")[0][0] == 0, table
    # and the next run completes the work
    report = stages.ingest(db, [EXAMPLES / "02_jiading_reply_2025.md"])
    assert [r.status for r in report.results] == ["added"]


def test_unknown_document_is_a_clean_error(run):
    run("align", "--model", "hashing", "--silent", EXAMPLES / "01_jiading_plan.txt")
    r = run("measures", "nope", ok=False)
    assert "no document 'nope'" in r.output


def test_database_option_and_env(run, tmp_path):
    other = tmp_path / "other.db"
    run("align", "-d", other, EXAMPLES / "01_jiading_plan.txt")
    assert rows(str(other), "SELECT count(*) FROM documents")[0][0] == 1


def test_this_years_report_under_a_yearly_title_is_a_document_of_its_own(run, tmp_path, db_path):
    def report(year, output):
        return (f"政府工作报告\n——{year}年1月15日在金山区第八届人民代表大会第五次会议上\n金山区区长 张某某\n\n各位代表：\n"
                f"现在，我代表区人民政府向大会报告工作，请予审议。\n一、{year - 1}年工作回顾\n"
                f"过去一年，规模以上工业总产值达到{output}亿元。\n")
    (tmp_path / "r2025.txt").write_text(report(2025, 1580), encoding="utf-8")
    (tmp_path / "r2026.txt").write_text(report(2026, 1672), encoding="utf-8")
    run("align", "--model", "hashing", tmp_path / "r2025.txt", tmp_path / "r2026.txt")
    assert rows(db_path, "SELECT date, version, is_current FROM documents ORDER BY date") == [
        ("2025-01-15", 1, 1), ("2026-01-15", 1, 1)]  # not the second version of one document
