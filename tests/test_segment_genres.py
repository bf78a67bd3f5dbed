"""Kinds by genre: news pages, work reports, background figures, issued documents, fragments.

Every text here is made up for the test; none is a corpus sentence."""
from compare.clean import clean
from compare.metadata import extract_metadata
from compare.segment import segment
from compare.targets import find_quantities

NEWS = """某区发布智能制造三年行动方案

5月6日，某区召开智能制造推进会，正式发布《某区智能制造三年行动方案》。

方案提出，到2028年，全区培育智能工厂不少于12家，产业规模突破800亿元。

会上，某区机器人创新中心揭牌运行。

区相关负责人表示，某区将持续优化产业生态。

来源：某区融媒体中心 2026-05-07
"""


def measures_of(text, genre=None):
    c = clean(text)
    md = extract_metadata(c)
    if genre:
        md.genre = genre
    return segment(c, md)


def find(ms, fragment):
    hits = [m for m in ms if fragment in m.text]
    assert hits, fragment
    return min(hits, key=lambda m: len(m.text))


def test_a_news_page_reports_a_plans_targets_as_targets_and_an_event_as_progress():
    for genre in ("news", "other"):  # the page recognised as news, or not (then event words alone tell nothing)
        ms = measures_of(NEWS, genre)
        plan = find(ms, "培育智能工厂不少于12家")
        assert plan.kind == "target", genre
        assert plan.deadlines[0].year == 2028
        assert find(ms, "召开智能制造推进会").kind == "progress", genre  # 5月6日，… reports an event
        assert find(ms, "揭牌运行").kind == ("progress" if genre == "news" else "commitment"), genre
        assert find(ms, "将持续优化产业生态").kind == "commitment", genre
        assert not [m for m in ms if "来源" in m.text]


def test_a_deadline_already_past_in_a_news_page_is_not_a_target():
    ms = measures_of("某区孵化器建设综述\n\n6月3日，某区举行孵化器观摩活动。到2025年底，全区孵化器达到30家。\n\n"
                     "来源：某区融媒体中心 2026-06-04\n", "news")
    assert find(ms, "全区孵化器达到30家").kind == "progress"


WORK_REPORT = """某区科学技术委员会2025年工作总结和2026年工作思路

（2026年1月12日）

2025年，区科委围绕中心工作，各项任务取得新进展。

一、2025年工作回顾

全年新建概念验证中心5家。技术合同成交额达到300亿元，同比增长10%。

二、存在的不足

部分平台运营能力不强，仅有2家实现收支平衡。

三、2026年工作思路

一是推动验证中心提质增效。二是支持企业牵头组建创新联合体。

某区科学技术委员会

2026年1月12日
"""


def test_a_work_summary_reports_figures_and_then_promises():
    ms = measures_of(WORK_REPORT)
    opening = find(ms, "各项任务取得新进展")
    assert opening.kind == "progress"  # a year before the document's own
    five = find(ms, "新建概念验证中心5家")
    assert five.kind == "progress" and five.quantities[0].value == 5
    deals = find(ms, "技术合同成交额达到300亿元")
    assert deals.kind == "progress" and deals.quantities[0].unit == "亿元"
    assert find(ms, "仅有2家实现收支平衡").kind == "other"  # a problem, not progress
    promise = find(ms, "推动验证中心提质增效")
    assert promise.kind == "commitment" and promise.cues[0] == "section:future"  # 工作思路


def test_a_figure_in_a_plans_background_is_reported_progress_not_a_target():
    ms = measures_of("某区生物医药产业发展行动方案（2026-2028年）\n\n"
                     "2025年，全区生物医药产业规模达到420亿元。为加快产业发展，制定本方案。\n\n"
                     "一、发展现状\n\n全区现有规模以上生物医药企业85家。\n\n"
                     "二、主要目标\n\n到2028年，产业规模突破600亿元。\n\n"
                     "三、重点任务\n\n到2028年，累计培育高新技术企业60家。\n")
    background = find(ms, "产业规模达到420亿元")
    assert background.kind == "progress" and background.quantities[0].value == 420
    assert find(ms, "现有规模以上生物医药企业85家").kind == "progress"
    assert find(ms, "产业规模突破600亿元").kind == "target"
    assert find(ms, "累计培育高新技术企业60家").kind == "target"  # 累计 beside a deadline ahead


def test_issuing_a_document_is_reported_and_inviting_comments_is_courtesy():
    ms = measures_of("关于《某区促进数字经济发展的若干措施（征求意见稿）》公开征求意见的公告\n\n"
                     "为推动数字经济发展，区经委起草了《某区促进数字经济发展的若干措施（征求意见稿）》，"
                     "现向社会公开征求意见。欢迎社会各界通过电子邮件提出意见建议。\n\n"
                     "某区促进数字经济发展的若干措施\n\n（征求意见稿）\n\n一、支持企业上云。对上云企业给予补贴。\n")
    assert find(ms, "起草了").kind == "progress"
    assert find(ms, "公开征求意见").kind == "progress"
    assert find(ms, "欢迎社会各界").kind == "other"
    assert not [m for m in ms if m.text in ("（征求意见稿）", "某区促进数字经济发展的若干措施")]
    notice = measures_of("某区人民政府办公室关于印发《某区数据要素行动方案》的通知\n\n各街道办事处：\n\n"
                         "经区政府同意，现将《某区数据要素行动方案》印发给你们，请认真贯彻落实。\n")
    assert find(notice, "印发给你们").kind == "progress"


def test_fragments_and_headings_alone_are_not_measures():
    ms = measures_of("某区科技创新行动方案\n\n（此件公开发布）\n\n联系电话：12345678\n\n2021年\n\n"
                     "（一）主要目标。\n\n到2027年：\n\n——培育科技型企业不少于300家。\n\n——建成孵化器10家。\n\n"
                     "（二）功能定位。\n\n平台面向中小企业开放服务。\n\n（三）加强组织领导。\n\nSY-2026-00017\n")
    texts = [m.text for m in ms]
    for gone in ("（此件公开发布）", "联系电话：12345678", "2021年", "（一）主要目标。", "到2027年：",
                 "（二）功能定位。", "SY-2026-00017"):
        assert gone not in texts, gone
    assert "（三）加强组织领导。" in texts  # an action, though a heading
    listed = find(ms, "建成孵化器10家")
    assert listed.kind == "target" and listed.deadlines[0].year == 2027  # dated by the line above the list


def test_a_speech_opening_and_closing_are_not_promises():
    ms = measures_of("政府工作报告\n\n——2026年1月20日在某区第二届人民代表大会第五次会议上\n\n各位代表：\n\n"
                     "一、2025年工作回顾\n\n新增高新技术企业120家。\n\n二、2026年主要任务\n\n加快建设科创园区。\n\n"
                     "各位代表，新的征程已经开启。让我们团结一心，为建设创新城区而努力奋斗！\n")
    texts = [m.text for m in ms]
    assert not [t for t in texts if t.startswith("——") or t == "各位代表："]
    assert find(ms, "新增高新技术企业120家").kind == "progress"
    assert find(ms, "加快建设科创园区").kind == "commitment"
    assert find(ms, "让我们团结一心").kind == "other"


def test_vague_counts_and_quoted_names_are_no_quantities():
    assert find_quantities("加快建设一批专业服务平台") == []
    assert find_quantities("推动“三链融合”和“两翼齐飞”") == []
    assert find_quantities("建设3批示范项目")[0].value == 3
    aimed = find_quantities("全区还力争创建4个市级示范基地")[0]
    assert aimed.comparator == "~" and aimed.object == "市级示范基地"


def test_a_deadline_before_the_documents_date_is_past_and_an_item_with_a_colon_stays():
    ms = measures_of("对区人大二届三次会议第0101号代表建议的答复\n\n李明代表：\n\n您提出的建议收悉。现答复如下：\n\n"
                     "一、工作进展\n\n2026年3月底前完成了首批示范园区评估。\n\n二、下一步打算\n\n"
                     "一是完善支持政策：\n\n研究制定园区评价办法。\n\n某区科学技术委员会\n\n2026年6月10日\n")
    assert find(ms, "完成了首批示范园区评估").kind == "progress"
    item = find(ms, "研究制定园区评价办法")
    assert item.kind == "commitment" and item.item == "一是完善支持政策："


def test_a_bare_year_left_as_a_sentence_is_no_measure():
    ms = measures_of("某区人工智能产业发展行动方案\n\n一、重点任务\n\n建设人工智能创新中心。2021年。推动算力设施共享。\n")
    assert [m.text for m in ms] == ["建设人工智能创新中心。", "推动算力设施共享。"]


def test_a_list_after_a_colon_keeps_the_deadline_of_the_sentence_before_it():
    ms = measures_of("某区数字经济行动方案（2026-2028年）\n\n一、主要目标\n\n"
                     "到2028年，数字经济核心产业增加值明显提升。具体目标如下：\n\n"
                     "——数字经济核心产业规模超过900亿元。\n\n——培育“小巨人”企业30家以上。\n\n二、重点任务\n\n"
                     "建设数据交易平台。\n")
    assert "具体目标如下：" not in [m.text for m in ms]
    size = find(ms, "核心产业规模超过900亿元")
    assert size.kind == "target" and size.deadlines[0].year == 2028
    assert size.quantities[0].object == "数字经济核心产业规模"  # no dash
    giants = find(ms, "企业30家以上")
    assert giants.deadlines[0].year == 2028 and giants.quantities[0].object == "“小巨人”企业"
    assert not find(ms, "建设数据交易平台").deadlines  # the list ended at the heading
