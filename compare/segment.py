"""Segmenting a document's body into measures, each with a section path and a kind.

The heading hierarchy of official documents (一、 / （一） / 1、 / （1） / 一是 / bold lead
phrases / Markdown headings) is tracked as a stack of numbering styles: a style seen
before closes everything below it, a new style opens a level. A measure is one sentence
(。！？；) of a numbered task or an item, the smallest unit carrying one action.

kind: progress (reported done or under way), commitment (promised), target (a promise
with a deadline and/or quantity), other (background, problems, courtesy).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .clean import Cleaned
from .metadata import CN_DATE, DATE, DOC_NUMBER, ISO_DATE, NAV_LINE, TRANSMITS, Metadata, is_org, signed_line
from .targets import Deadline, Quantity, find_deadlines, find_quantities, has_target_quantity
from .terms import Term, extract_terms

CN = "一二三四五六七八九十"
HEADING_STYLES = [
    ("cn、", re.compile(rf"^[{CN}]+、")),
    ("(cn)", re.compile(rf"^[（(][{CN}]+[）)]")),
    ("num、", re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    ("(num)", re.compile(r"^[（(]\d{1,2}[）)]")),
    ("第cn", re.compile(rf"^第[{CN}]+(?:章|节|部分|条)")),
]
ITEM = re.compile(rf"^(?:[{CN}]+是|第[{CN}]+[，,、]|其[{CN}]+[，,、])")
SENTENCE_END = set("。！？；!?;")
OPEN, CLOSE = "（(《“「【", "）)》”」】"

# Section headings that set the tense of what they contain.
PROGRESS_SECTION = re.compile(r"主要做法|工作进展|进展情况|工作情况|主要成效|取得成效|工作成效|基本情况|办理情况|工作开展|已开展"
                              r"|主要工作|成效|做法|进展|落实情况|完成情况|工作回顾")
FUTURE_SECTION = re.compile(r"下一步|下步|打算|工作计划|今后|重点任务|主要任务|保障措施|工作举措|发展重点|工作安排|工作措施"
                            r"|推进措施|主要举措|实施路径|空间布局|重点工作|任务")
TARGET_SECTION = re.compile(r"主要目标|发展目标|工作目标|总体目标|预期目标|目标任务")
OTHER_SECTION = re.compile(r"问题分析|存在问题|问题和不足|存在的问题|不足|困难|挑战|指导思想|基本原则|发展现状|现状|背景|形势")

COURTESY = re.compile(r"收悉|答复如下|具体如下|如下[：:]|感谢(?:您|你们|各位)|特此(?:答复|函复)|特制定本|现将.*(?:答复|报告)"
                      r"|以上答复|请予审议|如有不当|(?:制定|提出)(?:本|如下)(?:方案|意见|计划|措施|办法)|印发给你们"
                      r"|请(?:认真)?(?:贯彻|按照|遵照)?(?:落实|执行)。?$")
# clauses about the document itself, not measures: 本意见自2025年1月1日起施行，有效期至…
VALIDITY = re.compile(r"^本(?:意见|方案|办法|措施|细则|规定|通知|计划|政策)[^。]{0,30}(?:起施行|起实施|有效期|解释)"
                      r"|^(?:本|上述)[^。]{0,12}由[^。]{0,30}负责解释")
# a heading standing alone without numbering: 主要做法 / 下一步工作 / 工作进展情况：
BARE_HEADING_MAX = 12
FUTURE_LEAD = re.compile(r"^(?:下一步|下步|未来|今后|接下来|明年|下阶段)")
_ADVERB = r"(?:进一步|继续|积极|全面|加快|持续|着力|大力|重点|努力|不断|切实|充分|深入|主动|认真|坚持|协同)?"
_VERB = (r"(?:支持|推动|推进|加快|加强|开展|建设|完善|出台|制定|发布|落实|实施|组织|举办|打造|继续|与|会同|联合|围绕|聚焦|结合"
         r"|按照|做好|强化|优化|探索|研究|鼓励|引导|协同|抓好|配合|牵头|把|以|在|对|吸纳|提升|发挥|加大|深化|培育|引进"
         r"|设立|建立|形成|实现|争取|构建|搭建|启动|谋划|编制|修订|跟踪|指导|督促|用好|扩大|拓展|办好|新增|建成|完成)")
FUTURE_CUE = re.compile(rf"(?:将|拟|计划|准备|争取|力争|要|预计)(?:(?:在|于)[^，。]{{1,12}})?{_ADVERB}{_VERB}")
PROGRESS_CUE = re.compile(r"已经?|目前已|正在|截至|截止(?:到)?\d|完成了|取得了|共计|累计(?:已|完成|成立|培育|支持)|同比|较上年|较\d{4}年")


@dataclass
class Measure:
    ordinal: int
    start: int  # cleaned offsets
    end: int
    text: str
    section: list[str]
    kind: str
    item: str | None = None
    deadlines: list[Deadline] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)  # why the kind is what it is

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)


def text_hash(text: str) -> str:
    """Hash of a text with whitespace removed: the key of its embedding and of its identity."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


def analysis_text(text: str) -> str:
    """The measure's text without numbering (一是, 18、, （三）), for comparing measures."""
    t = text.strip()
    for _ in range(2):
        t = re.sub(rf"^(?:[{CN}]+是|[{CN}]+、|[（(][{CN}\d]+[）)]|\d{{1,2}}(?:[、．]|\.(?!\d))|第[{CN}]+[，,、])", "", t)
    return t.strip()


def _style(text: str) -> tuple[str, re.Match] | None:
    for name, pat in HEADING_STYLES:
        m = pat.match(text)
        if m:
            return name, m
    return None


def split_sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (offset by base), split at 。！？； outside brackets and quotes."""
    spans, start, depth = [], 0, 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif ch in SENTENCE_END and depth == 0:
            j = i + 1
            while j < n and (text[j] in SENTENCE_END or text[j] in "”’」』"):
                j += 1
            if text[start:j].strip():
                spans.append((base + start, base + j))
            start = j
            i = j
            continue
        i += 1
    if text[start:].strip():
        spans.append((base + start, base + n))
    # trim whitespace
    out = []
    for a, b in spans:
        seg = text[a - base:b - base]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if b - trail > a + lead:
            out.append((a + lead, b - trail))
    return out


# Clause-level units: a clause led by a verb starts a new action; a modifier clause
# (依托…, 以…为牵引, 通过…举措, 到2026年) belongs to the action after it; anything else
# (a subject-led result, a purpose) belongs to the action before it.
_ADVERBS = (r"(?:积极|加快|加大|持续|进一步|大力|全面|着力|深入|重点|优先|充分|协同|有序|逐步|不断|共同|继续|切实|努力|主动"
            r"|常态化?|高标准|高质量|尽快|同步|率先|首次|同时|并|还|已经?|目前已|先后|均|也|更好|更加|定期|分别|正在|全力|"
            r"稳步|扎实|全力|久久为功|积极稳妥|务实|精准|系统|着重|尽早|及早|加紧|抓紧|要|将|拟)*")
_ACTION_VERBS = (r"(?:推动|推进|加快|加强|开展|建设|完善|出台|制定|发布|落实|实施|组织|举办|打造|发挥|提升|提高|促进|支持|鼓励"
                 r"|引导|建立|构建|搭建|培育|引进|引入|设立|成立|组建|形成|实现|优化|强化|深化|拓展|扩大|探索|研究|启动|布局"
                 r"|谋划|编制|修订|跟踪|开发|印发|推出|遴选|承接|争取|吸引|集聚|保障|简化|取消|降低|做好|做实|做大|做强|做优"
                 r"|做精|用好|抓好|健全|规范|筹建|开工|投产|加速|助推|推荐|完成|突破|带动|畅通|打通|创新|坚持|统筹|明确|提供"
                 r"|帮助|协助|召开|汇集|解决|梳理|营造|对接|共建|推广|开放|增设|申报|参与|发展|壮大|打响|承办|联动|签订|签署"
                 r"|释放|激发|配置|部署|设置|制订|公布|颁布|上线|孵化|建成|新建|引育|引领|服务|贯彻|深入推进|持续推进|拓宽"
                 r"|加速推进|实行|执行|落地|依法|推行|试行|召集|聘请|选派|选树|打击|监测|评估|考核|督查|检查|核查|审查|审批"
                 r"|提前|加紧|指导|辅导|举行|设计|研发|研制|攻关|聚力|发力|扶持|奖励|补贴|资助|给予|安排|投入|保持|巩固"
                 r"|缩短|延伸|覆盖|扩容|升级|改造|整合|盘活|腾挪|推介|宣传|展示|发起|牵头|开设|开通|组织开展|持续开展)")
_VERB_LED = re.compile(rf"^(?:\d{{4}}年(?:\d{{1,2}}月)?(?:以来|底|初|内|起)?|今年|去年|近年来|目前|同时|此外|另外)?"
                       rf"{_ADVERBS}{_ACTION_VERBS}|^在|^对"
                       rf"|^(?:拟|计划|预计|将|力争|争取)于[^，。]{{1,15}}?{_ACTION_VERBS}")  # 拟于2025年下半年出台
_MODIFIER_LED = re.compile(r"^(?:依托|围绕|聚焦|面向|结合|借鉴|按照|根据|针对|立足|对标|通过|基于|随着|为进一步|为更好|为加快"
                           r"|为推动|为了|紧紧抓住|紧盯|紧扣|坚持以|以[^，]{1,24}为(?:牵引|抓手|重点|核心|引领|导向|目标|主线|契机|依托|支撑|载体|基础|龙头))"
                           r"|^(?:到|至|截至|力争到)?\d{4}年(?:\d{1,2}月)?(?:底|末|前)?$|^(?:下一步|未来|今后|同时|此外|目前|近年来)$")
MIN_UNIT = 10  # characters: shorter pieces are not actions of their own


def split_clauses(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Action units of one sentence (offsets by base); see the comment above."""
    cuts, depth = [0], 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif ch in "，," and depth == 0:
            cuts.append(i + 1)
    cuts.append(len(text))
    clauses = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1) if text[cuts[i]:cuts[i + 1]].strip()]
    if len(clauses) <= 1:
        return [(base, base + len(text))]
    units: list[list[int]] = []
    pending: int | None = None  # start of modifier clauses waiting for their action
    for a, b in clauses:
        c = text[a:b].strip().rstrip("，,。；;")
        if _MODIFIER_LED.search(c):
            pending = a if pending is None else pending
            continue
        if (_VERB_LED.match(c) or not units) and not _ITEM_TAIL.match(c):
            units.append([pending if pending is not None else a, b])
        else:
            if pending is not None and units:
                units[-1][1] = b
            elif units:
                units[-1][1] = b
            else:
                units.append([pending if pending is not None else a, b])
        pending = None
    if pending is not None:
        if units:
            units[-1][1] = len(text)
        else:
            units.append([pending, len(text)])
    # pieces too short to carry an action join the unit before them (or after, if first)
    merged: list[list[int]] = []
    for u in units:
        size = len(re.sub(r"[，,。；;\s]", "", text[u[0]:u[1]]))
        if merged and size < MIN_UNIT:
            merged[-1][1] = u[1]
        elif merged and len(re.sub(r"[，,。；;\s]", "", text[merged[-1][0]:merged[-1][1]])) < MIN_UNIT:
            merged[-1][1] = u[1]
        else:
            merged.append(list(u))
    out = []
    for a, b in merged:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip().rstrip("，,"))
        out.append((base + a + lead, base + a + trail))
    return out


_ITEM_TAIL = re.compile(r"^(?:等|及|和|以及|并)")


@dataclass
class _Level:
    style: str
    label: str
    mode: str | None  # progress / future / target / other, from the heading's words


def _heading_mode(label: str) -> str | None:
    if TARGET_SECTION.search(label):
        return "target"
    if OTHER_SECTION.search(label):
        return "other"
    if FUTURE_SECTION.search(label):
        return "future"
    if PROGRESS_SECTION.search(label):
        return "progress"
    return None


def segment(cleaned: Cleaned, md: Metadata, limit: int | None = None) -> list[Measure]:
    """The document's measures in order. With `limit`, stops once there are more than that many
    (the caller refuses such a text: segmenting the rest of it would be wasted)."""
    text = cleaned.text
    body_start = md.header_end
    body_end = md.footer_start if md.footer_start is not None else len(text)
    default_mode = "progress" if md.genre in ("reply_to_deputy_suggestion", "reply_to_cppcc_proposal", "news") \
        else "future"
    doc_year = int(md.date[:4]) if md.date else None
    period = (md.period_start, md.period_end) if md.period_start and md.period_end else None

    stack: list[_Level] = []
    measures: list[Measure] = []
    item_label: str | None = None
    seen_heading = False

    for para in cleaned.paragraphs:
        if limit is not None and len(measures) > limit:
            break
        if para.end <= body_start or para.start >= body_end:
            continue
        a, b = max(para.start, body_start), min(para.end, body_end)
        ptext = text[a:b]
        if not ptext.strip():
            continue
        stripped = ptext.strip()
        st = _style(stripped)
        if st is None and _is_furniture_line(stripped):
            continue  # a signature, a date line or a document number inside the body
        if st is None and not stack and _is_inner_title(stripped, md.title):
            continue  # the title of a transmitted document (关于印发《X》的通知 … X): not a measure
        bare = st is None and _is_bare_heading(stripped)
        pure_heading = (para.heading or st is not None or bare) and "。" not in ptext and len(ptext) <= 60 \
            and not ptext.rstrip().endswith(("，", "；"))
        if pure_heading:
            style = st[0] if st else ("bare" if bare else "md")
            _push(stack, style, stripped)
            item_label = None
            seen_heading = True
            continue
        para_future = False
        sentences = split_sentences(ptext, a)
        for k, (sa, sb) in enumerate(sentences):
            if limit is not None and len(measures) > limit:
                break
            stext = text[sa:sb]
            if k == 0 and st is not None:
                # a numbered task: its lead sentence labels a level of its own
                _push(stack, st[0], stext.strip())
                item_label = None
                seen_heading = True
            elif ITEM.match(stext):
                item_label = stext if len(stext) <= 30 else ITEM.match(stext).group(0)
            elif k == 0 and len(sentences) > 1 and _is_label(stext):
                # 创新药物。 合成生物。: a lead label naming what the paragraph is about
                item_label = stext.rstrip("。：:")
                continue
            bold_label = _bold_lead(cleaned.bold, sa, sb, text)
            section = [lv.label for lv in stack]
            if item_label:
                section.append(item_label)
            if bold_label and bold_label != item_label:
                section.append(bold_label)
            if FUTURE_LEAD.match(stext):
                para_future = True
            tense, cues = _tense(stext, stack, default_mode, para_future, before_headings=not seen_heading,
                                 genre=md.genre)
            sentence_deadlines: list[Deadline] = []
            units = split_clauses(stext, sa)
            for ua, ub in units:
                utext = text[ua:ub]
                utense, ucues = _clause_tense(utext, tense, cues) if len(units) > 1 else (tense, cues)
                m = Measure(ordinal=len(measures), start=ua, end=ub, text=utext, section=section, kind=utense,
                            item=item_label, cues=list(ucues))
                m.deadlines = find_deadlines(utext, period, doc_year) or list(sentence_deadlines)
                if ua == sa and m.deadlines:
                    sentence_deadlines = m.deadlines  # a leading deadline governs the whole sentence
                m.quantities = find_quantities(utext)
                m.terms = extract_terms(utext)
                m.kind, extra = _kind(utense, m.deadlines, m.quantities, m.section)
                m.cues.extend(extra)
                measures.append(m)
    return measures


def _is_bare_heading(s: str) -> bool:
    """主要做法 / 下一步工作 / 工作进展情况： on a line of their own: a section heading without a number."""
    core = s.rstrip("：: ")
    return (2 <= len(core) <= BARE_HEADING_MAX and not re.search(r"[，,。；;、！？!?《》“”\d]", core)
            and _heading_mode(core) is not None and not _VERB_LED.match(core))


def _is_inner_title(s: str, title: str | None) -> bool:
    """The document's own title again, or the title of the document it transmits
    (关于印发《X》的通知 … X), standing alone in the body."""
    if not title or not 4 <= len(s) <= 80 or re.search(r"[，,。；;！？!?]", s):
        return False
    core = re.sub(r"[\s（）()]", "", s)
    names = [title] + [m.group(1) for m in TRANSMITS.finditer(title)]
    return any(core == re.sub(r"[\s（）()]", "", n) for n in names)


def _is_furniture_line(s: str) -> bool:
    """An organisation's name, a date or a document number alone on a line (a signature block)."""
    return bool(is_org(s) or NAV_LINE.match(s) or DATE.fullmatch(s) or ISO_DATE.fullmatch(s) or DOC_NUMBER.fullmatch(s)
                or CN_DATE.fullmatch(s) or signed_line(s))


def _is_label(s: str) -> bool:
    core = s.rstrip("。：:").strip()
    return len(core) <= 12 and not _VERB_LED.match(core) and not re.search(r"[，、；]", core)


def _push(stack: list[_Level], style: str, label: str) -> None:
    for i, lv in enumerate(stack):
        if lv.style == style:
            del stack[i:]
            break
    stack.append(_Level(style, label, _heading_mode(label)))


def _bold_lead(bold: list[tuple[int, int]], sa: int, sb: int, text: str) -> str | None:
    for a, b in bold:
        if sa <= a < sb and a - sa <= 1:
            return text[a:b].strip("。，： ")
    return None


def _tense(s: str, stack: list[_Level], default_mode: str, para_future: bool, before_headings: bool,
           genre: str) -> tuple[str, list[str]]:
    """progress, future (commitment or target, decided per unit), or other; with the cues used."""
    cues: list[str] = []
    mode = None
    for lv in reversed(stack):
        if lv.mode:
            mode = lv.mode
            cues.append(f"section:{lv.mode}")
            break
    if COURTESY.search(s):
        return "other", ["courtesy"]
    if VALIDITY.search(s):
        return "other", ["validity"]
    if mode is None:
        if before_headings and genre.startswith("reply"):
            # the opening paragraphs of a reply: background, unless they report figures
            mode = "progress" if PROGRESS_CUE.search(s) else "other"
            cues.append("opening")
        else:
            mode = default_mode
            cues.append(f"genre:{default_mode}")
    if mode == "other":
        return "other", cues
    future = mode in ("future", "target")
    if PROGRESS_CUE.search(s) and not FUTURE_CUE.search(s) and not FUTURE_LEAD.match(s):
        # 目前已完成选址: reported as done, wherever it stands
        if future or para_future:
            cues.append("cue:已")
        return "progress", cues
    if para_future or FUTURE_LEAD.match(s):
        future = True
        cues.append("cue:下一步")
    elif not future and FUTURE_CUE.search(s):
        future = True
        cues.append("cue:将")
    if not future:
        return "progress", cues
    return ("target" if mode == "target" else "commitment"), cues


def _clause_tense(u: str, tense: str, cues: list[str]) -> tuple[str, list[str]]:
    """A clause with a cue of its own keeps it against its sentence's tense: 正在研究制定《办法》，
    拟于2025年下半年出台 reports work under way, then promises."""
    if tense == "other":
        return tense, cues
    future = bool(FUTURE_CUE.search(u) or FUTURE_LEAD.match(u))
    progress = bool(PROGRESS_CUE.search(u))
    if future and not progress and tense == "progress":
        return "commitment", cues + ["clause:将"]
    if progress and not future and tense in ("commitment", "target"):
        return "progress", cues + ["clause:已"]
    return tense, cues


def _kind(tense: str, deadlines: list[Deadline], quantities: list[Quantity], section: list[str]) -> tuple[str, list[str]]:
    """A promise becomes a target when it carries a deadline or an aimed-at quantity."""
    if tense not in ("commitment", "target"):
        return tense, []
    explicit = [d for d in deadlines if not d.relative or d.raw.startswith(("未来", "今后", "近"))]
    if explicit:
        return "target", ["deadline"]
    if has_target_quantity(quantities):
        return "target", ["quantity"]
    if tense == "target" and quantities:
        return "target", ["goal-section"]
    return "commitment", []
