import pytest
import yaml

from compare.clean import clean
from compare.metadata import extract_metadata
from compare.readers import read_file

FIELDS = ("title", "issuer", "doc_number", "date", "level", "region", "genre")


def seeds_gold(shared):
    return yaml.safe_load((shared / "gold" / "seeds.yml").read_text(encoding="utf-8"))["documents"]


def test_metadata_of_each_seed_matches_the_reference(shared):
    gold = seeds_gold(shared)
    assert len(gold) == 5
    for name, ref in gold.items():
        md = extract_metadata(clean(read_file(shared / "corpus" / "seeds" / name).text))
        got = md.as_dict()
        for f in FIELDS:
            want = ref.get(f)
            have = got.get(f)
            if want is not None:
                want = str(want)  # YAML reads 2026-05-22 as a date
            if isinstance(want, str):
                assert (have or "").replace(" ", "") == want.replace(" ", ""), (name, f, have)
            else:
                assert have == want, (name, f, have)
        if "period" in ref:
            assert [md.period_start, md.period_end] == ref["period"]
        if ref.get("draft"):
            assert md.draft


def md_of(text):
    return extract_metadata(clean(text))


def test_partial_date_stays_partial():
    md = md_of("关于推进某项工作的通知\n\n各有关单位：\n\n一、工作要求\n\n一是加强组织领导。\n\n上海市某某委员会\n\n2024年7月\n")
    assert md.date == "2024-07"
    assert md.issuer == "上海市某某委员会"
    assert md.title == "关于推进某项工作的通知"


def test_undated_text_keeps_date_null_and_does_not_invent():
    md = md_of("一是推进平台建设。二是加强人才培养。\n")
    assert md.date is None and md.title is None and md.issuer is None and md.doc_number is None
    assert md.genre == "other"


def test_draft_period_and_inferred_issuer_of_a_district_plan():
    md = md_of("闵行区促进人工智能产业发展行动方案\n（2025-2027年）\n（征求意见稿）\n\n一、主要目标\n\n到2027年，集聚企业不少于100家。\n")
    assert md.title == "闵行区促进人工智能产业发展行动方案（2025-2027年）"
    assert md.draft and md.draft_label == "征求意见稿"
    assert (md.period_start, md.period_end) == (2025, 2027)
    assert md.issuer == "上海市闵行区人民政府" and "issuer" in md.inferred
    assert (md.level, md.region, md.genre) == ("district", "闵行区", "action_plan")


def test_reply_fields():
    text = ("办理结果：解决采纳\n公开属性：主动公开\n上海市经济和信息化委员会\n沪经信提复〔2025〕33 号\n"
            "对市政协十四届三次会议第 0512 号提案的答复\n李强委员：\n您提出的提案收悉，现答复如下：\n"
            "一、工作进展\n一是推进测试结果互认。\n上海市经济和信息化委员会\n2025 年 7 月 30 日\n")
    md = md_of(text)
    assert md.doc_number == "沪经信提复〔2025〕33号"
    assert md.genre == "reply_to_cppcc_proposal" and md.suggestion_number == "0512"
    assert md.session == "市政协十四届三次会议" and md.addressee == "李强委员"
    assert md.handling_result == "解决采纳" and md.openness == "主动公开"
    assert (md.level, md.region, md.date) == ("city", "上海市", "2025-07-30")


@pytest.mark.parametrize("title, genre", [
    ("关于支持生物医药产业全链条创新发展的若干意见", "opinions"),
    ("上海市促进高端医疗器械产业全链条发展的行动方案（2025-2027年）", "action_plan"),
    ("对市十六届人大二次会议第0345号代表建议的答复", "reply_to_deputy_suggestion"),
    ("关于做好某项工作的通知", "other"),
])
def test_genre_from_title(title, genre):
    assert md_of(title + "\n\n一、总体要求\n\n加强统筹。\n").genre == genre


def test_a_news_report_has_its_headline_as_title_and_its_publication_date():
    md = md_of("徐汇区召开人工智能产业推进大会\n\n4月18日，徐汇区召开人工智能产业推进大会，发布若干措施。\n\n"
               "会议指出，要持续办好创新生态社区。\n\n来源：徐汇区人民政府网站 2025-04-19\n")
    assert md.title == "徐汇区召开人工智能产业推进大会"
    assert (md.genre, md.date, md.date_source) == ("news", "2025-04-19", "published")
    assert (md.region, md.level) == ("徐汇区", "district")
    assert md.issuer == "徐汇区人民政府网站"  # the publisher its 来源 line names


def test_a_notice_transmitting_a_plan_is_the_plan_and_is_signed_above_it():
    md = md_of("上海市人民政府办公厅关于印发《上海市加快推进某产业发展实施方案》的通知\n\n沪府办发〔2025〕9号\n\n"
               "各区人民政府，市政府各委、办、局：\n\n经市政府同意，现将《上海市加快推进某产业发展实施方案》印发给你们，"
               "请认真按照执行。\n\n上海市人民政府办公厅\n\n2025年4月3日\n\n上海市加快推进某产业发展实施方案\n\n"
               "一、发展目标\n\n到2027年，产业规模达到500亿元。\n\n二、重点任务\n\n1.建设创新中心。支持企业建设创新中心。\n\n"
               "2.打造开源社区。推动数据集开放共享。\n\n3.开展应用示范。每年发布场景清单。\n\n三、保障措施\n\n"
               "（一）加强组织领导。建立统筹协调机制。\n\n（二）加大资金支持。对项目给予支持。\n")
    assert md.genre == "action_plan"  # not "other": the text is the plan the notice transmits
    assert (md.date, md.issuer, md.doc_number) == ("2025-04-03", "上海市人民政府办公厅", "沪府办发〔2025〕9号")


def test_proposal_numbers_of_more_than_five_digits():
    md = md_of("关于对区政协十五届三次会议第 2024012 号提案的答复\n\n陈红委员：\n\n您的提案收悉。\n")
    assert md.suggestion_number == "2024012" and md.genre == "reply_to_cppcc_proposal"


@pytest.mark.parametrize("signed, date", [("二〇二五年六月十二日", "2025-06-12"), ("二○二五年十二月三十一日", "2025-12-31"),
                                          ("二〇二四年七月", "2024-07")])
def test_signature_dates_in_chinese_numerals(signed, date):
    md = md_of(f"关于推进某项工作的通知\n\n各有关单位：\n\n一、工作要求\n\n一是加强组织领导。\n\n上海市某某委员会\n\n{signed}\n")
    assert md.date == date and md.date_source == "signature"


def test_signature_on_one_line_and_no_place_invented_from_a_title():
    body = "关于对区十八届人大四次会议第0123号代表建议的答复\n\n张三代表：\n\n您的建议收悉。现答复如下：\n\n一、工作进展\n\n一是推进产业集聚。\n\n"
    md = md_of(body + "上海市徐汇区人民政府 2025年6月12日\n")
    assert (md.date, md.issuer, md.region, md.level) == ("2025-06-12", "上海市徐汇区人民政府", "徐汇区", "district")
    unsigned = md_of(body)
    assert unsigned.region is None and unsigned.level is None  # not "关于对区"


@pytest.mark.parametrize("ack, genre", [("您提出的“关于加快发展的建议”收悉", "reply_to_deputy_suggestion"),
                                        ("你们提出的关于加快发展的提案（第0012号）收悉", "reply_to_cppcc_proposal")])
def test_reply_genre_from_the_acknowledgement_when_no_title_says_it(ack, genre):
    md = md_of(f"王明代表：\n\n{ack}，现答复如下：\n\n一、工作进展\n\n一是推进产业集聚。\n")
    assert md.genre == genre


@pytest.mark.parametrize("byline", ["来源：某某日报 发布时间：2024/3/5 10:20:01",
                                    "作者：王五 来源：某某日报 发布时间：2024-03-05 字号：大 中 小",
                                    "> 来源：某某日报 | 记者 王五 | 2024-03-05 09:00"])
def test_a_news_page_is_published_by_its_source_and_dated_by_its_date_line(byline):
    md = md_of(f"苏州发布新一轮人才集聚政策\n\n{byline}\n\n日前，苏州市发布人才集聚新政，提出引进高端人才。\n\n"
               "新政明确，对新引进的领军人才给予安家补贴。\n\n（责任编辑：赵六）\n")
    assert (md.title, md.genre, md.issuer) == ("苏州发布新一轮人才集聚政策", "news", "某某日报")
    assert (md.date, md.date_source) == ("2024-03-05", "published")
    c = clean(f"苏州发布新一轮人才集聚政策\n\n{byline}\n\n日前，苏州市发布人才集聚新政。\n")
    assert c.text[extract_metadata(c).header_end:].startswith("日前")  # the byline is header, not text


def test_a_headline_above_a_dated_line_and_prose_is_news_and_names_its_place_after_a_year():
    md = md_of("《2024年上海市某产业发展报告》发布\n\n来源：某某报 发布时间：2024-11-02\n\n"
               "报告显示，全市相关企业数量持续增长，产业规模稳步扩大。\n")
    assert (md.title, md.genre, md.issuer, md.date) == ("《2024年上海市某产业发展报告》发布", "news", "某某报", "2024-11-02")
    assert (md.region, md.level) == ("上海市", "city")  # from the title, the publisher naming no place


def test_a_document_signed_by_several_bodies_is_issued_by_the_first():
    md = md_of("关于印发《某市加快建设创新平台的实施方案》的通知\n\n某科合〔2024〕3号\n\n各有关单位：\n\n"
               "现将《某市加快建设创新平台的实施方案》印发给你们，请认真组织实施。\n\n上海市科学技术委员会\n\n"
               "上海市财政局\n\n上海市教育委员会\n\n2024年5月6日\n\n某市加快建设创新平台的实施方案\n\n一、工作目标\n\n"
               "到2026年，建成创新平台10家。\n\n二、重点任务\n\n（一）建设平台。支持高校建设平台。\n\n"
               "（二）强化支撑。加大资金投入。\n\n（三）组织实施。加强统筹。\n\n三、保障措施\n\n加强组织领导。\n")
    assert (md.issuer, md.date, md.genre) == ("上海市科学技术委员会", "2024-05-06", "action_plan")
    assert md.title == "关于印发《某市加快建设创新平台的实施方案》的通知"


def test_an_organisation_line_above_a_reply_title_is_its_masthead():
    md = md_of("某沪科提复〔2024〕5号\n\n上海市某区科学技术委员会\n\n对区政协六届二次会议第0101号提案的答复\n\n"
               "王五委员：\n\n您的提案收悉，现答复如下：\n\n一是推进平台建设。\n\n上海市某区科学技术委员会\n\n2024年6月3日\n")
    assert md.title == "对区政协六届二次会议第0101号提案的答复"
    assert md.issuer == "上海市某区科学技术委员会"
    # "<org>关于…" on two lines is one title
    md = md_of("上海市某区人民政府\n关于对区政协六届二次会议第0102号提案的答复\n\n王五委员：\n\n您的提案收悉。\n")
    assert md.title == "上海市某区人民政府关于对区政协六届二次会议第0102号提案的答复"


@pytest.mark.parametrize("dated", ["（2025年1月8日）", "（二〇二五年一月八日）"])
def test_a_report_is_titled_by_the_line_dated_in_brackets_below_it(dated):
    md = md_of(f"某区商务委员会2024年工作总结和2025年工作打算\n{dated}\n"
               "2024年，区商务委围绕年度目标，各项工作取得新进展。\n\n一、主要工作\n\n（一）新增企业120家。\n")
    assert md.title == "某区商务委员会2024年工作总结和2025年工作打算"
    assert (md.date, md.date_source) == ("2025-01-08", "title")


def test_co_signers_above_a_signed_line_and_the_first_is_the_issuer():
    md = md_of("关于做好某项工作的通知\n\n各有关单位：\n\n一是加强组织领导。\n\n上海市科学技术委员会\n\n"
               "上海市财政局 2024年5月6日\n")
    assert (md.issuer, md.date) == ("上海市科学技术委员会", "2024-05-06")


@pytest.mark.parametrize("title", ["关于《某区促进科技成果转化的若干措施（征求意见稿）》公开征求意见的公告",
                                   "关于公开征求《某区促进科技成果转化的若干措施（征求意见稿）》意见的通知",
                                   "关于征求《某区促进科技成果转化的若干措施（征求意见稿）》意见的函"])
def test_a_notice_putting_a_draft_out_for_comment_is_the_draft(title):
    md = md_of(f"{title}\n\n各有关单位：\n\n为做好相关工作，区科委起草了《某区促进科技成果转化的若干措施（征求意见稿）》，现公开征求意见。\n\n"
               "上海市某区科学技术委员会\n2024年3月1日\n\n某区促进科技成果转化的若干措施\n（征求意见稿）\n\n"
               "一、支持平台建设。最高给予100万元资助。\n\n二、支持项目。单个项目最高20万元。\n")
    assert md.title == "某区促进科技成果转化的若干措施"
    assert (md.draft, md.draft_label, md.genre) == (True, "征求意见稿", "opinions")
    assert (md.issuer, md.date) == ("上海市某区科学技术委员会", "2024-03-01")


@pytest.mark.parametrize("title", ["某区关于支持人工智能产业发展的若干措施", "某区人才安居工程实施细则（试行）"])
def test_measures_and_implementing_rules_are_policy_genres(title):
    assert md_of(title + "\n\n一、总体要求\n\n加强统筹。\n").genre == "opinions"


def test_the_signature_date_beats_the_issued_line():
    md = md_of("上海市某区人民政府\n某府〔2024〕7号\n某区人民政府关于印发《某区产业发展行动方案》的通知\n各委、办、局：\n"
               "现将《某区产业发展行动方案》印发给你们，请认真按照执行。\n上海市某区人民政府\n2024年3月20日\n"
               "某区产业发展行动方案\n一、主要目标\n到2026年，产业规模达到100亿元。\n二、重点任务\n（一）建设平台。\n"
               "（二）引进企业。\n（三）优化服务。\n三、保障措施\n（一）加强组织。\n（二）强化资金。\n"
               "上海市某区人民政府办公室2024年4月2日印发\n")
    assert (md.date, md.date_source) == ("2024-03-20", "signature")


def test_an_unsigned_plan_is_issued_by_the_body_on_its_issued_line():
    md = md_of("上海市促进某产业发展行动方案\n（2025—2027年）\n\n一、总体目标\n\n到2027年，产业规模达到1000亿元。\n\n"
               "二、保障措施\n\n加强组织领导。\n\n上海市人民政府办公厅2025年1月9日印发\n")
    assert (md.issuer, md.inferred, md.date, md.date_source) == ("上海市人民政府办公厅", [], "2025-01-09", "issued")


def test_an_undated_document_is_ordered_by_the_year_of_its_number_else_its_period():
    md = md_of("某区科学技术委员会\n\n某科发〔2022〕12号\n\n关于做好科技企业培育工作的通知\n\n各街镇：\n\n"
               "一、工作目标\n\n到2023年，新增科技企业100家。\n")
    assert md.date is None  # not invented
    assert (md.sort_date, md.date_approximate, md.date_source) == ("2022", True, "doc_number")
    md = md_of("某区促进产业发展行动方案（2024-2026年）\n\n一、主要目标\n\n到2026年，集聚企业50家。\n")
    assert (md.date, md.sort_date, md.date_approximate, md.date_source) == (None, "2024", True, "period")
    md = md_of("关于推进某项工作的通知\n\n各有关单位：\n\n一是加强组织领导。\n\n上海市某某委员会\n\n2024年7月2日\n")
    assert (md.sort_date, md.date_approximate, md.date_source) == ("2024-07-02", False, "signature")


def test_a_news_report_dated_by_a_date_standing_alone_under_its_headline():
    md = md_of("某区首批创新平台揭牌运行\n2024年11月20日\n日前，某区首批创新平台揭牌运行，入驻企业30家。\n"
               "平台将为企业提供测试服务。\n")
    assert (md.title, md.genre, md.date, md.date_source) == ("某区首批创新平台揭牌运行", "news", "2024-11-20", "published")


def test_a_source_line_naming_no_publisher_names_no_issuer():
    md = md_of("某区首批创新平台揭牌运行\n来源：本站 发布时间：2024-11-20\n日前，某区首批创新平台揭牌运行，入驻企业30家。\n")
    assert (md.genre, md.issuer, md.date) == ("news", None, "2024-11-20")


def test_a_headline_ending_in_a_plan_noun_above_a_source_line_and_a_news_lead_is_news():
    md = md_of("某区发布人工智能产业高质量发展行动方案\n来源：某区发布\n2025年9月15日\n"
               "近日，某区正式印发《某区促进人工智能产业高质量发展行动方案（2025-2027年）》。方案提出，到2027年，"
               "培育创新企业不少于100家。\n")
    assert (md.title, md.genre, md.date) == ("某区发布人工智能产业高质量发展行动方案", "news", "2025-09-15")


def test_a_plan_whose_preamble_does_not_open_like_news_keeps_its_genre():
    md = md_of("某区促进人工智能产业高质量发展行动方案\n（2025年9月15日）\n为贯彻落实市委决策部署，制定本方案。\n")
    assert md.genre == "action_plan"


def test_a_work_summary_is_titled_issued_and_dated_by_its_head():
    text = ("上海市民政局2025年工作总结\n\n2025年12月28日\n\n2025年，全市民政系统养老服务提质增效取得明显成效。\n"
            "一、养老服务供给持续扩大。全年新增社区助餐点226家。\n")
    md = extract_metadata(clean(text))
    assert (md.title, md.genre, md.issuer, md.date) == ("上海市民政局2025年工作总结", "other", "上海市民政局",
                                                        "2025-12-28")


def test_a_work_report_is_dated_and_issued_by_its_occasion_line():
    md = extract_metadata(clean("政府工作报告\n——2025年1月15日在金山区第八届人民代表大会第五次会议上\n金山区区长 张某某\n\n"
                                "各位代表：\n现在，我代表区人民政府向大会报告工作，请予审议。\n一、2024年工作回顾\n"
                                "过去一年，全区地区生产总值增长5.2%。\n"))
    assert (md.date, md.date_source, md.issuer, md.region, md.level) == (
        "2025-01-15", "occasion", "上海市金山区人民政府", "金山区", "district")


def test_only_the_government_work_report_is_issued_by_the_government_of_its_occasion():
    md = extract_metadata(clean("上海市人民代表大会常务委员会工作报告\n——2025年1月15日在上海市第十六届人民代表大会第三次会议上\n\n"
                                "各位代表：\n现在，我代表常委会报告工作，请予审议。\n一、过去一年的工作\n审议通过地方性法规12件。\n"))
    assert md.date == "2025-01-15" and md.issuer != "上海市人民政府"


@pytest.mark.parametrize("line, number", [("沪浦科经委〔2025〕提字第88号", "沪浦科经委〔2025〕提字第88号"),
                                          ("沪科〔2024〕第15号", "沪科〔2024〕第15号"),
                                          ("闵府办发[2024]3号", "闵府办发〔2024〕3号")])
def test_document_numbers_with_a_word_before_the_number(line, number):
    md = extract_metadata(clean(f"上海市某区科学技术委员会\n\n{line}\n\n关于区政协第0088号提案的答复\n\n张委员：\n"
                                "您的提案收悉，现答复如下：\n一是推进平台建设。\n"))
    assert md.doc_number == number


def test_an_undated_yearly_plan_is_ordered_by_the_year_its_title_opens_with():
    md = extract_metadata(clean("2025年普陀区科技创新工作要点\n\n一、强化创新主体培育\n1.新增高新技术企业60家。\n"))
    assert (md.date, md.sort_date, md.date_approximate, md.date_source) == (None, "2025", True, "title")


def test_a_public_notice_title_is_never_joined_to_the_line_after_it():
    md = extract_metadata(clean("关于2025年普陀区科技小巨人企业拟认定名单的公示\n\n根据《普陀区科技小巨人企业认定管理办法》，"
                                "经企业申报、专家评审，拟认定以下6家企业为2025年普陀区科技小巨人企业，现予以公示。\n"
                                "公示期：2025年11月10日至11月16日。\n联系电话：021-12345678\n\n"
                                "上海市普陀区科学技术委员会\n2025年11月10日\n"))
    assert md.title == "关于2025年普陀区科技小巨人企业拟认定名单的公示"


@pytest.mark.parametrize("line, publisher", [("2025-03-14 来源：上海市科委", "上海市科委"),
                                             ("【发布日期】2025年3月14日 【来源】杨浦区政府", "杨浦区政府")])
def test_a_news_pages_dated_line_with_its_date_first_or_its_labels_in_brackets(line, publisher):
    md = extract_metadata(clean(f"杨浦区召开2025年科技创新大会\n{line}\n\n3月13日，杨浦区召开2025年科技创新大会。\n"
                                "会议提出，到2027年，全区高新技术企业达到1500家。\n"))
    assert (md.title, md.genre, md.date, md.issuer) == ("杨浦区召开2025年科技创新大会", "news", "2025-03-14", publisher)
