"""The status rules on plain rows: no files, no database (tests/test_status.py runs them end to end)."""
import datetime as dt

from compare import status as st

PLAN, REPLY, CITY = "dPLAN", "dREPLY", "dCITY"
DISTRICT = {"region": "嘉定区", "level": "district", "issuer": "上海市嘉定区人民政府"}


def measure(mid, doc, date, kind, text, deadline=None, section=None, **where):
    return {"id": mid, "document_id": doc, "kind": kind, "text": text, "deadline": deadline, "section": section,
            "sort_date": date, "date": date, **(where or DISTRICT)}


def quantity(comparator, value, unit, obj, raw):
    return {"comparator": comparator, "value": value, "unit": unit, "object": obj, "raw": raw}


def judge(measures, threads=(), quantities=None, documents=(), as_of="2026-11-22"):
    """Every status, by measure id; threads: lists of measure ids."""
    memberships: dict[str, list[str]] = {}
    for k, members in enumerate(threads):
        for mid in members:
            memberships.setdefault(mid, []).append(f"t{k}")
    evidence = st.Evidence.index(measures, memberships, quantities or {}, list(documents))
    return {s.measure_id: s for s in st.judge(measures, evidence, dt.date.fromisoformat(as_of))}


CENTRE = measure("m1", PLAN, "2024-03-01", "target", "到2025年，建成某区人工智能公共算力中心。", deadline="2025")


def test_a_later_report_of_completion_fulfils_with_its_evidence():
    done = measure("m2", REPLY, "2025-06-18", "progress", "一是已建成某区人工智能公共算力中心并投入使用。")
    s = judge([CENTRE, done], [["m1", "m2"]])["m1"]
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "completion-reported", ["m2"])


def test_work_reported_is_in_progress_until_the_deadline_then_overdue():
    work = measure("m2", REPLY, "2025-03-18", "progress", "一是某区人工智能公共算力中心正在选址论证。")
    assert judge([CENTRE, work], [["m1", "m2"]], as_of="2025-06-01")["m1"].status == "in_progress"
    late = judge([CENTRE, work], [["m1", "m2"]], as_of="2026-01-05")["m1"]
    assert late.status == "overdue" and "deadline 2025 passed" in late.reason and late.evidence == ["m2"]


def test_a_completion_only_expected_is_not_reported():
    soon = measure("m2", REPLY, "2025-03-18", "progress", "一是某区人工智能公共算力中心正在装修，预计年底建成投入使用。")
    assert judge([CENTRE, soon], [["m1", "m2"]], as_of="2025-06-01")["m1"].status == "in_progress"


def test_nothing_later_is_no_evidence_until_the_deadline():
    assert judge([CENTRE], as_of="2025-12-31")["m1"].status == "no_evidence"
    assert judge([CENTRE], as_of="2026-01-01")["m1"].status == "overdue"


def test_only_later_documents_of_the_threads_count():
    before = measure("m0", REPLY, "2023-06-18", "progress", "一是已建成某区人工智能公共算力中心。")
    same_doc = measure("m3", PLAN, "2024-03-01", "progress", "已建成某区人工智能公共算力中心。")
    measures = [before, CENTRE, same_doc]
    evidence = st.Evidence.index(measures, {m: ["t"] for m in ("m0", "m1", "m3")}, {}, [])
    assert evidence.later_mentions(CENTRE) == []
    s = judge(measures, [["m0", "m1", "m3"]], as_of="2025-06-01")["m1"]
    assert s.status == "no_evidence" and s.reason == "no later document speaks of it"


def test_a_quantitative_target_against_a_later_figure():
    target = measure("m1", PLAN, "2024-01-01", "target", "到2024年，人工智能产业规模突破4000亿元。", deadline="2024")
    figure = measure("m2", REPLY, "2024-03-18", "progress", "一是2024年人工智能产业规模达到4100亿元。")
    quantities = {"m1": [quantity(">", 4000, "亿元", "人工智能产业规模", "突破4000亿元")],
                  "m2": [quantity("=", 4100, "亿元", "人工智能产业规模", "达到4100亿元")]}
    s = judge([target, figure], [["m1", "m2"]], quantities)["m1"]
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "target-met", ["m2"]) and "4100" in s.reason
    quantities["m2"] = [quantity("=", 3900, "亿元", "人工智能产业规模", "达到3900亿元")]
    s = judge([target, figure], [["m1", "m2"]], quantities)["m1"]
    assert s.status == "overdue" and "below" in s.reason


POLICY = measure("m1", PLAN, "2024-03-01", "commitment", "尽快出台《某区支持人工智能产业发展的若干措施（2025-2027年）》。")


def test_a_promised_policy_that_is_a_later_document():
    doc = {"id": "dPOLICY", "title": "某区支持人工智能产业发展的若干措施", "date": "2025-10-08", "sort_date": "2025-10-08"}
    first = measure("m9", "dPOLICY", "2025-10-08", "other", "对新落户企业给予奖励。")
    s = judge([POLICY, first], documents=[doc])["m1"]
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "policy-issued", ["m9"])


def test_a_promised_policy_cited_as_in_force_later_under_another_wording():
    cites = measure("m2", REPLY, "2025-09-18", "progress", "一是全面落实《某区助力人工智能产业发展的若干措施》，兑现扶持资金。")
    s = judge([POLICY, cites])["m1"]  # not in a thread: a policy is tracked by its name
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "policy-cited", ["m2"])


def test_a_policy_still_promised_later_is_not_fulfilled():
    again = measure("m2", REPLY, "2025-09-18", "commitment", "下一步将尽快发布《某区支持人工智能产业发展的若干措施》。")
    assert judge([POLICY, again])["m1"].status == "no_evidence"


def test_a_city_report_does_not_cover_a_district_target():
    target = measure("m1", PLAN, "2024-03-01", "target", "到2026年，引进培育不少于2家人工智能专业孵化器。", deadline="2026")
    city = measure("m2", CITY, "2025-06-18", "progress", "一是全市已引进培育人工智能专业孵化器12家。",
                   region="上海市", level="city", issuer="上海市科学技术委员会")
    s = judge([target, city], [["m1", "m2"]])["m1"]
    assert s.status == "no_evidence" and "do not cover 嘉定区" in s.reason


def test_a_continuing_commitment_stays_in_progress():
    contest = measure("m1", PLAN, "2024-03-01", "commitment", "持续举办“某智杯”人工智能创新大赛。")
    held = measure("m2", REPLY, "2025-06-18", "progress", "一是2025年成功举办第二届“某智杯”人工智能创新大赛。")
    s = judge([contest, held], [["m1", "m2"]])["m1"]
    assert (s.status, s.rule) == ("in_progress", "continuing")


def test_a_task_lead_is_judged_against_its_tasks_target():
    section = "一、重点任务 / 5、培育孵化器"
    lead = measure("m1", PLAN, "2024-03-01", "commitment", "5、培育孵化器。", section=section)
    target = measure("m2", PLAN, "2024-03-01", "target", "到2026年，引进培育不少于2家人工智能专业孵化器。",
                     deadline="2026", section=section)
    one = measure("m3", REPLY, "2025-06-18", "progress", "一是目前已建成人工智能专业孵化器1家。")
    quantities = {"m2": [quantity(">=", 2, "家", "人工智能专业孵化器", "不少于2家人工智能专业孵化器")],
                  "m3": [quantity("=", 1, "家", "人工智能专业孵化器", "人工智能专业孵化器1家")]}
    s = judge([lead, target, one], [["m1", "m3"]], quantities, as_of="2025-12-01")["m1"]
    assert s.status == "in_progress" and "below" in s.reason, s.reason


def test_status_rows_are_what_the_store_keeps():
    s = st.Status("m1", "overdue", "deadline-passed", "why", ["m2"], "2025")
    assert st.status_rows([s], dt.date(2026, 1, 1), "r") == [
        {"measure_id": "m1", "status": "overdue", "rule": "deadline-passed", "reason": "why",
         "evidence_measure_ids": '["m2"]', "deadline": "2025", "as_of": "2026-01-01", "run_id": "r"}]
