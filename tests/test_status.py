import datetime as dt
import json
import sqlite3

import pytest

from compare import stages
from compare import status as st
from compare.stages import ingest
from db import open_db, queries

PLAN = """嘉定区促进人工智能产业发展行动方案（2024-2026年）

一、重点任务

1、建设算力中心。到2025年，建成某区人工智能公共算力中心。

2、扩大产业规模。到2024年，人工智能产业规模突破4000亿元。

3、完善政策。尽快出台《某区支持人工智能产业发展的若干措施（2025-2027年）》。

4、举办大赛。持续举办“某智杯”人工智能创新大赛。

5、培育孵化器。到2026年，引进培育不少于2家人工智能专业孵化器。
"""


def reply(date, region_org, body, number):
    return f"""{region_org}
某府〔{date[:4]}〕{number}号
{region_org}关于对区十七届人大四次会议第{number}号代表建议的答复
王明代表：
您提出的建议收悉，现将办理情况答复如下：
一、工作进展
{body}
{region_org}
{date[:4]}年{int(date[5:7])}月{int(date[8:10])}日
"""


@pytest.fixture
def corpus(tmp_path):
    def make(*replies):
        d = tmp_path / "docs"
        d.mkdir(exist_ok=True)
        (d / "plan.txt").write_text(PLAN, encoding="utf-8")
        for i, text in enumerate(replies):
            (d / f"reply{i}.txt").write_text(text, encoding="utf-8")
        db = open_db(tmp_path / "s.db")
        ingest(db, [d])
        return db
    return make


def thread_of(db, *fragments):
    """Put the measures holding these fragments into one thread (alignment is tested elsewhere)."""
    ids = []
    for frag in fragments:
        rows = [r[0] for r in db.execute("SELECT id FROM measures WHERE text LIKE ? ORDER BY length(text)",
                                         [f"%{frag}%"])]
        assert rows, frag
        ids.append(rows[0])
    tid = "t-" + "-".join(i[:4] for i in ids)
    existing_threads = [dict(r) for r in db.query("SELECT * FROM threads")]
    existing_members = [dict(r) for r in db.query("SELECT * FROM thread_members")]
    queries.replace_threads(
        db, existing_threads + [{"id": tid, "label": "x", "size": len(ids), "documents": 2, "method": "test",
                                     "run_id": "r", "created_run": "r"}],
        existing_members + [{"thread_id": tid, "measure_id": m, "role": "core", "score": 1.0} for m in ids], [], [])
    return ids


def status_of(db, fragment, as_of="2026-11-22"):
    stages.judge(db, "r", dt.date.fromisoformat(as_of))
    mid = [r[0] for r in db.execute("SELECT id FROM measures WHERE text LIKE ? ORDER BY length(text)",
                                    [f"%{fragment}%"])][0]
    return next(s for s in queries.list_statuses(db) if s["measure_id"] == mid)


DISTRICT = "上海市某某区人民政府"


def test_completion_reported_is_fulfilled_with_evidence(corpus):
    db = corpus(reply("2025-06-18", "上海市嘉定区人民政府", "一是已建成某区人工智能公共算力中心并投入使用。", "12"))
    ids = thread_of(db, "建成某区人工智能公共算力中心。", "已建成某区人工智能公共算力中心")
    s = status_of(db, "建成某区人工智能公共算力中心。")
    assert s["status"] == "fulfilled" and s["rule"] == "completion-reported"
    assert s["evidence_measure_ids"] == [ids[1]]


def test_work_without_completion_is_in_progress_then_overdue(corpus):
    db = corpus(reply("2025-03-18", "上海市嘉定区人民政府", "一是某区人工智能公共算力中心正在选址论证。", "12"))
    thread_of(db, "建成某区人工智能公共算力中心。", "公共算力中心正在选址")
    assert status_of(db, "建成某区人工智能公共算力中心。", "2025-06-01")["status"] == "in_progress"
    late = status_of(db, "建成某区人工智能公共算力中心。", "2026-01-05")
    assert late["status"] == "overdue" and "2025" in late["reason"] and late["evidence_measure_ids"]


@pytest.mark.parametrize("report, fragment", [
    ("某区人工智能公共算力中心正在装修，预计年底建成投入使用。", "正在装修"),
    ("某区人工智能公共算力中心目前处于设备调试阶段，有望年内投入使用。", "设备调试"),
])
def test_completion_expected_is_not_completion_reported(corpus, report, fragment):
    db = corpus(reply("2025-03-18", "上海市嘉定区人民政府", "一是" + report, "12"))
    thread_of(db, "建成某区人工智能公共算力中心。", fragment)
    s = status_of(db, "建成某区人工智能公共算力中心。", "2025-06-01")
    assert s["status"] == "in_progress", s["reason"]


def test_nothing_later_is_no_evidence_until_the_deadline(corpus):
    db = corpus()
    assert status_of(db, "建成某区人工智能公共算力中心。", "2025-12-31")["status"] == "no_evidence"
    assert status_of(db, "建成某区人工智能公共算力中心。", "2026-01-01")["status"] == "overdue"


@pytest.mark.parametrize("figure, as_of, want", [
    ("4100亿元", "2026-11-22", "fulfilled"),
    ("3900亿元", "2026-11-22", "overdue"),
    ("3900亿元", "2024-06-30", "in_progress"),
])
def test_quantitative_target_against_a_later_figure(corpus, figure, as_of, want):
    db = corpus(reply("2024-03-18", "上海市嘉定区人民政府", f"一是2024年人工智能产业规模达到{figure}。", "12"))
    thread_of(db, "人工智能产业规模突破4000亿元", f"人工智能产业规模达到{figure}")
    s = status_of(db, "人工智能产业规模突破4000亿元", as_of)
    assert s["status"] == want, s["reason"]
    if want == "fulfilled":
        assert s["rule"] == "target-met" and "4100" in s["reason"]
    else:
        assert "below" in s["reason"]


def test_promised_policy_cited_later_with_a_fuzzy_title(corpus):
    # 助力 instead of 支持, no period in brackets: the same policy, now in force
    db = corpus(reply("2025-09-18", "上海市嘉定区人民政府",
                      "一是全面落实《某区助力人工智能产业发展的若干措施》，兑现扶持资金。", "12"))
    s = status_of(db, "尽快出台《某区支持人工智能产业发展的若干措施")
    assert s["status"] == "fulfilled" and s["rule"] == "policy-cited" and s["evidence_measure_ids"]


def test_a_later_document_that_is_the_policy(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "plan.txt").write_text(PLAN, encoding="utf-8")
    (d / "policy.txt").write_text("某区支持人工智能产业发展的若干措施\n\n一、支持企业落户\n\n对新落户企业给予奖励。\n\n"
                                  "上海市某某区人民政府\n\n2025年10月8日\n", encoding="utf-8")
    db = open_db(tmp_path / "s.db")
    ingest(db, [d])
    s = status_of(db, "尽快出台《某区支持人工智能产业发展的若干措施")
    assert s["status"] == "fulfilled" and s["rule"] == "policy-issued"


def test_a_policy_still_promised_later_is_not_fulfilled(corpus):
    db = corpus(reply("2025-09-18", "上海市嘉定区人民政府",
                      "一是加快研究制定政策。下一步将尽快发布《某区支持人工智能产业发展的若干措施》。", "12"))
    s = status_of(db, "尽快出台《某区支持人工智能产业发展的若干措施")
    assert s["status"] == "no_evidence"


def test_continuing_commitment_stays_in_progress(corpus):
    db = corpus(reply("2025-06-18", "上海市嘉定区人民政府", "一是2025年成功举办第二届“某智杯”人工智能创新大赛。", "12"))
    thread_of(db, "持续举办“某智杯”", "成功举办第二届“某智杯”")
    s = status_of(db, "持续举办“某智杯”")
    assert s["status"] == "in_progress" and s["rule"] == "continuing"


def test_city_report_does_not_cover_a_district_target(corpus):
    city = reply("2025-06-18", "上海市科学技术委员会", "一是全市已引进培育人工智能专业孵化器12家。", "33")
    db = corpus(city)
    thread_of(db, "不少于2家人工智能专业孵化器", "全市已引进培育人工智能专业孵化器")
    doc_region = db.execute("SELECT region FROM documents WHERE source LIKE '%plan.txt'").fetchone()[0]
    assert doc_region == "嘉定区"
    s = status_of(db, "不少于2家人工智能专业孵化器")
    assert s["status"] == "no_evidence" and "do not cover" in s["reason"]


def test_deadline_end():
    assert st.deadline_end("2026") == dt.date(2026, 12, 31)
    assert st.deadline_end("2025-02") == dt.date(2025, 2, 28)
    assert st.deadline_end(None) is None


# --- flags ------------------------------------------------------------------------------

def flag_rows(db_path):
    from conftest import rows

    return rows(db_path, "SELECT * FROM flags ORDER BY id")


def test_flags_are_append_only_in_the_database(db_path):
    db = open_db(db_path)
    queries.add_flag(db, "m1", "measure", "unfulfilled", "区内尚未建成", "张三")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE flags SET status = 'fulfilled'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM flags")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO flags (target_id, target_type, status, reviewer, created_at) "
                   "VALUES ('m1', 'measure', 'whatever', 'x', 'now')")


def test_flags_survive_realignment_new_documents_and_show_beside_computed(run, db_path, tmp_path):
    from conftest import EXAMPLES

    run("align", "--model", "hashing", EXAMPLES / "01_jiading_plan.txt", EXAMPLES / "02_jiading_reply_2025.md")
    report = json.loads(run("report", "--format", "json").output)
    target = next(r for r in report if "测试验证平台" in r["text"])
    run("flag", target["measure_id"], "--status", "unfulfilled", "--note", "区内尚未建成", "--reviewer", "张三")
    threads = json.loads(run("threads", "--json").output)
    run("flag", threads[0]["id"], "--status", "disputed", "--note", "口径有争议", "--reviewer", "李四")
    before = flag_rows(db_path)
    # more documents, another model: flags untouched, still applied
    run("align", "--model", "hashing", EXAMPLES)
    run("align")
    assert flag_rows(db_path) == before
    report = json.loads(run("report", "--format", "json").output)
    row = next(r for r in report if r["measure_id"] == target["measure_id"])
    assert row["flagged_status"] in ("unfulfilled", "disputed") and row["status"]
    assert row["effective_status"] == row["flagged_status"]
    out = run("flags", "--reviewer", "张三").output
    assert "区内尚未建成" in out and "李四" not in out
    export = json.loads(run("export").output)
    s = next(s for s in export["statuses"] if s["measure_id"] == target["measure_id"])
    assert s["effective_status"] == row["flagged_status"] and "reason" in s


def test_a_thread_flag_follows_a_merge_but_only_for_the_mentions_it_covered(corpus):
    from compare.stages import placements, record_flag

    db = corpus(reply("2025-06-30", DISTRICT, "一是算力中心已开工建设。二是启动孵化器招引。", 11))
    a, b = thread_of(db, "公共算力中心", "算力中心已开工")
    old = next(t for t in queries.current_threads(db) if queries.current_threads(db)[t] == {a, b})
    recorded = record_flag(db, old, "unfulfilled", "尚未建成", "张三")
    assert recorded.covered == 2
    c = db.execute("SELECT id FROM measures WHERE text LIKE '%专业孵化器%'").fetchone()[0]
    queries.replace_threads(
        db, [{"id": "tNEW", "label": "x", "size": 3, "documents": 2, "method": "m", "run_id": "r",
                  "created_run": "r"}],
        [{"thread_id": "tNEW", "measure_id": m, "role": "core", "score": 1.0} for m in (a, b, c)],
        [{"old_id": old, "thread_id": "tNEW", "event": "merged", "run_id": "r", "at": "now"}], [])
    placements(db)
    flagged = {r["measure_id"]: r for r in db.query("SELECT * FROM measure_flags")}
    assert set(flagged) == {a, b} and flagged[a]["status"] == "unfulfilled"


def test_flag_unknown_target_is_a_clean_error(run):
    from conftest import EXAMPLES

    run("align", "--model", "hashing", EXAMPLES / "01_jiading_plan.txt")
    r = run("flag", "nope", "--status", "unfulfilled", "--note", "n", "--reviewer", "x", ok=False)
    assert "no measure or thread 'nope'" in r.output


# --- diff and report ---------------------------------------------------------------------

V1 = """某区促进产业发展行动方案（2024-2026年）

一、重点任务

1、建设验证平台。到2026年，建成不少于2家验证平台。

2、举办创新大赛。每年举办一届创新大赛。

3、设立产业基金。设立总规模10亿元的产业基金。
"""
V2 = V1.replace("不少于2家验证平台", "不少于3家验证平台").replace(
    "2、举办创新大赛。每年举办一届创新大赛。\n\n", "").replace("的产业基金", "的区级产业基金") + \
    "\n4、引进专业孵化器。引进培育不少于2家专业孵化器。\n"


def test_diff_of_two_versions_of_one_plan(run, tmp_path):
    (tmp_path / "v1.txt").write_text(V1, encoding="utf-8")
    (tmp_path / "v2.txt").write_text(V2, encoding="utf-8")
    run("align", "--model", "hashing", tmp_path / "v1.txt")
    run("align", "--model", "hashing", tmp_path / "v2.txt")
    result = json.loads(run("diff", "v1.txt", "v2.txt", "--json").output)
    by = {}
    for c in result["changes"]:
        by.setdefault(c["status"], []).append(c)
    raised = by["changed"][0]
    assert raised["direction"] == "strengthened" and "不少于3家" in raised["details"][0]
    assert "[-2-]{+3+}" in raised["char_diff"]
    assert any("每年举办一届创新大赛" in c["a"]["text"] for c in by["dropped"])
    assert any("引进培育不少于2家专业孵化器" in c["b"]["text"] for c in by["new"])
    assert any("{+区级+}" in c["char_diff"] for c in by["reworded"])
    text = run("diff", "v2.txt", "v1.txt").output
    assert "weakened" in text


def test_report_filters_and_formats(run):
    from conftest import EXAMPLES

    run("align", "--model", "hashing", EXAMPLES)
    rows = json.loads(run("report", "--format", "json").output)
    assert rows and {"issuer", "deadline", "target", "status", "flagged_status", "last_evidence"} <= set(rows[0])
    only = json.loads(run("report", "--format", "json", "--status", "no_evidence", "--region", "嘉定区").output)
    assert only and all(r["status"] == "no_evidence" and r["region"] == "嘉定区" for r in only)
    csv_out = run("report", "--format", "csv").output
    assert csv_out.splitlines()[0].startswith("issuer,date,region,deadline")
    md = run("report").output
    assert md.startswith("| issuer |")


def test_a_policy_sharing_words_with_a_promised_institution_is_not_its_completion(corpus):
    db = corpus(reply("2025-06-18", "上海市嘉定区人民政府", "一是印发《某区人工智能专业孵化器认定管理办法》。", "12"))
    thread_of(db, "引进培育不少于2家人工智能专业孵化器", "孵化器认定管理办法")
    s = status_of(db, "引进培育不少于2家人工智能专业孵化器", "2025-12-01")
    assert s["status"] == "in_progress", s["reason"]  # a policy about incubators was issued, none was built


def test_a_report_of_building_does_not_complete_a_promise_to_open_up(corpus):
    db = corpus(reply("2025-03-18", "上海市嘉定区人民政府", "下一步，我们将推动某区人工智能公共算力中心开放共享。", "12"),
                reply("2025-09-18", "上海市嘉定区人民政府", "一是已建成某区人工智能公共算力中心并投入使用。", "13"))
    thread_of(db, "推动某区人工智能公共算力中心开放共享", "已建成某区人工智能公共算力中心")
    s = status_of(db, "推动某区人工智能公共算力中心开放共享", "2025-12-01")
    assert s["status"] == "in_progress", s["reason"]


def test_a_later_report_that_the_promised_policy_was_issued_fulfils_it(corpus):
    db = corpus(reply("2025-06-18", "上海市嘉定区人民政府",
                      "一是印发《某区支持人工智能产业发展的若干措施》，对首台套产品给予最高500万元奖励。", "12"))
    thread_of(db, "尽快出台《某区支持人工智能产业发展的若干措施", "一是印发《某区支持人工智能产业发展的若干措施》")
    s = status_of(db, "尽快出台《某区支持人工智能产业发展的若干措施", "2025-12-01")
    assert s["status"] == "fulfilled", s["reason"]


def test_a_task_lead_is_judged_against_its_tasks_target(corpus):
    db = corpus(reply("2025-06-18", "上海市嘉定区人民政府", "一是目前已建成人工智能专业孵化器1家。", "12"))
    thread_of(db, "5、培育孵化器。", "已建成人工智能专业孵化器1家")
    lead = status_of(db, "5、培育孵化器。", "2025-12-01")
    assert lead["status"] == "in_progress" and "below" in lead["reason"], lead["reason"]
