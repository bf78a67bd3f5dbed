import yaml

from compare.clean import clean
from compare.metadata import extract_metadata
from compare.readers import read_file
from compare.segment import analysis_text, segment, split_clauses

PLAN = """某区促进产业发展行动方案（2024-2026年）

为推动产业高质量发展，特制定本行动方案。

一、主要目标

到2026年，集聚企业不少于50家。

二、重点任务

（一）提升创新能力

1、建设创新中心。依托龙头企业，加快创新中心建设。未来三年，建成不少于3家验证平台。

2、举办创新大赛。每年举办一届创新大赛。

三、保障措施

合成生物。加强创新及应用研究。
"""

REPLY = """对市十六届人大二次会议第0001号代表建议的答复

张三代表：

您提出的建议收悉，现将办理情况答复如下：

近年来，本市产业规模已达到1000亿元。

一、工作进展

**一是强化政策设计。**制定了一批行动方案。上海将积极支持分中心建设。

二是推进平台建设。已建成验证平台2家。

二、存在问题

部分企业融资难问题仍然存在。

三、下一步工作打算

下一步，我们将加快出台支持政策。一是持续举办创新大赛。二是到2027年，建成验证平台5家以上。目前已完成选址。

感谢您对我们工作的关心和支持！

上海市某某委员会

2024年5月27日
"""


def measures_of(text):
    c = clean(text)
    return segment(c, extract_metadata(c))


def find(ms, fragment):
    hits = [m for m in ms if fragment in m.text]
    assert hits, fragment
    return min(hits, key=lambda m: len(m.text))


def test_plan_sections_kinds_and_targets():
    ms = measures_of(PLAN)
    assert find(ms, "特制定本行动方案").kind == "other"
    goal = find(ms, "集聚企业不少于50家")
    assert goal.kind == "target" and goal.section == ["一、主要目标"]
    centre = find(ms, "加快创新中心建设")
    assert centre.section == ["二、重点任务", "（一）提升创新能力", "1、建设创新中心。"]
    assert centre.kind == "commitment"
    three = find(ms, "建成不少于3家验证平台")
    assert three.kind == "target" and three.deadlines[0].year == 2026 and three.deadlines[0].relative
    assert find(ms, "2、举办创新大赛").section[-1] == "2、举办创新大赛。"
    # a short lead label names the paragraph and is not a measure of its own
    assert not [m for m in ms if m.text == "合成生物。"]
    assert find(ms, "加强创新及应用研究").section[-1] == "合成生物"


def test_reply_kinds_follow_sections_and_cues():
    ms = measures_of(REPLY)
    assert not [m for m in ms if "答复如下" in m.text]  # the lead of the reply's body: no measure
    assert find(ms, "本市产业规模已达到1000亿元").kind == "progress"
    lead = find(ms, "制定了一批行动方案")
    assert lead.kind == "progress" and lead.section[-1] == "一是强化政策设计。"
    assert find(ms, "上海将积极支持分中心建设").kind == "commitment"
    assert find(ms, "已建成验证平台2家").kind == "progress"
    assert find(ms, "融资难问题仍然存在").kind == "other"
    assert find(ms, "加快出台支持政策").kind == "commitment"
    assert find(ms, "持续举办创新大赛").kind == "commitment"
    target = find(ms, "建成验证平台5家以上")
    assert target.kind == "target" and target.deadlines[0].year == 2027
    assert target.quantities[0].comparator == ">=" and target.quantities[0].value == 5
    assert find(ms, "目前已完成选址").kind == "progress"
    assert find(ms, "感谢您对我们工作的关心和支持").kind == "other"
    assert not [m for m in ms if "2024年5月27日" in m.text or m.text == "上海市某某委员会"]


def test_document_without_headings_still_yields_measures():
    ms = measures_of("推进平台建设，加强人才培养。持续举办创新大赛。")
    assert len(ms) >= 2 and all(m.kind in ("commitment", "target") for m in ms)


def test_clauses_split_actions_and_attach_modifiers():
    s = "依托专业孵化器，以“先投后股”为牵引，完善联动机制，引导社会资本深度参与，推动创新药械抢占海外市场。"
    parts = [s[a:b] for a, b in split_clauses(s)]
    assert parts == ["依托专业孵化器，以“先投后股”为牵引，完善联动机制", "引导社会资本深度参与",
                     "推动创新药械抢占海外市场。"]
    # a deadline clause after an action keeps to it: 推广…“一键通”，2025年底前实现街镇全覆盖 is one promise
    dated = "推广养老服务“一键通”，2025年底前实现街镇全覆盖。"
    assert [dated[a:b] for a, b in split_clauses(dated)] == [dated]
    two = "到2026年，营收超亿元企业达15家以上，新增上市企业2家以上。"  # 新增 leads a target of its own
    assert [two[a:b] for a, b in split_clauses(two)] == ["到2026年，营收超亿元企业达15家以上", "新增上市企业2家以上。"]
    short = "推进创新药械审评审批提速，缩短产品上市周期。"
    assert [short[a:b] for a, b in split_clauses(short)] == [short]


def test_analysis_text_drops_numbering():
    assert analysis_text("18、加快审评审批速度。") == "加快审评审批速度。"
    assert analysis_text("一是强化政策设计。") == "强化政策设计。"


def test_offsets_point_at_the_measure_text(shared):
    path = shared / "corpus" / "seeds" / "003_c43d31b1c5cc3d0c.txt"
    raw = read_file(path).text
    c = clean(raw)
    for m in segment(c, extract_metadata(c)):
        assert c.text[m.start:m.end] == m.text
        a, b = c.span_to_original(m.start, m.end)
        assert "".join(raw[a:b].split()).replace("*", "") .startswith("".join(m.text.split())[:5])


def test_seed_mentions_are_located_with_the_reference_kinds(shared):
    gold = yaml.safe_load((shared / "gold" / "seeds.yml").read_text(encoding="utf-8"))
    by_doc = {}
    for name in gold["documents"]:
        c = clean(read_file(shared / "corpus" / "seeds" / name).text)
        by_doc[name] = segment(c, extract_metadata(c))
    right = total = 0
    for th in gold["threads"]:
        for mention in th["mentions"]:
            q = "".join(mention["quote"].split())
            holding = [m for m in by_doc[mention["doc"]] if q in "".join(m.text.split())]
            if not holding:
                continue
            m = min(holding, key=lambda m: len(m.text))
            total += 1
            right += m.kind == mention["kind"]
    assert total >= 60
    assert right / total >= 0.9


def test_unnumbered_section_headings_set_the_tense():
    ms = measures_of("关于对区政协十五届三次会议第0012号提案的答复\n\n陈红委员：\n\n您的提案收悉。现答复如下：\n\n主要做法\n\n"
                     "1、建立楼宇服务专员制度，重点楼宇实现全覆盖。\n\n2、设立楼宇经济发展专项资金。\n\n下一步工作\n\n"
                     "1、力争到2025年底，税收亿元楼达到80幢。\n\n2、进一步完善楼宇服务专员制度。\n\n以上答复，请予审议。\n")
    assert not [m for m in ms if m.text in ("主要做法", "下一步工作")]  # headings, not measures
    assert find(ms, "设立楼宇经济发展专项资金").kind == "progress"
    target = find(ms, "税收亿元楼达到80幢")
    assert target.kind == "target" and target.section[0] == "下一步工作"
    assert find(ms, "进一步完善楼宇服务专员制度").kind == "commitment"
    assert find(ms, "以上答复").kind == "other"


def test_transmitting_notice_signature_and_inner_title_are_not_measures():
    ms = measures_of("上海市人民政府办公厅关于印发《上海市某产业发展实施方案》的通知\n\n各区人民政府：\n\n"
                     "经市政府同意，现将《上海市某产业发展实施方案》印发给你们，请认真按照执行。\n\n上海市人民政府办公厅\n\n"
                     "2025年4月3日\n\n上海市某产业发展实施方案\n\n一、发展目标\n\n到2027年，产业规模达到500亿元。\n\n"
                     "二、重点任务\n\n1.建设创新中心。支持企业建设创新中心。\n\n2.打造开源社区。推动数据集开放共享。\n")
    texts = [m.text for m in ms]
    assert "上海市人民政府办公厅" not in texts and "2025年4月3日" not in texts
    assert "上海市某产业发展实施方案" not in texts
    # the notice reports that the plan is issued: progress (evidence that a promise to issue it was kept)
    assert find(ms, "印发给你们").kind == "progress"
    assert find(ms, "产业规模达到500亿元").kind == "target"
    assert find(ms, "推动数据集开放共享").kind == "commitment"


def test_a_validity_clause_is_not_a_target():
    ms = measures_of("某区关于推进产业发展的若干意见\n\n为推动产业集聚发展，提出如下意见。\n\n"
                     "加快建设产业基地，到2026年基地内企业不少于200家。\n\n本意见自2025年1月1日起施行，有效期至2027年12月31日。\n")
    assert find(ms, "基地内企业不少于200家").kind == "target"
    assert find(ms, "有效期至2027年").kind == "other"
    assert find(ms, "提出如下意见").kind == "other"


def test_a_news_report_reports_progress():
    ms = measures_of("徐汇区召开人工智能产业推进大会\n\n4月18日，徐汇区召开人工智能产业推进大会，发布若干措施。\n\n"
                     "会议指出，徐汇将持续办好创新生态社区。\n\n来源：徐汇区人民政府网站 2025-04-19\n")
    assert find(ms, "召开人工智能产业推进大会").kind == "progress"
    assert find(ms, "将持续办好创新生态社区").kind == "commitment"
    assert not [m for m in ms if "来源" in m.text or m.text == "徐汇区召开人工智能产业推进大会"]


def test_topic_sections_of_a_reply_mix_progress_and_promises_clause_by_clause():
    ms = measures_of("对市政协十四届三次会议第0876号提案的答复\n\n刘洋委员：\n\n您的提案收悉。现答复如下：\n\n"
                     "一、关于完善临床研究激励机制\n\n我委已在三级医院绩效考核中增加临床研究相关指标。同时，正在研究制定"
                     "《上海市临床研究人员激励办法》，拟于2025年下半年出台。\n\n二、关于加强研究型病房建设\n\n"
                     "目前全市研究型病房已达到30家。下一步，我委将继续推进研究型病房建设，计划于2026年底前新增示范病房10家。\n")
    assert find(ms, "增加临床研究相关指标").kind == "progress"
    assert find(ms, "正在研究制定").kind == "progress"
    promise = find(ms, "拟于2025年下半年出台")
    assert promise.kind == "target" and promise.deadlines[0].year == 2025
    assert find(ms, "研究型病房已达到30家").quantities[0].object == "研究型病房"
    more = find(ms, "新增示范病房10家")
    assert more.kind == "target" and more.deadlines[0].year == 2026


def test_an_item_line_is_not_taken_for_a_title_and_nothing_before_it_is_lost():
    ms = measures_of("推进平台建设，加强人才培养。\n\n一是推动出台产业发展规划\n\n持续举办创新大赛。\n")
    assert [m.text for m in ms] == ["推进平台建设，加强人才培养。", "一是推动出台产业发展规划", "持续举办创新大赛。"]


def test_a_reply_without_headings_lists_its_work_and_its_promises_in_its_paragraphs():
    ms = measures_of(
        "上海市某区科学技术委员会\n关于区政协七届四次会议第2025088号提案的答复\n\n张委员：\n"
        "您提出的关于加快培育数据要素市场的提案收悉。现答复如下：\n"
        "近年来，我区高度重视数据要素市场培育工作。一是完善制度供给，出台《某区促进数据要素产业发展若干措施》；"
        "二是建设交易平台，数据交易服务基地于2024年9月揭牌，累计挂牌数据产品1200余个；三是培育市场主体。\n"
        "下一步，我们将重点做好以下工作：一是推动数据交易国际板建设，力争2026年上线运行；二是探索建立数据资产入表试点；"
        "三是举办数据要素创新大赛。\n感谢您对我区工作的关心和支持。\n\n上海市某区科学技术委员会\n2025年6月30日\n")
    assert find(ms, "二是建设交易平台").kind == "progress"
    assert find(ms, "三是培育市场主体").kind == "progress"
    assert find(ms, "一是推动数据交易国际板").kind == "target"
    assert [find(ms, t).kind for t in ("二是探索建立", "三是举办")] == ["commitment", "commitment"]
    assert not [m for m in ms if "以下工作" in m.text or "答复如下" in m.text]  # a list's lead is no measure


def test_a_work_summary_reports_what_it_says_and_promises_only_with_a_cue():
    ms = measures_of("上海市某局2025年工作总结\n\n2025年12月28日\n\n一、服务供给持续扩大。全年新增社区助餐点226家，累计达到2000家；"
                     "新增照护床位3100张。\n二、标准体系不断完善。正式印发《上海市照护服务规范》。\n"
                     "2026年，我们将继续新增照护床位2000张。\n")
    assert [find(ms, t).kind for t in ("全年新增社区助餐点", "新增照护床位3100张", "正式印发")] == ["progress"] * 3
    assert find(ms, "我们将继续新增照护床位").kind in ("commitment", "target")


def test_rules_in_chapters_and_articles():
    ms = measures_of("某区科技企业孵化器认定和管理实施细则\n\n第一章 总则\n"
                     "第一条 为加快培育科技企业孵化器，根据《某市孵化器培育实施方案》，制定本细则。\n"
                     "第二条 本细则所称科技企业孵化器，是指以培育科技型企业为宗旨的服务机构。\n第二章 认定条件\n"
                     "第三条 申请认定的孵化器应具备以下条件：（一）孵化场地面积不少于3000平方米；（二）在孵企业不少于20家。\n"
                     "第三章 支持措施\n第四条 到2027年，全区培育科技企业孵化器不少于10家。\n第四章 附则\n"
                     "第五条 本细则自2025年4月1日起施行，有效期5年。\n")
    target = find(ms, "培育科技企业孵化器不少于10家")
    assert target.kind == "target" and target.section[0] == "第三章支持措施"
    for t in ("制定本细则", "本细则所称", "孵化场地面积不少于3000平方米", "在孵企业不少于20家", "起施行"):
        assert find(ms, t).kind == "other", t  # purpose, definition, conditions, validity


def test_a_government_work_report_promises_the_coming_years_work():
    ms = measures_of("政府工作报告\n——2026年1月20日在金山区第八届人民代表大会第六次会议上\n\n一、2025年工作回顾\n"
                     "过去一年，规模以上工业总产值达到1672亿元。\n二、扎实做好今年各项工作\n"
                     "新建5G基站500个。培育专精特新企业50家。\n")
    assert find(ms, "达到1672亿元").kind == "progress"
    assert find(ms, "新建5G基站500个").kind != "progress" and find(ms, "培育专精特新企业50家").kind == "target"


def test_a_replys_restatement_of_the_proposal_is_neither_work_nor_promise():
    ms = measures_of("关于区政协第0088号提案的答复\n\n张委员：\n您在提案中提出：一是建设数据交易平台，培育数据商50家；"
                     "二是设立数据要素产业基金。\n经研究，现答复如下：\n一是完善制度供给。二是建设交易平台，累计挂牌数据产品1200余个。\n")
    assert [find(ms, t).kind for t in ("培育数据商50家", "设立数据要素产业基金")] == ["other", "other"]
    assert find(ms, "累计挂牌数据产品").kind == "progress"


def test_a_lead_with_a_figure_or_a_task_heading_naming_conditions_is_no_fragment_or_rule_part():
    ms = measures_of("某区促进人才发展行动方案\n\n一、主要任务\n（一）放宽人才申报条件\n到2026年，引进高层次人才不少于500名。\n"
                     "（二）加大资金支持\n到2026年，区财政每年安排专项资金不少于1亿元，重点支持以下方向：\n")
    assert find(ms, "引进高层次人才不少于500名").kind == "target"
    assert find(ms, "专项资金不少于1亿元").kind == "target"
