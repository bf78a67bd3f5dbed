"""Status meters, the district scoreboard, the unfulfilled list and a plan's scorecard, from rows
(pure: commitments as the `commitments` view gives them, documents as the store lists them).

A commitment falls in exactly one part of a meter (METER, in this order):

- one per status the rules compute (fulfilled, in progress, overdue, no evidence), by its
  effective status (a reviewer's flag wins over the computed one);
- `awaiting`: no evidence, not flagged, and no later document could yet have reported on it
  (see awaiting_documents);
- `flagged`: a status only a reviewer gives (unfulfilled, disputed).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .status import NO_EVIDENCE as _NO_EVIDENCE
from .status import OVERDUE as _OVERDUE
from .status import deadline_end
from .vocabulary import VOCAB

AWAITING = "awaiting"
FLAGGED = "flagged"
_COMPUTED = [s.name for s in VOCAB.statuses if s.computed]
_FLAG_ONLY = [s.name for s in VOCAB.statuses if s.flag and not s.computed]
_LABELS = {s.name: f"{s.label} {s.name.replace('_', ' ')}" for s in VOCAB.statuses}
_LISTED = {s.name: s.rank for s in VOCAB.statuses if s.listed}
# part -> what the pages show
METER = {**{name: _LABELS[name] for name in _COMPUTED},
         AWAITING: "awaiting later documents",
         FLAGGED: "flagged " + " / ".join(_LABELS[n] for n in _FLAG_ONLY)}
_LEVELS = {"national": 0, "province": 1, "city": 2, "district": 3, "town": 4}
_INSIDE = {p.name: p.inside for p in VOCAB.places}


# --- which promises could not have been reported on yet -----------------------------------------

def _within(place: str, region: str) -> bool:
    for _ in range(10):
        if place == region:
            return True
        if place not in _INSIDE or not _INSIDE[place]:
            return False
        place = _INSIDE[place]
    return False


def could_report(promise_doc: dict, later_doc: dict) -> bool:
    """Could a document speak for the promises of another one's jurisdiction? The status rules
    count evidence of the same region or of a place inside it, and a report from a place around
    it (a city's reply) that names it: so a region inside, around or the same, and either being
    national or of unknown region."""
    a, b = promise_doc.get("region"), later_doc.get("region")
    if not a or not b or "national" in (promise_doc.get("level"), later_doc.get("level")):
        return True
    return _within(a, b) or _within(b, a)


def awaiting_documents(documents: list[dict]) -> set[str]:
    """The current documents that no later current document could have reported on: none dated
    after them (by sort date) of their region, one inside it or one around it. Their promises
    with no evidence are awaiting later documents, not unfulfilled. An undated document is never
    awaiting (nothing is later or earlier than it; the rules find no evidence for it either)."""
    dated = [d for d in documents if d.get("sort_date") and d.get("is_current", True)]
    return {d["id"] for d in dated
            if not any(str(o["sort_date"]) > str(d["sort_date"]) and could_report(d, o) for o in dated)}


# --- meters -------------------------------------------------------------------------------------

def part(c: dict, awaiting: set[str]) -> str:
    """The part of a meter a commitment falls in."""
    status = c["effective_status"]
    if status in _FLAG_ONLY:
        return FLAGGED
    if status == _NO_EVIDENCE and not c.get("flagged_status") and c["document_id"] in awaiting:
        return AWAITING
    return status if status in METER else FLAGGED


def meter(commitments: list[dict], awaiting: set[str]) -> dict:
    """Counts per part, with each part's share of the bar (percent) and a one-line summary."""
    counts = dict.fromkeys(METER, 0)
    for c in commitments:
        counts[part(c, awaiting)] += 1
    total = sum(counts.values())
    parts = [{"key": k, "label": label, "count": counts[k],
              "percent": round(100 * counts[k] / total, 2) if total else 0} for k, label in METER.items()]
    summary = ", ".join(f"{p['label']} {p['count']}" for p in parts if p["count"]) or "no commitments"
    return {"total": total, "counts": counts, "parts": parts, "summary": f"{total} commitments: {summary}"}


def meters_by(commitments: list[dict], awaiting: set[str], key) -> dict:
    """A meter for each value of key(commitment)."""
    groups: dict = {}
    for c in commitments:
        groups.setdefault(key(c), []).append(c)
    return {k: meter(v, awaiting) for k, v in groups.items()}


# --- the district scoreboard ----------------------------------------------------------------------

def days_overdue(c: dict) -> int | None:
    """Days from the last day the deadline allows to the as-of date of the status."""
    end = deadline_end(c.get("deadline"))
    if not end or not c.get("as_of"):
        return None
    return (dt.date.fromisoformat(str(c["as_of"])[:10]) - end).days


def scoreboard(commitments: list[dict], awaiting: set[str]) -> list[dict]:
    """One row per (level, region): its meter, counts, overdue count and oldest overdue promise."""
    groups: dict[tuple, list[dict]] = {}
    for c in commitments:
        groups.setdefault((c.get("level") or "", c.get("region") or ""), []).append(c)
    rows = []
    for (level, region), cs in sorted(groups.items(), key=lambda kv: (_LEVELS.get(kv[0][0], 9), kv[0][1])):
        m = meter(cs, awaiting)
        overdue = sorted((c for c in cs if c["effective_status"] == _OVERDUE),
                         key=lambda c: (-(days_overdue(c) or 0), c.get("sort_date") or "", c.get("ordinal") or 0))
        oldest = _item(overdue[0]) if overdue else None
        rows.append({"level": level or None, "region": region or None, "meter": m, "overdue": len(overdue),
                     "unfulfilled": sum(1 for c in cs if c["effective_status"] in _LISTED and part(c, awaiting)
                                        != AWAITING),
                     "documents": len({c["document_id"] for c in cs}), "oldest_overdue": oldest})
    return rows


def _item(c: dict) -> dict:
    keys = ("measure_id", "text", "effective_status", "computed_status", "flagged_status", "flagged_by", "flag_note",
            "deadline", "reason", "thread_id", "document_id", "title", "issuer", "region", "level", "date",
            "sort_date", "ordinal", "section")
    return {k: c.get(k) for k in keys} | {"days_overdue": days_overdue(c) if c["effective_status"] == _OVERDUE
                                          else None, "status_label": _LABELS.get(c["effective_status"])}


# --- the unfulfilled list -------------------------------------------------------------------------

@dataclass
class Unfulfilled:
    counts: dict  # overdue, unfulfilled (flagged), no_evidence, awaiting
    groups: list[dict]  # region -> documents -> items, most urgent first
    awaiting: list[dict]  # the same, for promises awaiting later documents
    regions: list[str]  # every region with commitments, the city before its districts


def unfulfilled(commitments: list[dict], awaiting: set[str], region: str | None = None,
                limit: int | None = None) -> Unfulfilled:
    """The listed commitments (overdue, flagged unfulfilled, no evidence) grouped by region then
    document; overdue first, most days overdue first, then flagged unfulfilled, then no evidence
    in the document's order. Those awaiting later documents are grouped apart. limit: at most
    that many of each region's most urgent (a group says how many it has and how many it shows)."""
    listed = [c for c in commitments if c["effective_status"] in _LISTED and (not region or c.get("region") == region)]
    waiting = [c for c in listed if part(c, awaiting) == AWAITING]
    now = [c for c in listed if part(c, awaiting) != AWAITING]
    counts = {s: sum(1 for c in now if c["effective_status"] == s) for s in _LISTED} | {AWAITING: len(waiting)}
    regions = sorted({(_LEVELS.get(c.get("level"), 9), c["region"]) for c in commitments if c.get("region")})
    return Unfulfilled(counts, _grouped(now, limit), _grouped(waiting, limit),
                       list(dict.fromkeys(r for _, r in regions)))


def _grouped(cs: list[dict], limit: int | None = None) -> list[dict]:
    def urgency(c):
        return (_LISTED[c["effective_status"]], -(days_overdue(c) or 0), c.get("ordinal") or 0)

    by_region: dict[tuple, list[dict]] = {}
    for c in cs:
        key = (_LEVELS.get(c.get("level"), 9), c.get("region") or "", c.get("level") or "")
        by_region.setdefault(key, []).append(c)
    out = []
    for (_, region, level), all_items in sorted(by_region.items()):
        kept = sorted(all_items, key=lambda c: (*urgency(c)[:2], c.get("sort_date") or "", c["document_id"],
                                                c.get("ordinal") or 0))[:limit]
        docs: dict[str, list[dict]] = {}
        for c in kept:
            docs.setdefault(c["document_id"], []).append(c)
        documents = []
        for items in docs.values():
            items.sort(key=urgency)
            first = items[0]
            documents.append({"document_id": first["document_id"], "title": first.get("title"),
                              "issuer": first.get("issuer"), "date": first.get("date"),
                              "sort_date": first.get("sort_date"), "items": [_item(c) for c in items]})
        documents.sort(key=lambda d: (urgency(docs[d["document_id"]][0]), d["sort_date"] or ""))
        out.append({"region": region or None, "level": level or None, "count": len(all_items), "shown": len(kept),
                    "documents": documents})
    return out


# --- a plan's scorecard ---------------------------------------------------------------------------

def scorecard(measures: list[dict], statuses: dict[str, dict], evidence: dict[str, dict]) -> list[dict]:
    """A document's measures in its own order, in runs of one section each: every promise with its
    status, deadline and last evidence (evidence: measure id -> row of the evidence measure)."""
    sections: list[dict] = []
    for m in sorted(measures, key=lambda m: m["ordinal"]):
        s = statuses.get(m["id"])
        ev = [evidence[e] for e in (s["evidence_measure_ids"] if s else []) if e in evidence]
        row = {"measure_id": m["id"], "ordinal": m["ordinal"], "kind": m["kind"], "text": m["text"],
               "deadline": (s or {}).get("deadline") or m.get("deadline"),
               "target": {k: m.get(k) for k in ("comparator", "value", "unit", "object")} if m.get("comparator")
               else None,
               "status": s["effective_status"] if s else None, "status_label": _LABELS.get(s["effective_status"])
               if s else None, "computed_status": s["computed_status"] if s else None,
               "flagged_status": s["flagged_status"] if s else None, "flagged_by": s["flagged_by"] if s else None,
               "reason": s["reason"] if s else None, "days_overdue": days_overdue(s) if s and
               s["effective_status"] == _OVERDUE else None,
               "evidence": [{k: e.get(k) for k in ("id", "text", "kind", "document_id", "date", "sort_date",
                                                  "issuer", "title")} for e in ev]}
        if not sections or sections[-1]["section"] != (m.get("section") or ""):
            sections.append({"section": m.get("section") or "", "rows": []})
        sections[-1]["rows"].append(row)
    return sections
