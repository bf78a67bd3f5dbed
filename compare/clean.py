"""Cleaning extraction artefacts out of a document's text, keeping a map to the original.

PDF and web exports of official documents carry page marks (— 2 —), a vertical
masthead split into two-character lines, running heads, stray URLs, Markdown markup,
lines broken mid-sentence and spaces around numbers. The cleaned text holds one
paragraph per line; every character of it maps back to an offset of the original.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from .vocabulary import VOCAB

# Full-width ASCII letters and digits become ASCII (a 1:1 map, offsets unchanged);
# odd spaces become plain spaces. Chinese punctuation is kept as it is.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})
_FULLWIDTH.update({cp: 0x20 for cp in (0x00A0, 0x2002, 0x2003, 0x2009, 0x200A, 0x202F, 0x205F,
                                       0x3000, 0x0009, 0x000B, 0x000C)})
_ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"

_CN = VOCAB.numerals.ordinal  # 一二三四五六七八九十
# the characters of the divisions (第一章, 第三部分), read as a set here: 第一部 opens a heading too
_DIVISION_CHARS = "".join(dict.fromkeys("".join(VOCAB.numerals.divisions)))

PAGE_MARK = re.compile(r"^\s*(?:[-—–－―─]+\s*\d{1,4}\s*[-—–－―─]+|第\s*\d+\s*页(?:\s*[/共]\s*\d+\s*页?)?"
                       r"|\d{1,4}\s*/\s*\d{1,4}|[-—–－―─]\s*\d{1,4}|[·•・∙]\s*\d{1,4}\s*[·•・∙]"
                       r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$")
MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
URL = re.compile(r"(?:https?://|www\.)[!-~]+")
URL_LINE = re.compile(r"^\s*(?:https?://|www\.)[!-~]+\s*$")
MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
MD_QUOTE = re.compile(r"^\s*(?:>\s*)+(?=\S)")  # a Markdown quote's marks: > 来源：… (the line is kept)
BOLD = re.compile(r"\*\*|__")
TERMINAL = re.compile(r"[。！？；：!?;:…][”’」』）)】》\s]*$")
HEADING_START = re.compile(rf"^\s*(?:[{_CN}]+、|（[{_CN}]+）|\([{_CN}]+\)"
                           rf"|\d{{1,2}}(?:[、．]|\.(?!\d))|（\d{{1,2}}）|第[{_CN}]+[{_DIVISION_CHARS}])")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Paragraph:
    start: int  # in cleaned text
    end: int
    heading: bool = False  # a Markdown heading or a line the layout shows as a heading


@dataclass
class Cleaned:
    """Cleaned text (one paragraph per line) and the way back to the original."""

    text: str
    paragraphs: list[Paragraph]
    bold: list[tuple[int, int]] = field(default_factory=list)  # spans in cleaned text
    _clean_starts: list[int] = field(default_factory=list, repr=False)
    _orig_starts: list[int] = field(default_factory=list, repr=False)
    original_length: int = 0

    def to_original(self, i: int) -> int:
        """Offset in the original text of cleaned offset i (an end offset maps past its char)."""
        if not self._clean_starts:
            return 0
        if i >= len(self.text):
            return self.original_length
        k = bisect.bisect_right(self._clean_starts, i) - 1
        return self._orig_starts[k] + (i - self._clean_starts[k])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1


def display_width(s: str) -> float:
    """Width as typeset: a Chinese character is one em, ASCII half."""
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in s)


@dataclass
class _Line:
    start: int  # offset of the line in the original
    raw: str
    kind: str = "text"  # text, blank, drop
    heading: bool = False


def _split_lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        chunk = m.group(0)
        if not chunk and m.start() >= len(text):
            break
        body = chunk.rstrip("\r\n")
        lines.append(_Line(start=m.start(), raw=body))
        pos = m.end()
        if pos >= len(text):
            break
    return lines


def _mark_artefacts(lines: list[_Line]) -> None:
    for ln in lines:
        s = ln.raw.strip()
        s_nozw = s.strip(_ZERO_WIDTH)
        if not s_nozw:
            ln.kind = "blank"
        elif PAGE_MARK.match(s) or MD_RULE.match(s) or URL_LINE.match(s):
            ln.kind = "drop"
    _mark_masthead(lines)
    _mark_running_heads(lines)


def _mark_masthead(lines: list[_Line]) -> None:
    """A vertical masthead comes out as a run of 1-2 character lines (上海/市宝/山区/...)."""
    run: list[_Line] = []

    def flush():
        if len(run) >= 3:
            for ln in run:
                ln.kind = "drop"
        run.clear()

    for ln in lines:
        if ln.kind == "blank":
            continue
        s = ln.raw.strip()
        if ln.kind == "text" and 1 <= len(s) <= 2 and all(_CJK.match(c) for c in s):
            run.append(ln)
        else:
            flush()
    flush()


def _mark_running_heads(lines: list[_Line]) -> None:
    """Short lines repeated on three or more pages are running heads or footers."""
    texts = [re.sub(r"\s+", "", ln.raw) for ln in lines if ln.kind == "text"]
    counts = Counter(t for t in texts if 2 <= len(t) <= 40 and not TERMINAL.search(t))
    repeated = {t for t, n in counts.items() if n >= 3}
    if not repeated:
        return
    for ln in lines:
        if ln.kind == "text" and re.sub(r"\s+", "", ln.raw) in repeated and not HEADING_START.match(ln.raw):
            ln.kind = "drop"


def _kept_spans(s: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]], bool]:
    """Spans of line s to keep after markup and artefact removal; bold spans; heading flag.

    Whitespace is dropped unless it separates two ASCII characters ("AI 赋能" → "AI赋能",
    "2026 年" → "2026年", but "New York" stays).
    """
    delete = [False] * len(s)
    heading = False
    m = MD_HEADING.match(s)
    if m:
        heading = True
        for i in range(m.end()):
            delete[i] = True
    elif m := MD_QUOTE.match(s):
        for i in range(m.end()):
            delete[i] = True
    for m in URL.finditer(s):
        for i in range(m.start(), m.end()):
            delete[i] = True
    bold_marks = []
    for m in BOLD.finditer(s):
        if not any(delete[m.start():m.end()]):
            bold_marks.append(m.start())
            for i in range(m.start(), m.end()):
                delete[i] = True
    # whitespace runs
    for m in re.finditer(r"\s+", s):
        a, b = m.start(), m.end()
        left = next((s[i] for i in range(a - 1, -1, -1) if not delete[i]), "")
        right = next((s[i] for i in range(b, len(s)) if not delete[i]), "")
        keep_one = bool(left) and bool(right) and ord(left) < 128 and ord(right) < 128
        for i in range(a + (1 if keep_one else 0), b):
            delete[i] = True
    for i, ch in enumerate(s):
        if ch in _ZERO_WIDTH:
            delete[i] = True
    spans, start = [], None
    for i, d in enumerate(delete):
        if not d and start is None:
            start = i
        elif d and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(s)))
    # bold spans in line coordinates, paired ** ... **
    bold = [(bold_marks[i], bold_marks[i + 1]) for i in range(0, len(bold_marks) - 1, 2)]
    return spans, bold, heading


def clean(text: str) -> Cleaned:
    """Clean extracted text into paragraphs; see the module docstring."""
    norm = text.translate(_FULLWIDTH)  # a 1:1 map: offsets are unchanged
    lines = _split_lines(norm)
    _mark_artefacts(lines)
    full = _body_width(lines)
    kept = _kept_lines(lines)
    out = _Builder()
    for k, (ln, spans, bold, md_heading, body) in enumerate(kept):
        width = display_width(ln.raw.strip())
        marker = HEADING_START.match(body) is not None
        heading = md_heading or (marker and width < 0.8 * full and not TERMINAL.search(body))
        if heading:
            out.end_paragraph(ln.start)
        out.add_line(ln, spans, bold, heading, body)
        nxt = kept[k + 1][4] if k + 1 < len(kept) else ""
        if not _continues(body, width, full, heading or marker, nxt):
            out.end_paragraph(ln.start + len(ln.raw))
    out.end_paragraph(len(text))
    return out.cleaned(len(text))


def _body_width(lines: list[_Line]) -> float:
    """The width of a full body line; no official document sets lines narrower than 20 em."""
    texts = [ln for ln in lines if ln.kind == "text"]
    widths = sorted(display_width(ln.raw.strip()) for ln in texts if display_width(ln.raw.strip()) >= 8)
    return max(widths[int(len(widths) * 0.75)] if widths else 30.0, 20.0)


def _kept_lines(lines: list[_Line]) -> list[tuple[_Line, list[tuple[int, int]], list[tuple[int, int]], bool, str]]:
    """The text lines with something left after markup removal: (line, spans, bold, heading, body)."""
    kept = []
    for ln in lines:
        if ln.kind != "text":
            continue
        spans, bold, md_heading = _kept_spans(ln.raw)
        body = "".join(ln.raw[a:b] for a, b in spans)
        if body.strip():
            kept.append((ln, spans, bold, md_heading, body))
    return kept


class _Builder:
    """The cleaned text as it is written, with its piece table back to the original."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.clean_starts: list[int] = []
        self.orig_starts: list[int] = []
        self.paragraphs: list[Paragraph] = []
        self.bold_spans: list[tuple[int, int]] = []
        self.length = 0
        self.para_start = 0
        self.para_heading = False
        self.open_para = False

    def _piece(self, orig: int, chunk: str) -> None:
        self.clean_starts.append(self.length)
        self.orig_starts.append(orig)
        self.chunks.append(chunk)
        self.length += len(chunk)

    def end_paragraph(self, at_orig: int) -> None:
        if not self.open_para:
            return
        self.paragraphs.append(Paragraph(self.para_start, self.length, self.para_heading))
        self._piece(at_orig, "\n")
        self.open_para = False
        self.para_heading = False

    def add_line(self, ln: _Line, spans: list[tuple[int, int]], bold: list[tuple[int, int]], heading: bool,
                 body: str) -> None:
        """Copy a line's kept spans into the open paragraph (opening one if none is)."""
        if not self.open_para:
            self.para_start = self.length
            self.para_heading = heading
            self.open_para = True
        elif self.chunks and self.chunks[-1].isascii() and self.chunks[-1].isalnum() and body[0].isascii() \
                and body[0].isalnum():
            # joining two ASCII words across a line break needs a space back
            self._piece(ln.start - 1 if ln.start else 0, " ")
        line_to_clean = {}
        for a, b in spans:
            for i in range(a, b):
                line_to_clean[i] = self.length + (i - a)
            self._piece(ln.start + a, ln.raw[a:b])
        # bold spans in cleaned coordinates
        for a, b in bold:
            ca = next((line_to_clean[i] for i in range(a, b) if i in line_to_clean), None)
            cb = next((line_to_clean[i] + 1 for i in range(b - 1, a - 1, -1) if i in line_to_clean), None)
            if ca is not None and cb is not None and cb > ca:
                self.bold_spans.append((ca, cb))

    def cleaned(self, original_length: int) -> Cleaned:
        # merge the piece tables: drop zero-length pieces
        cs: list[int] = []
        os_: list[int] = []
        for c, o in zip(self.clean_starts, self.orig_starts):
            if cs and cs[-1] == c:
                os_[-1] = o
            else:
                cs.append(c)
                os_.append(o)
        return Cleaned(text="".join(self.chunks), paragraphs=self.paragraphs, bold=_merge_bold(self.bold_spans),
                       _clean_starts=cs, _orig_starts=os_, original_length=original_length)


# a date standing alone in brackets, under a report's or a speech's title: （2026年1月16日）
_DATE_DIGIT = rf"[\d{''.join(VOCAB.numerals.year)}{_CN}]"  # 2026 or 二〇二六, 16 or 十六
DATE_LINE = re.compile(rf"^\s*[（(]\s*{_DATE_DIGIT}{{4}}\s*年\s*{_DATE_DIGIT}{{1,2}}\s*月"
                       rf"\s*{_DATE_DIGIT}{{1,3}}\s*日\s*[）)]\s*$")
# a web page's labelled line: 来源：…, 发布时间：…, 作者：…, 【发布日期】…, 2025-03-14 来源：…
_LABELS = VOCAB['furniture']['labels'].pattern()
LABEL_LINE = re.compile(rf"^\s*(?:\d{{4}}[-./]\d{{1,2}}[-./]\d{{1,2}}\s*)?[（(]?(?:{_LABELS})[：:]"
                        rf"|^\s*【(?:{_LABELS})】")
ITEM_START = re.compile(rf"^\s*(?:[{_CN}]+是|第[{_CN}]+[，,、])")


_ORGS = VOCAB["organisations"]
ADDRESSEE_LINE = re.compile(rf"^(?:{_ORGS['honorifics'].pattern()})?[^，。]{{1,40}}"
                            rf"(?:{_ORGS['addressees'].pattern('line')})[：:]\s*$")
TITLE_LINE_END = re.compile(rf"(?:{VOCAB['documents']['nouns'].pattern('line')})"
                            r"(?:[（(][^）)]{1,20}[）)])*\s*$")


def _continues(body: str, width: float, full: float, heading: bool, nxt: str) -> bool:
    """Does a line broken here continue on the next line (a break mid-sentence)?

    Layout tells: a line as wide as the page's body lines runs on; so does any long
    line that stops without punctuation, or an ordinary sentence line cut after a comma.
    A line ending in a full stop, a heading, or a line before a new numbered item ends; a line
    that leaves a 《title》 open runs on.
    """
    if not nxt or TERMINAL.search(body):
        return False
    if body.rfind("《") > body.rfind("》"):
        return True  # a 《title》 open at the line's end runs on, whatever the next line starts with
    if HEADING_START.match(nxt) or ITEM_START.match(nxt) or ADDRESSEE_LINE.match(nxt) or DATE_LINE.match(nxt):
        return False
    if LABEL_LINE.match(body) or LABEL_LINE.match(nxt):
        return False  # a web page's 来源：… 发布时间：… line is a line of its own
    if TITLE_LINE_END.search(body) and "，" not in body and body.count("《") == body.count("》"):
        return False
    if width >= 0.8 * full or width >= 40:
        return True
    return not heading and ("，" in body or "、" in body)


def _merge_bold(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent bold spans (a bold phrase broken across lines) become one."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
