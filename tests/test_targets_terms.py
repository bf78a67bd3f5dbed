import pytest

from compare.targets import cn_to_int, find_deadlines, find_quantities
from compare.terms import extract_terms, norm_term


@pytest.mark.parametrize("text, comp, value, unit, obj", [
    ("到2026年，打造不少于2家高能级概念验证平台", ">=", 2, "家", "高能级概念验证平台"),
    ("生物医药产业工业产值突破100亿元", ">", 100, "亿元", "生物医药产业工业产值"),
    ("推动15个以上创新药物进入临床实验阶段", ">=", 15, "个", "创新药物进入临床实验阶段"),
    ("力争引入不少于两家高影响力企业", ">=", 2, "家", "高影响力企业"),
    ("2024年产业规模达到4100亿元", "=", 4100, "亿元", "产业规模"),  # the year dates the figure, it is not the metric
    # 新增 governs the count after what it adds: an increment, of that object
    ("到2026年，全市新增社区助餐点200家", "+", 200, "家", "社区助餐点"),
    ("我局将新增“专精特新”企业50家", "+", 50, "家", "“专精特新”企业"),
])
def test_quantities(text, comp, value, unit, obj):
    q = find_quantities(text)[0]
    assert (q.comparator, q.value, q.unit, q.object) == (comp, value, unit, obj)


def test_an_increment_does_not_reach_into_another_clause():
    q = find_quantities("新增就业岗位，带动2000人")[0]
    assert q.comparator is None


def test_numbers_inside_titles_are_not_targets():
    text = "尽快发布《上海市促进高端医疗器械产业全链条发展的行动方案（2025-2027年）》"
    assert find_quantities(text) == [] and find_deadlines(text) == []


def test_deadlines():
    assert [d.iso() for d in find_deadlines("到2026年，建成平台")] == ["2026"]
    assert [d.iso() for d in find_deadlines("2025年6月底前完成")] == ["2025-06"]
    rel = find_deadlines("未来三年，建成平台", period=(2024, 2026))
    assert rel[0].year == 2026 and rel[0].relative
    assert find_deadlines("截至2025年底，已建成平台2家") == []
    # this year's deadline when a plan verb follows, not after 以来 or a coverb
    assert [d.iso() for d in find_deadlines("年内形成3个示范案例", doc_year=2025)] == ["2025"]
    assert find_deadlines("今年以来，新增企业50家", doc_year=2025) == []


def test_cn_numbers():
    assert [cn_to_int(s) for s in ("三", "十二", "二十五", "一百二十", "两")] == [3, 12, 25, 120, 2]


def test_terms_kinds():
    terms = extract_terms("出台《上海市促进医疗卫生机构科技成果转化操作细则（试行）》，举办“春昇杯”医学创新人才大赛，"
                          "积极打造GCP临床试验北上海药学基地，设立225亿元生物医药母基金")
    got = {(t.kind, t.text) for t in terms}
    assert ("title", "上海市促进医疗卫生机构科技成果转化操作细则（试行）") in got
    assert ("quoted", "春昇杯") in got
    assert ("institution", "GCP临床试验北上海药学基地") in got
    assert ("amount", "225亿元") in got


@pytest.mark.parametrize("a, b", [
    ("《上海市促进医疗卫生机构科技成果转化操作细则（试行）》", "上海促进医疗卫生机构科技成果转化操作细则"),
    ("上海市促进高端医疗器械产业全链条发展的行动方案（2025-2027年）", "上海市促进高端医疗器械产业全链条发展行动方案"),
    ("上海临床 创新转化研究院", "临床创新转化研究院"),
])
def test_norm_term_absorbs_variants(a, b):
    assert norm_term(a) == norm_term(b)


@pytest.mark.parametrize("text", ["推动区内现有20家规上企业实施数字化转型", "建立由12个部门组成的联席会议制度"])
def test_a_count_of_what_already_is_is_not_aimed_at(text):
    from compare.targets import aimed

    assert [q.comparator for q in aimed(find_quantities(text), text)] == [None]


def test_an_ordinal_is_no_count_and_an_increment_stops_at_another_verb():
    assert find_quantities("第三条 申请认定的孵化器应具备以下条件") == []
    assert [q.comparator for q in find_quantities("新增养老床位覆盖街镇12个")] == [None]


def test_an_aim_is_counted_after_the_last_verb_and_a_kind_of_institution_is_a_noun():
    from compare.targets import aimed

    text = "推动桃浦智创城建设市级孵化器2家"
    assert [(q.comparator, q.object) for q in aimed(find_quantities(text), text)] == [(">=", "市级孵化器")]
