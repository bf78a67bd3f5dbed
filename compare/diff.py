"""Diff of two documents by their measures: same, reworded, changed (number or deadline), dropped, new.

Typical uses: a draft against its final version, this year's reply against last year's.
Measures are matched one to one, most similar first: character similarity of their texts,
or their alignment score where the two are linked. A changed number or deadline says which
way it moved: a higher target or an earlier deadline strengthens a promise. That holds between
two promises only: a report of progress is no weaker promise. A promise (target, commitment)
followed by a report says "reported 1 of ≥ 3 家"; other pairs with a report in them say how the
number moved, and no direction.

Pure: measure rows in, a diff out. Reading the two documents' measures is the reports module's
(compare/reports.py: `diff_documents`).
"""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field

MATCH_THRESHOLD = 0.5
# Matching order only: a promise and a report counting in one unit (不少于3家 ~ 3家) go before a pair
# as similar without one ("建成概念验证中心3家" answers the target of 3家, not the heading 建设概念验证中心).
UNIT_BONUS = 0.05
PROMISE_KINDS = ("commitment", "target")
REPORT_KIND = "progress"
SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


@dataclass
class Change:
    status: str  # same, reworded, changed, dropped, new
    a: dict | None = None
    b: dict | None = None
    similarity: float | None = None
    direction: str | None = None  # strengthened, weakened, mixed (promise vs promise), reported (promise, report)
    details: list[str] = field(default_factory=list)
    char_diff: str | None = None
    segments: list[tuple[str, str]] | None = None


def diff_segments(a: str, b: str) -> list[tuple[str, str]]:
    """Character-level diff as (op, text) segments, op in equal, del, ins."""
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", a[i1:i2]))
        if op in ("delete", "replace"):
            out.append(("del", a[i1:i2]))
        if op in ("insert", "replace"):
            out.append(("ins", b[j1:j2]))
    return out


def char_diff(a: str, b: str) -> str:
    """A character-level diff for the terminal: [-removed-]{+added+}."""
    marks = {"equal": "{}", "del": "[-{}-]", "ins": "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in diff_segments(a, b))


def _number(v: float) -> str:
    """A number as a person writes it: 1234567, 0.5, 12.75 (never 1.23457e+06)."""
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.12f}".rstrip("0").rstrip(".")


def _reported(qa: list[dict], qb: list[dict]) -> tuple[str | None, list[str]]:
    """A promise and a later report of progress on it: what was reported of what was promised
    (also when the report reached the promise exactly: "3 of ≥ 3 家")."""
    details = []
    for x in qa:
        y = next((y for y in qb if y["unit"] == x["unit"]), None)
        if y is None:
            continue
        aimed = " ".join(p for p in (SYMBOLS.get(x["comparator"] or "", ""), _number(x["value"])) if p)
        details.append(f"{_number(y['value'])} of {aimed} {x['unit'] or ''}".strip())
    return ("reported" if details else None), details


def _direction(a: dict, b: dict, qa: list[dict], qb: list[dict]) -> tuple[str | None, list[str]]:
    promises = a.get("kind") in PROMISE_KINDS and b.get("kind") in PROMISE_KINDS
    if a.get("kind") in PROMISE_KINDS and b.get("kind") == REPORT_KIND:
        return _reported(qa, qb)
    moves, details = [], []
    for x in qa:
        y = next((y for y in qb if y["unit"] == x["unit"]), None)
        if y is None or y["value"] == x["value"]:
            continue
        up = y["value"] > x["value"]
        lower_is_better = x["comparator"] in ("<=", "<")
        moves.append("weakened" if up == lower_is_better else "strengthened")
        details.append(f"{x['raw']} → {y['raw']}")
    if a.get("deadline") != b.get("deadline") and a.get("deadline") and b.get("deadline"):
        moves.append("strengthened" if b["deadline"] < a["deadline"] else "weakened")
        details.append(f"deadline {a['deadline']} → {b['deadline']}")
    if not moves or not promises:  # a number in a report moved: no promise was weakened or strengthened
        return None, details
    return (moves[0] if len(set(moves)) == 1 else "mixed"), details


def diff_measures(doc_a: str, doc_b: str, measures_a: list[dict], measures_b: list[dict],
                  quantities: dict[str, list[dict]], links: dict[tuple[str, str], float]) -> dict:
    """Diff of two documents' measures (rows in document order; kind other is left out).

    quantities: measure id -> its quantities; links: (measure_id, measure_id2) -> alignment score.
    """
    from rapidfuzz import fuzz

    A = [m for m in measures_a if m["kind"] != "other"]
    B = [m for m in measures_b if m["kind"] != "other"]
    cands = []
    for i, x in enumerate(A):
        for j, y in enumerate(B):
            sim = fuzz.ratio(x["analysis_text"], y["analysis_text"]) / 100.0
            key = (min(x["id"], y["id"]), max(x["id"], y["id"]))
            sim = max(sim, links.get(key, 0.0))
            if sim >= MATCH_THRESHOLD:
                bonus = UNIT_BONUS * _reports_in_its_unit(x, y, quantities)
                cands.append((-(sim + bonus), -sim, i, j))
    cands.sort()
    used_a, used_b, changes = set(), set(), []
    for _, neg, i, j in cands:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        x, y = A[i], B[j]
        c = Change("same", _brief(x), _brief(y), round(-neg, 3))
        if "".join(x["analysis_text"].split()) != "".join(y["analysis_text"].split()):
            direction, details = _direction(x, y, quantities.get(x["id"], []), quantities.get(y["id"], []))
            c.status = "changed" if details else "reworded"
            c.direction, c.details = direction, details
            c.char_diff = char_diff(x["text"], y["text"])
            c.segments = diff_segments(x["text"], y["text"])
        changes.append((x["ordinal"], y["ordinal"], c))
    for i, x in enumerate(A):
        if i not in used_a:
            changes.append((x["ordinal"], -1, Change("dropped", _brief(x), None)))
    for j, y in enumerate(B):
        if j not in used_b:
            changes.append((10 ** 6, y["ordinal"], Change("new", None, _brief(y))))
    changes.sort(key=lambda t: (t[0], t[1]))
    items = [asdict(c) for _, _, c in changes]
    summary = {s: sum(1 for c in items if c["status"] == s) for s in ("same", "reworded", "changed", "dropped", "new")}
    return {"a": doc_a, "b": doc_b, "summary": summary, "changes": items}


def _reports_in_its_unit(x: dict, y: dict, quantities: dict[str, list[dict]]) -> bool:
    """One is a promise and the other a report, counting in one unit (不少于3家 ~ 已建成3家). Two
    promises or two reports get no bonus: a plan's next version may change the unit of its own
    promise, and another promise keeping that unit is not its counterpart."""
    kinds = {x["kind"], y["kind"]}
    if REPORT_KIND not in kinds or not kinds & set(PROMISE_KINDS):
        return False
    units = {q["unit"] for q in quantities.get(x["id"], [])}
    return any(q["unit"] in units for q in quantities.get(y["id"], []))


def _brief(m: dict) -> dict:
    return {"id": m["id"], "ordinal": m["ordinal"], "section": m["section"], "kind": m["kind"], "text": m["text"],
            "deadline": m["deadline"]}
