"""Was it kept? The computed status of every commitment and target, with its evidence.

Official replies are self-reports: a computed status is a claim with evidence, never the
last word. For a promise, only mentions in *later* documents count, found two ways: its
thread-mates, and corpus-wide evidence indexes that do not depend on alignment.

- `fulfilled`: a promised 《policy》 exists: a later document is it (its own title, or the
  《title》 it transmits: 关于印发《X》的通知), or cites it as in force (落实《X》, not 发布《X》);
  titles match fuzzily (助力 vs 支持, the period in brackets, 高质量 inserted, the issuer's name
  prefixed); a draft (征求意见稿) is work on the policy, not the policy. A quantitative target is
  met by a later reported figure of the same metric, unit and region (or a place inside it) at
  or above it. A later report states completion (建成, 成立, 揭牌, 投用…) of the same object: a
  thread-mate sharing its words, or any later report naming the same named institution or
  programme.
- `overdue`: the deadline has passed at the as-of date without evidence of completion (a
  target with no deadline of its own takes the one its section stated before it: 到2025年，… ).
- `in_progress`: later reports of work on it, or later figures below its target, no completion.
- `no_evidence`: nothing later counts; the reason says whether nothing later speaks of it at
  all, or why what speaks of it does not count (another region, a draft, a renewed promise).

Evidence counts where it covers the commitment: a document of the same region, or of a
place inside it (a district's report on a city programme); a city's report, or a city-wide
figure, does not fulfil a district's target. A figure of another metric (another industry)
never counts.

Pure: the rules judge measure rows through an `Evidence` index built from plain rows (the
measures, their threads, their quantities, the documents): `TitleIndex`, `FigureIndex` and
`NameIndex` are corpus-wide. The stage runner (compare/stages.py: `judge`) reads those rows and
stores the statuses.
"""
from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from .targets import DEADLINE_PATTERNS
from .terms import INSTITUTION_SUFFIXES, LEAD_WORDS, TITLE, extract_terms, norm_term
from .vocabulary import VOCAB, VocabularyError

FUTURE_KINDS = ("commitment", "target")
_VERBS = VOCAB["verbs"]["verbs"]  # by role: completion, deliverable, issue, implement
COMPLETION = re.compile(_VERBS.pattern("completion"))  # 建成, 印发, 揭牌, 投入使用…
MILESTONE = re.compile(_VERBS.pattern("milestone"))  # 开工, 投产: done only for a promise of that step
# a completion word after one of these, in the same clause, is a plan: 预计年底投入使用, 力争年内建成
NOT_YET = re.compile(VOCAB["cues"]["future markers"].pattern("not-yet"))
PROGRESS_CUE = re.compile(VOCAB["cues"]["progress cues"].pattern())  # 已, 截至, 累计…
_CLAUSE_END = "，。；,;！？\n"
_SENTENCE_END = "。；;！？\n"


def _clause_before(text: str, i: int) -> str:
    """The clause of text that ends at i."""
    return re.split(f"[{_CLAUSE_END}]", text[:i])[-1]


def _clauses(text: str) -> list[str]:
    return re.split(f"[{_CLAUSE_END}]", text)


def _said_done(text: str, i: int) -> bool:
    """Is the word at text[i] said as done: no future marker just before it in its clause (not
    预计年底投入使用, 力争年内建成)?"""
    return not NOT_YET.search(_clause_before(text, i)[-12:])


def reports_completion(text: str, promise: str = "") -> bool:
    """Does the text report something done (建成, 印发, 揭牌…), not promise or expect it? A
    milestone (开工, 投产) counts only when the promise is of that very step."""
    if any(_said_done(text, m.start()) for m in COMPLETION.finditer(text)):
        return True
    # the promise's last step only: 年内开工，2026年建成投产 is not done when it has started
    steps = {m.group(0) for m in MILESTONE.finditer(promise)
             if not COMPLETION.search(promise[m.end():]) and not MILESTONE.search(promise[m.end():])}
    return any(m.group(0) in steps and _said_done(text, m.start()) for m in MILESTONE.finditer(text))


# promises of something to be made, whose completion a report can state; a promise to open up,
# promote or improve (推动…开放共享, 促进…转化, 完善…机制) is not completed by a report that
# something was built
DELIVERABLE = re.compile(_VERBS.pattern("deliverable"))


CONTINUING = re.compile(VOCAB["cues"]["continuing"].pattern())  # 持续, 每年…
ISSUE_VERBS = re.compile(_VERBS.pattern("issue"))  # 出台, 印发, 研究出台…
POLICY_NOUN = re.compile(VOCAB["documents"]["nouns"].pattern("policy"))  # 意见, 办法, 政策…
IMPLEMENTS = re.compile(rf"^[^，。]{{0,8}}?(?:{_VERBS.pattern('implement')})[^，。]{{0,4}}《")  # 落实《…》
OBJECT_RUN = 5  # characters a completion report must share with the promise (创新联合体)
GENERIC = re.compile(VOCAB["terms"]["generic"].pattern())  # 政策, 相关, 一批…
_DISTRICTS = frozenset(d.name for d in VOCAB.districts)
_INSIDE = {p.name: p.inside for p in VOCAB.places}
# every name of a place (上海市, 上海, 徐汇区, 徐汇…) -> the place, longest first
_PLACE_NAMES = dict(sorted(((n, p.name) for p in VOCAB.places for n in (p.name, *p.short)),
                           key=lambda np: -len(np[0])))
_PLACE = re.compile("|".join(map(re.escape, _PLACE_NAMES)))
_DISTRICT_NAMES = {n: p for n, p in _PLACE_NAMES.items() if p in _DISTRICTS}
_DISTRICT = re.compile("|".join(map(re.escape, _DISTRICT_NAMES)))


def _computed(name: str) -> str:
    """A status the rules give, as statuses.txt names it: a status renamed there fails on import."""
    if not any(s.name == name and s.computed for s in VOCAB.statuses):
        raise VocabularyError(f"compare/vocab/statuses.txt has no status '{name}' tagged computed")
    return name


FULFILLED = _computed("fulfilled")
IN_PROGRESS = _computed("in_progress")
OVERDUE = _computed("overdue")
NO_EVIDENCE = _computed("no_evidence")


@dataclass
class Status:
    measure_id: str
    status: str
    rule: str
    reason: str
    evidence: list[str] = field(default_factory=list)
    deadline: str | None = None


def deadline_end(deadline: str | None) -> dt.date | None:
    """The last day a deadline allows: '2026' → 2026-12-31, '2025-06' → 2025-06-30."""
    if not deadline:
        return None
    parts = deadline.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return dt.date(year, 12, 31)
    month = int(parts[1])
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def covers(commitment: dict, evidence: dict) -> bool:
    """Does evidence from this document speak for the commitment's jurisdiction?"""
    cr, er = commitment.get("region"), evidence.get("region")
    if not cr or not er or cr == er:
        return True
    if commitment.get("level") == "national":
        return True
    if cr == VOCAB.city.name and er in _DISTRICTS:
        return True  # a district reports on the city's programme
    return cr in (evidence.get("text") or "")  # a city report that names the district


def _inside(place: str, region: str) -> bool:
    """Is place region itself or a place inside it (徐汇区 inside 上海市)?"""
    while place:
        if place == region:
            return True
        place = _INSIDE.get(place)
    return False


def _shares_object(promise: str, report: str) -> bool:
    """Does the report name the promise's object (a shared run of OBJECT_RUN characters)?"""
    if not TITLE.search(promise):
        # a promise of a fund or a centre is not met by a 《policy》 that shares its words:
        # 设立某区智能网联汽车产业基金 vs 印发《某区智能网联汽车产业支持措施》
        report = TITLE.sub(lambda m: "|" * len(m.group(0)), report)
    # punctuation becomes a different mark on each side, so a shared run never spans it; quotes
    # go, as they mark a name inside its phrase (“天翼飞行”总部项目 names one project)
    a = re.sub(r"[\s，。、；：《》（）|#]", "|", re.sub("[“”]", "", promise))
    b = re.sub(r"[\s，。、；：《》（）|#]", "#", re.sub("[“”]", "", report))
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= OBJECT_RUN


def _titles(text: str) -> list[str]:
    return [m.group(1) for m in TITLE.finditer(text)]


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _when(e: dict) -> str:
    return str(e.get("date") or e.get("sort_date") or "")


# --- titles: a promised 《policy》 found anywhere later -------------------------------------------

_TERMS = VOCAB["terms"]
_SYNONYMS = _TERMS["title synonyms"].first_field()  # 助力 -> 支持
_SYNONYM = re.compile("|".join(map(re.escape, sorted(_SYNONYMS, key=len, reverse=True))))
_MODIFIERS = re.compile(_TERMS["title modifiers"].pattern())  # 高质量…
_DOCS = VOCAB["documents"]
# the words between an issuer and its subject: 某委员会关于…, 关于印发…
_OPENER = re.compile("|".join(map(re.escape, sorted((w for w in _DOCS["title openers"].words if len(w) > 1),
                                                       key=len, reverse=True))))
_ORG_END = re.compile(rf"(?:{VOCAB['organisations']['suffixes'].pattern()})$")
_TITLE_NOUNS = _DOCS["nouns"].tagged("title")
_NOUN = re.compile("|".join(sorted(map(re.escape, _TITLE_NOUNS), key=len, reverse=True)))
DRAFT_MARK = re.compile(_DOCS["title marks"].pattern("draft"))  # 征求意见稿, 草案…
DRAFT_NOTICE = re.compile(_DOCS["consultation"].pattern())  # …》公开征求意见


@lru_cache(maxsize=1 << 16)
def _title_place(title: str) -> str | None:
    """The place a title names (its region), if any."""
    m = _PLACE.search(title)
    return _PLACE_NAMES[m.group(0)] if m else None


@lru_cache(maxsize=1 << 16)
def title_key(title: str) -> str:
    """A title's form for matching another wording of the same policy: no period, no place or issuer
    in front (the place is compared apart), 助力 as 支持, no 高质量."""
    s = norm_term(title)
    for _ in range(3):
        m = _OPENER.search(s[:40])
        if m and (m.start() == 0 or _ORG_END.search(s[:m.start()]) or s[:m.start()] in _PLACE_NAMES):
            s = s[m.end():]
            continue
        p = _PLACE.match(s)
        if not p:
            break
        s = s[p.end():]
    s = _SYNONYM.sub(lambda m: _SYNONYMS[m.group(0)], s)
    return _MODIFIERS.sub("", s)


@lru_cache(maxsize=1 << 16)
def _noun(key: str) -> str:
    """The shortest document noun a title key ends with (方案 for 实施方案), or ''."""
    return min((n for n in _TITLE_NOUNS if key.endswith(n)), key=len, default="")


@lru_cache(maxsize=1 << 18)
def titles_match(a: str, b: str) -> bool:
    """Are two titles one policy? Same place (when both name one), same kind of document, and the
    same words once the variants are absorbed (or nearly: rapidfuzz ratio >= 85)."""
    from rapidfuzz import fuzz

    pa, pb = _title_place(a), _title_place(b)
    if pa and pb and pa != pb:
        return False
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return False
    return ka == kb or (_noun(ka) == _noun(kb) and fuzz.ratio(ka, kb) >= 85)


def _bigrams(text: str) -> set[str]:
    """The distinct 2-character runs of a text: what the evidence indexes look things up by."""
    return {text[k:k + 2] for k in range(len(text) - 1)}


DESCRIBED_SHARE = 0.6  # of a described policy's content bigrams a title must hold to answer it


def _description_grams(description: str) -> set[str]:
    """A described policy's content bigrams; none when fewer than 4 (制定本实施方案 describes no policy)."""
    grams = _bigrams(_NOUN.sub("", GENERIC.sub("", description)))
    return grams if len(grams) >= 4 else set()


@lru_cache(maxsize=1 << 18)
def _description_covered(description: str, title: str) -> float:
    """Share of a described policy's content bigrams found in a title (全链条的支持政策 ~ 《…全链条…若干意见》)."""
    grams, t = _description_grams(description), norm_term(title)
    return sum(g in t for g in grams) / len(grams) if grams else 0.0


def _promised_policy(text: str) -> tuple[list[str], str | None]:
    """(titles promised, described policy) when the measure promises to issue a policy."""
    if not ISSUE_VERBS.search(text):
        return [], None
    titles = [t for t in _titles(text) if ISSUE_VERBS.search(text[max(0, text.find("《" + t) - 8):text.find("《" + t)])]
    if titles:
        return titles, None
    m = re.search(rf"(?:{ISSUE_VERBS.pattern})(.{{2,30}}?(?:{POLICY_NOUN.pattern}))", text)
    return [], (m.group(1) if m else None)


ISSUED, CITED, DRAFT, PROMISED = "issued", "cited", "draft", "promised"  # how a later text holds a title


@dataclass(frozen=True)
class TitleEntry:
    """A 《title》 as a dated text holds it: issued (the document is it), cited as in force, a draft
    put out for comment, or promised again."""
    title: str
    how: str
    date: str
    document_id: str
    measure_id: str | None
    issuer: str = ""


def _document_titles(d: dict) -> list[tuple[str, str]]:
    """What a document's own title says it is: (title, issued or draft)."""
    title = d.get("title") or ""
    draft = bool(d.get("draft")) or bool(DRAFT_MARK.search(title))
    inner = list(TITLE.finditer(title))
    if not inner:
        return [(title, DRAFT if draft else ISSUED)] if title else []
    out = []
    for m in inner:  # 关于印发《X》的通知 transmits X; 关于《X》公开征求意见的公告 puts a draft of X out
        before, after = title[max(0, m.start() - 4):m.start()], title[m.end():m.end() + 8]
        if DRAFT_NOTICE.search(after) or DRAFT_MARK.search(m.group(1)):
            out.append((m.group(1), DRAFT))
        elif ISSUE_VERBS.search(before) or ISSUE_VERBS.match(after):
            out.append((m.group(1), DRAFT if draft else ISSUED))
    return out


def _citation(m: dict, title: str, drafts: list[str]) -> str | None:
    """How a measure holds a 《title》 it names: cited as in force (落实《X》; a report that it was
    issued: 一是印发《X》), promised (出台《X》), or a draft (《X》…征求意见; a draft's own title)."""
    text = m["text"]
    i = text.find("《" + title)
    after = text[i + len(title) + 2:i + len(title) + 10]
    if DRAFT_MARK.search(title) or DRAFT_NOTICE.search(after) or any(titles_match(title, t) for t in drafts):
        return DRAFT
    if not ISSUE_VERBS.search(text[max(0, i - 6):i]):
        return CITED
    if m.get("kind") == "progress" and reports_completion(_clause_before(text, i)):
        return CITED
    return PROMISED


def _title_entries(documents: list[dict], measures: list[dict], first_measure: dict[str, str]) -> list[TitleEntry]:
    """Every dated document's own or transmitted title, and every 《title》 a measure names."""
    out, drafts = [], {}
    for d in documents:
        held = _document_titles(d) if d.get("sort_date") else []
        drafts[d["id"]] = [t for t, how in held if how == DRAFT]
        out += [TitleEntry(t, how, str(d["sort_date"]), d["id"], first_measure.get(d["id"]), d.get("issuer") or "")
                for t, how in held]
    for m in measures:
        if "《" not in m["text"] or not m.get("sort_date"):
            continue
        for t in dict.fromkeys(_titles(m["text"])):
            how = _citation(m, t, drafts.get(m["document_id"], []))
            out.append(TitleEntry(t, how, str(m["sort_date"]), m["document_id"], m["id"], m.get("issuer") or ""))
    return sorted(out, key=lambda e: e.date)


@dataclass
class TitleIndex:
    """Every 《title》 the corpus holds, by date: what a promise to issue a policy is checked against.

    Looked up by key rather than tried against every title: the titles of one document noun
    (方案, 意见…) by their keys, for titles_match; the titles holding each bigram, for a described
    policy (_description_covered). The same titles answer as when each is tried in turn."""
    entries: list[TitleEntry]
    dates: list[str]
    positions: dict[str, list[int]]  # each distinct title -> its entries, in date order
    by_noun: dict[str, tuple[list[str], list[list[str]]]] = field(default_factory=dict)  # noun -> keys, titles
    bigrams: dict[str, set[str]] = field(default_factory=dict)  # bigram of a title's norm_term -> titles

    @classmethod
    def index(cls, documents: list[dict], measures: list[dict], first_measure: dict[str, str]) -> TitleIndex:
        entries = _title_entries(documents, measures, first_measure)
        positions: dict[str, list[int]] = {}
        for i, e in enumerate(entries):
            positions.setdefault(e.title, []).append(i)
        keyed: dict[str, dict[str, list[str]]] = {}
        bigrams: dict[str, set[str]] = {}
        for t in positions:
            k = title_key(t)
            if k:
                keyed.setdefault(_noun(k), {}).setdefault(k, []).append(t)
            for g in _bigrams(norm_term(t)):
                bigrams.setdefault(g, set()).add(t)
        by_noun = {noun: (list(ks), list(ks.values())) for noun, ks in keyed.items()}
        return cls(entries, [e.date for e in entries], positions, by_noun, bigrams)

    def matching(self, title: str) -> set[str]:
        """The indexed titles t with titles_match(title, t)."""
        from rapidfuzz import fuzz, process

        k = title_key(title)
        if not k or _noun(k) not in self.by_noun:
            return set()
        keys, titles = self.by_noun[_noun(k)]
        place = _title_place(title)
        hits = process.extract(k, keys, scorer=fuzz.ratio, processor=None, score_cutoff=85, limit=None)
        # an equal key scores 100: the keys equal or nearly so, of one noun, as titles_match asks
        return {t for _, _, x in hits for t in titles[x]
                if not (place and _title_place(t) and _title_place(t) != place)}

    def described(self, description: str) -> set[str]:
        """The indexed titles covering at least DESCRIBED_SHARE of a described policy's bigrams
        (_description_covered)."""
        grams = _description_grams(description)
        counts: dict[str, int] = {}
        for g in grams:
            for t in self.bigrams.get(g, ()):
                counts[t] = counts.get(t, 0) + 1
        return {t for t, n in counts.items() if n / len(grams) >= DESCRIBED_SHARE}

    def later(self, c: dict, titles: list[str], described: str | None) -> list[TitleEntry]:
        """Entries of later documents holding a title that answers the promise (by name or description)."""
        if not c.get("sort_date"):
            return []
        first = bisect.bisect_right(self.dates, str(c["sort_date"]))
        answers = set().union(*(self.matching(p) for p in titles)) if titles else set()
        if described:
            answers |= self.described(described)
        found = sorted(i for t in answers for i in self.positions[t] if i >= first)
        return [self.entries[i] for i in found if self.entries[i].document_id != c["document_id"]
                and (titles or self.entries[i].how != PROMISED)]


def _policy_status(c: dict, titles: list[str], found: list[TitleEntry], deadline: str | None) -> Status | None:
    """Fulfilled when a later document is the promised policy or cites it as in force."""
    issued = [e for e in found if e.how == ISSUED]
    cited = [e for e in found if e.how == CITED]
    if not issued and not cited:
        return None
    ids = list(dict.fromkeys(e.measure_id for e in issued + cited if e.measure_id))
    if issued:
        e = issued[0]
        return Status(c["id"], FULFILLED, "policy-issued",
                      f"the promised 《{titles[0] if titles else e.title}》 is itself a later document "
                      f"({e.date}{', ' + e.issuer if e.issuer else ''}: 《{e.title}》)", ids, deadline)
    e = cited[0]
    return Status(c["id"], FULFILLED, "policy-cited",
                  f"later document {e.date} ({e.issuer or e.document_id}) cites 《{e.title}》 as in force", ids,
                  deadline)


# --- figures: a target against every later reported figure of its metric --------------------------

TARGET_COMPARATORS = (">=", ">", "=", "~", "+")
_TARGETS = VOCAB["targets"]
_SCALE_UNITS = frozenset(_TARGETS["units"].tagged("scale"))  # %, 亿, 万: a share or scale, not a count
EVERY_PLACE = re.compile(_TARGETS["every place"].pattern())  # 每个区至少建成1家: one district is not all
FOR_ALL = re.compile(_TARGETS["for all"].pattern())  # 实现全覆盖, 均已建成: a report of every place
GENERIC_METRICS = frozenset(_TARGETS["generic metrics"].words)  # 规模: of what the sentence named before
_PLACE_LEAD = re.compile("^(?:" + "|".join(map(re.escape, _PLACE_NAMES)) + ")*(?:全?[市区县])?")
# words in front of what a target counts that are not the metric: 全市, 新建, 不少于, 培育, 每年…
_METRIC_OPENING = re.compile("|".join(sorted(map(re.escape, dict.fromkeys(
    VOCAB["places"]["levels"].tagged("object") + tuple(_PLACE_NAMES) + tuple(_TARGETS["comparators"].words)
    + _VERBS.tagged("quantity") + _VERBS.tagged("deliverable") + _TARGETS["metric openings"].words)),
    key=len, reverse=True)))
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")
# a run of verbs inside a target's object: 在“某湾”布局建设概念验证中心 counts 概念验证中心 in 某湾
_METRIC_VERBS = re.compile("(?:" + "|".join(sorted(map(re.escape, dict.fromkeys(
    _VERBS.tagged("quantity") + _VERBS.tagged("deliverable") + _TARGETS["metric openings"].words)),
    key=len, reverse=True)) + ")+")
METRIC_SLACK = 2  # characters a figure's wording may insert into a target's metric (市级: 新增市级高质量孵化器)


def _target_quantity(qs: list[dict]) -> dict | None:
    return next((q for q in qs if q["comparator"] in TARGET_COMPARATORS), None)


@lru_cache(maxsize=1 << 16)
def metric_key(obj: str | None) -> str:
    """What a target counts, without the words in front that are not the metric:
    ——全市技术合同成交额 → 技术合同成交额, 新建社区综合为老服务中心 → 社区综合为老服务中心."""
    s = _NOT_TEXT.sub("", obj or "")
    while (m := _METRIC_OPENING.match(s)) and len(s) - m.end() >= 3:
        s = s[m.end():]
    return s


@dataclass(frozen=True)
class Figure:
    """A reported figure: what it counts is said in its window (from the figure before it, or the
    sentence's start, to the end of its clause), or opens its clause with the rest said earlier in
    the sentence (before): 技术合同50824项，成交额达4850亿元."""
    measure_id: str
    document_id: str
    date: str
    region: str | None
    comparator: str | None
    value: float
    unit: str
    raw: str
    window: str
    clause: str
    before: str


def _spans(text: str, qs: list[dict]) -> list[tuple[int, int]]:
    """Where each quantity's raw text stands, in order; (-1, -1) where it is not found."""
    pos: list[tuple[int, int]] = []
    for q in qs:
        i = text.find(q["raw"], max([b for _, b in pos if b >= 0], default=0)) if q.get("raw") else -1
        pos.append((i, i + len(q["raw"])) if i >= 0 else (-1, -1))
    return pos


def _figures(m: dict, qs: list[dict]) -> list[Figure]:
    """The figures a measure reports (not those it promises: 到2027年…, 力争…)."""
    text, out, pos = m["text"], [], _spans(m["text"], qs)
    for k, q in enumerate(qs):
        found = pos[k][0] >= 0
        i, j = pos[k] if found else (len(text), len(text))  # not found: the whole text says what it counts
        if q["comparator"] in ("<=", "<") or (q["value"] == 1 and not re.search(r"\d", q["raw"] or "")):
            continue
        sentence = _last_end(text, i, _SENTENCE_END) if found else 0
        previous = max([b for _, b in pos[:k] if 0 <= b <= i], default=0)
        start, clause = max(previous, sentence), max(previous, _last_end(text, i, _CLAUSE_END) if found else 0)
        end = min([a for a, _ in pos[k + 1:] if a >= j] + [_next_end(text, j, _CLAUSE_END)])
        said_before = text[sentence:i]
        if NOT_YET.search(said_before) or (any(p.search(said_before) for p in DEADLINE_PATTERNS)
                                           and not PROGRESS_CUE.search(said_before)):
            continue
        named = _DISTRICT.search(text[start:end])
        out.append(Figure(m["id"], m["document_id"], str(m["sort_date"]),
                          _DISTRICT_NAMES[named.group(0)] if named else m.get("region"), q["comparator"],
                          q["value"], q["unit"], q["raw"], text[start:end], text[clause:end], text[sentence:clause]))
    return out


def _last_end(text: str, i: int, marks: str) -> int:
    return max(text.rfind(c, 0, i) for c in marks) + 1


def _next_end(text: str, j: int, marks: str) -> int:
    return min([k for k in (text.find(c, j) for c in marks) if k >= 0] + [len(text)])


def counts_metric(key: str, f: Figure) -> bool:
    """Does the figure count the target's metric? All of it in the figure's window (a word or two
    may be inserted: 新增市级高质量孵化器), or its head opening the figure's clause and the rest said
    earlier in the sentence (技术合同…，成交额达…). 智能网联汽车产业规模 is not 人工智能产业规模, nor is
    三大先导产业规模."""
    if _counts(key, f):
        return True
    # what the object says before a run of verbs qualifies the metric after it (a place, a field): the
    # figure must say it too
    for m in _METRIC_VERBS.finditer(key):
        qualifier, rest = LEAD_WORDS.sub("", key[:m.start()]), key[m.end():]
        if len(rest) >= 3 and qualifier in f.before + f.window and _counts(rest, f):
            return True
    return False


def _counts(key: str, f: Figure) -> bool:
    if len(key) < 2:
        return False
    if key in f.window:
        return True
    if any(0 <= f.clause.find(key[k:]) <= METRIC_SLACK and key[:k] in f.before for k in range(2, len(key) - 1)):
        return True
    return _nearly_in(key, f.window)


@lru_cache(maxsize=1 << 16)
def _nearly_in(key: str, window: str) -> bool:
    """Is key in the window with at most METRIC_SLACK characters inserted (and a fifth missing)?"""
    if sum(ch in window for ch in key) < 0.8 * len(key):  # cheap: most characters are there
        return False
    blocks = [b for b in SequenceMatcher(None, key, window, autojunk=False).get_matching_blocks() if b.size]
    if not blocks or sum(b.size for b in blocks) < 0.8 * len(key):
        return False
    last = blocks[-1]
    return last.a + last.size == len(key) and last.b + last.size - blocks[0].b <= len(key) + METRIC_SLACK


@dataclass
class FigureIndex:
    """Every reported figure of the corpus, by unit and date; by unit, the figures whose window holds
    each bigram (a metric's head is looked up there rather than tried against every figure)."""
    by_unit: dict[str, tuple[list[str], list[Figure]]]
    heads: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # unit -> bigram -> positions
    counted: dict[tuple[str, str, int], bool] = field(default_factory=dict)  # (metric, unit, position) -> counts it

    @classmethod
    def index(cls, measures: list[dict], quantities: dict[str, list[dict]]) -> FigureIndex:
        return cls.of([f for m in measures
                       if m["kind"] not in FUTURE_KINDS and m.get("sort_date") and quantities.get(m["id"])
                       for f in _figures(m, quantities[m["id"]])])

    @classmethod
    def of(cls, found: list[Figure]) -> FigureIndex:
        """The index of these figures (in corpus order: figures of one date keep it)."""
        by_unit: dict[str, list[Figure]] = {}
        for f in found:
            by_unit.setdefault(f.unit, []).append(f)
        out, heads = {}, {}
        for unit, figures in by_unit.items():
            figures.sort(key=lambda f: f.date)
            out[unit] = ([f.date for f in figures], figures)
            grams: dict[str, list[int]] = {}
            for i, f in enumerate(figures):
                for g in _bigrams(f.window):
                    grams.setdefault(g, []).append(i)
            heads[unit] = grams
        return cls(out, heads)

    def later(self, c: dict, target: dict) -> list[Figure]:
        """Figures of later documents counting the target's metric, in the target's unit."""
        dates, figures = self.by_unit.get(target["unit"], ([], []))
        key = metric_key(target["object"])
        since = str(c.get("sort_date") or "")
        if not since or not key:
            return []
        owner = _owner(c["text"], target) if key in GENERIC_METRICS else ""
        if owner is None:
            return []
        # the metric's head (its last two characters) is in the window of a figure counting it: looked up
        first, unit = bisect.bisect_right(dates, since), target["unit"]
        head = key[-2:]
        if len(head) == 2 and unit in self.heads:
            held = self.heads[unit].get(head, [])
            candidates = held[bisect.bisect_left(held, first):]
        else:
            candidates = [i for i in range(first, len(figures)) if head in figures[i].window]
        return [figures[i] for i in candidates if figures[i].document_id != c["document_id"]
                and self._counts(key, unit, i) and owner in figures[i].before + figures[i].window]

    def _counts(self, key: str, unit: str, i: int) -> bool:
        """counts_metric(key, the unit's figure i), once per metric and figure: commitments of one
        metric (孵化器, 概念验证中心) ask it of the same figures."""
        at = (key, unit, i)
        if at not in self.counted:
            self.counted[at] = counts_metric(key, self.by_unit[unit][1][i])
        return self.counted[at]


def _owner(text: str, target: dict) -> str | None:
    """What a generic metric (规模) measures: the last named thing before the target's number
    (设立数字健康产业基金，规模不低于5亿元 → 数字健康产业基金), None when nothing is named."""
    i = text.find(target.get("raw") or "\0")
    terms = [t for t in extract_terms(text[:i] if i >= 0 else text) if t.kind in ("institution", "quoted")]
    if not terms:
        return None
    last = terms[-1]
    # “浦江之光”科创基金 is named by its quoted name; 嘉定区数字健康产业基金 without its place (区…基金)
    quoted = [t for t in terms if t.kind == "quoted" and 0 <= last.start - t.end <= 1]
    return quoted[-1].text if quoted else _PLACE_LEAD.sub("", last.text) or last.text


def _target_region(c: dict, target: dict) -> str | None:
    """The region a target is set for: a district it names before its number, else its document's."""
    text = c["text"]
    i = text.find(target.get("raw") or "\0")
    named = _DISTRICT.search(text[:i] if i >= 0 else text)
    return _DISTRICT_NAMES[named.group(0)] if named and c.get("level") != "district" else c.get("region")


@dataclass
class FigureCheck:
    """A target against the later figures of its metric."""
    target: dict
    met: list[Figure]  # covering figures at or above it, same region first, latest first
    below: list[Figure]  # covering figures under it, highest first
    elsewhere: list[Figure]  # figures of regions that do not cover the target's

    @property
    def why_below(self) -> str:
        f, t = self.below[0], self.target
        return f"the highest later figure, {f.raw} ({f.region or '?'}, {f.date}), is below the target {t['raw']}"


def check_figures(c: dict, target: dict | None, figures: list[Figure]) -> FigureCheck | None:
    """Sort the later figures of a target's metric: met, below, or of a region that does not count
    (a city-wide figure for a district target; a district's share for the city's)."""
    if not target:
        return None
    region = _target_region(c, target)
    scale = target["unit"] in _SCALE_UNITS

    increment = target["comparator"] == "+"
    every = bool(EVERY_PLACE.search(c["text"]))

    def counted(f: Figure) -> bool:
        if increment and f.comparator != "+":
            return False  # 新增200家 is not met by 累计达到1800家, a stock
        if not region or not f.region or f.region == region:
            return True
        # a district's figure counts for its city, unless the city's target is for every district
        return not scale and not every and _inside(f.region, region)

    ok = [f for f in figures if counted(f)]
    met = [f for f in ok if (f.value > target["value"] if target["comparator"] == ">" else f.value >= target["value"])]
    met.sort(key=lambda f: (f.region == region, f.date), reverse=True)
    below = sorted((f for f in ok if f not in met), key=lambda f: (f.region == region, f.value), reverse=True)
    return FigureCheck(target, met, below, [f for f in figures if not counted(f)])


# --- named things: a promise to set up a named institution or programme ----------------------------

_SUFFIX = "|".join(sorted(map(re.escape, dict.fromkeys(INSTITUTION_SUFFIXES)), key=len, reverse=True))
_SUFFIX_END = re.compile(rf"(?:{_SUFFIX})$")
# an example before 等 and the kind of thing it is: 推动启迪之星等孵化器…
_EXAMPLE = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9·]{{2,16}}?)等(?:[\u4e00-\u9fff]{{0,4}}?)({_SUFFIX})")
# after a quoted name, the rest of it up to the kind of thing it is: “春昇杯”医学创新人才大赛
_KIND_AFTER = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9]{{0,10}}?({_SUFFIX})")
_PLURAL = re.compile(rf"(?:{_TERMS['plural leads'].pattern()}|[\d{VOCAB.numerals.spelled(1000)}]+"
                     rf"(?:{_TERMS['counters'].pattern()}))$")
NAME_CORE = 4  # characters a name must hold besides its suffix and modifiers to name one thing
NAME_GAP = (8, 4)  # characters a completion word may stand before a name, or after it: 建成了…平台, …孵化器正式揭牌


@dataclass(frozen=True)
class Name:
    """A named institution or programme: text to find, and the kind of thing it is (孵化器), which a
    report naming an example (启迪之星) or a quoted name (“春昇杯”) must name after it."""
    text: str
    kind: str = ""


def promised_names(text: str) -> list[Name]:
    """The named things a promise speaks of: an example before 等 (启迪之星等孵化器), a quoted name
    followed by its kind (“春昇杯”…大赛), an institution whose name says more than its kind
    (智能机器人中试验证平台, not 高质量孵化器), unless a plural lead makes it a kind (一批…平台).
    A quoted name that is no kind of institution (“大零号湾”, a place) is not set up."""
    out = []
    for m in _EXAMPLE.finditer(text):
        name = LEAD_WORDS.sub("", m.group(1))
        if len(name) >= 2 and not _SUFFIX_END.search(name):
            out.append(Name(name, m.group(2)))
    for t in extract_terms(text):
        if _PLURAL.search(text[max(0, t.start - 4):t.start]) or re.search(f"[{_CLAUSE_END}、]", t.text) \
                or any(n.text in t.text for n in out):
            continue
        kind = _KIND_AFTER.match(text[t.end:]) if t.kind == "quoted" else None
        if kind and len(t.text) >= 3:
            out.append(Name(t.text, kind.group(1)))
        elif t.kind == "institution" and len(_MODIFIERS.sub("", _SUFFIX_END.sub("", t.text))) >= NAME_CORE:
            out.append(Name(t.text))
    return list(dict.fromkeys(out))


def _names_done(clause: str, start: int, end: int) -> bool:
    """Does the clause state the thing named at clause[start:end] done: a completion word just
    before it (建成了全国首个…平台, 为…孵化器揭牌 reads …揭牌 after it) or just after it?"""
    for m in COMPLETION.finditer(clause):
        near = 0 <= start - m.end() <= NAME_GAP[0] or 0 <= m.start() - end <= NAME_GAP[1]
        if near and _said_done(clause, m.start()):
            return True
    return False


@dataclass(frozen=True)
class Clause:
    """A clause of a later report (its 《titles》 masked: a name inside a policy's title is not the thing)."""
    measure: dict
    text: str


@dataclass
class NameIndex:
    """The clauses of every report (progress measure), by date, with their 2-grams for lookup."""
    clauses: list[Clause]
    dates: list[str]
    grams: dict[str, list[int]]

    @classmethod
    def index(cls, measures: list[dict]) -> NameIndex:
        reports = sorted((m for m in measures if m["kind"] == "progress" and m.get("sort_date")),
                         key=lambda m: str(m["sort_date"]))
        masked = (TITLE.sub(lambda t: "《" + "|" * (len(t.group(0)) - 2) + "》", m["text"]) for m in reports)
        clauses = [Clause(m, part) for m, text in zip(reports, masked, strict=True)
                   for part in _clauses(text) if len(part) >= 3]
        grams: dict[str, list[int]] = {}
        for i, c in enumerate(clauses):
            for g in _bigrams(c.text):
                grams.setdefault(g, []).append(i)
        return cls(clauses, [str(c.measure["sort_date"]) for c in clauses], grams)

    def later(self, c: dict, names: list[Name]) -> list[tuple[Clause, bool]]:
        """Clauses of later documents naming one of the names (an example with its kind after it), and
        whether each states it done."""
        if not c.get("sort_date") or not names:
            return []
        first = bisect.bisect_right(self.dates, str(c["sort_date"]))
        hits: dict[int, bool] = {}
        for n in names:
            rarest = min((self.grams.get(n.text[k:k + 2], []) for k in range(len(n.text) - 1)), key=len)
            for i in rarest[bisect.bisect_left(rarest, first):]:
                text = self.clauses[i].text
                k = text.find(n.text)
                end = text.find(n.kind, k + len(n.text)) + len(n.kind) if n.kind and k >= 0 else k + len(n.text)
                if k >= 0 and end >= k + len(n.text):
                    hits[i] = hits.get(i, False) or _names_done(text, k, end)
        return [(self.clauses[i], hits[i]) for i in sorted(hits)
                if self.clauses[i].measure["document_id"] != c["document_id"]]


# --- the evidence of the whole corpus, indexed once ------------------------------------------------

@dataclass
class Evidence:
    """What the rules look at beyond a commitment itself, indexed once for all commitments."""
    by_id: dict[str, dict]  # measure rows (current documents) by id
    memberships: dict[str, list[str]]  # measure -> its threads
    thread_dated: dict[str, tuple[list[str], list[str]]]  # thread -> its dated members' dates and ids, by date
    quantities: dict[str, list[dict]]  # measure -> its quantities
    titles: TitleIndex
    figures: FigureIndex
    names: NameIndex
    task_targets: dict[tuple[str, str], list[dict]]  # (document, section) -> its numbered task's target
    section_deadlines: dict[str, str]  # target -> the deadline its section stated before it

    @classmethod
    def index(cls, measures: list[dict], memberships: dict[str, list[str]], quantities: dict[str, list[dict]],
              documents: list[dict]) -> Evidence:
        """measures: rows of current documents in time order (id, document_id, kind, text, deadline,
        section, sort_date, date, region, level, issuer); memberships: measure -> thread ids;
        documents: rows with id, title, date, sort_date, issuer, draft."""
        by_id = {m["id"]: m for m in measures}
        first_measure: dict[str, str] = {}
        for m in measures:
            first_measure.setdefault(m["document_id"], m["id"])
        return cls(by_id, memberships, _thread_dated(memberships, by_id), quantities,
                   TitleIndex.index(documents, measures, first_measure), FigureIndex.index(measures, quantities),
                   NameIndex.index(measures), _task_targets(measures, quantities), _section_deadlines(measures))

    def later_mentions(self, c: dict) -> list[dict]:
        """Mentions in c's threads from later documents (not c's own), by id."""
        later_ids: set[str] = set()
        if c.get("sort_date"):
            since = str(c["sort_date"])
            for t in self.memberships.get(c["id"], ()):
                dates, mids = self.thread_dated[t]
                later_ids.update(m for m in mids[bisect.bisect_right(dates, since):]
                                 if self.by_id[m]["document_id"] != c["document_id"])
        return [self.by_id[m] for m in sorted(later_ids)]

    def task_target(self, c: dict) -> list[dict] | None:
        """The target of the numbered task c leads (2、打造测试验证平台。): the figures are checked
        against it. A measure with a number of its own, or one that is not the task's heading, has none."""
        section, own = c.get("section") or "", _NOT_TEXT.sub("", c["text"])
        if self.quantities.get(c["id"]) or not own or own not in _NOT_TEXT.sub("", section):
            return None
        return self.task_targets.get((c["document_id"], section))

    def deadline(self, c: dict) -> tuple[str | None, str]:
        """c's deadline, and where it comes from when not from c itself."""
        if c.get("deadline"):
            return c["deadline"], ""
        inherited = self.section_deadlines.get(c["id"])
        return (inherited, " (stated for its section)") if inherited else (None, "")


def _thread_dated(memberships: dict[str, list[str]], by_id: dict[str, dict]) -> dict[str, tuple[list[str], list[str]]]:
    """Each thread's dated members in date order: a commitment's later mates are a suffix."""
    thread_measures: dict[str, list[str]] = {}
    for mid, tids in memberships.items():
        for t in tids:
            thread_measures.setdefault(t, []).append(mid)
    out = {}
    for t, mids in thread_measures.items():
        order = sorted((str(by_id[m]["sort_date"]), m) for m in mids if m in by_id and by_id[m].get("sort_date"))
        out[t] = ([d for d, _ in order], [m for _, m in order])
    return out


def _task_targets(measures: list[dict], quantities: dict[str, list[dict]]) -> dict[tuple[str, str], list[dict]]:
    """A numbered task's target, for its measures that state none: 2、打造测试验证平台。 … 到2026年，
    建成不少于3家测试验证平台 — the lead is judged against the 3, not fulfilled by the first one."""
    out: dict[tuple[str, str], list[dict]] = {}
    for m in measures:
        if m["kind"] == "target" and m.get("section") and _target_quantity(quantities.get(m["id"], [])):
            out.setdefault((m["document_id"], m["section"]), quantities[m["id"]])
    return out


def _section_deadlines(measures: list[dict]) -> dict[str, str]:
    """A target without a deadline of its own takes the one its section stated before it: under
    （四）发展目标, 到2025年，培育不少于20家…。示范带动不少于200家… is due by 2025 too."""
    out: dict[str, str] = {}
    stated: dict[tuple[str, str], str] = {}
    for m in measures:  # in document order
        where = (m["document_id"], m.get("section") or "")
        if not where[1] or m["kind"] != "target":
            continue
        if m.get("deadline"):
            stated[where] = m["deadline"]
        elif where in stated:
            out[m["id"]] = stated[where]
    return out


# --- the rules -------------------------------------------------------------------------------------

def judge(measures: list[dict], evidence: Evidence, as_of: dt.date) -> list[Status]:
    """The status of every commitment and target among the measures, at the as-of date."""
    return [status_of(c, evidence, as_of) for c in measures if c["kind"] in FUTURE_KINDS]


@dataclass
class Found:
    """What later documents say of one commitment, and what does not count, with why."""
    later: list[dict]  # thread-mates in later documents
    work: list[dict] = field(default_factory=list)  # later reports that count, not of completion
    done: list[dict] = field(default_factory=list)  # later reports of completion
    figures: FigureCheck | None = None
    notes: list[str] = field(default_factory=list)  # what was found and does not count
    spoken: bool = False  # something later speaks of it (counted or not)


def status_of(c: dict, ev: Evidence, as_of: dt.date) -> Status:
    """One commitment's status: the rules in turn (see the module docstring)."""
    deadline, _ = ev.deadline(c)
    found = Found(ev.later_mentions(c))
    # 1. a promised policy that now exists
    titles, described = _promised_policy(c["text"])
    if titles or described:
        held = ev.titles.later(c, titles, described)
        issued = _policy_status(c, titles, held, deadline)
        if issued:
            return issued
        _title_notes(found, held, titles)
    found.work += [e for e in found.later if e["kind"] == "progress" and covers(c, e)]
    _not_covering(c, found, [e for e in found.later if e["kind"] == "progress" and not covers(c, e)])
    # 2. a quantitative target (its own, else its task's) against later figures of its metric
    target = _target_quantity(ev.quantities.get(c["id"], [])) or _target_quantity(ev.task_target(c) or [])
    found.figures = check_figures(c, target, ev.figures.later(c, target) if target else [])
    if found.figures and found.figures.met:
        f = found.figures.met[0]
        return Status(c["id"], FULFILLED, "target-met", f"target {target['raw']} met: later figure {f.raw} "
                      f"({f.region or '?'}, {f.date}; {f.value:g}{f.unit} vs {target['value']:g}{target['unit']})",
                      [x.measure_id for x in found.figures.met], deadline)
    _figure_notes(c, found)
    # 3. completion reported: by a thread-mate sharing its words, or by any later report of its name
    _named(c, ev, found, target)
    done = _completion_reported(c, found, target)
    if done:
        e = done[0]
        return Status(c["id"], FULFILLED, "completion-reported",
                      f"later report ({_when(e)}, {e.get('issuer') or ''}) states completion: {_clip(e['text'])}",
                      list(dict.fromkeys(x["id"] for x in done)), deadline)
    return _unfulfilled(c, found, ev, as_of)


def _title_notes(found: Found, held: list[TitleEntry], titles: list[str]) -> None:
    """A named policy is tracked by its name: thread-mates that do not cite it are not evidence; a
    draft put out for comment is work on it; a later promise of it renews it."""
    if titles:
        found.later = [e for e in found.later if any(titles_match(t, p) for t in _titles(e["text"]) for p in titles)]
    drafts = [e for e in held if e.how == DRAFT]
    if drafts:
        found.work += [{"id": e.measure_id, "document_id": e.document_id, "date": e.date, "kind": "progress",
                        "text": f"《{e.title}》", "issuer": e.issuer} for e in drafts if e.measure_id]
        found.notes.append(f"only a draft of 《{drafts[0].title}》 is out ({drafts[0].date}), not the policy")
    promised = {e.document_id for e in held if e.how == PROMISED}
    if promised:
        found.notes.append(f"{len(promised)} later document(s) still promise it")
    found.spoken = found.spoken or bool(held)


def _not_covering(c: dict, found: Found, elsewhere: list[dict]) -> None:
    if elsewhere:
        found.notes.append(f"{len(elsewhere)} later report(s) from {_regions(elsewhere)} "
                           f"do not cover {c.get('region')}")


def _figure_notes(c: dict, found: Found) -> None:
    """Figures below the target are work on it; figures of a region that does not count are noted."""
    check = found.figures
    if not check:
        return
    ids = {e["id"] for e in found.work}
    for f in check.below:
        if f.measure_id not in ids:
            ids.add(f.measure_id)
            found.work.append({"id": f.measure_id, "document_id": f.document_id, "date": f.date, "kind": "progress",
                               "text": f.window, "region": f.region})
    if check.elsewhere:
        shown = ", ".join(f"{f.raw} ({f.region})" for f in check.elsewhere[:3])
        found.notes.append(f"later figure(s) {shown} do not count for {_target_region(c, check.target)}")
    found.spoken = found.spoken or bool(check.below or check.elsewhere)


def _named(c: dict, ev: Evidence, found: Found, target: dict | None) -> None:
    """Later reports naming the named thing c promises: of completion, or of work on it. A promise
    of several (不少于3家…) is judged by figures, not by one report."""
    if _several(target):
        return
    clauses = ev.names.later(c, promised_names(c["text"]))
    counted = [covers(c, {**k.measure, "text": k.text}) for k, _ in clauses]
    here = [kd for kd, ok in zip(clauses, counted, strict=True) if ok]
    found.done += [k.measure for k, done in here if done]
    ids = {e["id"] for e in found.work}
    found.work += [k.measure for k, done in here if not done and k.measure["id"] not in ids]
    _not_covering(c, found, [k.measure for (k, _), ok in zip(clauses, counted, strict=True) if not ok])
    found.spoken = found.spoken or bool(clauses)


def _several(target: dict | None) -> bool:
    """Does the target count several things (不少于3家)? Then one report of one built does not meet it."""
    return bool(target) and target["value"] > 1 and target["unit"] not in _SCALE_UNITS


def _completion_reported(c: dict, found: Found, target: dict | None) -> list[dict]:
    """The later reports stating the promised thing done, unless the promise continues, implements,
    counts several (figures judge it), is set for every district (one report is one district), or
    its target is reported below."""
    if not DELIVERABLE.search(c["text"]) or (found.figures and found.figures.below) or _several(target) \
            or CONTINUING.search(c["text"][:8]) or IMPLEMENTS.search(c["text"]):
        return []
    # a clause of the report states the completion of what it shares with the promise: not
    # 高质量孵化器新增6家，大批科技成果加速实现转化 for 支持高质量孵化器在海外设立离岸孵化基地
    threads = [e for e in found.work if e in found.later
               and any(reports_completion(part, c["text"]) and _shares_object(c["text"], part)
                       for part in _clauses(e["text"]))]
    done = threads + found.done
    every = EVERY_PLACE.search(c["text"])
    if every and done:  # 每个区至少建成1家: a report of one district is work, one of all (全覆盖) completes it
        of_all = [e for e in done if FOR_ALL.search(e["text"])]
        if not of_all:
            found.notes.append(f"it is set for every place ({every.group(0)}): a report of one is not its completion")
        return of_all
    return done


def _unfulfilled(c: dict, found: Found, ev: Evidence, as_of: dt.date) -> Status:
    """Not (yet) fulfilled: overdue once the deadline passed, in progress while work is reported,
    else no evidence; the reason says what later documents say, and why it does not count."""
    deadline, source = ev.deadline(c)
    end = deadline_end(deadline)
    work = list({e["id"]: e for e in found.work}.values())
    ids = [e["id"] for e in work]
    below = found.figures.why_below if found.figures and found.figures.below else ""
    note = "".join(f"; {n}" for n in found.notes)
    spoken = found.spoken or bool(found.later)
    if end is not None and as_of > end:
        why = below or (f"{len(work)} later report(s) of work, none of completion" if work else
                        "no later document speaks of it" if not spoken else "no later report counts")
        return Status(c["id"], OVERDUE, "deadline-passed",
                      f"deadline {deadline}{source} passed at {as_of.isoformat()}: {why}{note}", ids, deadline)
    if work:
        e = max(work, key=_when)
        why = below or f"latest: {_when(e)} {_clip(e['text'])}"
        rule = "continuing" if CONTINUING.search(c["text"][:8]) else "work-reported"
        return Status(c["id"], IN_PROGRESS, rule, f"{len(work)} later report(s) of work; {why}{note}", ids, deadline)
    if not spoken:
        return Status(c["id"], NO_EVIDENCE, "nothing-later", "no later document speaks of it", [], deadline)
    why = "later mentions renew it but report no work" if found.later else "later mentions do not count"
    return Status(c["id"], NO_EVIDENCE, "nothing-later", why + note, [], deadline)


def _regions(ms: list[dict]) -> str:
    return ", ".join(sorted({m.get("region") or "?" for m in ms}))


def status_rows(statuses: list[Status], as_of: dt.date, run_id: str) -> list[dict]:
    """Statuses as stored (derived data, written by difference: db.queries.replace_statuses)."""
    return [{"measure_id": s.measure_id, "status": s.status, "rule": s.rule, "reason": s.reason,
             "evidence_measure_ids": json.dumps(s.evidence), "deadline": s.deadline, "as_of": as_of.isoformat(),
             "run_id": run_id} for s in statuses]
