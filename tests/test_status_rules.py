"""The status rules on plain rows: no files, no database (tests/test_status.py runs them end to end)."""
import datetime as dt

from compare import status as st
from compare.targets import find_quantities

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


# --- corpus-wide evidence: titles, figures, named things (no thread needed) -------------------------

def test_titles_match_across_the_variants_of_one_policy():
    promised = "嘉定区关于支持智能传感器产业高质量发展的若干措施"
    assert st.titles_match(promised, "嘉定区关于助力智能传感器产业高质量发展的若干措施（2026-2028年）")
    assert st.titles_match("某市智能传感器中试平台建设实施方案", "某市高质量智能传感器中试平台建设实施方案")
    assert st.titles_match("关于支持智能传感器产业全链条发展的若干意见",
                           "上海市人民政府办公厅关于支持智能传感器产业全链条发展的若干意见")
    assert not st.titles_match(promised, "金山区关于支持智能传感器产业高质量发展的若干措施")  # another place
    assert not st.titles_match("嘉定区智能传感器产业园认定管理办法", "嘉定区智能传感器产业园建设实施方案")


def notice(doc, date, title, draft=False):
    return {"id": doc, "title": title, "date": date, "sort_date": date, "issuer": "上海市嘉定区人民政府办公室",
            "draft": draft}


SENSOR_POLICY = measure("m1", REPLY, "2024-06-01", "commitment", "研究出台《嘉定区关于支持智能传感器产业发展的若干措施》。")


def test_a_later_document_transmitting_the_promised_policy_fulfils_it():
    final = notice("dFINAL", "2025-08-01", "上海市嘉定区人民政府办公室关于印发《嘉定区关于助力智能传感器产业发展的若干措施》的通知")
    first = measure("m9", "dFINAL", "2025-08-01", "other", "各街道、镇，区政府各委、办、局：")
    s = judge([SENSOR_POLICY, first], documents=[final])["m1"]
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "policy-issued", ["m9"]), s.reason


def test_a_draft_does_not_fulfil_a_promised_policy_its_final_does():
    draft = notice("dDRAFT", "2025-03-01", "关于《嘉定区关于助力智能传感器产业发展的若干措施》公开征求意见的公告", draft=True)
    asks = measure("m5", "dDRAFT", "2025-03-01", "progress",
                   "现将《嘉定区关于助力智能传感器产业发展的若干措施（征求意见稿）》全文公布，征求社会各界意见。")
    s = judge([SENSOR_POLICY, asks], documents=[draft], as_of="2025-06-01")["m1"]
    assert s.status == "in_progress" and s.evidence == ["m5"] and "draft" in s.reason, s.reason
    final = notice("dFINAL", "2025-08-01", "上海市嘉定区人民政府办公室关于印发《嘉定区关于助力智能传感器产业发展的若干措施》的通知")
    first = measure("m9", "dFINAL", "2025-08-01", "other", "各街道、镇，区政府各委、办、局：")
    s = judge([SENSOR_POLICY, asks, first], documents=[draft, final])["m1"]
    assert s.status == "fulfilled" and s.evidence == ["m9"], s.reason


def test_a_report_that_the_policy_was_issued_cites_it_as_in_force():
    issued = measure("m2", CITY, "2025-05-01", "progress", "一是已印发《嘉定区关于支持智能传感器产业发展的若干措施》。")
    s = judge([SENSOR_POLICY, issued])["m1"]
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "policy-cited", ["m2"]), s.reason


def test_a_policy_promised_again_is_not_evidence_and_the_reason_says_so():
    again = measure("m2", CITY, "2025-05-01", "commitment", "下一步将尽快出台《嘉定区关于支持智能传感器产业发展的若干措施》。")
    s = judge([SENSOR_POLICY, again])["m1"]
    assert s.status == "no_evidence" and "still promise it" in s.reason, s.reason


def test_metric_key_leaves_out_levels_verbs_and_comparators():
    assert st.metric_key("——全区智能传感器产业规模") == "智能传感器产业规模"
    assert st.metric_key("新建社区智能传感器检测站") == "社区智能传感器检测站"
    assert st.metric_key("每年组织实施传感器验证项目") == "传感器验证项目"


SENSOR_TARGET = measure("m1", PLAN, "2024-03-01", "target", "到2026年，全区智能传感器产业规模突破300亿元。", deadline="2026")
SENSOR_QUANTITY = quantity(">", 300, "亿元", "全区智能传感器产业规模", "突破300亿元")


def figure(mid, doc, date, text, value, raw, unit="亿元", **where):
    m = measure(mid, doc, date, "progress", text, **where)
    return m, [quantity("=", value, unit, None, raw)]


def judge_target(*figures, as_of="2026-11-22", target=SENSOR_TARGET, target_q=SENSOR_QUANTITY):
    quantities = {target["id"]: [target_q]} | {m["id"]: qs for m, qs in figures}
    return judge([target, *(m for m, _ in figures)], quantities=quantities, as_of=as_of)[target["id"]]


def test_a_later_figure_anywhere_meets_the_target_without_a_thread():
    s = judge_target(figure("m2", REPLY, "2026-01-20", "一是2025年全区智能传感器产业规模达到320亿元。", 320, "达到320亿元"))
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "target-met", ["m2"]), s.reason


def test_a_lower_figure_is_in_progress_before_the_deadline_and_overdue_after():
    low = figure("m2", REPLY, "2025-06-20", "一是2024年全区智能传感器产业规模达到210亿元。", 210, "达到210亿元")
    s = judge_target(low, as_of="2025-12-01")
    assert (s.status, s.evidence) == ("in_progress", ["m2"]) and "below the target" in s.reason, s.reason
    s = judge_target(low, as_of="2027-01-05")
    assert s.status == "overdue" and "210" in s.reason, s.reason


def test_a_figure_of_another_industry_never_counts():
    other = figure("m2", REPLY, "2026-01-20", "一是全区智能网联汽车传感器产业规模达到420亿元。", 420, "达到420亿元")
    three = figure("m3", REPLY, "2026-01-20", "二是集成电路、生物医药、智能传感器三大先导产业规模达到980亿元。", 980, "达到980亿元")
    beside = figure("m4", REPLY, "2026-01-20", "三是全区集聚智能传感器企业120家，智能网联汽车产业规模达到520亿元。", 520,
                    "达到520亿元")
    s = judge_target(other, three, beside, as_of="2025-12-01")
    assert s.status == "no_evidence" and s.reason == "no later document speaks of it", s.reason


def test_what_a_figure_counts_may_be_said_earlier_in_its_sentence():
    said = figure("m2", REPLY, "2026-01-20", "一是全区集聚智能传感器企业120家，产业规模达到330亿元。", 330, "达到330亿元")
    assert judge_target(said).status == "fulfilled"


def test_a_promised_figure_in_a_later_document_is_not_a_report():
    plan = figure("m2", REPLY, "2025-06-20", "到2028年，全区智能传感器产业规模达到500亿元。", 500, "达到500亿元")
    assert judge_target(plan, as_of="2025-12-01").status == "no_evidence"


def test_a_city_wide_figure_never_counts_for_a_district_target():
    city = figure("m2", CITY, "2026-01-20", "一是全市智能传感器产业规模达到900亿元。", 900, "达到900亿元",
                  region="上海市", level="city", issuer="上海市经济和信息化委员会")
    s = judge_target(city, as_of="2025-12-01")
    assert s.status == "no_evidence" and "do not count for 嘉定区" in s.reason, s.reason


def test_a_districts_count_counts_for_the_city_and_a_district_named_in_a_city_report_is_its_own():
    target = measure("m1", CITY, "2024-03-01", "target", "到2026年，全市建成智能传感器检测站不少于5家。",
                     deadline="2026", region="上海市", level="city", issuer="上海市人民政府")
    target_q = quantity(">=", 5, "家", "智能传感器检测站", "不少于5家")
    district = measure("m2", REPLY, "2026-01-20", "progress", "一是全区累计建成智能传感器检测站6家。")
    s = judge([target, district], quantities={"m1": [target_q], "m2": [quantity("=", 6, "家", None, "6家")]})["m1"]
    assert (s.status, s.evidence) == ("fulfilled", ["m2"]), s.reason
    named = measure("m3", "dCITY2", "2026-01-20", "progress", "一是嘉定区建成智能传感器检测站6家。",
                    region="上海市", level="city", issuer="上海市经济和信息化委员会")
    district_target = measure("m4", PLAN, "2024-03-01", "target", "到2026年，全区建成智能传感器检测站不少于5家。",
                              deadline="2026")
    s = judge([district_target, named], quantities={"m4": [target_q], "m3": [quantity("=", 6, "家", None, "6家")]})
    assert s["m4"].status == "fulfilled", s["m4"].reason


NAMED = measure("m1", REPLY, "2024-05-30", "commitment", "推动星火等孵化器创建市级高质量孵化器，聚焦智能传感器领域。")


def test_a_named_thing_set_up_later_fulfils_the_promise_without_a_thread():
    news = measure("m2", "dNEWS", "2025-03-14", "progress", "会上，为星火智能传感器高质量孵化器揭牌。")
    s = judge([NAMED, news])["m1"]
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "completion-reported", ["m2"]), s.reason
    platform = measure("m3", REPLY, "2024-05-30", "commitment", "加快建设嘉定智能传感器中试验证平台，力争2025年建成投用。")
    built = measure("m4", "dSUMMARY", "2026-01-10", "progress", "全区首个嘉定智能传感器中试验证平台建成投用，服务企业40家。")
    assert judge([platform, built])["m3"].status == "fulfilled"


def test_a_name_is_not_set_up_by_a_policy_a_place_or_another_thing_built_beside_it():
    policy = measure("m2", "dNEWS", "2025-03-14", "progress", "印发《星火孵化器运营管理办法》。")
    near = measure("m3", "dNEWS2", "2025-03-14", "progress", "依托星火孵化器，建成智能传感器公共测试平台。")
    s = judge([NAMED, policy, near], as_of="2025-06-01")["m1"]
    assert s.status == "in_progress" and s.evidence == ["m3"], s.reason  # spoken of, not set up
    place = measure("m4", REPLY, "2024-05-30", "commitment", "支持“智芯湾”集聚培育硬科技企业。")
    built = measure("m5", "dSUMMARY", "2026-01-10", "progress", "截至2025年底，“智芯湾”累计建成概念验证中心6家。")
    assert judge([place, built])["m4"].status != "fulfilled"


def test_a_promise_of_several_is_not_fulfilled_by_one_report():
    several = measure("m1", PLAN, "2024-03-01", "target", "到2026年，建成嘉定智能传感器中试验证平台不少于3家。", deadline="2026")
    one = measure("m2", REPLY, "2025-06-18", "progress", "嘉定智能传感器中试验证平台建成投用。")
    quantities = {"m1": [quantity(">=", 3, "家", "嘉定智能传感器中试验证平台", "不少于3家")]}
    s = judge([several, one], [["m1", "m2"]], quantities, as_of="2025-12-01")["m1"]
    assert s.status == "in_progress", s.reason


def test_a_target_takes_the_deadline_its_section_stated_before_it():
    goals = "一、总体要求 > （三）发展目标"
    first = measure("m1", PLAN, "2023-06-01", "target", "到2025年，全区培育不少于10家智能传感器孵化器。", deadline="2025",
                    section=goals)
    second = measure("m2", PLAN, "2023-06-01", "target", "带动不少于50家传感器企业实现数字化转型。", section=goals)
    s = judge([first, second], as_of="2026-03-01")["m2"]
    assert (s.status, s.deadline) == ("overdue", "2025") and "stated for its section" in s.reason, s.reason
    elsewhere = dict(second, section="二、重点任务")
    assert judge([first, elsewhere], as_of="2026-03-01")["m2"].status == "no_evidence"


def test_a_place_said_in_the_targets_object_must_be_said_by_the_figure():
    target = measure("m1", PLAN, "2024-03-01", "target", "到2025年底，在“智芯湾”布局建设传感器验证中心不少于5家。",
                     deadline="2025")
    target_q = quantity(">=", 5, "家", "在“智芯湾”布局建设传感器验证中心", "不少于5家")
    there = figure("m2", REPLY, "2026-01-10", "截至2025年底，“智芯湾”累计建成传感器验证中心6家。", 6, "6家", "家")
    s = judge_target(there, target=target, target_q=target_q)
    assert (s.status, s.evidence) == ("fulfilled", ["m2"]), s.reason
    elsewhere = figure("m2", REPLY, "2026-01-10", "截至2025年底，全区累计建成传感器验证中心6家。", 6, "6家", "家")
    assert judge_target(elsewhere, target=target, target_q=target_q).status == "overdue"


def test_a_milestone_reported_fulfils_only_a_promise_of_that_step():
    started = measure("m2", "dNEWS", "2025-10-09", "progress", "“天枢智算”总部已于今年3月开工建设。")
    start = measure("m1", REPLY, "2025-06-18", "commitment", "推动“天枢智算”总部项目开工建设。")
    s = judge([start, started], [["m1", "m2"]])["m1"]  # the object is 天枢智算总部: a quoted name in its phrase
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "completion-reported", ["m2"]), s.reason
    build = measure("m1", REPLY, "2025-06-18", "commitment", "加快建成“天枢智算”总部项目。")
    s = judge([build, started], [["m1", "m2"]])["m1"]  # started is not built
    assert (s.status, s.evidence) == ("in_progress", ["m2"]), s.reason
    planned = measure("m2", "dNEWS", "2025-10-09", "progress", "“天枢智算”总部项目预计年内开工建设。")
    assert judge([start, planned], [["m1", "m2"]])["m1"].status != "fulfilled"


def test_an_increment_target_is_met_by_a_later_increment_of_its_object():
    target = measure("m1", CITY, "2024-03-12", "target", "到2026年，全市新增社区助餐点200家。", deadline="2026",
                     region="上海市", level="city", issuer="上海市人民政府")
    done = measure("m2", "dSUM", "2025-12-28", "progress", "全年新增社区助餐点226家。", region="上海市", level="city",
                   issuer="上海市民政局")
    qs = {m["id"]: [quantity(q.comparator, q.value, q.unit, q.object, q.raw) for q in find_quantities(m["text"])]
          for m in (target, done)}  # as the reader finds them
    s = judge([target, done], quantities=qs)["m1"]
    assert (s.status, s.rule, s.evidence) == ("fulfilled", "target-met", ["m2"]), s.reason


def test_a_target_for_every_district_is_not_met_by_one_districts_report():
    every = measure("m1", CITY, "2024-03-12", "target", "每个区至少建成1家认知障碍照护示范中心。", region="上海市",
                    level="city", issuer="上海市人民政府")
    one = measure("m2", REPLY, "2025-07-20", "progress", "闵行区认知障碍照护示范中心已建成并投入运营。",
                  region="闵行区", level="district", issuer="上海市闵行区民政局")
    s = judge([every, one], [["m1", "m2"]])["m1"]
    assert s.status == "in_progress" and "every place (每个区)" in s.reason, s.reason
    all_ = measure("m3", "dSUM", "2025-12-28", "progress", "各区认知障碍照护示范中心均已建成。", region="上海市",
                   level="city", issuer="上海市民政局")
    s = judge([every, one, all_], [["m1", "m2", "m3"]])["m1"]
    assert (s.status, s.evidence) == ("fulfilled", ["m3"]), s.reason


def test_a_generic_metric_counts_only_figures_of_the_thing_it_measures():
    fund = measure("m1", PLAN, "2025-04-10", "target", "3.设立数字健康产业基金，规模不低于5亿元。")
    industry = measure("m2", REPLY, "2026-04-20", "progress", "2025年，全区数字健康产业规模达到96亿元。")
    first = measure("m3", REPLY, "2026-04-20", "progress", "区数字健康产业基金已完成设立，首期规模3亿元。")
    qs = {m["id"]: [quantity(q.comparator, q.value, q.unit, q.object, q.raw) for q in find_quantities(m["text"])]
          for m in (fund, industry, first)}
    s = judge([fund, industry], quantities=qs)["m1"]
    assert s.status != "fulfilled", s.reason  # the industry's scale is not the fund's
    s = judge([fund, industry, first], quantities=qs)["m1"]
    assert s.status == "in_progress" and "3亿元" in s.reason, s.reason


def test_a_count_a_promise_brings_about_is_aimed_at():
    from compare.targets import aimed

    promised = aimed(find_quantities("到2025年底，引进数字健康企业20家"), "到2025年底，引进数字健康企业20家")
    assert [(q.comparator, q.value, q.object) for q in promised] == [(">=", 20, "数字健康企业")]
    money = "对认定的平台，按投入的30%给予支持，最高给予200万元资助"  # a grant is no aim, nor a share
    assert [q.comparator for q in aimed(find_quantities(money), money)] == [None, None]


def _quantities(*ms):
    return {m["id"]: [quantity(q.comparator, q.value, q.unit, q.object, q.raw) for q in find_quantities(m["text"])]
            for m in ms}


def test_an_increment_target_is_not_met_by_a_stock():
    target = measure("m1", CITY, "2024-03-12", "target", "到2026年，全市新增社区助餐点200家。", deadline="2026",
                     region="上海市", level="city", issuer="上海市人民政府")
    stock = measure("m2", "dSUM", "2025-12-28", "progress", "全市社区助餐点累计达到1800家。", region="上海市",
                    level="city", issuer="上海市民政局")
    assert judge([target, stock], quantities=_quantities(target, stock))["m1"].status != "fulfilled"


def test_every_place_needs_a_count_after_each_and_a_districts_figure_is_not_all():
    assert not st.EVERY_PLACE.search("市数据局会同各区建成上海市公共数据开放平台")
    assert not st.FOR_ALL.search("闵行区已全部建成，人均服务面积达到0.2平方米")
    every = measure("m1", CITY, "2024-03-12", "target", "每个区至少建成2家认知障碍照护示范中心。", region="上海市",
                    level="city", issuer="上海市人民政府")
    one = measure("m2", REPLY, "2025-07-20", "progress", "闵行区已建成认知障碍照护示范中心2家。",
                  region="闵行区", level="district", issuer="上海市闵行区民政局")
    assert judge([every, one], quantities=_quantities(every, one))["m1"].status != "fulfilled"


def test_a_milestone_completes_only_the_promises_last_step():
    promise = measure("m1", REPLY, "2025-06-18", "commitment", "推动“天枢智算”总部项目年内开工，2026年建成投产。")
    started = measure("m2", "dNEWS", "2025-10-09", "progress", "“天枢智算”总部项目已于今年3月开工建设。")
    assert judge([promise, started], [["m1", "m2"]])["m1"].status != "fulfilled"


def test_a_generic_metrics_owner_is_named_without_its_place_and_by_its_quoted_name():
    fund = measure("m1", PLAN, "2025-04-10", "target", "设立嘉定区数字健康产业基金，规模不低于5亿元。")
    report = measure("m2", REPLY, "2026-04-20", "progress", "区数字健康产业基金运行良好，规模达到6亿元。")
    assert judge([fund, report], quantities=_quantities(fund, report))["m1"].status == "fulfilled"
    named = measure("m1", PLAN, "2025-04-10", "target", "设立“浦江之光”科创基金，规模不低于10亿元。")
    other = measure("m2", REPLY, "2026-04-20", "progress", "全区各类科创基金规模达到200亿元。")
    assert judge([named, other], quantities=_quantities(named, other))["m1"].status != "fulfilled"
