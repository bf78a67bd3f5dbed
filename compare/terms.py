"""Key terms of a measure: the handles by which one commitment is recognised elsewhere.

《policy titles》, “named programmes”, institution names ending in 中心/基地/平台/…, and
amounts with units. Each term also has a normalised form (`norm_term`) that absorbs the
variants official texts use for the same thing: 上海市 vs 上海, （试行）, a period in
brackets, 的, spaces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

INSTITUTION_SUFFIXES = (
    "创新中心", "分中心", "研究中心", "服务中心", "中心", "基地", "平台", "孵化器", "联合体", "工作站", "研究院",
    "实验室", "目录", "大赛", "基金", "母基金", "产业园", "园区", "联盟", "研究会", "联合会", "集聚区", "综合体",
    "示范区", "先行区", "创新高地", "智造空间", "清单", "专项",
    "病房", "医院", "示范项目", "应用示范", "活动", "改革", "行动计划",
)
# What kind of thing an institution term names, by its suffix: a contest is not a centre, a fund
# is not a catalogue. Facilities, places and programmes are one kind (概念验证中心 and 概念验证平台
# are the same commitment reworded).
_SUFFIX_KIND = {"大赛": "event", "活动": "event", "基金": "fund", "母基金": "fund", "目录": "list", "清单": "list"}


def institution_kind(term: str) -> str:
    """event, fund, list, or general: the kind of thing an institution term names."""
    for suffix in sorted(_SUFFIX_KIND, key=len, reverse=True):
        if term.endswith(suffix):
            return _SUFFIX_KIND[suffix]
    return "general"


_SUFFIX_RE = "|".join(sorted(set(INSTITUTION_SUFFIXES), key=len, reverse=True))
# A run of name characters ending in a suffix; punctuation and function words stop it.
INSTITUTION = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9+\-·]{{2,24}}?(?:{_SUFFIX_RE})")
TITLE = re.compile(r"《([^《》]{2,80})》")
QUOTED = re.compile(r"[“\"]([^“”\"]{2,24})[”\"]")
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:亿元|万元|亿美元|万平方米|万方|亿|万)")

# Words that start a clause rather than a name: stripped from the front of a name run.
LEAD_WORDS = re.compile(
    r"^(?:(?:积极|加快|加大|加强|持续|进一步|大力|全面|着力|深入|重点|优先|充分|协同|有序|逐步|不断|共同|继续|努力|切实|扎实|累计|稳步"
    r"|推动|推进|推出|打造|建设|建立|建成|培育|引进|引入|支持|发挥|依托|围绕|聚焦|设立|成立|组建|举办|开展|完善|优化|提升|"
    r"强化|落实|实施|发布|出台|制定|编制|布局|深化|构建|搭建|鼓励|引导|做优|做强|做大|用好|跟踪|扩大|启动|升级|"
    r"通过|面向|对接|服务|落地|入选|纳入|申报|参与|形成|实现|加速|促进|带动|依靠|借助|联合|合作|共建|新建|筹建|"
    r"一批|若干|多个|各类|本市|我市|全市|我区|本区|区内|市级|区级|国家级|一家|一个|两个|两家|相关|有关|以及|和|与|及|的|在|为|将|已|等"
    r"|(?:不少于|不低于|至少|超过|新增|累计)?[\d一二两三四五六七八九十百]+(?:家|个|项|所|批|座|大)(?:以上)?)"
    r")+")


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # title, quoted, institution, amount
    norm: str
    start: int
    end: int


_PERIOD_IN_BRACKETS = re.compile(r"[（(](?:\d{4}\s*[-—–~至]\s*\d{4}\s*年?|\d{4}\s*年(?:版|度)?|试行|暂行|修订|修订版|征求意见稿|送审稿|草案)[）)]")


@lru_cache(maxsize=1 << 16)
def norm_term(s: str) -> str:
    """A canonical form for matching variants of one term (not for display)."""
    s = re.sub(r"\s+", "", s)
    s = s.strip("《》“”\"")
    s = _PERIOD_IN_BRACKETS.sub("", s)
    s = re.sub(r"^上海市?", "", s)
    s = re.sub(r"^(?:本市|全市|市级|市)", "", s)
    s = s.replace("的", "")
    s = re.sub(r"[（(][^）)]*[）)]", "", s)
    return s


def extract_terms(text: str) -> list[Term]:
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()

    def add(t: str, kind: str, a: int, b: int):
        t = t.strip()
        if len(t) < 2:
            return
        key = (kind, t)
        if key in seen:
            return
        seen.add(key)
        terms.append(Term(t, kind, norm_term(t), a, b))

    for m in TITLE.finditer(text):
        add(m.group(1), "title", m.start(), m.end())
    for m in QUOTED.finditer(text):
        add(m.group(1), "quoted", m.start(), m.end())
    masked = TITLE.sub(lambda m: "，" * len(m.group(0)), text)
    masked = re.sub(r"[“”\"]", "，", masked)
    for m in INSTITUTION.finditer(masked):
        raw = m.group(0)
        stripped = LEAD_WORDS.sub("", raw)
        # a leading verb can hide behind a bigram split; strip again after one char when it helps
        if len(stripped) < 2 or stripped in INSTITUTION_SUFFIXES:
            continue
        a = m.end() - len(stripped)
        add(stripped, "institution", a, m.end())
    for m in AMOUNT.finditer(masked):
        add(re.sub(r"\s+", "", m.group(0)), "amount", m.start(), m.end())
    return terms
