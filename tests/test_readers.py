import io
import zipfile

import pytest

from compare.errors import InputError
from compare.readers import decode_bytes, html_to_text, read_file

SIMPLIFIED = "一、主要做法\n到2026年，打造不少于2家高能级概念验证平台，加快生物医药概念验证中心建设。\n"
TRADITIONAL = "一、主要做法\n到2026年，打造不少於2家高能級概念驗證平臺，加快生物醫藥概念驗證中心建設。\n"


@pytest.mark.parametrize("encoding, text", [
    ("utf-8", SIMPLIFIED),
    ("utf-8-sig", SIMPLIFIED),
    ("gb18030", SIMPLIFIED),
    ("gbk", SIMPLIFIED),
    ("big5", TRADITIONAL),
    ("utf-16", SIMPLIFIED),      # with BOM
    ("utf-16-le", SIMPLIFIED),   # without BOM
    ("utf-16-be", SIMPLIFIED),   # without BOM
])
def test_encodings_are_detected(tmp_path, encoding, text):
    p = tmp_path / f"doc-{encoding}.txt"
    p.write_bytes(text.encode(encoding))
    raw = read_file(p)
    assert raw.text.lstrip("\ufeff") == text


def test_encoding_override_and_wrong_override(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes(SIMPLIFIED.encode("gb18030"))
    assert read_file(p, encoding="gb18030").text == SIMPLIFIED
    with pytest.raises(InputError) as e:
        read_file(p, encoding="utf-8")
    assert "gbk.txt" in str(e.value) and "--encoding" in str(e.value)


def test_unknown_encoding_name(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(SIMPLIFIED, encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        read_file(p, encoding="klingon")


def test_undecodable_bytes_name_the_file_and_the_fix():
    with pytest.raises(InputError) as e:
        decode_bytes(bytes(range(128, 256)) * 4, "weird.txt")
    msg = str(e.value)
    assert msg.startswith("weird.txt:") and ("--encoding" in msg or "convert" in msg)


def test_markdown_is_read_as_text(tmp_path):
    p = tmp_path / "a.md"
    p.write_text("## 一、工作进展\n\n**一是强化政策顶层设计。**近年来制定了一批方案。\n", encoding="utf-8")
    raw = read_file(p)
    assert raw.format == "md" and "**一是" in raw.text


def test_html_keeps_main_text_only(tmp_path):
    html = ("<html><head><title>t</title><script>var x='脚本';</script><style>p{}</style></head><body>"
            "<nav>首页 | 政务公开</nav><header>网站头部</header><main><h2>关于某事的答复</h2>"
            "<p>一是推进平台建设。</p></main><footer>版权所有</footer></body></html>")
    p = tmp_path / "a.html"
    p.write_text(html, encoding="utf-8")
    text = read_file(p).text
    assert "一是推进平台建设。" in text and "关于某事的答复" in text
    for junk in ("首页", "网站头部", "版权所有", "脚本"):
        assert junk not in text


def test_html_declared_gbk_encoding(tmp_path):
    html = '<html><head><meta charset="gb2312"></head><body><p>一是推进平台建设。</p></body></html>'
    p = tmp_path / "a.htm"
    p.write_bytes(html.encode("gb18030"))
    assert "一是推进平台建设。" in read_file(p).text


def test_html_all_navigation_is_an_error(tmp_path):
    p = tmp_path / "nav.html"
    p.write_text("<html><body><nav><a href='/'>首页</a></nav><script>x()</script></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="nav.html"):
        read_file(p)


def _pdf(path, lines):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    y = 800
    for line in lines:
        c.drawString(50, y, line)
        y -= 20
    c.save()


def test_pdf_text_layer(tmp_path):
    p = tmp_path / "a.pdf"
    _pdf(p, ["一、主要做法", "到2026年，打造不少于2家高能级概念验证平台。"])
    text = read_file(p).text
    assert "打造不少于2家高能级概念验证平台" in text


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.rect(50, 50, 400, 600, fill=1)
    c.save()
    with pytest.raises(InputError) as e:
        read_file(p)
    assert "scan.pdf" in str(e.value) and "OCR" in str(e.value)


def test_not_really_a_pdf(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_bytes(b"this is not a pdf at all")
    with pytest.raises(InputError, match="fake.pdf"):
        read_file(p)


def test_zero_byte_pdf_is_empty(tmp_path):
    p = tmp_path / "zero.pdf"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_file(p)


def test_docx_paragraphs_bold_and_headings(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("一、工作进展", level=2)
    para = d.add_paragraph()
    para.add_run("一是强化政策顶层设计。").bold = True
    para.add_run("近年来制定了一批行动方案。")
    p = tmp_path / "a.docx"
    d.save(p)
    text = read_file(p).text
    assert "## 一、工作进展" in text
    assert "**一是强化政策顶层设计。**近年来制定了一批行动方案。" in text


def test_corrupt_docx(tmp_path):
    p = tmp_path / "broken.docx"
    p.write_bytes(b"PK\x03\x04 definitely not a zip archive" * 10)
    with pytest.raises(InputError) as e:
        read_file(p)
    assert "broken.docx" in str(e.value) and "corrupt" in str(e.value)


def test_docx_zip_without_document_part(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    p = tmp_path / "empty.docx"
    p.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match="empty.docx"):
        read_file(p)


@pytest.mark.parametrize("name, data, words", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"   \n\n  ", "empty"),
    ("random.txt", bytes([0, 159, 146, 150, 0, 1, 2, 3, 250, 251]) * 50, "binary"),
])
def test_bad_text_files(tmp_path, name, data, words):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_file(p)
    assert name in str(e.value) and words in str(e.value)


def test_missing_file_and_directory_and_unsupported(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "nope.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(InputError, match="directory"):
        read_file(tmp_path / "dir.txt")
    (tmp_path / "x.xls").write_bytes(b"abc")
    with pytest.raises(InputError, match="unsupported"):
        read_file(tmp_path / "x.xls")


def test_html_to_text_prefers_article():
    text = html_to_text("<div>侧栏链接</div><article><p>正文第一段。</p></article>")
    assert text == "正文第一段。"


def test_html_furniture_by_class_is_dropped_and_the_title_found():
    from compare.clean import clean
    from compare.metadata import extract_metadata
    from compare.readers import html_to_text

    page = ('<html><body><div class="header"><a>首页</a> | <a>政务公开</a> | <a>互动交流</a></div>'
            '<div class="crumb">当前位置：首页 > 政务公开 > 建议提案办理</div><div class="article">'
            '<h1>关于对区政协七届三次会议第0021号提案的答复</h1><p>索引号：QP-2025-0021</p><p>周丽委员：</p>'
            '<p>您提出的提案收悉，现答复如下：</p><p>一是出台政策。</p>'
            '<div class="share-box">分享到：微信 微博</div><p>上海市青浦区科学技术委员会</p><p>2025年6月20日</p></div>'
            '<div id="footer">主办：上海市青浦区人民政府办公室 沪ICP备12345678号</div></body></html>')
    text = html_to_text(page)
    assert "当前位置" not in text and "分享到" not in text and "沪ICP备" not in text
    assert "一是出台政策。" in text and "上海市青浦区科学技术委员会" in text
    md = extract_metadata(clean(text))
    assert md.title == "关于对区政协七届三次会议第0021号提案的答复"
    assert (md.date, md.region, md.genre) == ("2025-06-20", "青浦区", "reply_to_cppcc_proposal")


def _numbered_docx(path):
    """A .docx whose 一、 / （一） / 1. come from Word's list numbering, not from the text."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    d = docx.Document()
    numbering = d.part.numbering_part.element
    levels = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]
    lvl_xml = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{f}"/><w:lvlText w:val="{t}"/></w:lvl>'
                      for i, (f, t) in enumerate(levels))
    numbering.append(parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77">{lvl_xml}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="77"><w:abstractNumId w:val="77"/></w:num>'))

    def para(text, level=None):
        p = d.add_paragraph(text)
        if level is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="77"/></w:numPr>'))
        assert qn("w:p") == p._p.tag
        return p

    para("某区促进产业发展行动方案")
    para("主要目标", 0)
    para("到2026年，集聚企业不少于50家。")
    para("重点任务", 0)
    para("提升创新能力", 1)
    para("建设创新中心。加快创新中心建设。", 2)
    para("打造验证平台。建成验证平台3家。", 2)
    para("优化产业生态", 1)
    para("设立产业基金。", 2)
    d.save(path)


def test_docx_automatic_list_numbering_becomes_text(tmp_path):
    from compare.clean import clean
    from compare.metadata import extract_metadata
    from compare.segment import segment

    p = tmp_path / "numbered.docx"
    _numbered_docx(p)
    text = read_file(str(p)).text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines[1:] == ["一、主要目标", "到2026年，集聚企业不少于50家。", "二、重点任务", "（一）提升创新能力",
                         "1.建设创新中心。加快创新中心建设。", "2.打造验证平台。建成验证平台3家。", "（二）优化产业生态",
                         "1.设立产业基金。"]
    c = clean(text)
    ms = segment(c, extract_metadata(c))
    fund = next(m for m in ms if "设立产业基金" in m.text)
    assert fund.section[:2] == ["二、重点任务", "（二）优化产业生态"]


def test_html_site_logo_and_pager_are_furniture_and_label_cells_keep_their_values():
    page = ('<html><body><div class="header"><div class="logo">某某网</div></div><div class="article">'
            '<h1>某区发布人才新政</h1><table><tr><td>索引号：</td><td>AB-2024-001</td></tr>'
            '<tr><td>发布日期：</td><td>2024-03-05</td></tr></table><p>正文第一段。</p>'
            '<table><tr><td>序号</td><td>任务</td></tr></table>'
            '<div class="pager">【打印本页】【关闭窗口】</div></div></body></html>')
    lines = html_to_text(page).splitlines()
    assert lines == ["某区发布人才新政", "索引号：AB-2024-001", "发布日期：2024-03-05", "正文第一段。", "序号", "任务"]


def test_a_table_row_reads_as_its_label_and_its_value_and_a_header_row_is_left_out():
    page = ('<html><body><h2>关于区政协第0321号提案的答复</h2><table><tr><th>工作事项</th><th>进展情况</th></tr>'
            '<tr><td>引进首店</td><td>2024年引进各类首店186家，其中全球首店12家。</td></tr>'
            '<tr><th>首发活动</th><td>举办“首发季”活动，发布新品300余个。</td></tr></table></body></html>')
    assert html_to_text(page).splitlines() == ["关于区政协第0321号提案的答复",
                                                "引进首店：2024年引进各类首店186家，其中全球首店12家。",
                                                "首发活动：举办“首发季”活动，发布新品300余个。"]


def test_a_docx_table_stands_where_it_is_and_reads_as_labels_and_values(tmp_path):
    import docx

    d = docx.Document()
    for t in ["关于区政协第0321号提案的答复", "一、工作进展"]:
        d.add_paragraph(t)
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("工作事项", "进展情况"), ("引进首店", "2024年引进各类首店186家。"),
                                ("首发活动", "举办“首发季”活动，发布新品300余个。")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    for t in ["二、下一步工作", "下一步，力争2025年引进首店不少于200家。"]:
        d.add_paragraph(t)
    d.save(tmp_path / "t.docx")
    assert read_file(tmp_path / "t.docx").text.splitlines() == [
        "关于区政协第0321号提案的答复", "一、工作进展", "引进首店：2024年引进各类首店186家。",
        "首发活动：举办“首发季”活动，发布新品300余个。", "二、下一步工作", "下一步，力争2025年引进首店不少于200家。"]
