"""Rows for people and other programs, shared by the CLI and the web pages: lists, a thread's
timeline, the commitments report, a diff of two documents, the export. Reads only; the stage
runner (stages.py) is the one that writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from db import queries

from . import scorecard
from .diff import diff_measures
from .errors import CompareError
from .flags import flags_for_thread
from .vocabulary import VOCAB

if TYPE_CHECKING:
    from sqlite_utils import Database

STATUS_NAMES = tuple(s.name for s in VOCAB.statuses)  # computed and flagged, as statuses.txt names them
REPORT_COLUMNS = ["issuer", "date", "region", "deadline", "target", "status", "flagged_status", "effective_status",
                  "last_evidence", "reason", "text", "measure_id"]


def target_text(comparator: str | None, value: float | None, unit: str | None, obj: str | None) -> str:
    """A quantity aimed at, for reading: ">= 3 家 测试验证平台"."""
    return f"{comparator} {value:g} {unit} {obj or ''}".strip() if comparator else ""


# --- lists ----------------------------------------------------------------------------------

def documents(db: Database) -> list[dict]:
    """The current documents, in date order."""
    return queries.list_documents(db)


def measures(db: Database, ref: str, kinds: tuple[str, ...] = ()) -> tuple[dict, list[dict]]:
    """A document (by id, id prefix, file name or path) and its measures, of these kinds if any given."""
    doc = queries.resolve_document(db, ref)
    return doc, [m for m in queries.list_measures(db, doc["id"]) if not kinds or m["kind"] in kinds]


def threads(db: Database, min_size: int = 2) -> list[dict]:
    return [t for t in queries.list_threads(db) if t["size"] >= min_size]


@dataclass
class Timeline:
    thread_id: str
    label: str
    rows: list[dict]  # every mention, in date order


def timeline(db: Database, ref: str) -> Timeline:
    """A thread (an id, a prefix, or an old id merged away) as a timeline of its mentions."""
    tid = queries.resolve_thread(db, ref)
    label = next((t["label"] for t in queries.list_threads(db, tid)), tid)
    return Timeline(tid, label, queries.thread_timeline(db, tid))


def flags(db: Database, reviewer: str | None = None, unplaced: bool = False) -> list[dict]:
    """Every flag, newest first, with where it applies now; `unplaced`: only those that need a
    reviewer or whose document was removed."""
    rows = queries.list_flags(db, reviewer=reviewer)
    if unplaced:
        rows = [f for f in rows if f["unplaced"] or (f["removed"] and not f["placed"])]
    return rows


# --- report, diff, export -------------------------------------------------------------------

def report(db: Database, statuses: set[str] | None = None, region: str | None = None,
           issuer: str | None = None) -> list[dict]:
    """One row per commitment (REPORT_COLUMNS): computed and flagged status, the last evidence.

    statuses: keep a commitment whose computed or effective status is one of them. A status that
    does not exist, a region or an issuer that no commitment has is an error listing the valid values.
    """
    rows = queries.list_statuses(db)
    _check_filters(rows, statuses, region, issuer)
    evidence = queries.measure_rows(db, sorted({e for r in rows for e in r["evidence_measure_ids"]}))
    out = []
    for r in rows:
        if statuses and not ({r["status"], r["effective_status"]} & statuses):
            continue
        if region and r["region"] != region:
            continue
        if issuer and issuer not in (r["issuer"] or ""):
            continue
        last = evidence.get(r["evidence_measure_ids"][-1]) if r["evidence_measure_ids"] else None
        out.append({"issuer": r["issuer"], "date": r["date"] or (f"~{r['sort_date']}" if r["sort_date"] else None),
                    "region": r["region"], "deadline": r["deadline"],
                    "target": target_text(r["comparator"], r["value"], r["unit"], r["object"]), "status": r["status"],
                    "flagged_status": r["flagged_status"], "effective_status": r["effective_status"],
                    "last_evidence": f"{last['date'] or last['sort_date']} {last['text']}" if last else None,
                    "reason": r["reason"], "text": r["text"], "measure_id": r["measure_id"]})
    return out


def _check_filters(rows: list[dict], statuses: set[str] | None, region: str | None, issuer: str | None) -> None:
    unknown = sorted((statuses or set()) - set(STATUS_NAMES))
    if unknown:
        raise CompareError(f"no status {', '.join(repr(s) for s in unknown)}; --status takes a comma-separated "
                           f"list of: {', '.join(STATUS_NAMES)}")
    if region and not any(r["region"] == region for r in rows):
        raise CompareError(f"no commitment of region '{region}' in the database; --region takes one of: "
                           f"{_some(r['region'] for r in rows)}")
    if issuer and not any(issuer in (r["issuer"] or "") for r in rows):
        raise CompareError(f"no commitment's issuer contains '{issuer}'; issuers: {_some(r['issuer'] for r in rows)}")


def _some(values, shown: int = 12) -> str:
    """Distinct values, sorted, at most `shown` of them, for an error message."""
    distinct = sorted({v for v in values if v})
    if not distinct:
        return "(none: the database has no commitments yet)"
    more = f" and {len(distinct) - shown} more" if len(distinct) > shown else ""
    return ", ".join(distinct[:shown]) + more


def diff_documents(db: Database, doc_a: str, doc_b: str) -> dict:
    """Diff of two stored documents (by id) by their measures (see compare.diff)."""
    A, B = queries.list_measures(db, doc_a), queries.list_measures(db, doc_b)
    quantities = queries.quantities_by_measure(db, [m["id"] for m in A + B])
    links = {(r["measure_id"], r["measure_id2"]): r["score"] for r in queries.list_links(db)}
    return diff_measures(doc_a, doc_b, A, B, quantities, links)


def diff(db: Database, ref_a: str, ref_b: str) -> tuple[dict, dict, dict]:
    """Two documents named by the user (id, prefix or file name) and their diff."""
    a, b = queries.resolve_document(db, ref_a), queries.resolve_document(db, ref_b)
    if a["id"] == b["id"]:
        raise CompareError(f"{ref_a} and {ref_b} are the same document ({a.get('title') or a['id']}); "
                           "pass two documents, e.g. a plan and a later reply (compare docs lists them)")
    return a, b, diff_documents(db, a["id"], b["id"])


def export(db: Database) -> dict:
    """The export contract: one JSON object with documents, measures, threads, links, statuses."""
    quantities, paths = queries.quantities_by_measure(db), queries.published_paths(db)
    return {"documents": [_published_document(d, paths) for d in queries.list_documents(db)],
            "measures": [_exported_measure(m, quantities.get(m["id"], [])) for m in queries.list_measures(db)],
            "threads": [_exported_thread(t) for t in queries.list_threads(db)],
            "links": [{"measure_id": r["measure_id"], "measure_id2": r["measure_id2"], "score": r["score"],
                       "method": r["method"], "signals": r["signals"]} for r in queries.list_links(db)],
            "statuses": [{k: s[k] for k in ("measure_id", "status", "effective_status", "flagged_status",
                                            "evidence_measure_ids", "reason", "rule", "deadline", "as_of")}
                         for s in queries.list_statuses(db)],
            "flags": [_exported_flag(f) for f in queries.list_flags(db)]}


def _published_document(d: dict, paths: dict[str, str]) -> dict:
    """A document as exported: its source and path: key without the user's absolute folders (a file
    name stays, with as many folders as tell it from another of the same name)."""
    key = d.get("doc_key") or ""
    return {**d, "source": paths.get(str(d.get("source") or "").rstrip("/\\"), d.get("source")),
            **({"doc_key": "path:" + paths.get(key[5:].rstrip("/\\"), key[5:])} if key.startswith("path:") else {})}


def _exported_flag(f: dict) -> dict:
    """A reviewer's flag as given, and where it applies now (placement: on N measures, moved to a
    new version, needs a reviewer, document removed; measure_ids: the measures it is on now)."""
    return {"id": f["id"], "target_type": f["target_type"], "target_id": f["target_id"], "status": f["status"],
            "note": f["note"], "reviewer": f["reviewer"], "created_at": f["created_at"], "source": f["source"],
            "thread_id": f["scope_thread_id"], "placement": f["placement"], "measure_ids": f["placed_ids"],
            "needs_reviewer": bool(f["unplaced"]), "document_removed": bool(f["removed"] and not f["placed"])}


EXPORT_TABLE_COLUMNS = ["measure_id", "document_id", "document", "date", "issuer", "region", "section", "kind",
                        "text", "deadline", "target", "thread_id", "thread", "status", "flagged_status",
                        "effective_status", "flags"]


def export_table(db: Database) -> list[dict]:
    """One row per current measure (EXPORT_TABLE_COLUMNS): its document, its thread, its computed and
    flagged status, and every flag on it now ("disputed by 张三 2026-05-02; …")."""
    docs = {d["id"]: d for d in queries.list_documents(db)}
    threads = {t["id"]: t["label"] for t in queries.list_threads(db)}
    members = queries.thread_memberships(db)
    statuses = {s["measure_id"]: s for s in queries.list_statuses(db)}
    flags: dict[str, list[str]] = {}
    for f in reversed(queries.list_flags(db)):  # oldest first
        for mid in f["placed_ids"]:
            flags.setdefault(mid, []).append(f"{f['status']} by {f['reviewer']} {(f['created_at'] or '')[:10]}")
    out = []
    for m in queries.list_measures(db):
        d, s = docs.get(m["document_id"], {}), statuses.get(m["id"], {})
        tid = s.get("thread_id") or next(iter(members.get(m["id"], [])), None)
        out.append({"measure_id": m["id"], "document_id": m["document_id"],
                    "document": d.get("title") or d.get("file_name"),
                    "date": d.get("date") or (f"~{d['sort_date']}" if d.get("sort_date") else None),
                    "issuer": d.get("issuer"), "region": d.get("region"), "section": m["section"] or "",
                    "kind": m["kind"], "text": m["text"], "deadline": m["deadline"],
                    "target": target_text(m["comparator"], m["value"], m["unit"], m["object"]),
                    "thread_id": tid, "thread": threads.get(tid), "status": s.get("status"),
                    "flagged_status": s.get("flagged_status"), "effective_status": s.get("effective_status"),
                    "flags": "; ".join(flags.get(m["id"], [])) or None})
    return out


def sqlite_copy(db: Database, target: str, force: bool = False) -> None:
    """A standalone copy of the database for Datasette (`datasette copy.db`), written to a temporary
    file beside `target` and put in place whole: never half-written, never over the database itself,
    never over an existing file (a dangling symlink counts) unless `force`, also when one appears
    while the copy is written (it is linked into place, which fails on an existing name).
    See db.queries.write_copy for what it holds."""
    import os
    import tempfile

    source = queries.database_path(db)
    if source and os.path.exists(target) and os.path.samefile(source, target):
        raise CompareError(f"{target}: is the database itself; pass another file with -o")
    if os.path.isdir(target):
        raise CompareError(f"{target}: is a directory; pass a file name with -o")
    if os.path.exists(target) and not os.path.isfile(target):  # a device or a pipe is never replaced
        raise CompareError(f"{target}: is not a regular file; pass a file name with -o")
    if os.path.lexists(target) and not force:
        raise CompareError(_EXISTS.format(target=target))
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise CompareError(f"{target}: no folder {folder}; create it, or pass another file with -o")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".compare-copy-", suffix=".db", dir=folder)
    except OSError as e:
        raise CompareError(f"{target}: cannot be written ({e.strerror}); pass another file with -o") from None
    os.close(fd)
    try:
        queries.write_copy(db, tmp)
        os.chmod(tmp, 0o644)
        _publish(tmp, target, force)
    finally:
        for leftover in (tmp, tmp + "-journal"):
            if os.path.exists(leftover):
                os.remove(leftover)


_EXISTS = "{target}: already exists; pass --force to overwrite it, or another file with -o"


def _publish(tmp: str, target: str, force: bool) -> None:
    """`tmp` becomes `target`: replaced with `force`, else linked (an atomic create that fails when
    the name exists, whatever made it since the check); where hard links are not possible, created
    exclusively and copied."""
    import errno
    import os
    import shutil

    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise CompareError(_EXISTS.format(target=target)) from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise CompareError(_EXISTS.format(target=target)) from None
    try:
        with os.fdopen(fd, "wb") as out, open(tmp, "rb") as src:
            shutil.copyfileobj(src, out)
    except BaseException:
        os.remove(target)  # the file this call created: a half copy is never left
        raise


def _exported_measure(m: dict, quantities: list[dict]) -> dict:
    m["section"] = m["section"] or ""
    m["quantities"] = quantities
    m["offsets"] = {"start": m.pop("start"), "end": m.pop("end"),
                    "orig_start": m.pop("orig_start"), "orig_end": m.pop("orig_end")}
    m["target"] = {"deadline": m.pop("deadline"), "deadline_relative": m.pop("deadline_relative"),
                   "comparator": m.pop("comparator"), "value": m.pop("value"), "unit": m.pop("unit"),
                   "object": m.pop("object")}
    return m


def _exported_thread(t: dict) -> dict:
    return {"id": t["id"], "label": t["label"], "measure_ids": t["measure_ids"], "size": t["size"],
            "documents": t["documents"], "regions": t["regions"], "levels": t["levels"],
            "first_date": t["first_date"], "last_date": t["last_date"],
            "dates_approximate": bool(t["dates_approximate"]), "method": t["method"]}


# --- the web pages' rows --------------------------------------------------------------------

def thread_view(db: Database, tid: str) -> tuple[dict, list[dict], list[dict]]:
    """A thread's page: the thread, its mentions with their computed and flagged status, its flags."""
    thread = queries.list_threads(db, tid)[0]
    statuses = {s["measure_id"]: s for s in queries.list_statuses(db, thread_id=tid)}
    rows = []
    for r in queries.thread_timeline(db, tid):
        # a status, computed or flagged, belongs to a promise; reports of progress carry none
        s = statuses.get(r["measure_id"])
        flag = {"status": s["flagged_status"], "reviewer": s["flagged_by"], "note": s["flag_note"],
                "placement": s["flag_placement"]} if s and s["flagged_status"] else None
        # the deadline the status rules used: the promise's own, else the one its section stated
        rows.append(dict(r, deadline=(s["deadline"] if s else None) or r["deadline"],
                         computed_status=s["computed_status"] if s else None,
                         effective_status=s["effective_status"] if s else None,
                         flag=flag, reason=s["reason"] if s else None))
    return thread, rows, flags_for_thread(queries.list_flags(db), tid, [r["measure_id"] for r in rows])


def document_view(db: Database, doc_id: str) -> tuple[list[dict], dict[str, dict], dict[str, list[str]], dict]:
    """A document's page: its measures, their statuses, the threads of every measure, the threads."""
    statuses = {s["measure_id"]: s for s in queries.list_statuses(db, document_id=doc_id)}
    return (queries.list_measures(db, doc_id), statuses, queries.thread_memberships(db),
            {t["id"]: t for t in queries.list_threads(db)})


# --- meters, the district scoreboard, the unfulfilled list, a plan's scorecard ------------------

def public_document(doc: dict) -> dict:
    """A document row as the web publishes it: the file name, never the server's path."""
    return {k: v for k, v in doc.items() if k not in ("source", "original_text", "cleaned_text")}


def commitments_and_awaiting(db: Database) -> tuple[list[dict], set[str]]:
    """Every commitment (the `commitments` view) and the documents whose promises await later ones."""
    return queries.list_statuses(db), scorecard.awaiting_documents(queries.list_documents(db))


def overview(db: Database) -> dict:
    """The whole corpus's meter, one per issuer, and the documents with theirs."""
    cs, awaiting = commitments_and_awaiting(db)
    by_issuer = scorecard.meters_by(cs, awaiting, lambda c: c.get("issuer") or "")
    return {"meter": scorecard.meter(cs, awaiting),
            "issuers": [{"issuer": k or None, "meter": v} for k, v in sorted(by_issuer.items(),
                                                                           key=lambda kv: -kv[1]["total"])],
            "documents": _with_meters(db, cs, awaiting)}


def region_scoreboard(db: Database) -> list[dict]:
    return scorecard.scoreboard(*commitments_and_awaiting(db))


def unfulfilled_list(db: Database, region: str | None = None, limit: int | None = None) -> scorecard.Unfulfilled:
    return scorecard.unfulfilled(*commitments_and_awaiting(db), region=region, limit=limit)


def documents_overview(db: Database) -> list[dict]:
    """The current documents in date order, each with its meter."""
    return _with_meters(db, *commitments_and_awaiting(db))


def _with_meters(db: Database, cs: list[dict], awaiting: set[str]) -> list[dict]:
    meters = scorecard.meters_by(cs, awaiting, lambda c: c["document_id"])
    return [public_document(d) | {"meter": meters.get(d["id"]) or scorecard.meter([], awaiting)}
            for d in queries.list_documents(db)]


def document_scorecard(db: Database, doc_id: str) -> tuple[dict, list[dict]]:
    """A document's meter and its measures in its own section order, with status, deadline and evidence."""
    cs, awaiting = commitments_and_awaiting(db)
    statuses = {c["measure_id"]: c for c in cs if c["document_id"] == doc_id}
    evidence = queries.measure_rows(db, sorted({e for s in statuses.values() for e in s["evidence_measure_ids"]}))
    return (scorecard.meter(list(statuses.values()), awaiting),
            scorecard.scorecard(queries.list_measures(db, doc_id), statuses, evidence))


def thread_meter(db: Database, tid: str) -> dict:
    """The meter of a thread's promises."""
    cs, awaiting = queries.list_statuses(db, thread_id=tid), scorecard.awaiting_documents(queries.list_documents(db))
    return scorecard.meter(cs, awaiting)


def thread_meters_by_region(db: Database, tid: str) -> dict[tuple, dict]:
    """The meter of a thread's promises in each (level, region)."""
    cs, awaiting = queries.list_statuses(db, thread_id=tid), scorecard.awaiting_documents(queries.list_documents(db))
    return scorecard.meters_by(cs, awaiting, lambda c: (c.get("level") or "?", c.get("region") or "?"))


def threads_matching(db: Database, q: str, limit: int = 50) -> list[dict]:
    """Threads with a mention matching a search, those spanning most regions first."""
    hits = queries.search_measures(db, q, limit=500)
    members = queries.thread_memberships(db)
    wanted: dict[str, str] = {}
    for h in hits:
        for tid in members.get(h["id"], []):
            wanted.setdefault(tid, h["text"])
    threads = [t | {"hit": wanted[t["id"]]} for t in queries.list_threads(db) if t["id"] in wanted]
    threads.sort(key=lambda t: (-len(t["regions"]), -t["size"], t["id"]))
    return [{k: t[k] for k in ("id", "label", "size", "documents", "regions", "levels", "first_date", "last_date",
                              "hit")} for t in threads[:limit]]
