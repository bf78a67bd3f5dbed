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
    assert md.issuer is None  # a news page names no issuing authority: not invented


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
