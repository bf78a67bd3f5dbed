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

from .vocabulary import VOCAB

_WORDS = VOCAB["terms"]
INSTITUTION_SUFFIXES = _WORDS["institution suffixes"].words
# What kind of thing an institution term names, by its suffix: a contest is not a centre, a fund
# is not a catalogue (general, the rest, needs no entry here).
_SUFFIX_KIND = {w: k for w, k in _WORDS["institution suffixes"].first_field().items() if k != "general"}


def institution_kind(term: str) -> str:
    """event, fund, list, or general: the kind of thing an institution term names."""
    for suffix in sorted(_SUFFIX_KIND, key=len, reverse=True):
        if term.endswith(suffix):
            return _SUFFIX_KIND[suffix]
    return "general"


def named_kind(term: str) -> bool:
    """Does the term end with a kind of thing (中心, 大赛, 基金…), so that its kind can be told?"""
    return term.endswith(INSTITUTION_SUFFIXES)


_SUFFIX_RE = "|".join(sorted(dict.fromkeys(INSTITUTION_SUFFIXES), key=len, reverse=True))
# A run of name characters ending in a suffix; punctuation and function words stop it.
INSTITUTION = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9+\-·]{{2,24}}?(?:{_SUFFIX_RE})")
TITLE = re.compile(r"《([^《》]{2,80})》")
QUOTED = re.compile(r"[“\"]([^“”\"]{2,24})[”\"]")
# (?<!\d): a match starts at the first digit of a run; tried at every digit, a run of n digits with no
# unit after it cost n² steps (a hostile file of 3 MB of digits took hours to read)
AMOUNT = re.compile(rf"(?<!\d)\d+(?:\.\d+)?\s*(?:{VOCAB['targets']['units'].pattern('amount')})")


def _lead_words() -> str:
    """Words that start a clause rather than a name (adverbs, verbs, quantifiers, level words,
    particles, a count: 积极, 推动, 一批, 本市, 和, 不少于3家), as one alternation."""
    literals = dict.fromkeys(VOCAB["clauses"]["adverbs"].tagged("name") + VOCAB["verbs"]["verbs"].tagged("name")
                             + _WORDS["name leads"].words + VOCAB["places"]["levels"].tagged("lead"))
    count = (rf"(?:{VOCAB['targets']['comparators'].pattern('name')})?[\d{VOCAB.numerals.spelled(100)}]+"
             rf"(?:{_WORDS['counters'].pattern()})(?:以上)?")
    return "|".join(map(re.escape, literals)) + "|" + count  # the count last: a word (一批) wins over it


# Words that start a clause rather than a name: stripped from the front of a name run.
LEAD_WORDS = re.compile(rf"^(?:(?:{_lead_words()}))+")


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # title, quoted, institution, amount
    norm: str
    start: int
    end: int


_PERIOD_IN_BRACKETS = re.compile(r"[（(](?:\d{4}\s*[-—–~至]\s*\d{4}\s*年?|\d{4}\s*年(?:版|度)?|"
                                 rf"{VOCAB['documents']['title marks'].pattern('norm')})[）)]")
# the home city's name (上海市, 上海) and the words for the city level (本市, 市级, 市) at the front
# (kept as text, compiled by re on first use)
_CITY = "^(?:" + "|".join(sorted((VOCAB.city.name,) + VOCAB.city.short, key=len, reverse=True)) + ")"
_CITY_LEVEL = "^(?:" + "|".join(sorted(VOCAB["places"]["levels"].tagged("norm"), key=len, reverse=True)) + ")"


@lru_cache(maxsize=1 << 16)
def norm_term(s: str) -> str:
    """A canonical form for matching variants of one term (not for display)."""
    s = re.sub(r"\s+", "", s)
    s = s.strip("《》“”\"")
    s = _PERIOD_IN_BRACKETS.sub("", s)
    s = re.sub(_CITY, "", s)
    s = re.sub(_CITY_LEVEL, "", s)
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
