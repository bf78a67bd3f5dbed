"""Targets in a measure: deadlines (到2026年, 未来三年) and quantities (不少于2家…平台).

Numbers inside 《titles》 are not targets: 《…行动方案（2025-2027年）》 names a period of
another document, it does not set a deadline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


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
DEADLINE_PATTERNS = [
    re.compile(rf"(?:到|至|力争到)\s*{_YEAR}\s*年(?:\s*(\d{{1,2}})\s*月)?(?:底|末|年底)?(?:前|时)?"),
    re.compile(rf"{_YEAR}\s*年(?:\s*(\d{{1,2}})\s*月)?(?:底|末)?(?:前|以前|之前)"),
    re.compile(rf"{_YEAR}\s*年底"),
    # a year right after a promise: 拟于2025年下半年出台, 计划2026年6月建成
    re.compile(rf"(?:拟|计划|预计|将|力争|争取|确保)(?:于|在)?\s*{_YEAR}\s*年(?:\s*(\d{{1,2}})\s*月)?"),
]
RELATIVE_YEARS = re.compile(r"(?:未来|今后|近)([一二两三四五六七八九十\d]{1,3})年")
THIS_YEAR = re.compile(r"(?:今年|年内|本年度?)(?:底|内)?")

NUMBER = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"
SCALE = r"(万|亿)?"
UNITS = ("亿元|万元|千元|元|亿美元|万美元|万平方米|平方米|万方|万亩|亩|公顷|家|个|项|款|批|件|条|名|人次|人|位|场|次|所|座"
         "|台|套|张|种|类|部|篇|份|支|处|户|万人|万辆|辆|倍|%|％|个百分点|百分点|亿级|亿|万")
COMPARATORS = {
    "不少于": ">=", "不低于": ">=", "至少": ">=", "达到": "=", "达": "=", "超过": ">", "超": ">",
    "突破": ">", "力争": "~", "累计": "=", "新增": "+", "增至": "=", "提高到": "=", "提升至": "=", "提升到": "=",
    "不超过": "<=", "控制在": "<=", "低于": "<", "高于": ">",
}
_COMP_RE = "|".join(sorted(COMPARATORS, key=len, reverse=True))
QUANTITY = re.compile(rf"(?P<comp>{_COMP_RE})?\s*(?P<num>{NUMBER})\s*(?P<unit>{UNITS})(?P<above>以上|以内|左右|余)?")
_STOP = re.compile(r"[，。；：、,;:（）()“”\"《》！？\s]")
_OBJECT_TRIM = re.compile(r"^(?:的|个|家|项|等|以上|左右|规模的?|级的?)+")
_LEAD_VERBS = re.compile(r"^(?:打造|建成|建设|培育|引进|引入|推动|实现|形成|新增|累计|支持|布局|认定|设立|成立|发布|出台|举办"
                         r"|开展|完成|达到|建立|组建|引导|吸引|集聚|服务|入选|获批|推出|争取|力争|确保|不少于|超过)+")


def _masked(text: str) -> str:
    """The text with 《titles》 blanked out (same length), so their numbers are ignored."""
    return _TITLE.sub(lambda m: "□" * len(m.group(0)), text)


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
    if not out and doc_year and THIS_YEAR.search(t) and re.search(r"(?:今年|年内|本年度?)(?:底|内)?(?:前)?(?:计划|完成|实现|要)", t):
        out.append(Deadline(doc_year, None, raw=THIS_YEAR.search(t).group(0), relative=True))
    return out


def _value(num: str) -> float | None:
    v = float(num) if re.fullmatch(r"\d+(?:\.\d+)?", num) else cn_to_int(num)
    if v is None:
        return None
    return float(v)


def find_quantities(text: str) -> list[Quantity]:
    """Quantities with a unit; comparator and object where the sentence gives them."""
    t = _masked(text)
    out: list[Quantity] = []
    for m in QUANTITY.finditer(t):
        num, unit = m.group("num"), m.group("unit")
        # a bare Chinese numeral is a quantity only with a comparator or a counting unit
        if not num[0].isdigit() and not m.group("comp") and unit in ("亿", "万", "%", "％"):
            continue
        value = _value(num)
        if value is None:
            continue
        comp = COMPARATORS.get(m.group("comp") or "", None)
        above = m.group("above")
        if above in ("以上",):
            comp = ">=" if comp in (None, "=", "~") else comp
        elif above == "以内":
            comp = "<="
        elif above == "余":
            comp = comp or ">"
        if comp is None:
            # a comparator a few characters earlier still governs: 营收超10亿元企业达5家以上
            before = t[max(0, m.start() - 4):m.start()]
            for word, c in COMPARATORS.items():
                if before.endswith(word):
                    comp = c
                    break
        obj = _object_after(t, m.end()) or _object_before(t, m.start())
        out.append(Quantity(comp, value, unit.replace("％", "%"), obj, text[m.start():m.end()],
                            m.start(), m.end()))
    return out


def _object_after(t: str, i: int) -> str | None:
    rest = t[i:i + 30]
    stop = _STOP.search(rest)
    phrase = rest[:stop.start()] if stop else rest
    phrase = _OBJECT_TRIM.sub("", phrase)
    # a verb right after the number means the object came before (产值突破100亿元，形成…)
    if len(phrase) < 2 or re.match(r"^(?:进入|实现|形成|以上|的|左右|，)", phrase):
        return None
    return phrase[:24] or None


def _object_before(t: str, i: int) -> str | None:
    head = t[max(0, i - 30):i]
    parts = _STOP.split(head)
    phrase = parts[-1] if parts else ""
    # where and when are not what: 目前全市…已, 计划于2026年底前新增…
    phrase = re.sub(r"^(?:目前|当前|现已|现|其中|(?:计划|预计|力争|争取|拟)?(?:于|到)?\d{4}年(?:底|末|上半年|下半年)?前?"
                    r"|全市|全区|本市|我市|本区|我区)+", "", phrase)
    phrase = _LEAD_VERBS.sub("", phrase)
    for _ in range(2):
        phrase = re.sub(r"(?:达到?|为|是|共计|合计|超过?|突破|实现|不少于|已经?|累计|共|均|总计|新增)$", "", phrase)
    return phrase[-24:] if len(phrase) >= 2 else None


def has_target_quantity(quantities: list[Quantity]) -> bool:
    """A quantity that states an aim: a comparator, or a count in a promise (打造3个…)."""
    return any(q.comparator is not None for q in quantities)
