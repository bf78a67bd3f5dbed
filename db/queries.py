"""Queries shared by the CLI, the pipeline and Datasette. All SQL of the project lives in db/."""
from __future__ import annotations

import datetime as _dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from compare.errors import NotFound


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


# --- runs ------------------------------------------------------------------------

def start_run(db: Database, command: str, code_version: str, model: str | None = None,
              params: dict | None = None) -> str:
    run_id = f"run-{_dt.datetime.now(_dt.timezone.utc).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    with db.atomic():
        db["runs"].insert({
            "id": run_id, "command": command, "started_at": now(), "finished_at": None,
            "code_version": code_version, "model": model,
            "params": json.dumps(params or {}, ensure_ascii=False, sort_keys=True),
            "documents_added": 0, "files_skipped": 0, "status": "running",
        })
    return run_id


def finish_run(db: Database, run_id: str, status: str, documents_added: int, files_skipped: int) -> None:
    with db.atomic():
        db["runs"].update(run_id, {"finished_at": now(), "status": status,
                                   "documents_added": documents_added, "files_skipped": files_skipped})


# --- documents ---------------------------------------------------------------------

def document_for_file(db: Database, sha256: str) -> dict | None:
    """The stored document read from a file with these bytes, if any."""
    rows = list(db.query(
        "SELECT d.id, d.title, d.source FROM files f JOIN documents d ON d.id = f.document_id "
        "WHERE f.sha256 = ? LIMIT 1", [sha256]))
    if rows:
        return rows[0]
    rows = list(db.query("SELECT id, title, source FROM documents WHERE file_sha256 = ? LIMIT 1", [sha256]))
    return rows[0] if rows else None


def document_exists(db: Database, document_id: str) -> dict | None:
    rows = list(db.query("SELECT id, title, source FROM documents WHERE id = ?", [document_id]))
    return rows[0] if rows else None


def current_version(db: Database, doc_key: str, source: str) -> dict | None:
    """The current version of a logical document: same key, or same source path."""
    rows = list(db.query(
        "SELECT id, version, doc_key FROM documents WHERE is_current = 1 AND (doc_key = ? OR source = ?) "
        "ORDER BY version DESC LIMIT 1", [doc_key, source]))
    return rows[0] if rows else None


def record_file(db: Database, sha256: str, path: str, document_id: str, run_id: str) -> None:
    with db.atomic():
        db["files"].insert({"sha256": sha256, "path": path, "document_id": document_id,
                            "first_seen": now(), "run_id": run_id}, ignore=True)


def store_document(db: Database, document: dict, measures: list[dict], quantities: list[dict],
                   terms: list[dict], file_row: dict, supersedes: str | None = None) -> None:
    """Write one document with all it derives, in one transaction: all of it or nothing."""
    with db.atomic():
        if supersedes:
            db["documents"].update(supersedes, {"is_current": 0})
        db["documents"].insert(document, pk="id")
        if measures:
            db["measures"].insert_all(measures, pk="id")
        if quantities:
            db["quantities"].insert_all(quantities, pk=("measure_id", "ordinal"))
        if terms:
            db["terms"].insert_all(terms, pk=("measure_id", "kind", "term"), ignore=True)
        db["files"].insert(file_row, pk=("sha256", "path"), ignore=True)


DOCUMENT_COLUMNS = ("id", "source", "file_name", "title", "issuer", "doc_number", "date", "date_source", "sort_date",
                    "date_approximate", "level", "region", "genre", "addressee", "suggestion_number", "session",
                    "handling_result", "openness", "draft", "draft_label", "period_start", "period_end",
                    "inferred", "doc_key", "version", "is_current", "format", "encoding", "measure_count",
                    "added_at", "run_id")


def list_documents(db: Database, include_superseded: bool = False) -> list[dict]:
    cols = ", ".join(f'"{c}"' for c in DOCUMENT_COLUMNS)
    where = "" if include_superseded else "WHERE is_current = 1"
    return [_decode_document(r) for r in db.query(
        f"SELECT {cols} FROM documents {where} ORDER BY sort_date IS NULL, sort_date, title")]


def _decode_document(row: dict) -> dict:
    row = dict(row)
    row["inferred"] = json.loads(row["inferred"]) if row.get("inferred") else []
    row["draft"] = bool(row.get("draft"))
    row["date_approximate"] = bool(row.get("date_approximate"))
    row["is_current"] = bool(row.get("is_current"))
    return row


def resolve_document(db: Database, ref: str) -> dict:
    """A document by id, id prefix, file name or path (the current version)."""
    cols = ", ".join(f'"{c}"' for c in DOCUMENT_COLUMNS)
    for sql, arg in (
        (f"SELECT {cols} FROM documents WHERE id = ?", ref),
        (f"SELECT {cols} FROM documents WHERE id LIKE ? AND is_current = 1", ref + "%"),
        (f"SELECT {cols} FROM documents WHERE source = ? AND is_current = 1", ref),
        (f"SELECT {cols} FROM documents WHERE file_name = ? AND is_current = 1", ref),
    ):
        rows = list(db.query(sql, [arg]))
        if len(rows) == 1:
            return _decode_document(rows[0])
        if len(rows) > 1:
            raise NotFound(f"'{ref}' matches {len(rows)} documents; give more of the id")
    raise NotFound(f"no document '{ref}'; list them with: compare docs")


MEASURE_COLUMNS = ("id", "document_id", "ordinal", "section", "item", "kind", "kind_cues", "text", "analysis_text",
                   "text_hash", "start", "end", "orig_start", "orig_end", "deadline", "deadline_relative",
                   "comparator", "value", "unit", "object", "terms")


def list_measures(db: Database, document_id: str | None = None, current_only: bool = True) -> list[dict]:
    cols = ", ".join(f'm."{c}"' for c in MEASURE_COLUMNS)
    sql = f"SELECT {cols} FROM measures m JOIN documents d ON d.id = m.document_id"
    where, args = [], []
    if document_id:
        where.append("m.document_id = ?")
        args.append(document_id)
    elif current_only:
        where.append("d.is_current = 1")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.sort_date IS NULL, d.sort_date, d.id, m.ordinal"
    out = []
    for r in db.query(sql, args):
        r = dict(r)
        r["terms"] = json.loads(r["terms"]) if r.get("terms") else []
        r["kind_cues"] = json.loads(r["kind_cues"]) if r.get("kind_cues") else []
        r["deadline_relative"] = bool(r["deadline_relative"])
        out.append(r)
    return out


def quantities_by_measure(db: Database, measure_ids: Iterable[str] | None = None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in db.query("SELECT measure_id, ordinal, comparator, value, unit, object, raw FROM quantities "
                      "ORDER BY measure_id, ordinal"):
        out.setdefault(r["measure_id"], []).append({k: r[k] for k in ("comparator", "value", "unit", "object", "raw")})
    if measure_ids is not None:
        wanted = set(measure_ids)
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def counts(db: Database) -> dict[str, Any]:
    return {
        "documents": db.execute("SELECT count(*) FROM documents WHERE is_current = 1").fetchone()[0],
        "measures": db.execute(
            "SELECT count(*) FROM measures m JOIN documents d ON d.id = m.document_id WHERE d.is_current = 1"
        ).fetchone()[0],
    }
