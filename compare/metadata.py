"""Document metadata from the text itself: title, issuer, number, date, level, region, genre.

Nothing is invented: a field the text does not give stays None. The one inference made
is the issuer of a plan titled with a region's name and left unsigned (a district's
action plan is its district government's), and it is marked in `inferred`.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .clean import Cleaned
from .targets import cn_to_int

# Shanghai's districts; other places are recognised by their suffix.
SHANGHAI_DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
                      "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
_DISTRICT_SHORT = {d[:-1] if d != "浦东新区" else "浦东": d for d in SHANGHAI_DISTRICTS}
_DISTRICT_SHORT["浦东新"] = "浦东新区"

ORG_SUFFIX = r"(?:人民政府|政府|委员会|办公厅|办公室|管理局|监督管理局|局|厅|委|办|中心|院|部|署|会)"
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*(\d{1,4})\s*号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0", "Ｏ": "0", "O": "0"}
CN_DATE = re.compile(r"([〇○零ＯO一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*(?:([一二三四五六七八九十]{1,3})\s*日)?")
ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
TITLE_END = re.compile(r"(?:答复|复函|行动方案|实施方案|工作方案|方案|实施意见|指导意见|若干意见|意见|通知|办法|细则|规划|行动计划"
                       r"|计划|决定|报告|批复|公告|通告|规定|条例|措施|若干措施|纲要|要点|函)"
                       r"(?:[（(][^）)]{1,20}[）)])*$")
ADDRESSEE = re.compile(r"^(?:尊敬的)?(.{1,40}?(?:代表|委员|同志|先生|女士|单位|局|委|办|政府|各[^：]{0,20}))[：:]$")
_CN = "一二三四五六七八九十"
SESSION = re.compile(rf"((?:上海市|全国|(?:(?![对于关])[\u4e00-\u9fff]){{2,4}}(?:新区|区|县|市)|市|区|县)?(?:人大|政协)?[{_CN}]+届"
                     rf"(?:人大|政协|人民代表大会|委员会)?(?:常委会)?(?:第?[{_CN}]+次)会议)")
ISSUED_LINE = re.compile(r"(?:日|\d)\s*印发")
SUGGESTION_NO = re.compile(r"第\s*(\d{1,8})\s*号\s*(?:代表)?(?:建议|提案|议案)")
PERIOD = re.compile(r"[（(]\s*(20\d{2})\s*[-—–~至]\s*(20\d{2})\s*年?\s*[）)]")
RESULT = re.compile(r"办理结果[：:]\s*(\S+)")
OPENNESS = re.compile(r"(?:信息)?公开属性[：:]\s*(\S+)")
DRAFT = re.compile(r"[（(]?(送审稿|征求意见稿|草案|讨论稿|代拟稿)[）)]?")

FURNITURE = re.compile(r"^(?:办理结果|(?:信息)?公开属性|联系人|联系电话|联系地址|邮政编码|抄\s*送|主\s*送|附件|签发人|"
                       r"[（(]共印\d+份[）)]|[（(]?(?:来源|稿源|责任编辑|编辑|作者|发布(?:时间|日期|机构)|信息来源|索引号|主题分类|发文日期"
                       r"|成文日期|当前位置|您的位置|您现在的位置)[：:])")
# a signature on one line: organisation, spaces, date
SIGNED_LINE = re.compile(r"(\S{3,40}?)\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2})")
# an item or heading number: 一是 / 二、 / （三） / 4、 — such a line is not a title
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[是、]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．](?!\d))")
# a web page's navigation left in the text: 首页 | 政务公开 | 互动交流
NAV_LINE = re.compile(r"^(?:首页|网站首页|政务公开|政府信息公开|信息公开|互动交流|政民互动|办事服务|政务服务|新闻中心|要闻动态|走进\S{2,4}"
                      r"|网站地图|无障碍|长者模式|English|登录|注册|搜索|[\s|｜/>》·•\-])+$")
# a line giving where and when a page was published (来源：… 2025-04-19, 发布时间：2025年4月19日)
PUBLISHED_LINE = re.compile(r"^[（(]?(?:来源|稿源|信息来源|发布(?:时间|日期)|时间|日期)[：:]")
# the opening of a news report: 4月18日，… / 近日，… / 本报讯 / 记者
NEWS_LEAD = re.compile(r"^(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:上午|下午|晚)?[，,]|^(?:近日|日前|昨天|今天|近期)[，,]|本报讯|记者|通讯员|日电")
# a notice that transmits another document: 关于印发《X》的通知
TRANSMITS = re.compile(r"印发[《〈](.+?)[》〉]的?通知")


@dataclass
class Metadata:
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None  # YYYY-MM-DD, or partial YYYY-MM / YYYY
    date_source: str | None = None  # signature, issued (印发), text
    level: str | None = None  # national, province, city, district, town
    region: str | None = None
    genre: str = "other"
    addressee: str | None = None
    suggestion_number: str | None = None
    session: str | None = None
    handling_result: str | None = None  # 办理结果
    openness: str | None = None  # 公开属性
    draft: bool = False
    draft_label: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    inferred: list[str] = field(default_factory=list)
    header_end: int = 0  # cleaned offset where the body starts
    footer_start: int | None = None  # cleaned offset where closing furniture starts

    def as_dict(self) -> dict:
        return asdict(self)


def _paras(c: Cleaned) -> list[tuple[int, int, str]]:
    return [(p.start, p.end, c.text[p.start:p.end].strip()) for p in c.paragraphs]


def _dated(paras: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The paragraphs with dates in Chinese numerals rewritten in digits (for finding dates only)."""
    return [(a, b, arabic_dates(t)) for a, b, t in paras]


def arabic_dates(s: str) -> str:
    """Dates written in Chinese numerals (二〇二五年六月十二日, usual under a signature) in Arabic digits."""
    def sub(m: re.Match) -> str:
        year = "".join(_CN_DIGIT[c] for c in m.group(1))  # digit by digit: 二〇二五
        out = f"{year}年{cn_to_int(m.group(2))}月"  # as numbers: 十二月, 三十一日
        return out + (f"{cn_to_int(m.group(3))}日" if m.group(3) else "")
    return CN_DATE.sub(sub, s) if "年" in s else s


def _date_str(y: str, m: str | None, d: str | None) -> str | None:
    yi = int(y)
    if not 1949 <= yi <= 2100:
        return None
    if not m:
        return f"{yi:04d}"
    mi = int(m)
    if not 1 <= mi <= 12:
        return f"{yi:04d}"
    if not d:
        return f"{yi:04d}-{mi:02d}"
    di = int(d)
    if not 1 <= di <= 31:
        return f"{yi:04d}-{mi:02d}"
    return f"{yi:04d}-{mi:02d}-{di:02d}"


def is_org(s: str) -> bool:
    return (bool(re.fullmatch(rf"[\u4e00-\u9fff（）()]{{3,40}}{ORG_SUFFIX}", s)) and "关于" not in s
            and not re.search(r"召开|举办|举行|开幕|闭幕|启动|发布", s))  # 某区召开推进大会 is an event


def signed_line(s: str) -> re.Match | None:
    """上海市徐汇区人民政府 2025年6月12日: an organisation and a date on one line (group 1, group 2)."""
    m = SIGNED_LINE.fullmatch(s)
    return m if m and is_org(m.group(1)) else None


def extract_metadata(c: Cleaned) -> Metadata:
    md = Metadata()
    paras = _paras(c)
    n = len(paras)
    head = paras[: min(n, 15)]

    for _, _, t in head:
        if md.handling_result is None and (m := RESULT.search(t)):
            md.handling_result = m.group(1)
        if md.openness is None and (m := OPENNESS.search(t)):
            md.openness = m.group(1)

    # document number: in the head, not inside a sentence that cites another document
    for _, _, t in head:
        m = DOC_NUMBER.search(t)
        if m and len(t) <= 40 and "《" not in t:
            md.doc_number = f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
            break

    title_idx = _find_title(paras)
    news = False
    if title_idx is None:
        title_idx = _news_headline(paras)
        news = title_idx is not None
    elif title_idx[1] + 1 < n and NEWS_LEAD.search(paras[title_idx[1] + 1][2][:40]) \
            and not TRANSMITS.search("".join(p[2] for p in paras[title_idx[0]:title_idx[1] + 1])):
        news = True  # a headline that happens to end in 方案 or 意见, above a news report
    if title_idx is not None:
        first, last = title_idx
        parts = [paras[i][2] for i in range(first, last + 1)]
        title = "".join(parts)
        dm = DRAFT.search(title)
        if dm:
            md.draft, md.draft_label = True, dm.group(1)
            title = DRAFT.sub("", title).strip()
        md.title = title
        md.header_end = paras[last][1] + 1
        # the addressee and the acknowledgement right after the title are header too
        for j in range(last + 1, min(n, last + 4)):
            t = paras[j][2]
            if md.addressee is None and (m := ADDRESSEE.match(t)):
                md.addressee = m.group(1).removeprefix("尊敬的")
                md.header_end = paras[j][1] + 1
                break
        # a draft mark may stand on its own line below the title
        for j in range(last + 1, min(n, last + 3)):
            if (dm := DRAFT.fullmatch(paras[j][2].strip("（）() "))) or (dm := DRAFT.fullmatch(paras[j][2])):
                md.draft, md.draft_label = True, dm.group(1)
                md.header_end = max(md.header_end, paras[j][1] + 1)

    if md.title:
        if m := PERIOD.search(md.title):
            md.period_start, md.period_end = int(m.group(1)), int(m.group(2))
        if m := SUGGESTION_NO.search(md.title):
            md.suggestion_number = m.group(1)
        if m := SESSION.search(md.title):
            md.session = m.group(1)
    md.genre = _genre(md.title or "", c.text, news)

    _signature(md, paras)
    _issuer(md, paras)
    _region(md)
    return md


def _find_title(paras: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """Index range of the title paragraphs: the first heading-like line(s) ending in a genre word."""
    limit = min(len(paras), 15)
    for i in range(limit):
        t = paras[i][2]
        if "。" in t and len(t) > 20 and not FURNITURE.match(t):
            return None  # body text has begun: a title comes before it
        if len(t) > 80 or "。" in t or FURNITURE.match(t) or DOC_NUMBER.fullmatch(t) or NAV_LINE.match(t) \
                or _NUMBERED.match(t):
            continue
        candidate = t
        j = i
        # a title may run over two or three short lines, or carry its period on the next line
        for k in range(i, min(limit, i + 3)):
            if k > i:
                nxt = paras[k][2]
                if len(nxt) > 60 or "。" in nxt or FURNITURE.match(nxt) or ADDRESSEE.match(nxt) \
                        or DOC_NUMBER.fullmatch(nxt) or is_org(nxt):
                    break
                if DRAFT.fullmatch(nxt.strip("（）() ")):
                    break
                if re.match(r"^(?:关于|对(?:市|区|县|全国))", nxt) and not is_org(candidate) \
                        and not re.search(r"(?:关于|对)[^，。]*$", candidate):
                    break  # a title starts on the next line: this line is not part of it
                candidate += nxt
                j = k
            if TITLE_END.search(candidate):
                # a bracketed period on the following line belongs to the title
                if j + 1 < limit and PERIOD.fullmatch(paras[j + 1][2]):
                    j += 1
                return i, j
    return None


def _news_headline(paras: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """A news report's headline: a short line without a full stop above a lead such as 4月18日，…"""
    for i in range(min(len(paras) - 1, 6)):
        t = paras[i][2]
        if FURNITURE.match(t) or DOC_NUMBER.fullmatch(t) or is_org(t):
            continue
        if 4 <= len(t) <= 50 and not re.search(r"[。；;！!]", t) and NEWS_LEAD.search(paras[i + 1][2][:40]):
            return i, i
        return None
    return None


def _genre(title: str, text: str, news: bool = False) -> str:
    if m := TRANSMITS.search(title):
        # the notice is the wrapping of the document it transmits, which is what the text is
        inner = _genre(m.group(1), text)
        if inner != "other":
            return inner
    t = re.sub(r"[（(][^）)]*[）)]$", "", title)
    if re.search(r"(?:代表)?建议的?(?:答复|复函)|代表建议|人大.*建议.*答复", t):
        return "reply_to_deputy_suggestion"
    if re.search(r"提案的?(?:答复|复函)|政协.*提案", t):
        return "reply_to_cppcc_proposal"
    if re.search(r"(?:行动方案|实施方案|工作方案|行动计划|三年计划|规划)(?:[（(].*)?$", title):
        return "action_plan"
    if re.search(r"意见(?:[（(].*)?$", title):
        return "opinions"
    if news or (not title and re.search(r"记者|讯[（(]|日电|新闻|通讯员", text[:400])):
        return "news"
    # no title says it, but the acknowledgement does: 您提出的“…”建议收悉 / 提案收悉
    head = text[:800]
    if re.search(r"提出的[^。]{0,80}?提案[^。]{0,20}?收悉", head):
        return "reply_to_cppcc_proposal"
    if re.search(r"提出的[^。]{0,80}?(?:建议|议案)[^。]{0,20}?收悉", head):
        return "reply_to_deputy_suggestion"
    return "other"


def _signature(md: Metadata, paras: list[tuple[int, int, str]]) -> None:
    """Signature block at the end (org line, date line, 印发 line): date, issuer, footer start."""
    paras = _dated(paras)
    n = len(paras)
    first_body = next((i for i, p in enumerate(paras) if p[0] >= md.header_end), n) if md.header_end else 0
    tail = range(max(first_body + 1, n // 2, n - 25), n)
    issued = None
    for i in reversed(tail):
        t = paras[i][2]
        if ISSUED_LINE.search(t) and (m := DATE.search(t) or ISO_DATE.search(t)):
            issued = _date_str(m.group(1), m.group(2), m.group(3))
        if m := (DATE.fullmatch(t) or ISO_DATE.fullmatch(t)):
            md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "signature"
            if i > 0 and is_org(paras[i - 1][2]):
                md.issuer = paras[i - 1][2]
            break
        if m := signed_line(t):
            d = DATE.fullmatch(m.group(2)) or ISO_DATE.fullmatch(m.group(2))
            md.date, md.date_source = _date_str(d.group(1), d.group(2), d.group(3)), "signature"
            md.issuer = m.group(1)
            break
    if md.date is None and issued:
        md.date, md.date_source = issued, "issued"
    if md.date is None:
        # a notice transmitting a document is signed above the document it transmits
        for i in range(first_body, n - 1):
            if is_org(paras[i][2]) and (m := DATE.fullmatch(paras[i + 1][2]) or ISO_DATE.fullmatch(paras[i + 1][2])):
                md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "signature"
                md.issuer = md.issuer or paras[i][2]
                break
    if md.date is None:
        # a web page's publication line: 来源：… 2025-04-19, 发布时间：2025年4月19日
        for i in reversed(tail):
            t = paras[i][2]
            if PUBLISHED_LINE.match(t) and (m := ISO_DATE.search(t) or DATE.search(t)):
                md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "published"
                break
    # the footer starts at the first closing line: signature, date, contacts, 抄送, 印发
    for i in tail:
        t = paras[i][2]
        if (FURNITURE.match(t) or ISSUED_LINE.search(t) or DATE.fullmatch(t) or ISO_DATE.fullmatch(t)
                or signed_line(t)
                      or (is_org(t) and i + 1 < n and DATE.fullmatch(paras[i + 1][2]))):
            if paras[i][0] >= md.header_end:
                md.footer_start = paras[i][0]
                break


def _issuer(md: Metadata, paras: list[tuple[int, int, str]]) -> None:
    if md.issuer:
        return
    # masthead: an organisation line at the top (…委员会, …人民政府, …文件)
    for _, _, t in paras[:8]:
        s = re.sub(r"文件$", "", t)
        if is_org(s):
            md.issuer = s
            return
    # a title of the form "<org>关于…"
    if md.title and (m := re.match(rf"^(.{{3,30}}?{ORG_SUFFIX})关于", md.title)):
        md.issuer = m.group(1)
        return
    # an unsigned plan titled with a district's or city's name is that government's
    if md.title and md.genre in ("action_plan", "opinions"):
        place = _place_in(md.title[:8])
        if place:
            md.issuer = _full_region(place) + "人民政府"
            md.inferred.append("issuer")


def _place_in(s: str) -> str | None:
    for d in SHANGHAI_DISTRICTS:
        if d in s:
            return d
    for short, d in _DISTRICT_SHORT.items():
        if s.startswith(short):
            return d
    if s.startswith("上海"):
        return "上海市"
    m = re.match(r"^([\u4e00-\u9fff]{2,6}?(?:省|自治区|市|区|县))", s)
    return m.group(1) if m else None


def _full_region(place: str) -> str:
    if place in SHANGHAI_DISTRICTS:
        return "上海市" + place
    return place


def _region(md: Metadata) -> None:
    """Region and level from the issuer (else the title): 宝山区 → district, 上海市 → city."""
    for source in (md.issuer or "", md.title or ""):
        s = source.removeprefix("上海市")
        for d in SHANGHAI_DISTRICTS:
            if s.startswith(d) or s.startswith(d[:-1] if d != "浦东新区" else "浦东"):
                md.region, md.level = d, "district"
                return
        if source.startswith("上海") or source.startswith("市"):
            if source is md.issuer or md.issuer is None:
                md.region, md.level = "上海市", "city"
                return
        if re.match(r"^(?:国务院|国家|中共中央|全国)", source):
            md.region, md.level = "全国", "national"
            return
        if m := re.match(r"^([\u4e00-\u9fff]{2,7}?(?:省|自治区))", source):
            md.region, md.level = m.group(1), "province"
            return
        if re.match(r"^(?:关于|对|印发|转发)", s):
            continue  # 关于对区十八届人大…: a title that names no place
        if m := re.match(r"^([\u4e00-\u9fff]{2,7}?(?:区|县))", s):
            md.region, md.level = m.group(1), "district"
            return
        if m := re.match(r"^([\u4e00-\u9fff]{2,7}?(?:镇|街道))", s):
            md.region, md.level = m.group(1), "town"
            return
