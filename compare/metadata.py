"""Document metadata from the text itself: title, issuer, number, date, level, region, genre.

Nothing is invented: a field the text does not give stays None. The one inference made
is the issuer of a plan titled with a region's name and left unsigned (a district's
action plan is its district government's), and it is marked in `inferred`.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .clean import Cleaned

# Shanghai's districts; other places are recognised by their suffix.
SHANGHAI_DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
                      "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
_DISTRICT_SHORT = {d[:-1] if d != "浦东新区" else "浦东": d for d in SHANGHAI_DISTRICTS}
_DISTRICT_SHORT["浦东新"] = "浦东新区"

ORG_SUFFIX = r"(?:人民政府|政府|委员会|办公厅|办公室|管理局|监督管理局|局|厅|委|办|中心|院|部|署|会)"
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*(\d{1,4})\s*号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?")
ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
TITLE_END = re.compile(r"(?:答复|复函|行动方案|实施方案|工作方案|方案|实施意见|指导意见|若干意见|意见|通知|办法|细则|规划|行动计划"
                       r"|计划|决定|报告|批复|公告|通告|规定|条例|措施|若干措施|纲要|要点|函)"
                       r"(?:[（(][^）)]{1,20}[）)])*$")
ADDRESSEE = re.compile(r"^(?:尊敬的)?(.{1,40}?(?:代表|委员|同志|先生|女士|单位|局|委|办|政府|各[^：]{0,20}))[：:]$")
_CN = "一二三四五六七八九十"
SESSION = re.compile(rf"((?:上海市|全国|(?:(?![对于关])[\u4e00-\u9fff]){{2,4}}(?:新区|区|县|市)|市|区|县)?(?:人大|政协)?[{_CN}]+届"
                     rf"(?:人大|政协|人民代表大会|委员会)?(?:常委会)?(?:第?[{_CN}]+次)会议)")
ISSUED_LINE = re.compile(r"(?:日|\d)\s*印发")
SUGGESTION_NO = re.compile(r"第\s*(\d{1,5})\s*号\s*(?:代表)?(?:建议|提案|议案)")
PERIOD = re.compile(r"[（(]\s*(20\d{2})\s*[-—–~至]\s*(20\d{2})\s*年?\s*[）)]")
RESULT = re.compile(r"办理结果[：:]\s*(\S+)")
OPENNESS = re.compile(r"(?:信息)?公开属性[：:]\s*(\S+)")
DRAFT = re.compile(r"[（(]?(送审稿|征求意见稿|草案|讨论稿|代拟稿)[）)]?")

FURNITURE = re.compile(r"^(?:办理结果|(?:信息)?公开属性|联系人|联系电话|联系地址|邮政编码|抄\s*送|主\s*送|附件|签发人|"
                       r"[（(]共印\d+份[）)])")


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


def _is_org(s: str) -> bool:
    return bool(re.fullmatch(rf"[\u4e00-\u9fff（）()]{{3,40}}{ORG_SUFFIX}", s)) and "关于" not in s


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
    md.genre = _genre(md.title or "", c.text)

    _signature(md, paras)
    _issuer(md, paras)
    _region(md)
    return md


def _find_title(paras: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """Index range of the title paragraphs: the first heading-like line(s) ending in a genre word."""
    limit = min(len(paras), 15)
    for i in range(limit):
        t = paras[i][2]
        if len(t) > 80 or "。" in t or FURNITURE.match(t) or DOC_NUMBER.fullmatch(t):
            continue
        candidate = t
        j = i
        # a title may run over two or three short lines, or carry its period on the next line
        for k in range(i, min(limit, i + 3)):
            if k > i:
                nxt = paras[k][2]
                if len(nxt) > 60 or "。" in nxt or FURNITURE.match(nxt) or ADDRESSEE.match(nxt) \
                        or DOC_NUMBER.fullmatch(nxt) or _is_org(nxt):
                    break
                if DRAFT.fullmatch(nxt.strip("（）() ")):
                    break
                candidate += nxt
                j = k
            if TITLE_END.search(candidate):
                # a bracketed period on the following line belongs to the title
                if j + 1 < limit and PERIOD.fullmatch(paras[j + 1][2]):
                    j += 1
                return i, j
    return None


def _genre(title: str, text: str) -> str:
    t = re.sub(r"[（(][^）)]*[）)]$", "", title)
    if re.search(r"(?:代表)?建议的?(?:答复|复函)|代表建议|人大.*建议.*答复", t):
        return "reply_to_deputy_suggestion"
    if re.search(r"提案的?(?:答复|复函)|政协.*提案", t):
        return "reply_to_cppcc_proposal"
    if re.search(r"(?:行动方案|实施方案|工作方案|行动计划|三年计划|规划)(?:[（(].*)?$", title):
        return "action_plan"
    if re.search(r"意见(?:[（(].*)?$", title):
        return "opinions"
    if not title and re.search(r"记者|讯[（(]|日电|新闻|通讯员", text[:400]):
        return "news"
    return "other"


def _signature(md: Metadata, paras: list[tuple[int, int, str]]) -> None:
    """Signature block at the end (org line, date line, 印发 line): date, issuer, footer start."""
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
            if i > 0 and _is_org(paras[i - 1][2]):
                md.issuer = paras[i - 1][2]
            break
    if md.date is None and issued:
        md.date, md.date_source = issued, "issued"
    # the footer starts at the first closing line: signature, date, contacts, 抄送, 印发
    for i in tail:
        t = paras[i][2]
        if (FURNITURE.match(t) or ISSUED_LINE.search(t) or DATE.fullmatch(t) or ISO_DATE.fullmatch(t)
                      or (_is_org(t) and i + 1 < n and DATE.fullmatch(paras[i + 1][2]))):
            if paras[i][0] >= md.header_end:
                md.footer_start = paras[i][0]
                break


def _issuer(md: Metadata, paras: list[tuple[int, int, str]]) -> None:
    if md.issuer:
        return
    # masthead: an organisation line at the top (…委员会, …人民政府, …文件)
    for _, _, t in paras[:8]:
        s = re.sub(r"文件$", "", t)
        if _is_org(s):
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
        if m := re.match(r"^([\u4e00-\u9fff]{2,7}?(?:区|县))", s):
            md.region, md.level = m.group(1), "district"
            return
        if m := re.match(r"^([\u4e00-\u9fff]{2,7}?(?:镇|街道))", s):
            md.region, md.level = m.group(1), "town"
            return
