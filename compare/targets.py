"""Targets in a measure: deadlines (到2026年, 未来三年) and quantities (不少于2家…平台).

Numbers inside 《titles》 are not targets: 《…行动方案（2025-2027年）》 names a period of
another document, it does not set a deadline.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .vocabulary import VOCAB

_NUMERALS = VOCAB.numerals
CN_DIGITS = {c: v for c, v in _NUMERALS.count.items() if v < 10}  # 零 〇 一 二 两 三 … 九
CN_UNITS = {c: v for c, v in _NUMERALS.count.items() if v >= 10}  # 十 百 千
_WORDS = VOCAB["targets"]


def cn_to_int(s: str) -> int | None:
    """Chinese numerals up to the thousands (三, 十二, 二十五, 一百二十) as an int."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            cur = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (cur or 1) * CN_UNITS[ch]
            cur = 0
        else:
            return None
    return total + cur


@dataclass
class Deadline:
    year: int
    month: int | None = None
    raw: str = ""
    relative: bool = False  # resolved from 未来三年 / 今年 / 年内 against the plan or date

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"


@dataclass
class Quantity:
    comparator: str | None  # >=, >, =, ~ (力争: aimed at)
    value: float
    unit: str
    object: str | None
    raw: str
    start: int
    end: int


_TITLE = re.compile(r"《[^《》]*》")
_YEAR = r"(20\d{2}|19\d{2})"
_MARKERS = VOCAB["cues"]["future markers"]
DEADLINE_PATTERNS = [
    re.compile(rf"(?:{_WORDS['dates'].pattern('deadline')})\s*{_YEAR}\s*年(?:\s*(\d{{1,2}})\s*月)?(?:底|末|年底)?(?:前|时)?"),
    re.compile(rf"{_YEAR}\s*年(?:\s*(\d{{1,2}})\s*月)?(?:底|末)?(?:前|以前|之前)"),
    re.compile(rf"{_YEAR}\s*年底"),
    # a year right after a promise: 拟于2025年下半年出台, 计划2026年6月建成
    re.compile(rf"(?:{_MARKERS.pattern('deadline')})(?:于|在)?\s*{_YEAR}\s*年(?:\s*(\d{{1,2}})\s*月)?"),
]
RELATIVE_YEARS = re.compile(rf"(?:{_WORDS['relative years'].pattern()})([{_NUMERALS.spelled(10)}\d]{{1,3}})年")
THIS_YEAR = re.compile(rf"(?:{_WORDS['this year'].pattern()})(?:底|内)?")
# this year's deadline only when a plan verb follows: 年内完成, 今年计划 (text, compiled by re on first use)
_THIS_YEAR_PLAN = (rf"(?:{_WORDS['this year'].pattern()})(?:底|内)?(?:前)?"
                   rf"(?:计划|完成|实现|要|{VOCAB['verbs']['verbs'].pattern('action', 'promised')})")  # 年内形成3个…

NUMBER = rf"(\d+(?:\.\d+)?|[{_NUMERALS.spelled(1000)}]+)"
UNITS = _WORDS["units"].pattern()  # in file order: the first unit that fits is taken
_SCALE_UNITS = frozenset(_WORDS["units"].tagged("scale"))  # 亿 万 %: not counts
_VAGUE_UNITS = frozenset(_WORDS["units"].tagged("vague"))  # 一批: some, not one
_ONE = _NUMERALS.written(1)
_QUOTED = re.compile(r"“[^“”]{1,24}”")  # a quoted name: its numbers are part of the name (“四位一体”)
COMPARATORS = dict(_WORDS["comparators"].first_field())  # in file order: see _comparator_before
_COMP_RE = "|".join(sorted(COMPARATORS, key=len, reverse=True))
_AFTER = _WORDS["after the number"].first_field()  # 以上 -> >=, 以内 -> <=, 余 -> >, 左右 -> -
QUANTITY = re.compile(rf"(?P<comp>{_COMP_RE})?\s*(?P<num>{NUMBER})\s*(?P<unit>{UNITS})"
                      rf"(?P<above>{_WORDS['after the number'].pattern()})?")
# where an object's words stop; quotes do not stop them (50家“专精特新”企业)
_STOP = re.compile(r"[，。；：、,;:（）()\"《》！？\s—]")
_OBJECT_TRIM = re.compile(rf"^(?:{_WORDS['object trims'].pattern()})+")
# verbs and comparators in front of a count, not part of what it counts: 打造3家…, 不少于5个…
_LEAD_VERBS = re.compile(rf"^(?:{VOCAB['verbs']['verbs'].pattern('quantity')}"
                         rf"|{_WORDS['comparators'].pattern('quantity')})+")
# _OBJECT_* are kept as text, compiled by re on first use (a command reading no document never needs them)
_OBJECT_STOP = rf"^(?:{_WORDS['object stops'].pattern()})"
# where and when, before a count: 目前全市…已, 计划于2026年底前新增…
_OBJECT_OPENING = (rf"^(?:{_WORDS['object openings'].pattern()}"
                   rf"|(?:{_MARKERS.pattern('object')})?(?:于|到)?\d{{4}}年(?:底|末|上半年|下半年)?前?"
                   rf"|{VOCAB['places']['levels'].pattern('object')})+")
_OBJECT_ENDING = rf"(?:{_WORDS['object endings'].pattern()})$"


def _masked(text: str) -> str:
    """The text with 《titles》 blanked out (same length), so their numbers are ignored."""
    return _TITLE.sub(lambda m: "□" * len(m.group(0)), text)


def _names_masked(text: str) -> str:
    """…and “quoted names” too: “四位一体”, “15分钟服务圈” count nothing."""
    return _QUOTED.sub(lambda m: "□" * len(m.group(0)), _masked(text))


_AS_OF = re.compile(r"截[至止]到?\s*\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?[底末]?")


def find_deadlines(text: str, period: tuple[int, int] | None = None, doc_year: int | None = None) -> list[Deadline]:
    # 截至2025年底 is the date of a reported figure, not a deadline
    t = _AS_OF.sub(lambda m: "□" * len(m.group(0)), _masked(text))
    out: list[Deadline] = []
    seen = set()
    for pat in DEADLINE_PATTERNS:
        for m in pat.finditer(t):
            year = int(m.group(1))
            month = int(m.group(2)) if m.lastindex and m.lastindex >= 2 and m.group(2) else None
            key = (year, month)
            if key not in seen:
                seen.add(key)
                out.append(Deadline(year, month, raw=m.group(0)))
    for m in RELATIVE_YEARS.finditer(t):
        n = cn_to_int(m.group(1))
        base = period[0] if period else doc_year
        if n and base:
            year = base + n - 1
            if (year, None) not in seen:
                seen.add((year, None))
                out.append(Deadline(year, None, raw=m.group(0), relative=True))
    if not out and doc_year and THIS_YEAR.search(t) and re.search(_THIS_YEAR_PLAN, t):
        out.append(Deadline(doc_year, None, raw=THIS_YEAR.search(t).group(0), relative=True))
    return out


def _value(num: str) -> float | None:
    v = float(num) if re.fullmatch(r"\d+(?:\.\d+)?", num) else cn_to_int(num)
    if v is None:
        return None
    return float(v)


def find_quantities(text: str) -> list[Quantity]:
    """Quantities with a unit; comparator and object where the sentence gives them."""
    t = _masked(text)  # objects keep quoted names (“独角兽”企业); numbers inside them count nothing
    out: list[Quantity] = []
    for m in QUANTITY.finditer(_names_masked(text)):
        num, unit = m.group("num"), m.group("unit")
        # a bare Chinese numeral is a quantity only with a comparator or a counting unit
        if not num[0].isdigit() and not m.group("comp") and unit in _SCALE_UNITS:
            continue
        if num == _ONE and unit in _VAGUE_UNITS:
            continue  # 一批: some
        value = _value(num)
        if value is None or t[max(0, m.start() - 1):m.start()] == "第":
            continue  # 第三条, 第2批: an ordinal, not a count
        comp = _after_number(COMPARATORS.get(m.group("comp") or "", None), m.group("above"))
        added = None
        if comp is None:
            comp = _comparator_before(t[max(0, m.start() - 8):m.start()])
            added = None if comp else _INCREMENT.search(t[:m.start()])
            if added and not _one_object(added.group("what")):
                added = None  # 新增养老床位覆盖街镇12个, 新增的企业中有3家: the count is of something else
            comp = "+" if added else comp
        obj = _object_after(t, m.end()) or (added.group("what") if added else _object_before(t, m.start()))
        out.append(Quantity(comp, value, unit.replace("％", "%"), obj, text[m.start():m.end()],
                            m.start(), m.end()))
    return out


def _after_number(comp: str | None, above: str | None) -> str | None:
    """The comparison once the word after the number is read: 5家以上 is >= 5."""
    mark = _AFTER.get(above or "")
    if mark == ">=":
        return ">=" if comp in (None, "=", "~") else comp
    if mark == "<=":
        return "<="
    if mark == ">":
        return comp or ">"
    return comp


def _comparator_before(before: str) -> str | None:
    """A comparator a few characters earlier still governs: 营收超10亿元企业达5家以上 (the first
    listed that `before` ends with), also in front of a verb: 力争创建3个."""
    for _ in range(2):
        comp = next((c for word, c in COMPARATORS.items() if before.endswith(word)), None)
        if comp is not None:
            return comp
        # …or before the verb that leads to the count: 力争创建3个 (aimed at), 累计培育90家
        verb = re.search(rf"(?:{_QUANTITY_VERBS})$", before)
        if not verb:
            return None
        before = before[:verb.start()]
    return None


_QUANTITY_VERBS = VOCAB["verbs"]["verbs"].pattern("quantity")
# 新增 governs the count after what it adds, in the same clause: 新增社区长者食堂200家 is +200
_INCREMENT = re.compile(rf"(?:{'|'.join(re.escape(w) for w, c in COMPARATORS.items() if c == '+')})"
                        r"(?P<what>[^\d，。；、,;：:（）()]{2,12})$")
# between a verb and a count, what says the count is not of the verb's object: another verb (覆盖),
# a 的-phrase or a part of it (中, 有), something that already is (现有, 已有, 由…组成)
_NOT_ONE_OBJECT = re.compile(rf"的|中|有|由|已|(?:{VOCAB['verbs']['verbs'].pattern('action')})")
# …and a kind of institution at its end is a noun, whatever verb it holds (孵化器)
_KIND_END = re.compile(rf"(?:{VOCAB['terms']['institution suffixes'].pattern()})$")


def _one_object(what: str) -> bool:
    return not _NOT_ONE_OBJECT.search(_KIND_END.sub("", what))


def _object_after(t: str, i: int) -> str | None:
    rest = t[i:i + 30]
    stop = _STOP.search(rest)
    phrase = rest[:stop.start()] if stop else rest
    phrase = _OBJECT_TRIM.sub("", phrase)
    # a verb right after the number means the object came before (产值突破100亿元，形成…)
    if len(phrase) < 2 or re.match(_OBJECT_STOP, phrase):
        return None
    return phrase[:24] or None


def _object_before(t: str, i: int) -> str | None:
    head = t[max(0, i - 30):i]
    parts = _STOP.split(head)
    phrase = parts[-1] if parts else ""
    # where and when are not what: 目前全市…已, 计划于2026年底前新增…
    phrase = re.sub(_OBJECT_OPENING, "", phrase)
    phrase = _LEAD_VERBS.sub("", phrase)
    for _ in range(2):
        phrase = re.sub(_OBJECT_ENDING, "", phrase)
    return phrase[-24:] if len(phrase) >= 2 else None


_COUNT_UNITS = frozenset(_WORDS["units"].tagged("count"))  # 家, 个, 项: not 万元, %, 类
# in a promise, a count after the verb that brings it about, in the same clause, is aimed at:
# 引进数字健康企业20家, 打造3家平台, 培育专精特新企业100家
_AIM_VERB = re.compile(rf".*(?:{VOCAB['verbs']['verbs'].pattern('quantity', 'promised')})"  # the last verb
                       r"(?P<what>[^\d，。；、,;：:（）()]{0,12})$")


def aimed(quantities: list[Quantity], text: str) -> list[Quantity]:
    """A promise's quantities, those with no comparator that a verb brings about counted as aimed at
    (>=): the caller knows the text promises (in a report, 引进23家 states a result)."""
    t = _masked(text)
    out = []
    for q in quantities:
        verb = _AIM_VERB.search(t[:q.start]) if q.comparator is None and q.unit in _COUNT_UNITS else None
        # 推动现有20家企业…, 由12个部门组成: a count of what is there, not of what is to be
        if verb and _one_object(verb.group("what")) and not t[q.end:q.end + 3].startswith("组成"):
            what = verb.group("what")
            q = dataclasses.replace(q, comparator=">=", object=what if len(what) >= 2 else q.object)
        out.append(q)
    return out


def has_target_quantity(quantities: list[Quantity]) -> bool:
    """A quantity that states an aim: a comparator, or a count in a promise (打造3个…)."""
    return any(q.comparator is not None for q in quantities)
