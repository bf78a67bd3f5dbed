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
from .vocabulary import VOCAB

_CN = VOCAB.numerals.ordinal  # 一二三四五六七八九十
_DOCS = VOCAB["documents"]
_ORGS = VOCAB["organisations"]
_PLACES = VOCAB["places"]
_FURNITURE = VOCAB["furniture"]

# The home city's districts; other places are recognised by their suffix.
SHANGHAI_DISTRICTS = tuple(p.name for p in VOCAB.districts if p.inside == VOCAB.city.name)
_DISTRICT_SHORT = {short: p.name for p in VOCAB.districts for short in p.short}  # 宝山 -> 宝山区
_INSIDE = {p.name: p.inside for p in VOCAB.places if p.inside}  # 宝山区 -> 上海市
_CITY_PREFIXES = VOCAB.city.short + _PLACES["levels"].tagged("issuer")  # 上海…, 市… (市科委)

ORG_SUFFIX = rf"(?:{_ORGS['suffixes'].pattern()})"
# 沪府办发〔2024〕9号, and with a word before the number: 沪浦科经委〔2025〕提字第88号, 沪科〔2024〕第15号
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*"
                        r"((?:[\u4e00-\u9fff]{0,3}?第)?\s*\d{1,4})\s*号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?")
_CN_DIGIT = dict(VOCAB.numerals.year)  # 〇 -> "0", 二 -> "2"
CN_DATE = re.compile(rf"([{''.join(_CN_DIGIT)}]{{4}})\s*年\s*([{_CN}]{{1,2}})\s*月\s*(?:([{_CN}]{{1,3}})\s*日)?")
ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
TITLE_END = re.compile(rf"(?:{_DOCS['nouns'].pattern('title')})(?:[（(][^）)]{{1,20}}[）)])*$")
ADDRESSEE = re.compile(rf"^(?:{_ORGS['honorifics'].pattern()})?(.{{1,40}}?(?:{_ORGS['addressees'].pattern()}))[：:]$")
SESSION = re.compile(rf"((?:{VOCAB.city.name}|全国|(?:(?![对于关])[\u4e00-\u9fff]){{2,4}}"
                     rf"(?:{_PLACES['suffixes'].pattern('session')})|{_PLACES['suffixes'].pattern('alone')})?"
                     rf"(?:人大|政协)?[{_CN}]+届(?:人大|政协|人民代表大会|委员会)?(?:常委会)?(?:第?[{_CN}]+次)会议)")
ISSUED_LINE = re.compile(r"(?:日|\d)\s*印发")
SUGGESTION_NO = re.compile(rf"第\s*(\d{{1,8}})\s*号\s*(?:代表)?(?:{_DOCS['motions'].pattern()})")
PERIOD = re.compile(r"[（(]\s*(20\d{2})\s*[-—–~至]\s*(20\d{2})\s*年?\s*[）)]")
RESULT = re.compile(rf"{_FURNITURE['closing lines'].with_field('handling_result')}[：:]\s*(\S+)")
OPENNESS = re.compile(rf"{_FURNITURE['closing lines'].with_field('openness')}[：:]\s*(\S+)")
DRAFT = re.compile(rf"[（(]?({_DOCS['title marks'].pattern('draft')})[）)]?")

FURNITURE = re.compile(rf"^(?:{_FURNITURE['closing lines'].pattern()}"
                       rf"|[（(]?(?:{_FURNITURE['labels'].pattern('furniture')})[：:])")
# a signature on one line: organisation, spaces, date
SIGNED_LINE = re.compile(r"(\S{3,40}?)\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2})")
# an item or heading number: 一是 / 二、 / （三） / 4、 — such a line is not a title
_NUMBERED = re.compile(rf"^(?:[{_CN}]+[是、]|[（(][{_CN}\d]+[）)]|\d{{1,2}}[、.．](?!\d))")
# a web page's navigation left in the text: 首页 | 政务公开 | 互动交流
NAV_LINE = re.compile(rf"^(?:{_FURNITURE['navigation'].pattern()}|[\s|｜/>》·•\-])+$")
# a line giving where and when a page was published (来源：… 2025-04-19, 发布时间：2025年4月19日)
# 发布时间：…, 【发布日期】2025年3月14日 【来源】…, and a date before its label: 2025-03-14 来源：…
_DATE_FIRST = r"\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*"
PUBLISHED_LINE = re.compile(rf"^(?:{_DATE_FIRST})?[（(]?(?:{_FURNITURE['labels'].pattern('published')})[：:]"
                            rf"|^【(?:{_FURNITURE['labels'].pattern('published')})】")
# the opening of a news report: 4月18日，… / 近日，… / 本报讯 / 记者
NEWS_LEAD = re.compile(rf"^(?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}日(?:上午|下午|晚)?[，,]"
                       rf"|^(?:{_DOCS['news leads'].pattern()})[，,]"
                       rf"|{_DOCS['news'].pattern('lead')}")
# a notice that transmits another document: 关于印发《X》的通知
TRANSMITS = re.compile(r"印发[《〈](.+?)[》〉]的?通知")
# a notice or 公告 putting a draft out for comment: 关于《X（征求意见稿）》公开征求意见的公告
_CITED = re.compile(r"[《〈](.+?)[》〉]")
_CONSULTATION = rf"(?:{_DOCS['consultation'].pattern()}).*(?:{_DOCS['nouns'].pattern('notice')})$"
# who published a web page: 来源：中国科学报 (up to the next label, a separator, a space or a date)
PUBLISHER = re.compile(rf"(?:{_FURNITURE['labels'].pattern('publisher')})(?:[：:]|】)\s*(.+?)"
                       rf"(?=\s|[|｜丨/【]|(?:{_FURNITURE['labels'].pattern()})[：:]|\d{{4}}\s*[-./年]|$)")
_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z（）()·]{2,30}")
# a date standing alone in brackets under a title (a report's, a speech's): （2026年1月16日）
DATE_IN_BRACKETS = re.compile(r"[（(]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[）)]")
GOVERNMENT_REPORT = "政府工作报告"
# a speech's occasion line under its title: ——2026年2月3日在上海市第十六届人民代表大会第四次会议上
OCCASION = re.compile(r"^[—–-]{0,2}\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*在(.{2,40}?)(?:会议|大会)")
# the body that printed a document, on its 印发 line: 上海市人民政府办公厅2024年10月11日印发
ISSUED_BY = re.compile(r"(\S{3,40}?)\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
                       r"|\d{4}[-./]\d{1,2}[-./]\d{1,2})\s*印发")

# The patterns below are kept as text and compiled by re on first use (its cache), as they
# were when written inline: a command that reads no document (the no-op `compare align`)
# never pays for them.
_ORG = rf"[\u4e00-\u9fff（）()]{{3,40}}{ORG_SUFFIX}"
_EVENT = VOCAB["verbs"]["verbs"].pattern("event")  # 某区召开推进大会 is an event
_ISSUER_ABOUT = rf"^(.{{3,30}}?{ORG_SUFFIX})(?:关于|20\d{{2}}年)"  # <org>关于…, <org>2025年工作总结
# genres: replies by their titles (in file order), plans and opinions by their titles' last noun,
# news by its bylines, replies again by their acknowledgement (您提出的“…”提案收悉)
_REPLY_TITLES = tuple((e.word, e.fields[0]) for e in _DOCS["reply titles"].entries)
_TITLE_ENDINGS = tuple((genre, rf"(?:{_DOCS['nouns'].pattern(genre)})(?:[（(].*)?$")
                       for genre in ("action_plan", "opinions"))
_NEWS_TEXT = _DOCS["news"].pattern("text")
_ACKNOWLEDGED = tuple((genre, rf"提出的[^。]{{0,80}}?(?:{_DOCS['motions'].pattern(genre)})[^。]{{0,20}}?收悉")
                      for genre in ("reply_to_cppcc_proposal", "reply_to_deputy_suggestion"))

# regions and levels: 上海市 / 宝山区 by name, others by their suffix; national issuers
_PLACE_AT_START = (r"^([\u4e00-\u9fff]{2,6}?(?:"  # a province, city or district: not a town
                   + "|".join(re.escape(w) for lv in ("province", "city", "district")
                              for w in _PLACES["suffixes"].tagged("place", lv)) + "))")
_LEVEL_AT_START = {lv: rf"^([\u4e00-\u9fff]{{2,7}}?(?:{_PLACES['suffixes'].pattern('place', lv)}))"
                   for lv in ("province", "district", "town")}
_NATIONAL = rf"^(?:{_PLACES['national'].pattern()})"
_TITLE_START = rf"^(?:关于|对(?:{_PLACES['suffixes'].pattern('alone')}|全国))"  # 关于…, 对市…建议的答复
_TITLE_OPENER = rf"^(?:{_DOCS['title openers'].pattern()})"  # 关于对区十八届人大…: names no place


@dataclass
class Metadata:
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None  # YYYY-MM-DD, or partial YYYY-MM / YYYY
    # where the date (or, undated, the approximate sort date) comes from: signature, title (a date
    # in brackets under it), issued (印发), published (a web page's date line); doc_number, period
    date_source: str | None = None
    sort_date: str | None = None  # the date, else the year of the 文号 or the plan period (approximate)
    date_approximate: bool = False
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
    return bool(re.fullmatch(_ORG, s)) and "关于" not in s and not re.search(_EVENT, s)


def signed_line(s: str) -> re.Match | None:
    """上海市徐汇区人民政府 2025年6月12日: an organisation and a date on one line (group 1, group 2)."""
    m = SIGNED_LINE.fullmatch(s)
    return m if m and is_org(m.group(1)) else None


def extract_metadata(c: Cleaned) -> Metadata:
    md = Metadata()
    paras = _paras(c)
    _header_fields(md, paras[:15])
    news = _title(md, paras)
    _title_fields(md)
    md.genre = _genre(md.title or "", c.text, news)
    _signature(md, paras)
    publisher = _publication(md, paras, news)
    _issuer(md, paras, publisher)
    _region(md)
    _order(md)
    return md


def _header_fields(md: Metadata, head: list[tuple[int, int, str]]) -> None:
    """办理结果, 公开属性 and the document number, from the first lines."""
    for _, _, t in head:
        if md.handling_result is None and (m := RESULT.search(t)):
            md.handling_result = m.group(1)
        if md.openness is None and (m := OPENNESS.search(t)):
            md.openness = m.group(1)
    # document number: in the head, not inside a sentence that cites another document
    for _, _, t in head:
        m = DOC_NUMBER.search(t)
        if m and len(t) <= 40 and "《" not in t:
            md.doc_number = f"{m.group(1)}〔{m.group(2)}〕{m.group(3).replace(' ', '')}号"
            break


def _title(md: Metadata, paras: list[tuple[int, int, str]]) -> bool:
    """Title, draft mark, addressee and where the header ends; True when the text is a news report."""
    n = len(paras)
    title_idx = _find_title(paras)
    news = False
    if title_idx is None:
        title_idx = _news_headline(paras)
        news = title_idx is not None
    else:
        k = next((k for k in range(title_idx[1] + 1, n) if not _header_line(paras[k][2])), n)
        if k < n and NEWS_LEAD.search(paras[k][2][:40]) \
                and not TRANSMITS.search("".join(p[2] for p in paras[title_idx[0]:title_idx[1] + 1])):
            news = True  # a headline that happens to end in 方案 or 意见, above a news report
    if title_idx is not None:
        first, last = title_idx
        title = "".join(paras[i][2] for i in range(first, last + 1))
        if draft := _consulted_draft(title):
            title = draft  # a 公告 putting a draft out for comment is that draft
            md.draft = True
        dm = DRAFT.search(title)
        if dm:
            md.draft, md.draft_label = True, dm.group(1)
            title = DRAFT.sub("", title).strip()
        md.title = title
        md.header_end = paras[last][1] + 1
        _below_title(md, paras, last)
    return news


def _consulted_draft(title: str) -> str | None:
    """X, from a notice putting X out for comment: 关于《X（征求意见稿）》公开征求意见的公告."""
    cited = _CITED.findall(title)
    if len(cited) == 1 and re.search(_CONSULTATION, _CITED.sub("《》", title)):
        return cited[0]
    return None


def _header_line(t: str) -> bool:
    """A line under the title that is header, not text: a page's 来源/发布时间 line, a 文号, a date
    standing alone or in brackets."""
    return bool(FURNITURE.match(t) or PUBLISHED_LINE.match(t) or DOC_NUMBER.fullmatch(t) or NAV_LINE.match(t)
                or _date_line(t))


def _date_line(t: str) -> re.Match | None:
    """A line that is only a date: 2025年9月15日, 2025-09-15, （2026年1月16日）."""
    t = arabic_dates(t)
    return DATE_IN_BRACKETS.fullmatch(t) or DATE.fullmatch(t) or ISO_DATE.fullmatch(t)


def _below_title(md: Metadata, paras: list[tuple[int, int, str]], last: int) -> None:
    """Page lines, the addressee and a draft mark on the lines right after the title are header too."""
    n = len(paras)
    k = last + 1
    while k < min(n, last + 8) and _header_line(paras[k][2]):
        md.header_end = paras[k][1] + 1
        k += 1
    for j in range(k, min(n, k + 3)):
        t = paras[j][2]
        if md.addressee is None and (m := ADDRESSEE.match(t)):
            md.addressee = _without_honorific(m.group(1))
            md.header_end = paras[j][1] + 1
            break
    # a draft mark may stand on its own line below the title
    for j in range(last + 1, min(n, last + 3)):
        if (dm := DRAFT.fullmatch(paras[j][2].strip("（）() "))) or (dm := DRAFT.fullmatch(paras[j][2])):
            md.draft, md.draft_label = True, dm.group(1)
            md.header_end = max(md.header_end, paras[j][1] + 1)


def _without_honorific(s: str) -> str:
    """张三代表 from 尊敬的张三代表."""
    for h in _ORGS["honorifics"].words:
        if s.startswith(h):
            return s[len(h):]
    return s


def _title_fields(md: Metadata) -> None:
    """Plan period, suggestion number and session, read from the title."""
    if not md.title:
        return
    if m := PERIOD.search(md.title):
        md.period_start, md.period_end = int(m.group(1)), int(m.group(2))
    if m := SUGGESTION_NO.search(md.title):
        md.suggestion_number = m.group(1)
    if m := SESSION.search(md.title):
        md.session = m.group(1)


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
                        or DOC_NUMBER.fullmatch(nxt) or is_org(nxt) or _date_line(nxt):
                    break
                if DRAFT.fullmatch(nxt.strip("（）() ")):
                    break
                if re.match(_TITLE_START, nxt) and not re.search(r"(?:关于|对)[^，。]*$", candidate) \
                        and (not is_org(candidate) or not nxt.startswith("关于")):
                    # a title starts on the next line: this line is not part of it (an organisation's
                    # line heads a title only as <org>关于…; above 对…的答复 it is the masthead)
                    break
                candidate += nxt
                j = k
            if TITLE_END.search(candidate):
                # a bracketed period on the following line belongs to the title
                if j + 1 < limit and PERIOD.fullmatch(paras[j + 1][2]):
                    j += 1
                return i, j
            if j + 1 < len(paras) and DATE_IN_BRACKETS.fullmatch(arabic_dates(paras[j + 1][2])) \
                    and not is_org(candidate):
                return i, j  # a report's or a speech's title, dated in brackets below it
    return None


def _news_headline(paras: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """A news report's headline: a short line without a full stop above a lead such as 4月18日，…,
    or above the page's dated line (来源：… 发布时间：2025-03-14) and prose."""
    n = len(paras)
    for i in range(min(n - 1, 6)):
        t = paras[i][2]
        if FURNITURE.match(t) or DOC_NUMBER.fullmatch(t) or is_org(t) or NAV_LINE.match(t):
            continue
        if not 4 <= len(t) <= 50 or re.search(r"[。；;！!]", t):
            return None
        k, dated = i + 1, False
        while k < n - 1 and (FURNITURE.match(paras[k][2]) or PUBLISHED_LINE.match(paras[k][2])
                             or _date_line(paras[k][2])):
            dated = dated or bool(ISO_DATE.search(paras[k][2]) or DATE.search(paras[k][2]))
            k += 1
        lead = paras[k][2]
        if NEWS_LEAD.search(lead[:40]) or (dated and "。" in lead and not ADDRESSEE.match(lead)):
            return i, i
        return None
    return None


def _genre(title: str, text: str, news: bool = False) -> str:
    if news:
        return "news"  # a headline ending in 方案 above a news report's lead reports on the plan
    if m := TRANSMITS.search(title):
        # the notice is the wrapping of the document it transmits, which is what the text is
        inner = _genre(m.group(1), text)
        if inner != "other":
            return inner
    t = re.sub(r"[（(][^）)]*[）)]$", "", title)
    for pattern, genre in _REPLY_TITLES:
        if re.search(pattern, t):
            return genre
    for genre, pattern in _TITLE_ENDINGS:
        if re.search(pattern, title):
            return genre
    if not title and re.search(_NEWS_TEXT, text[:400]):
        return "news"
    # no title says it, but the acknowledgement does: 您提出的“…”建议收悉 / 提案收悉
    head = text[:800]
    for genre, pattern in _ACKNOWLEDGED:
        if re.search(pattern, head):
            return genre
    return "other"


def _signature(md: Metadata, paras: list[tuple[int, int, str]]) -> None:
    """Date and issuer from the signature (at the end, else above a transmitted document), else the
    date under the title, the 印发 line, the page's publication line; and where the footer starts."""
    paras = _dated(paras)
    n = len(paras)
    first_body = next((i for i, p in enumerate(paras) if p[0] >= md.header_end), n) if md.header_end else 0
    tail = range(max(first_body + 1, n // 2, n - 25), n)
    _signed_at_end(md, paras, tail)
    if md.date is None:
        # a notice transmitting a document is signed above the document it transmits
        for i in range(first_body, n - 1):
            if is_org(paras[i][2]) and (m := DATE.fullmatch(paras[i + 1][2]) or ISO_DATE.fullmatch(paras[i + 1][2])):
                md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "signature"
                md.issuer = md.issuer or _first_signer(paras, i)
                break
    if md.date is None:
        # a report's or a speech's date under its title, in brackets or on a line of its own:
        # （2026年1月16日）, 2025年12月28日
        for a, _, t in paras:
            if a < md.header_end and (m := DATE_IN_BRACKETS.fullmatch(t) or DATE.fullmatch(t)):
                md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "title"
    if md.date is None:
        # a speech (政府工作报告) is dated by its occasion line
        for _, _, t in paras[:8]:
            if m := OCCASION.match(t.strip()):
                md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "occasion"
                break
    if md.date is None:
        for i in reversed(tail):
            if ISSUED_LINE.search(t := paras[i][2]) and (m := DATE.search(t) or ISO_DATE.search(t)):
                md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "issued"
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


def _signed_at_end(md: Metadata, paras: list[tuple[int, int, str]], tail: range) -> None:
    """The signature closing the text: a date line under the signers, or signer and date on one line."""
    for i in reversed(tail):
        t = paras[i][2]
        if m := (DATE.fullmatch(t) or ISO_DATE.fullmatch(t)):
            md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "signature"
            if i > 0 and is_org(paras[i - 1][2]):
                md.issuer = _first_signer(paras, i - 1)
            return
        if m := signed_line(t):
            d = DATE.fullmatch(m.group(2)) or ISO_DATE.fullmatch(m.group(2))
            md.date, md.date_source = _date_str(d.group(1), d.group(2), d.group(3)), "signature"
            md.issuer = _first_signer(paras, i - 1) if i > 0 and is_org(paras[i - 1][2]) else m.group(1)
            return


def _first_signer(paras: list[tuple[int, int, str]], i: int) -> str:
    """A document signed by several bodies, one a line above the date, is issued by the first of them."""
    while i > 0 and is_org(paras[i - 1][2]) and not _NUMBERED.match(paras[i - 1][2]):
        i -= 1
    return paras[i][2]


def _publication(md: Metadata, paras: list[tuple[int, int, str]], news: bool) -> str | None:
    """A web page's 来源/发布时间 lines: a news page is dated by the one under its headline; returns
    the publisher they name (来源：中国科学报), the head's before the foot's."""
    head = [arabic_dates(t) for a, _, t in paras if a < md.header_end]
    foot = [t for a, _, t in paras if md.footer_start is not None and a >= md.footer_start]
    lines = [t for t in head + foot[::-1] if PUBLISHED_LINE.match(t) or FURNITURE.match(t)]
    if news:
        for t in head:
            if (PUBLISHED_LINE.match(t) or FURNITURE.match(t) or _date_line(t)) \
                    and (m := ISO_DATE.search(t) or DATE.search(t)):
                md.date, md.date_source = _date_str(m.group(1), m.group(2), m.group(3)), "published"
                break
    for t in lines:
        if (m := PUBLISHER.search(t)) and _NAME.fullmatch(m.group(1)) \
                and m.group(1) not in _FURNITURE["anonymous sources"].words:
            return m.group(1)
    return None


def _issuer(md: Metadata, paras: list[tuple[int, int, str]], publisher: str | None = None) -> None:
    """Unsigned: the masthead, the <org>关于… title, the 印发 line's body, the page's publisher, else
    (inferred) the government of the place an unsigned plan is titled with."""
    if md.issuer:
        return
    if md.genre == "news" and publisher:
        md.issuer = publisher  # a news page's masthead line, if any, is its site's, not an issuer
        return
    # masthead: an organisation line at the top (…委员会, …人民政府, …文件)
    for _, _, t in paras[:8]:
        s = re.sub(r"文件$", "", t)
        if is_org(s):
            md.issuer = s
            return
    # a title of the form "<org>关于…"
    if md.title and (m := re.match(_ISSUER_ABOUT, md.title)):
        md.issuer = m.group(1)
        return
    # the body that printed it: 上海市人民政府办公厅2024年10月11日印发
    for _, _, t in reversed(paras[len(paras) // 2:]):
        if (m := ISSUED_BY.search(t)) and is_org(m.group(1)):
            md.issuer = m.group(1)
            return
    if publisher:
        md.issuer = publisher
        return
    # the government's work report, given at a place's congress (——…在金山区第八届人民代表大会…上),
    # is that place's government's (a congress's or a court's report, or a speech, is someone else's)
    for _, _, t in paras[:8] if (md.title or "").endswith(GOVERNMENT_REPORT) else ():
        if (m := OCCASION.match(t.strip())) and (place := _place_in(m.group(4))):
            md.issuer = _full_region(place) + "人民政府"
            md.inferred.append("issuer")
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
    if s.startswith(VOCAB.city.short):
        return VOCAB.city.name
    m = re.match(_PLACE_AT_START, s)
    return m.group(1) if m else None


def _full_region(place: str) -> str:
    """宝山区 -> 上海市宝山区: a district of the home city with its city's name."""
    return _INSIDE[place] + place if place in _INSIDE else place


def _region(md: Metadata) -> None:
    """Region and level from the issuer (else the title): 宝山区 → district, 上海市 → city."""
    issuer_place = None
    for source in (md.issuer or "", _title_lead(md.title or "")):
        s = source.removeprefix(VOCAB.city.name)
        for d in VOCAB.districts:
            if s.startswith((d.name,) + d.short):
                md.region, md.level = d.name, "district"
                return
        if source.startswith(_CITY_PREFIXES):
            if source is md.issuer or md.issuer is None or not issuer_place:
                md.region, md.level = VOCAB.city.name, "city"
                return
        if re.match(_NATIONAL, source):
            md.region, md.level = "全国", "national"
            return
        if m := re.match(_LEVEL_AT_START["province"], source):
            md.region, md.level = m.group(1), "province"
            return
        if re.match(_TITLE_OPENER, s):
            continue  # 关于对区十八届人大…: a title that names no place
        for level in ("district", "town"):
            if m := re.match(_LEVEL_AT_START[level], s):
                md.region, md.level = m.group(1), level
                return
        if source is md.issuer:
            issuer_place = _place_in(source)


def _title_lead(title: str) -> str:
    """Where a title names its place: after an opening 《 and a year (《2025年上海市…白皮书》发布)."""
    return re.sub(r"^《?(?:\d{4}年度?)?", "", title)


def _order(md: Metadata) -> None:
    """The date the document is ordered by: its date, else (approximate) the year of its 文号
    (…〔2022〕12号), else the first year of its period, else the year its title opens with
    (2025年普陀区科技创新工作要点)."""
    if md.date:
        md.sort_date = md.date
    elif md.doc_number and (m := DOC_NUMBER.search(md.doc_number)):
        md.sort_date, md.date_approximate, md.date_source = m.group(2), True, "doc_number"
    elif md.period_start:
        md.sort_date, md.date_approximate, md.date_source = str(md.period_start), True, "period"
    elif md.title and (m := re.match(r"(20\d{2})\s*年", md.title)):
        md.sort_date, md.date_approximate, md.date_source = m.group(1), True, "title"
