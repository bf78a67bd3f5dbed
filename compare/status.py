"""Was it kept? The computed status of every commitment and target, with its evidence.

Official replies are self-reports: a computed status is a claim with evidence, never the
last word. For a promise, only mentions in *later* documents count:

- `fulfilled`: a later promised policy exists (a later document is it, or cites it as in
  force: 落实《X》, not 发布《X》); a quantitative target is met by a later figure of the same
  unit and metric; or a later report states completion (建成, 成立, 印发, 出台, 发布…).
- `overdue`: the deadline has passed at the as-of date without evidence of completion.
- `in_progress`: later reports of work on it, no completion.
- `no_evidence`: nothing later speaks of it.

Evidence counts where it covers the commitment: a document of the same region, or of a
place inside it (a district's report on a city programme); a city's report does not
fulfil a district's target. A promise about a named 《document》 is tracked by its name.

Pure: the rules judge measure rows through an `Evidence` index built from plain rows (the
measures, their threads, their quantities, the documents). The stage runner (compare/stages.py:
`judge`) reads those rows and stores the statuses.
"""
from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .terms import TITLE, norm_term
from .vocabulary import VOCAB, VocabularyError

FUTURE_KINDS = ("commitment", "target")
_VERBS = VOCAB["verbs"]["verbs"]  # by role: completion, deliverable, issue, implement
COMPLETION = re.compile(_VERBS.pattern("completion"))  # 建成, 印发, 揭牌, 投入使用…
# a completion word after one of these, in the same clause, is a plan: 预计年底投入使用, 力争年内建成
NOT_YET = re.compile(VOCAB["cues"]["future markers"].pattern("not-yet"))


def reports_completion(text: str) -> bool:
    """Does the text report something done (建成, 印发, 揭牌…), not promise or expect it?"""
    for m in COMPLETION.finditer(text):
        clause = re.split(r"[，。；,;！？]", text[:m.start()])[-1]
        if not NOT_YET.search(clause[-12:]):
            return True
    return False


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


def _later(c: dict, e: dict) -> bool:
    if e["document_id"] == c["document_id"] or not c.get("sort_date") or not e.get("sort_date"):
        return False
    return str(e["sort_date"]) > str(c["sort_date"])


def _shares_object(promise: str, report: str) -> bool:
    """Does the report name the promise's object (a shared run of OBJECT_RUN characters)?"""
    from difflib import SequenceMatcher

    if not TITLE.search(promise):
        # a promise of a fund or a centre is not met by a 《policy》 that shares its words:
        # 设立某区智能网联汽车产业基金 vs 印发《某区智能网联汽车产业支持措施》
        report = TITLE.sub(lambda m: "|" * len(m.group(0)), report)
    # punctuation becomes a different mark on each side, so a shared run never spans it
    a = re.sub(r"[\s，。、；：“”《》（）|#]", "|", promise)
    b = re.sub(r"[\s，。、；：“”《》（）|#]", "#", report)
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= OBJECT_RUN


def _titles(text: str) -> list[str]:
    return [m.group(1) for m in TITLE.finditer(text)]


@lru_cache(maxsize=1 << 18)
def _title_match(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    na, nb = norm_term(a), norm_term(b)
    return bool(na) and bool(nb) and (na == nb or fuzz.ratio(na, nb) >= 85)


def _description_covered(description: str, title: str) -> float:
    """Share of a described policy's content bigrams found in a title (全链条的支持政策 ~ 《…全链条…若干意见》)."""
    d = GENERIC.sub("", description)
    t = norm_term(title)
    grams = {d[i:i + 2] for i in range(len(d) - 1)}
    if len(grams) < 4:
        return 0.0
    return sum(g in t for g in grams) / len(grams)


def _cites_as_existing(text: str, title: str) -> bool:
    """A mention cites 《title》 as in force (落实《X》), not as a promise to issue it (发布《X》)."""
    i = text.find("《" + title)
    if i < 0:
        return False
    before = text[max(0, i - 6):i]
    return not ISSUE_VERBS.search(before)


def _promised_policy(text: str) -> tuple[list[str], str | None]:
    """(titles promised, described policy) when the measure promises to issue a policy."""
    if not ISSUE_VERBS.search(text):
        return [], None
    titles = [t for t in _titles(text) if ISSUE_VERBS.search(text[max(0, text.find("《" + t) - 8):text.find("《" + t)])]
    if titles:
        return titles, None
    m = re.search(rf"(?:{ISSUE_VERBS.pattern})(.{{2,30}}?(?:{POLICY_NOUN.pattern}))", text)
    return [], (m.group(1) if m else None)


TARGET_COMPARATORS = (">=", ">", "=", "~", "+")


def _target_quantity(qs: list[dict]) -> dict | None:
    return next((q for q in qs if q["comparator"] in TARGET_COMPARATORS), None)


def _quantity_check(c: dict, evidence: list[dict], quantities: dict[str, list[dict]],
                    task_quantities: list[dict] | None = None) -> tuple[str, str, list[str]] | None:
    """Compare a target quantity (its own, else its task's) with later reported figures of the
    same unit and metric."""
    from rapidfuzz import fuzz

    target = _target_quantity(quantities.get(c["id"], [])) or _target_quantity(task_quantities or [])
    if not target:
        return None
    best = None
    for e in evidence:
        for q in quantities.get(e["id"], []):
            if q["unit"] != target["unit"]:
                continue
            sim = fuzz.partial_ratio(target["object"] or "", q["object"] or "") if target["object"] else 0
            if sim < 60:
                continue
            if best is None or sim > best[0]:
                best = (sim, q, e)
    if not best:
        return None
    _, q, e = best
    goal, got = target["value"], q["value"]
    met = got > goal if target["comparator"] == ">" else got >= goal
    unit = target["unit"]
    if met:
        why = f"target {target['raw']} met: later figure {q['raw']} ({got:g}{unit} vs {goal:g}{unit})"
        return FULFILLED, why, [e["id"]]
    return "below", f"later figure {q['raw']} is below the target {target['raw']}", [e["id"]]


@dataclass
class Evidence:
    """What the rules look at beyond a commitment itself, indexed once for all commitments."""
    by_id: dict[str, dict]  # measure rows (current documents) by id
    memberships: dict[str, list[str]]  # measure -> its threads
    thread_dated: dict[str, tuple[list[str], list[str]]]  # thread -> its dated members' dates and ids, by date
    quantities: dict[str, list[dict]]  # measure -> its quantities
    titled: list[tuple[dict, list[str]]]  # measures citing 《titles》, with them, by date (undated first)
    titled_dates: list[str]  # their dates ("" when undated)
    citing: dict[str, list[int]]  # title -> positions in titled where it is cited as in force, by date
    documents: list[dict]  # the dated documents, by date
    document_dates: list[str]
    first_measure: dict[str, str]  # document -> its first measure
    task_targets: dict[tuple[str, str], list[dict]]  # (document, section) -> its numbered task's target

    @classmethod
    def index(cls, measures: list[dict], memberships: dict[str, list[str]], quantities: dict[str, list[dict]],
              documents: list[dict]) -> Evidence:
        """measures: rows of current documents in time order (id, document_id, kind, text, deadline,
        section, sort_date, date, region, level, issuer); memberships: measure -> thread ids;
        documents: rows with id, title, date, sort_date."""
        by_id = {m["id"]: m for m in measures}
        titled = [(m, _titles(m["text"])) for m in measures if "《" in m["text"]]
        # in date order as text, undated ("") first: the measures later than a date are a suffix
        titled.sort(key=lambda mt: str(mt[0].get("sort_date") or ""))
        # dated documents by sort_date as text: those later than a commitment are a suffix too
        dated_documents = sorted((d for d in documents if d.get("sort_date")), key=lambda d: str(d["sort_date"]))
        first_measure: dict[str, str] = {}
        for m in measures:
            first_measure.setdefault(m["document_id"], m["id"])
        return cls(by_id, memberships, _thread_dated(memberships, by_id), quantities, titled,
                   [str(m.get("sort_date") or "") for m, _ in titled], _citing(titled), dated_documents,
                   [str(d["sort_date"]) for d in dated_documents], first_measure, _task_targets(measures, quantities))

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
        """The target of c's numbered task (_quantity_check uses it when c states none of its own)."""
        return self.task_targets.get((c["document_id"], c.get("section") or ""))


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


def _citing(titled: list[tuple[dict, list[str]]]) -> dict[str, list[int]]:
    """title -> positions in titled where it is cited as in force (not promised), in time order."""
    citing: dict[str, list[int]] = {}
    for i, (m, cited) in enumerate(titled):
        for t in dict.fromkeys(cited):
            positions = citing.setdefault(t, [])
            if _cites_as_existing(m["text"], t):
                positions.append(i)
    return citing


def _task_targets(measures: list[dict], quantities: dict[str, list[dict]]) -> dict[tuple[str, str], list[dict]]:
    """A numbered task's target, for its measures that state none: 2、打造测试验证平台。 … 到2026年，
    建成不少于3家测试验证平台 — the lead is judged against the 3, not fulfilled by the first one."""
    out: dict[tuple[str, str], list[dict]] = {}
    for m in measures:
        if m["kind"] == "target" and m.get("section") and _target_quantity(quantities.get(m["id"], [])):
            out.setdefault((m["document_id"], m["section"]), quantities[m["id"]])
    return out


def judge(measures: list[dict], evidence: Evidence, as_of: dt.date) -> list[Status]:
    """The status of every commitment and target among the measures, at the as-of date."""
    return [status_of(c, evidence, as_of) for c in measures if c["kind"] in FUTURE_KINDS]


def status_of(c: dict, ev: Evidence, as_of: dt.date) -> Status:
    """One commitment's status: the rules in turn (see the module docstring)."""
    later = ev.later_mentions(c)
    titles, described = _promised_policy(c["text"])
    # 1. a promised policy that now exists
    if titles or described:
        issued = _policy_issued(c, titles, ev) or _policy_cited(c, titles, described, ev)
        if issued:
            return issued
        if titles:
            # a named document is tracked by its name: thread-mates that do not cite it are not evidence
            later = [e for e in later if any(_title_match(t, p) for t in _titles(e["text"]) for p in titles)]
    evidence = [e for e in later if e["kind"] == "progress" and covers(c, e)]
    elsewhere = [e for e in later if e["kind"] == "progress" and not covers(c, e)]
    # 2. a quantitative target against later figures
    quant = _quantity_check(c, evidence, ev.quantities, ev.task_target(c))
    if quant and quant[0] == FULFILLED:
        return Status(c["id"], FULFILLED, "target-met", quant[1], quant[2], c.get("deadline"))
    # 3. completion reported (a continuing commitment stays in progress)
    done = _completion_reported(c, evidence, quant)
    if done:
        e = done[0]
        return Status(c["id"], FULFILLED, "completion-reported",
                      f"later report ({e.get('date') or e.get('sort_date')}, {e.get('issuer') or ''}) "
                      f"states completion: {_clip(e['text'])}", [x["id"] for x in done], c.get("deadline"))
    return _unfulfilled(c, later, evidence, elsewhere, quant, as_of)


def _policy_issued(c: dict, titles: list[str], ev: Evidence) -> Status | None:
    """The promised 《title》 is itself a later document."""
    later_documents = ev.documents[bisect.bisect_right(ev.document_dates, str(c["sort_date"])):] \
        if titles and c.get("sort_date") else []
    for d in later_documents:  # in date order
        if not d.get("title") or d["id"] == c["document_id"]:
            continue
        if any(_title_match(t, d["title"]) for t in titles):
            first = ev.first_measure.get(d["id"])
            return Status(c["id"], FULFILLED, "policy-issued",
                          f"the promised 《{titles[0]}》 is itself a later document "
                          f"({d.get('date') or d.get('sort_date')})",
                          [first] if first else [], c.get("deadline"))
    return None


def _policy_cited(c: dict, titles: list[str], described: str | None, ev: Evidence) -> Status | None:
    """A later measure cites, as in force, a title that answers the promise (by name or description)."""
    # titles that would answer the promise, then only the later measures citing one of them
    answers = {t for t in ev.citing if any(_title_match(t, p) for p in titles)
               or (described and _description_covered(described, t) >= 0.6)}
    first = bisect.bisect_right(ev.titled_dates, str(c["sort_date"])) if c.get("sort_date") else len(ev.titled_dates)
    positions = sorted({i for t in answers for i in ev.citing[t] if i >= first})
    for e, cited in (ev.titled[i] for i in positions):
        if not _later(c, e):
            continue
        for t in cited:
            # the first answering title, in text order, that e cites as in force
            if t in answers and _cites_as_existing(e["text"], t):
                return Status(c["id"], FULFILLED, "policy-cited",
                              f"later document {e.get('date') or e.get('sort_date')} "
                              f"({e.get('issuer') or e['document_id']}) cites 《{t}》 as in force", [e["id"]],
                              c.get("deadline"))
    return None


def _completion_reported(c: dict, evidence: list[dict], quant: tuple | None) -> list[dict]:
    """The later reports stating the promised thing done, unless the promise continues, implements,
    or its target is reported below."""
    if not DELIVERABLE.search(c["text"]):
        return []
    done = [e for e in evidence if reports_completion(e["text"]) and _shares_object(c["text"], e["text"])]
    if done and not (quant and quant[0] == "below") and not CONTINUING.search(c["text"][:8]) \
            and not IMPLEMENTS.search(c["text"]):
        return done
    return []


def _unfulfilled(c: dict, later: list[dict], evidence: list[dict], elsewhere: list[dict], quant: tuple | None,
                 as_of: dt.date) -> Status:
    """Not (yet) fulfilled: overdue once the deadline passed, in progress while work is reported,
    else no evidence."""
    deadline = c.get("deadline")
    end = deadline_end(deadline)
    ids = [e["id"] for e in evidence]
    note = f"; {len(elsewhere)} later report(s) from {_regions(elsewhere)} do not cover {c.get('region')}" \
        if elsewhere else ""
    if end is not None and as_of > end:
        why = quant[1] if quant else (f"{len(evidence)} later report(s) of work, none of completion" if evidence
                                      else "no later report")
        return Status(c["id"], OVERDUE, "deadline-passed",
                      f"deadline {deadline} passed at {as_of.isoformat()}: {why}{note}", ids, deadline)
    if evidence:
        e = evidence[-1]
        why = quant[1] if quant else f"latest: {e.get('date') or e.get('sort_date')} {_clip(e['text'])}"
        rule = "continuing" if CONTINUING.search(c["text"][:8]) else "work-reported"
        return Status(c["id"], IN_PROGRESS, rule, f"{len(evidence)} later report(s) of work; {why}{note}", ids,
                      deadline)
    return Status(c["id"], NO_EVIDENCE, "nothing-later",
                  ("no later document in its threads speaks of it" if not later else "later mentions renew it "
                   "but report no work") + note, [], deadline)


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _regions(ms: list[dict]) -> str:
    return ", ".join(sorted({m.get("region") or "?" for m in ms}))


def status_rows(statuses: list[Status], as_of: dt.date, run_id: str) -> list[dict]:
    """Statuses as stored (derived data, replaced as a whole)."""
    return [{"measure_id": s.measure_id, "status": s.status, "rule": s.rule, "reason": s.reason,
             "evidence_measure_ids": json.dumps(s.evidence), "deadline": s.deadline, "as_of": as_of.isoformat(),
             "run_id": run_id} for s in statuses]
