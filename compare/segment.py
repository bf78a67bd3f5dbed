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
from .targets import Deadline, Quantity, aimed, find_deadlines, find_quantities, has_target_quantity
from .terms import Term, extract_terms
from .vocabulary import VOCAB

CN = VOCAB.numerals.ordinal  # 一二三四五六七八九十
_CUES = VOCAB["cues"]
_CLAUSES = VOCAB["clauses"]
HEADING_STYLES = [
    ("cn、", re.compile(rf"^[{CN}]+、")),
    ("(cn)", re.compile(rf"^[（(][{CN}]+[）)]")),
    ("num、", re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    ("(num)", re.compile(r"^[（(]\d{1,2}[）)]")),
    ("第cn", re.compile(rf"^第[{CN}]+(?:{VOCAB['numerals']['divisions'].pattern()})")),
]
ITEM = re.compile(rf"^(?:[{CN}]+是|第[{CN}]+[，,、]|其[{CN}]+[，,、])")
# re compiles it
_NUMBERING = (rf"^(?:[{CN}]+是|[{CN}]+、|[（(][{CN}\d]+[）)]|\d{{1,2}}(?:[、．]|\.(?!\d))|第[{CN}]+[，,、]"
              rf"|第[{CN}]+(?:{VOCAB['numerals']['divisions'].pattern()})\s*)")
SENTENCE_END = set("。！？；!?;")
OPEN, CLOSE = "（(《“「【", "）)》”」】"

# Section headings that set the tense of what they contain.
PROGRESS_SECTION = re.compile(_CUES["progress sections"].pattern())
FUTURE_SECTION = re.compile(_CUES["future sections"].pattern())
TARGET_SECTION = re.compile(_CUES["target sections"].pattern())
OTHER_SECTION = re.compile(_CUES["other sections"].pattern())

_NOUNS = VOCAB["documents"]["nouns"]
COURTESY = re.compile(_CUES["courtesy"].pattern()
                      + rf"|(?:制定|提出)(?:本|如下)(?:{_NOUNS.pattern('preamble')})")  # 特制定本方案, 提出如下意见
# clauses about the document itself, not measures: 本意见自2025年1月1日起施行，有效期至…
VALIDITY = re.compile(rf"^本(?:{_NOUNS.pattern('self')})[^。]{{0,30}}(?:{_CUES['validity'].pattern()})"
                      r"|^(?:本|上述)[^。]{0,12}由[^。]{0,30}负责解释")
# a heading standing alone without numbering: 主要做法 / 下一步工作 / 工作进展情况：
BARE_HEADING_MAX = 12
_LIST_MARKS = ("—", "-", "•", "·", "●")  # ——培育…: a list item under 到2026年：
FUTURE_LEAD = re.compile(rf"^(?:{_CUES['future leads'].pattern()})")
_MARKERS = _CUES["future markers"]
_ADVERB = rf"(?:{_CLAUSES['adverbs'].pattern('promised')})?"
_VERB = rf"(?:{VOCAB['verbs']['verbs'].pattern('promised')})"
FUTURE_CUE = re.compile(rf"(?:{_MARKERS.pattern('cue')})(?:(?:在|于)[^，。]{{1,12}})?{_ADVERB}{_VERB}")
PROGRESS_CUE = re.compile(_CUES["progress cues"].pattern())
DONE_CUE = re.compile(_CUES["progress cues"].pattern("done"))  # 已: done, even beside a deadline
PROBLEM_SECTION = re.compile(_CUES["problem sections"].pattern())
RESTATED = re.compile(_CUES["restated"].pattern())  # 您在提案中提出：一是…: the proposal, restated
RULE_PARTS = {w: "problem" if "conditions" in f else "other" for w, f in
              ((e.word, e.fields) for e in _CUES["rule parts"].entries)}  # 总则, 认定条件: the whole heading
ISSUED = re.compile(_CUES["issued"].pattern())  # 现将《X》印发给你们: the issue is reported
FRAGMENT = re.compile(_CUES["fragments"].pattern())  # 各位代表：, （此件公开发布）, 2021年
_FURNITURE = VOCAB["furniture"]
# a header or footer line, or a web page's labelled line (联系电话：…, 来源：… 发布时间：…)
_FURNITURE_LINE = re.compile(rf"^(?:{_FURNITURE['closing lines'].pattern()})"
                             rf"|^(?:{_FURNITURE['labels'].pattern('furniture')})[：:]")
# a year opening a sentence (2024年，…; 2016-2023年，…) that is not a deadline (2026年底前)
_OPENING_YEAR = re.compile(r"^(?:\d{4}\s*[-—–~至]\s*)?(\d{4})\s*年"
                           r"(?!\s*(?:\d{1,2}\s*月)?\s*(?:底|末)?\s*(?:前|以前|之前|起))")


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
        t = re.sub(_NUMBERING, "", t)
    return t.strip()


def _style(text: str) -> tuple[str, re.Match] | None:
    for name, pat in HEADING_STYLES:
        m = pat.match(text)
        if m:
            # 第一章 and 第一条 are two levels: a chapter holds articles
            return (name + re.sub(rf"^第[{CN}]+", "", m.group(0)) if name == "第cn" else name), m
    return None


def split_sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (offset by base), split at 。！？； outside brackets and quotes, and at a colon
    before a list's first item (以下工作：一是…)."""
    spans, start, depth = [], 0, 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif (ch in SENTENCE_END or (ch in "：:" and ITEM.match(text[i + 1:i + 4]))) and depth == 0:
            # …做好以下工作：一是… : the list's lead ends where its first item begins
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
_ADVERBS = rf"(?:{_CLAUSES['adverbs'].pattern('action')})*"
_ACTION_VERBS = rf"(?:{VOCAB['verbs']['verbs'].pattern('action')})"
_CONNECTIVES = _CLAUSES["connectives"]
_ON_ITS_OWN = "|".join("^" + re.escape(w) for w in _CONNECTIVES.tagged("action"))  # ^在|^对
_VERB_LED = re.compile(rf"^(?:\d{{4}}年(?:\d{{1,2}}月)?(?:以来|底|初|内|起)?|{_CONNECTIVES.pattern('lead')})?"
                       rf"{_ADVERBS}{_ACTION_VERBS}|{_ON_ITS_OWN}|^(?:{_CUES['issued'].pattern()})"
                       rf"|^(?:{_MARKERS.pattern('dated')})于[^，。]{{1,15}}?{_ACTION_VERBS}")  # 拟于2025年下半年出台
_MODIFIER_LED = re.compile(rf"^(?:{_CLAUSES['modifiers'].pattern()}|{_CLAUSES['modifier clauses'].pattern()}"
                           rf"|以[^，]{{1,24}}为(?:{_CLAUSES['frames'].pattern()}))"
                           rf"|^(?:{VOCAB['targets']['dates'].pattern()})?\d{{4}}年(?:\d{{1,2}}月)?(?:底|末|前)?$"
                           rf"|^(?:{_CONNECTIVES.pattern('alone')})$")
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


_ITEM_TAIL = re.compile(rf"^(?:{_CLAUSES['item tails'].pattern()})")


@dataclass
class _Level:
    style: str
    label: str
    mode: str | None  # progress / future / target / other, from the heading's words


def _heading_mode(label: str) -> str | None:
    if TARGET_SECTION.search(label):
        return "target"
    part = RULE_PARTS.get(re.sub(r"\s+", "", analysis_text(label)).rstrip("。：:"))
    if part:
        return part
    if OTHER_SECTION.search(label):
        return "problem" if PROBLEM_SECTION.search(label) else "other"
    if FUTURE_SECTION.search(label):
        return "future"
    if PROGRESS_SECTION.search(label):
        return "progress"
    return None


def segment(cleaned: Cleaned, md: Metadata, limit: int | None = None) -> list[Measure]:
    """The document's measures in order. With `limit`, stops once there are more than that many
    (the caller refuses such a text: segmenting the rest of it would be wasted)."""
    return _Segmenter(cleaned, md, limit).run()


_REPORTING_GENRES = ("reply_to_deputy_suggestion", "reply_to_cppcc_proposal", "news")  # report, else promise
SUMMARY_TITLE = re.compile(rf"(?:{_NOUNS.pattern('summary')})$")  # …2025年工作总结: it reports
YEARLY_TITLE = re.compile(rf"(?:{_NOUNS.pattern('yearly')})$")  # 政府工作报告, 工作总结: one a year


class _Segmenter:
    """One walk through a document's body: the heading stack, the current item, the measures."""

    def __init__(self, cleaned: Cleaned, md: Metadata, limit: int | None) -> None:
        self.cleaned, self.text, self.md, self.limit = cleaned, cleaned.text, md, limit
        self.body_start = md.header_end
        self.body_end = md.footer_start if md.footer_start is not None else len(self.text)
        reports = md.genre in _REPORTING_GENRES or bool(md.title and SUMMARY_TITLE.search(md.title))
        self.default_mode = "progress" if reports else "future"
        self.doc_year = int(md.date[:4]) if md.date else None
        self.period = (md.period_start, md.period_end) if md.period_start and md.period_end else None
        self.ref_year = self.doc_year or md.period_start  # a year before it is reported, not promised
        # the document's (year, month): a deadline before it is past (2024年3月底前完成了…, in June 2024)
        self.dated = (self.doc_year, int(md.date[5:7]) if len(md.date) >= 7 else 1) if self.doc_year else None
        self.list_deadlines: list[Deadline] = []  # 到2026年： governs the list below it
        self.para_deadlines: list[Deadline] = []  # the leading deadline of the paragraph so far
        self.stack: list[_Level] = []
        self.measures: list[Measure] = []
        self.item_label: str | None = None
        self.seen_heading = False
        self.restated = False  # the paragraph restates the proposal (您在提案中提出：一是…)

    def full(self) -> bool:
        return self.limit is not None and len(self.measures) > self.limit

    def run(self) -> list[Measure]:
        for para in self.cleaned.paragraphs:
            if self.full():
                break
            if para.end <= self.body_start or para.start >= self.body_end:
                continue
            self.paragraph(max(para.start, self.body_start), min(para.end, self.body_end), para.heading)
        return self.measures

    def heading(self, style: str, label: str) -> None:
        _push(self.stack, style, label)
        self.item_label = None
        self.seen_heading = True
        self.list_deadlines = []

    def paragraph(self, a: int, b: int, layout_heading: bool) -> None:
        """A heading opens a level; any other paragraph is read sentence by sentence."""
        ptext = self.text[a:b]
        if not ptext.strip():
            return
        stripped = ptext.strip()
        st = _style(stripped)
        if st is None and _is_furniture_line(stripped):
            return  # a signature, a date line or a document number inside the body
        if st is None and not _is_bare_heading(stripped) and _is_fragment(stripped, not self.seen_heading):
            # 各位代表： / （此件公开发布） / 2021年: not a measure; 到2026年： dates the list below it
            self.list_deadlines = find_deadlines(stripped, self.period, self.doc_year)
            return
        if not stripped.startswith(_LIST_MARKS):
            self.list_deadlines = []
        if st is None and not self.stack and _is_inner_title(stripped, self.md.title):
            return  # the title of a transmitted document (关于印发《X》的通知 … X): not a measure
        bare = st is None and _is_bare_heading(stripped)
        if (layout_heading or st is not None or bare) and "。" not in ptext and len(ptext) <= 60 \
                and not ptext.rstrip().endswith(("，", "；")):
            self.heading(st[0] if st else ("bare" if bare else "md"), stripped)
            return
        para_future = False
        self.para_deadlines = []
        self.restated = not self.seen_heading and self.md.genre.startswith("reply") and bool(RESTATED.match(stripped))
        sentences = split_sentences(ptext, a)
        for k, (sa, sb) in enumerate(sentences):
            if self.full():
                break
            para_future = self.sentence(sa, sb, st[0] if k == 0 and st is not None else None,
                                        k == 0 and len(sentences) > 1, para_future)

    def sentence(self, sa: int, sb: int, lead_style: str | None, may_label: bool, para_future: bool) -> bool:
        """The measures of one sentence; returns whether the paragraph speaks of the future from here.

        lead_style: the numbering style of a numbered task's paragraph, for its lead sentence;
        may_label: the sentence leads a paragraph of several and may be a label (创新药物。)."""
        stext = self.text[sa:sb]
        if lead_style is None and not ITEM.match(stext) and FRAGMENT.search(stext.strip()):
            # 2021年。 standing as a sentence of its own: no measure (到2026年： dates the list below it)
            # 到2027年，…。具体目标如下： the list below keeps the paragraph's deadline
            self.list_deadlines = find_deadlines(stext, self.period, self.doc_year) or \
                (self.para_deadlines if stext.rstrip().endswith(("：", ":")) else [])
            return para_future or bool(FUTURE_LEAD.match(stext))  # 下一步，重点做好以下工作：一是…
        if lead_style is not None:
            # a numbered task: its lead sentence labels a level of its own
            self.heading(lead_style, stext.strip())
            if _is_heading_alone(stext):
                return para_future  # （一）主要目标。 / （二）布局方向。: a label, not a measure
        elif ITEM.match(stext):
            self.item_label = stext if len(stext) <= 30 else ITEM.match(stext).group(0)
        elif may_label and _is_label(stext):
            # 创新药物。 合成生物。: a lead label naming what the paragraph is about
            self.item_label = stext.rstrip("。：:")
            return para_future
        section = self.section(sa, sb)
        if FUTURE_LEAD.match(stext):
            para_future = True
        tense, cues = _tense(stext, self.stack, self.default_mode, para_future, before_headings=not self.seen_heading,
                             genre=self.md.genre, ref_year=self.ref_year)
        if self.restated:
            tense, cues = "other", ["restated"]
        self.add_units(sa, sb, section, tense, cues)
        return para_future

    def section(self, sa: int, sb: int) -> list[str]:
        """The section path of a sentence: the heading stack, its item, its bold lead phrase."""
        bold_label = _bold_lead(self.cleaned.bold, sa, sb, self.text)
        section = [lv.label for lv in self.stack]
        if self.item_label:
            section.append(self.item_label)
        if bold_label and bold_label != self.item_label:
            section.append(bold_label)
        return section

    def add_units(self, sa: int, sb: int, section: list[str], tense: str, cues: list[str]) -> None:
        """One measure per action unit of the sentence, with its deadlines, quantities, terms and kind."""
        sentence_deadlines: list[Deadline] = []
        units = split_clauses(self.text[sa:sb], sa)
        for ua, ub in units:
            utext = self.text[ua:ub]
            utense, ucues = _clause_tense(utext, tense, cues, self.ref_year) if len(units) > 1 else (tense, cues)
            if ISSUED.search(utext):
                utense, ucues = "progress", ucues + ["issued"]
            m = Measure(ordinal=len(self.measures), start=ua, end=ub, text=utext, section=section, kind=utense,
                        item=self.item_label, cues=list(ucues))
            m.deadlines = (find_deadlines(utext, self.period, self.doc_year) or list(sentence_deadlines)
                           or list(self.list_deadlines))
            if ua == sa and m.deadlines:
                sentence_deadlines = m.deadlines  # a leading deadline governs the whole sentence
                self.para_deadlines = m.deadlines
            m.quantities = find_quantities(utext) if utense == "progress" else aimed(find_quantities(utext), utext)
            m.terms = extract_terms(utext)
            m.kind, extra = _kind(utense, m.deadlines, m.quantities, m.section, utext, self.dated)
            m.cues.extend(extra)
            self.measures.append(m)


def _is_bare_heading(s: str) -> bool:
    """主要做法 / 下一步工作 / 工作进展情况： on a line of their own: a section heading without a number."""
    core = s.rstrip("：: ")
    return (2 <= len(core) <= BARE_HEADING_MAX and not re.search(r"[，,。；;、！？!?《》“”\d]", core)
            and _heading_mode(core) is not None and not _VERB_LED.match(core))


def _is_fragment(s: str, before_headings: bool) -> bool:
    """A paragraph that is no measure: a note in brackets, a label before a colon, a bare date, a
    page's labelled line (联系电话：…, 来源：…), or, above the first heading, a title standing
    alone (…实施方案). An item (一是…：) is none of these."""
    core = s.lstrip("> ")
    if ITEM.match(core):
        return False
    return bool(FRAGMENT.search(core) or _FURNITURE_LINE.match(core) or (before_headings and _is_title_line(core)))


def _is_title_line(s: str) -> bool:
    """徐汇区关于…的若干措施（征求意见稿）: a document's name alone on a line, not an action."""
    core = re.sub(r"[（(][^（）()]*[）)]$", "", s.strip())
    return (len(core) <= 60 and not re.search(r"[，,。；;！？!?《》“”：:]", core)
            and bool(re.search(rf"(?:{_NOUNS.pattern('title')})$", core)) and not _VERB_LED.match(core))


def _is_heading_alone(s: str) -> bool:
    """（一）主要目标。 / （二）布局方向。: a numbered lead sentence naming a section, not an action."""
    core = analysis_text(s).rstrip("。：:；; ")
    if not core or re.search(r"[，,、；;]", core):
        return False
    return not _VERB_LED.match(core) and (len(core) <= 4 or (len(core) <= BARE_HEADING_MAX
                                                             and _heading_mode(core) is not None))


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
    # a figure is stated, not a topic named: 全年新建平台5家。
    return len(core) <= 12 and not _VERB_LED.match(core) and not re.search(r"[，、；\d]", core)


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
           genre: str, ref_year: int | None = None) -> tuple[str, list[str]]:
    """progress, future (commitment or target, decided per unit), or other; with the cues used."""
    cues: list[str] = []
    mode = None
    for lv in reversed(stack):
        if lv.mode:
            mode = lv.mode
            cues.append(f"section:{lv.mode}")
            break
    if COURTESY.search(s) and not ISSUED.search(s):  # 现将《X》印发给你们 is read clause by clause
        return "other", ["courtesy"]
    if VALIDITY.search(analysis_text(s)):
        return "other", ["validity"]
    promised = bool(FUTURE_CUE.search(s) or FUTURE_LEAD.match(s))
    reported = _reported(s, ref_year)
    if mode is None:
        if before_headings and genre.startswith("reply"):
            # the opening paragraphs of a reply: background, unless they report work or figures, list
            # it (一是…二是…), or promise (下一步，…：一是…): a reply without headings says it all there
            if promised or para_future:
                mode = "future"
            else:
                mode = "progress" if reported or _figure(s) or ITEM.match(s.strip()) else "other"
            cues.append("opening")
        else:
            mode = default_mode
            cues.append(f"genre:{default_mode}")
    if mode in ("other", "problem"):
        # background stating a figure (2024年产业规模达到4100亿元) reports it; a problem does not
        if mode == "other" and not promised and (reported or _figure(s)):
            return "progress", cues + [reported or "figure"]
        return "other", cues
    future = mode in ("future", "target")
    if reported and not promised:
        # 目前已完成选址: reported as done, wherever it stands
        if future or para_future:
            cues.append(reported)
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


def _reported(s: str, ref_year: int | None) -> str | None:
    """Why a text reports work done: a progress cue (已, 截至, 以来), or a year before the
    document's own opening it (2024年，全市新增…, in a document of 2025)."""
    if PROGRESS_CUE.search(s):
        return "cue:已"
    m = _OPENING_YEAR.match(s.strip())
    if m and ref_year and int(m.group(1)) < ref_year:
        return "cue:past-year"
    return None


def _figure(s: str) -> bool:
    """A figure stated as it stands (全区共有养老机构50家), not aimed at: a quantity, no deadline."""
    return bool(find_quantities(s)) and not find_deadlines(s)


def _clause_tense(u: str, tense: str, cues: list[str], ref_year: int | None = None) -> tuple[str, list[str]]:
    """A clause with a cue of its own keeps it against its sentence's tense: 正在研究制定《办法》，
    拟于2025年下半年出台 reports work under way, then promises."""
    if tense == "other":
        return tense, cues
    future = bool(FUTURE_CUE.search(u) or FUTURE_LEAD.match(u))
    progress = bool(_reported(u, ref_year))
    if future and not progress and tense == "progress":
        return "commitment", cues + ["clause:将"]
    if progress and not future and tense in ("commitment", "target"):
        return "progress", cues + ["clause:已"]
    return tense, cues


_RELATIVE_YEARS = VOCAB["targets"]["relative years"].words  # 未来三年: explicit, unlike 今年


def _kind(tense: str, deadlines: list[Deadline], quantities: list[Quantity],
          section: list[str], text: str = "", dated: tuple[int, int] | None = None) -> tuple[str, list[str]]:
    """A promise becomes a target when it carries a deadline or an aimed-at quantity; a report of
    what is set for a date still ahead (方案提出，到2027年，培育…, in a news page) is a target too."""
    if tense == "progress":
        ahead = [d for d in deadlines if not d.relative and (dated is None or (d.year, d.month or 12) >= dated)]
        if ahead and not DONE_CUE.search(text):
            return "target", ["deadline-ahead"]
        return tense, []
    if tense not in ("commitment", "target"):
        return tense, []
    explicit = [d for d in deadlines if not d.relative or d.raw.startswith(_RELATIVE_YEARS)]
    if explicit:
        return "target", ["deadline"]
    if has_target_quantity(quantities):
        return "target", ["quantity"]
    if tense == "target" and quantities:
        return "target", ["goal-section"]
    return "commitment", []
