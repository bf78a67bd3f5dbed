import pytest

from compare.clean import clean

FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})


def paragraphs(text):
    c = clean(text)
    return [c.text[p.start:p.end] for p in c.paragraphs]


def assert_offsets_map_back(original, c):
    for i, ch in enumerate(c.text):
        if ch in "\n ":
            continue
        o = c.to_original(i)
        assert original[o].translate(FULLWIDTH) == ch, (i, ch, o, original[o])


def test_page_marks_and_vertical_masthead_are_dropped():
    raw = ("（一）聚焦产医协同研发\n\n\n\n上海\n市宝\n山区\n人民\n政府\n公报\n\n— 2 —\n\n"
           "完善产医协同双向研发机制，推动医疗技术攻关和成果转化。\n")
    c = clean(raw)
    assert paragraphs(raw) == ["（一）聚焦产医协同研发", "完善产医协同双向研发机制，推动医疗技术攻关和成果转化。"]
    assert "公报" not in c.text and "2" not in c.text
    assert_offsets_map_back(raw, c)


def test_lines_broken_mid_sentence_are_rejoined():
    raw = ("近年来，宝山区锚定建设现代化产业体系目标，大\n\n力发展生物医药及合成生物特色产业，推动\n"
           "生物医药产业协同发展。\n二、下一步打算\n")
    assert paragraphs(raw) == ["近年来，宝山区锚定建设现代化产业体系目标，大力发展生物医药及合成生物特色产业，推动生物医药产业协同发展。",
                               "二、下一步打算"]


def test_heading_line_is_not_joined_with_the_first_item():
    raw = "二、加大金融支持，创新政策供给，护航企业行稳致远\n一是发挥资本市场股权融资功能。\n"
    assert paragraphs(raw) == ["二、加大金融支持，创新政策供给，护航企业行稳致远", "一是发挥资本市场股权融资功能。"]


def test_stray_url_is_dropped():
    raw = ("建成超200万方生物医药产业专业载体，\nhttps://baike.baidu.com/item/%E7%89%B9?from=lemma\n"
           " 各类在研药物管线超400条。\n")
    c = clean(raw)
    assert "http" not in c.text and "baidu" not in c.text
    assert "建成超200万方生物医药产业专业载体，各类在研药物管线超400条。" in c.text
    assert_offsets_map_back(raw, c)


def test_markdown_markup_is_dropped_but_bold_spans_kept():
    raw = "# 上海市科学技术委员会\n\n---\n\n## 一、工作进展\n\n**一是强化政策顶层设计。**近年来制定了方案。\n"
    c = clean(raw)
    assert "#" not in c.text and "*" not in c.text and "---" not in c.text
    assert [c.text[a:b] for a, b in c.bold] == ["一是强化政策顶层设计。"]
    assert [p.heading for p in c.paragraphs] == [True, True, False]
    assert_offsets_map_back(raw, c)


def test_running_heads_repeated_on_pages_are_dropped():
    page = "上海市宝山区人民政府公报\n正文第{}页的内容，推进平台建设。\n"
    raw = "".join(page.format(i) for i in range(1, 5))
    c = clean(raw)
    assert "公报" not in c.text and c.text.count("推进平台建设") == 4


def test_fullwidth_digits_and_spaces_inside_numbers():
    raw = "到 ２０２６ 年，产业规模达到 4100 亿元，引进 AI 企业与 New York 团队。\n"
    c = clean(raw)
    assert "到2026年，产业规模达到4100亿元，引进AI企业与New York团队。" in c.text
    assert_offsets_map_back(raw, c)


def test_offsets_of_a_seed_map_back(shared):
    raw = (shared / "corpus" / "seeds" / "000_ecd96f040428c031.txt").read_text(encoding="utf-8")
    c = clean(raw)
    assert_offsets_map_back(raw, c)
    assert "— 2 —" not in c.text and "\n上海\n" not in c.text


@pytest.mark.parametrize("mark", ["- 2 -", "— 12 —", "第 3 页 共 5 页", "3/5", "·4·", "• 4 •", "Page 2 of 7"])
def test_page_mark_styles_are_dropped_and_the_sentence_rejoined(mark):
    raw = f"一是推进人工智能产业集聚，已引进\n\n{mark}\n\n企业50家。\n"
    assert paragraphs(raw) == ["一是推进人工智能产业集聚，已引进企业50家。"]


def test_markdown_quote_marks_are_dropped_and_a_labelled_line_stands_alone():
    raw = "# 某市新建一批创新平台\n\n> 来源：某某日报 | 记者 王五 | 2024-03-05 09:00\n\n日前，某市新建一批创新平台\n"
    assert paragraphs(raw) == ["某市新建一批创新平台", "来源：某某日报|记者王五| 2024-03-05 09:00", "日前，某市新建一批创新平台"]
    assert_offsets_map_back(raw, clean(raw))


def test_a_date_in_brackets_under_a_title_is_a_line_of_its_own():
    raw = "某区科学技术委员会2024年工作总结和2025年工作打算\n（2025年1月8日）\n2024年，区科委各项工作取得新进展。\n"
    assert paragraphs(raw)[:2] == ["某区科学技术委员会2024年工作总结和2025年工作打算", "（2025年1月8日）"]


def test_a_title_left_open_at_a_line_end_runs_on_even_before_a_bracket():
    # the second line closes one title and opens another that ends the line on its noun (方案);
    # the next line starts with the bracketed period, which otherwise looks like a new heading
    raw = ("依据《关于推进某某园区改革创新发展建设世界领先科技园区\n的若干意见》《某某园区加快科技园区建设行动方案\n"
           "（2023-2025年）》，对照建设核心区的要求，制定本方案。\n")
    assert paragraphs(raw) == ["依据《关于推进某某园区改革创新发展建设世界领先科技园区的若干意见》《某某园区加快科技园区建设"
                               "行动方案（2023-2025年）》，对照建设核心区的要求，制定本方案。"]
    assert_offsets_map_back(raw, clean(raw))
