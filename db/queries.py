"""Reads and writes of the store, in plain rows. All SQL of the project lives in db/.

The stage runner (compare/stages.py) writes through these; the reports module (compare/reports.py)
and the web pages read through them.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
import unicodedata
import uuid
from collections.abc import Iterable, Iterator

from sqlite_utils import Database

from . import write_tx
from .errors import Ambiguous, NotFound

UNALIGNED_KIND = "other"  # measures of this kind (courtesy lines, validity, restated context) are not aligned


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


# --- runs ------------------------------------------------------------------------

def start_run(db: Database, command: str, code_version: str, model: str | None = None,
              params: dict | None = None) -> str:
    run_id = f"run-{_dt.datetime.now(_dt.timezone.utc).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    with write_tx(db):
        db["runs"].insert({
            "id": run_id, "command": command, "started_at": now(), "finished_at": None,
            "code_version": code_version, "model": model,
            "params": json.dumps(params or {}, ensure_ascii=False, sort_keys=True),
            "documents_added": 0, "files_skipped": 0, "status": "running",
        })
    return run_id


def finish_run(db: Database, run_id: str, status: str, documents_added: int, files_skipped: int) -> None:
    with write_tx(db):
        db["runs"].update(run_id, {"finished_at": now(), "status": status,
                                   "documents_added": documents_added, "files_skipped": files_skipped})


# --- documents ---------------------------------------------------------------------

def document_for_file(db: Database, sha256: str) -> dict | None:
    """The stored document read from a file with these bytes, if any."""
    # asked of every file a run is given: straight through the connection (a no-op at 10,000 files)
    for sql in ("SELECT d.id, d.title, d.source FROM files f JOIN documents d ON d.id = f.document_id "
                "WHERE f.sha256 = ? LIMIT 1", "SELECT id, title, source FROM documents WHERE file_sha256 = ? LIMIT 1"):
        row = db.conn.execute(sql, [sha256]).fetchone()
        if row:
            return {"id": row[0], "title": row[1], "source": row[2]}
    return None


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
    """Remember that these bytes were seen at this path (first sighting only)."""
    # a re-run sees every file again: a read, not a write transaction per file
    if db.execute("SELECT 1 FROM files WHERE sha256 = ? AND path = ?", [sha256, path]).fetchone():
        return
    with write_tx(db):
        db.conn.execute("INSERT OR IGNORE INTO files (sha256, path, document_id, first_seen, run_id) "
                        "VALUES (?, ?, ?, ?, ?)", [sha256, path, document_id, now(), run_id])


def store_document(db: Database, document: dict, measures: list[dict], quantities: list[dict],
                   terms: list[dict], file_row: dict, supersedes: str | None = None) -> bool:
    """Write one document with all it derives, in one transaction: all of it or nothing.

    False when another process stored the same document first (nothing written).
    """
    document = {**document, "alignable_count": sum(m["kind"] != UNALIGNED_KIND for m in measures)}
    with write_tx(db):
        if db.execute("SELECT 1 FROM documents WHERE id = ?", [document["id"]]).fetchone():
            return False
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
    return True


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
        (f"SELECT {cols} FROM documents WHERE id LIKE ? ESCAPE '\\' AND is_current = 1", prefix(ref)),
        (f"SELECT {cols} FROM documents WHERE source = ? AND is_current = 1", ref),
        (f"SELECT {cols} FROM documents WHERE file_name = ? AND is_current = 1", ref),
        # an earlier version, by its own file
        (f"SELECT {cols} FROM documents WHERE id IN (SELECT document_id FROM files WHERE path = ?)", ref),
        (f"SELECT {cols} FROM documents WHERE file_name = ? AND is_current = 0", ref),
    ):
        rows = list(db.query(sql, [arg]))
        if len(rows) == 1:
            return _decode_document(rows[0])
        if len(rows) > 1:
            raise ambiguous(ref, "documents", [(r["id"], r["title"] or r["file_name"]) for r in rows])
    raise NotFound(f"no document '{ref}'; list them with: compare docs")


def document_versions(db: Database, document_id: str) -> list[dict]:
    """Every version of a document: the documents sharing its key or its path, and theirs in turn
    (a changed file becomes the next version by either, see pipeline.ingest). Oldest first."""
    ids: set[str] = {document_id}
    keys: set[str] = set()
    sources: set[str] = set()
    while True:
        id_list, key_list, src_list = sorted(ids), sorted(keys), sorted(sources)
        rows = list(db.query(
            "SELECT id, doc_key, source, version, title, file_name FROM documents "
            f"WHERE id IN ({','.join('?' * len(id_list))}) "
            f"OR doc_key IN ({','.join('?' * len(key_list)) or 'NULL'}) "
            f"OR source IN ({','.join('?' * len(src_list)) or 'NULL'}) ORDER BY version, id",
            id_list + key_list + src_list))
        grown = ({r["id"] for r in rows} - ids, {r["doc_key"] for r in rows} - keys,
                 {r["source"] for r in rows} - sources)
        if not any(grown):
            return rows
        ids |= grown[0]
        keys |= grown[1]
        sources |= grown[2]


def remove_document(db: Database, document_id: str, run_id: str) -> dict:
    """Remove a document and all its versions, with everything derived from their measures, in one
    transaction: measures, quantities, terms, files, statuses, links, pairs, best-k lists, "aligned"
    marks and thread memberships. A thread left with no member is retired (an event and an alias, as
    a re-alignment would record). Flags are never touched: those on removed measures stay, attached
    to nothing. The stored alignment is marked out of date, so the next `compare align` rebuilds
    threads and statuses from what is left. Vectors stay cached (keyed by text, not by document).

    Returns {"documents": [version rows], "measures": n, "flags": flags left unattached}.
    """
    with write_tx(db):
        versions = document_versions(db, document_id)
        doc_ids = [r["id"] for r in versions]
        marks = ",".join("?" * len(doc_ids))
        db.execute("CREATE TEMP TABLE IF NOT EXISTS removed_measures (id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM temp.removed_measures")
        db.execute(f"INSERT INTO temp.removed_measures SELECT id FROM measures WHERE document_id IN ({marks})",
                   doc_ids)
        gone = "(SELECT id FROM temp.removed_measures)"
        n_measures = db.execute("SELECT count(*) FROM temp.removed_measures").fetchone()[0]
        emptied = [r[0] for r in db.execute(
            f"SELECT DISTINCT tm.thread_id FROM thread_members tm WHERE tm.measure_id IN {gone} "
            f"AND NOT EXISTS (SELECT 1 FROM thread_members o WHERE o.thread_id = tm.thread_id "
            f"AND o.measure_id NOT IN {gone}) ORDER BY tm.thread_id")]
        n_flags = db.execute(
            f"SELECT count(*) FROM flags WHERE (target_type = 'measure' AND target_id IN {gone}) "
            f"OR (target_type = 'thread' AND target_id IN ({','.join('?' * len(emptied)) or 'NULL'}))",
            emptied).fetchone()[0]
        for table, where in (
            ("quantities", f"measure_id IN {gone}"),
            ("terms", f"measure_id IN {gone}"),
            ("statuses", f"measure_id IN {gone}"),
            ("thread_members", f"measure_id IN {gone}"),
            ("links", f"measure_id IN {gone} OR measure_id2 IN {gone}"),
            ("pairs", f"a IN {gone} OR b IN {gone}"),
            ("neighbours", f"measure_id IN {gone}"),
            ("aligned", f"measure_id IN {gone}"),
        ):
            db.execute(f"DELETE FROM {table} WHERE {where}")
        at = now()
        for tid in emptied:
            db.execute("DELETE FROM threads WHERE id = ?", [tid])
            db.execute("INSERT INTO thread_events (run_id, at, event, thread_id, other_id, detail) "
                       "VALUES (?, ?, 'retired', ?, NULL, ?)",
                       [run_id, at, tid, json.dumps({"removed_documents": doc_ids})])
            db.execute("INSERT OR REPLACE INTO thread_aliases (old_id, thread_id, event, run_id, at) "
                       "VALUES (?, ?, 'retired', ?, ?)", [tid, tid, run_id, at])
        db.execute(f"DELETE FROM measures WHERE id IN {gone}")
        db.execute(f"DELETE FROM files WHERE document_id IN ({marks})", doc_ids)
        db.execute(f"DELETE FROM documents WHERE id IN ({marks})", doc_ids)
        db.execute("DELETE FROM alignment_state")
        db.execute("DELETE FROM temp.removed_measures")
    return {"documents": versions, "measures": n_measures, "flags": n_flags}


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


# --- alignment -------------------------------------------------------------------------

def alignable_measures(db: Database) -> list[dict]:
    """Measures of current documents that can carry a commitment (kind other is left out)."""
    return list(db.query(
        "SELECT m.id, m.document_id, m.text, m.analysis_text, m.text_hash, m.kind, m.ordinal, "
        "d.sort_date, d.date_approximate, d.region, d.level "
        "FROM measures m JOIN documents d ON d.id = m.document_id "
        f"WHERE d.is_current = 1 AND m.kind != '{UNALIGNED_KIND}' ORDER BY m.id"))


def statuses_as_of(db: Database) -> set[str]:
    """The dates the stored statuses were judged at (one, or none, after a complete alignment)."""
    return {r[0] for r in db.execute("SELECT DISTINCT as_of FROM statuses")}


def count_alignable(db: Database) -> int:
    """The alignable measures of the current documents, counted by document (each document's count is
    stored with it: its measures never change)."""
    return db.execute(f"SELECT coalesce(sum({ALIGNABLE_COUNT}), 0) FROM documents AS d "
                      "WHERE d.is_current = 1").fetchone()[0]


def cached_vectors(db: Database, model: str, hashes: list[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for r in db.execute(f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})",
                            [model, *chunk]).fetchall():
            out[r[0]] = r[1]
    return out


def store_vectors(db: Database, model: str, rows: list[tuple[str, int, bytes]]) -> None:
    with write_tx(db):
        db.conn.executemany("INSERT OR IGNORE INTO embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
                            [(model, h, dim, blob) for h, dim, blob in rows])


def aligned_measure_ids(db: Database, model: str) -> set[str]:
    return {r[0] for r in db.execute("SELECT measure_id FROM aligned WHERE model = ?", [model]).fetchall()}


def store_pairs(db: Database, model: str, run_id: str, pairs: Iterable[tuple], measure_ids: list[str]) -> None:
    """Candidate pairs (a, b, cos, hash_cos, term_sim, term_match, level_conflict, name_conflict) and the
    measures aligned; the pairs are written as they are iterated (never all held as rows at once)."""
    with write_tx(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO pairs (model, a, b, cos, hash_cos, term_sim, term_match, level_conflict, "
            "name_conflict, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ((model, *p, run_id) for p in pairs))
        db.conn.executemany("INSERT OR IGNORE INTO aligned (model, measure_id, run_id) VALUES (?, ?, ?)",
                            [(model, m, run_id) for m in measure_ids])


def store_candidates(db: Database, model: str, run_id: str, pairs: Iterable[tuple], measure_ids: list[str],
                     neighbours: dict[str, dict[str, tuple[bytes, str]]], left: list[str] = ()) -> None:
    """One alignment step in one transaction: best-k lists per channel, new pairs, aligned marks.

    left: measures no longer current; their marks and best-k lists go (should they come back,
    they are aligned as new), and so do their pairs' cached signals (recomputed should they come
    back). Their pairs stay: a pair's own features do not change.
    """
    with write_tx(db):
        for channel, rows in neighbours.items():
            store_neighbours(db, model, channel, rows)
        store_pairs(db, model, run_id, pairs, measure_ids)
        db.conn.executemany("DELETE FROM aligned WHERE model = ? AND measure_id = ?", [(model, m) for m in left])
        db.conn.executemany("DELETE FROM neighbours WHERE model = ? AND measure_id = ?", [(model, m) for m in left])
        if left:  # one pass over the table
            gone = json.dumps(list(left))
            db.conn.execute("UPDATE pairs SET key = NULL, x = NULL WHERE model = ? AND x IS NOT NULL AND "
                            "(a IN (SELECT value FROM json_each(?)) OR b IN (SELECT value FROM json_each(?)))",
                            [model, gone, gone])


PAIR_VALUES = ("cos", "hash_cos", "term_sim", "level_conflict", "name_conflict")


def load_pairs(db: Database, model: str, pos: dict[str, int], width: int) -> tuple[dict, tuple]:
    """Stored pairs of the measures in pos, as compact columns (indices from pos), and the signals
    cached with them: (columns, (codes a * n + b sorted, keys, rows of `width` signals)).

    Millions of pairs held as tuples of strings and floats cost gigabytes; as typed arrays,
    48 bytes a pair. Column keys: a, b (int64), cos, hash_cos, term_sim, level_conflict,
    name_conflict (float64). The key terms a pair matched are read only for the links written
    (term_matches): on a dense corpus half the pairs have some, and a dict of them cost seconds.
    Each chunk of rows is turned into arrays by numpy and C-level maps, not Python loops: 2.7
    million pairs at 1,000 documents.
    """
    from itertools import repeat

    import numpy as np

    n, size = len(pos), 8 * width
    parts: dict[str, list] = {k: [] for k in ("a", "b", *PAIR_VALUES)}
    codes, keys, blobs = [], [], []
    # a scan in table order (NOT INDEXED): through the (model, a, b) key every row is a random
    # read of the table, two to three times slower; callers sort the pairs themselves
    cur = db.conn.execute(f"SELECT a, b, {', '.join(PAIR_VALUES)}, key, x FROM pairs NOT INDEXED WHERE model = ?",
                          [model])
    while rows := cur.fetchmany(50000):
        ra, rb, *vs, rk, rx = zip(*rows)
        i = np.fromiter(map(pos.get, ra, repeat(-1)), dtype=np.int64, count=len(rows))
        j = np.fromiter(map(pos.get, rb, repeat(-1)), dtype=np.int64, count=len(rows))
        values = [np.array(v, dtype=np.float64) for v in vs]
        current = (i >= 0) & (j >= 0)
        if not current.all():  # pairs of measures no longer current: left out
            keep = np.flatnonzero(current).tolist()
            i, j, values = i[current], j[current], [v[current] for v in values]
            rk, rx = [rk[k] for k in keep], [rx[k] for k in keep]
        for k, v in zip(parts, (i, j, *values)):
            parts[k].append(v)
        if None in rk or None in rx or any(len(x) != size for x in rx):
            # signals not computed yet (or of another width): not cached
            held = [k for k, (key, x) in enumerate(zip(rk, rx)) if key is not None and x is not None and len(x) == size]
            i, j, rk, rx = i[held], j[held], [rk[k] for k in held], [rx[k] for k in held]
        codes.append(i * n + j)
        keys.extend(rk)
        blobs.extend(rx)
    cols = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64 if k in ("a", "b") else np.float64)
            for k, v in parts.items()}
    codes_a = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    order = np.argsort(codes_a, kind="stable")
    X = np.frombuffer(b"".join(blobs), dtype="<f8").reshape(-1, width) if blobs else np.zeros((0, width))
    return cols, (codes_a[order], np.array(keys, dtype=np.int64)[order], X[order])


def term_matches(db: Database, model: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The key terms each stored pair (a, b) matched, for those that matched some."""
    out: dict[tuple[str, str], str] = {}
    for s in range(0, len(pairs), 20000):
        part = json.dumps(pairs[s:s + 20000])
        out.update(((a, b), m) for a, b, m in db.conn.execute(
            "SELECT p.a, p.b, p.term_match FROM json_each(?) AS j CROSS JOIN pairs AS p ON p.model = ? "
            "AND p.a = json_extract(j.value, '$[0]') AND p.b = json_extract(j.value, '$[1]') "
            "WHERE p.term_match IS NOT NULL", [part, model]))
    return out


def measure_terms(db: Database) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for mid, term, kind, norm in db.execute("SELECT measure_id, term, kind, norm FROM terms ORDER BY measure_id, term"):
        out.setdefault(mid, []).append((term, kind, norm))
    return out


def current_threads(db: Database) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for tid, mid in db.execute("SELECT thread_id, measure_id FROM thread_members"):
        out.setdefault(tid, set()).add(mid)
    return out


def store_pair_features(db: Database, model: str, rows: Iterable[tuple[str, str, int, bytes]]) -> None:
    """Signals of stored pairs (a, b, key, x) kept in their rows, replacing what was kept, in one transaction."""
    with write_tx(db):
        db.conn.executemany("UPDATE pairs SET key = ?, x = ? WHERE model = ? AND a = ? AND b = ?",
                            ((key, x, model, a, b) for a, b, key, x in rows))


def stored_links(db: Database) -> Iterator[tuple[str, str, float, str]]:
    """Every stored link as (measure_id, measure_id2, score, method), read as iterated: what a new
    link set is diffed against (millions of rows held as tuples would cost gigabytes)."""
    return iter(db.conn.execute("SELECT measure_id, measure_id2, score, method FROM links"))


def link_signals(db: Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The stored signals (JSON text) of the links with these (measure_id, measure_id2) keys."""
    out = {}
    for a, b in keys:
        row = db.conn.execute("SELECT signals FROM links WHERE measure_id = ? AND measure_id2 = ?", [a, b]).fetchone()
        if row:
            out[(a, b)] = row[0]
    return out


LINK_COLUMNS = ("measure_id", "measure_id2", "score", "signals", "method", "run_id")


def replace_alignment(db: Database, links_gone: list[tuple[str, str]], links_written: Iterable[tuple],
                      threads: list[dict], members: list[dict], aliases: list[dict], events: list[dict]) -> None:
    """Links, threads and members are derived data, replaced in one transaction.

    Links are written by difference, computed by the caller against `stored_links`: the keys to
    delete and the rows to write (tuples of LINK_COLUMNS: new, or with another score, method or
    signals), written as they come from the iterable (never all held at once); a link whose score
    and method did not change keeps its row (and the run that found it).
    """
    with write_tx(db):
        db.conn.executemany("DELETE FROM links WHERE measure_id = ? AND measure_id2 = ?", links_gone)
        db.conn.executemany(f"INSERT OR REPLACE INTO links ({', '.join(LINK_COLUMNS)}) "
                            f"VALUES ({', '.join('?' * len(LINK_COLUMNS))})", links_written)
        replace_threads(db, threads, members, aliases, events)


def replace_threads(db: Database, threads: list[dict], members: list[dict], aliases: list[dict],
                    events: list[dict]) -> None:
    """Threads and their members replaced as a whole; aliases and events added."""
    with write_tx(db):
        db.execute("DELETE FROM thread_members")
        db.execute("DELETE FROM threads")
        _insert(db, "threads", threads)
        _insert(db, "thread_members", members)
        for a in aliases:
            db["thread_aliases"].upsert(a, pk="old_id")
        # an id that names a thread again is no longer an alias
        db.execute("DELETE FROM thread_aliases WHERE old_id IN (SELECT id FROM threads)")
        _insert(db, "thread_events", events)


def _insert(db: Database, table: str, rows: list[dict], replace: bool = False) -> None:
    """Plain executemany of dict rows, grouped by their keys: no per-value type sniffing."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r), []).append(r)
    for cols, group in groups.items():
        sql = (f"INSERT {'OR REPLACE ' if replace else ''}INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
               f"VALUES ({', '.join('?' * len(cols))})")
        db.conn.executemany(sql, [tuple(r[c] for c in cols) for r in group])


def thread_created_runs(db: Database) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT id, created_run FROM threads")}


def list_threads(db: Database, thread_id: str | None = None) -> list[dict]:
    """Threads, largest first, each with its measure ids (or just the one thread asked for)."""
    where, args = ("WHERE id = ?", [thread_id]) if thread_id else ("", [])
    member_where = "WHERE thread_id = ?" if thread_id else ""
    members: dict[str, list[str]] = {}
    for tid, mid in db.execute(f"SELECT thread_id, measure_id FROM thread_members {member_where} "
                               "ORDER BY thread_id, measure_id", args):
        members.setdefault(tid, []).append(mid)
    out = []
    for r in db.query(f"SELECT * FROM threads {where} ORDER BY size DESC, first_date, id", args):
        r = dict(r)
        r["regions"] = json.loads(r["regions"] or "[]")
        r["levels"] = json.loads(r["levels"] or "[]")
        r["measure_ids"] = members.get(r["id"], [])
        out.append(r)
    return out


def resolve_thread(db: Database, ref: str) -> str:
    """A thread id, an id prefix, or an old id that was merged away."""
    for _ in range(10):
        rows = [r[0] for r in db.execute("SELECT id FROM threads WHERE id = ?", [ref])]
        if rows:
            return rows[0]
        alias = db.execute("SELECT thread_id FROM thread_aliases WHERE old_id = ?", [ref]).fetchone()
        if alias:
            ref = alias[0]
            continue
        rows = db.execute("SELECT id, label FROM threads WHERE id LIKE ? ESCAPE '\\' ORDER BY id",
                          [prefix(ref)]).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if len(rows) > 1:
            raise ambiguous(ref, "threads", rows)
        break
    raise NotFound(f"no thread '{ref}'; list them with: compare threads")


def thread_timeline(db: Database, thread_id: str) -> list[dict]:
    return list(db.query(
        "SELECT tm.role, tm.score, m.id AS measure_id, m.kind, m.text, m.section, m.deadline, "
        "d.id AS document_id, d.title, d.issuer, d.region, d.level, d.date, d.sort_date, d.date_approximate, "
        "d.file_name "
        "FROM thread_members tm JOIN measures m ON m.id = tm.measure_id JOIN documents d ON d.id = m.document_id "
        "WHERE tm.thread_id = ? ORDER BY d.sort_date IS NULL, d.sort_date, d.id, m.ordinal", [thread_id]))


def list_links(db: Database) -> list[dict]:
    return [dict(r) | {"signals": json.loads(r["signals"])}
            for r in db.query("SELECT * FROM links ORDER BY measure_id, measure_id2")]


# --- statuses and flags -------------------------------------------------------------------

def status_inputs(db: Database) -> list[dict]:
    """Measures of current documents with what the status rules look at, in time order."""
    return [dict(r) for r in db.query(
        "SELECT m.id, m.document_id, m.kind, m.text, m.deadline, m.section, d.sort_date, d.date, d.region, d.level, "
        "d.issuer FROM measures m JOIN documents d ON d.id = m.document_id WHERE d.is_current = 1 "
        "ORDER BY d.sort_date IS NULL, d.sort_date, d.id, m.ordinal")]


def thread_memberships(db: Database) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tid, mid in db.execute("SELECT thread_id, measure_id FROM thread_members ORDER BY thread_id"):
        out.setdefault(mid, []).append(tid)
    return out


STATUS_VALUES = ("status", "rule", "reason", "evidence_measure_ids", "deadline", "as_of")


def documents_digest(db: Database) -> str:
    """A hash of the current documents' ids: with the alignment, what the statuses are judged from
    (a document's measures, title and date come with its id; only is_current changes in place)."""
    import hashlib

    ids = sorted(r[0] for r in db.execute("SELECT id FROM documents WHERE is_current = 1"))
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def judged_documents(db: Database) -> str | None:
    """documents_digest when the stored statuses were judged (None: not recorded)."""
    row = db.execute("SELECT judged_documents FROM alignment_state WHERE id = 1").fetchone()
    return row[0] if row else None


def replace_statuses(db: Database, rows: list[dict], state: dict | None = None, judged: str | None = None) -> int:
    """Statuses are derived data: the stored ones made these rows, by difference (a row whose values
    are the same keeps its run_id: the run that last changed it); with them, what the alignment
    was built from (state) and the documents they were judged from (judged: documents_digest).
    Returns how many rows were written or deleted."""
    with write_tx(db):
        stored = {r[0]: tuple(r[1:]) for r in db.conn.execute(
            f"SELECT measure_id, {', '.join(STATUS_VALUES)} FROM statuses")}
        wanted = {r["measure_id"] for r in rows}
        gone = [(m,) for m in stored if m not in wanted]
        changed = [r for r in rows if stored.get(r["measure_id"]) != tuple(r[k] for k in STATUS_VALUES)]
        db.conn.executemany("DELETE FROM statuses WHERE measure_id = ?", gone)
        if changed:
            db["statuses"].insert_all(changed, pk="measure_id", replace=True)
        if state:
            db.execute("INSERT OR REPLACE INTO alignment_state (id, model, fingerprint, run_id, at, judged_documents) "
                       "VALUES (1, ?, ?, ?, ?, ?)",
                       [state["model"], state["fingerprint"], state["run_id"], now(), judged])
        else:
            db.execute("UPDATE alignment_state SET judged_documents = ? WHERE id = 1", [judged])
    return len(gone) + len(changed)


# A document's number of alignable measures: stored with it since migration 13; NULL where a row was
# written without it (by an older compare, say), then counted from its measures
ALIGNABLE_COUNT = ("coalesce(d.alignable_count, (SELECT count(*) FROM measures AS m WHERE m.document_id = d.id "
                   f"AND m.kind != '{UNALIGNED_KIND}'))")
FINGERPRINT_FORM = "d:"  # the fingerprint of documents; one of measure ids (before migration 13) has no prefix


def alignment_fingerprint(db: Database, params_digest: str = "") -> str:
    """Hash of what the alignment is built from: the ids of the current documents holding alignable
    measures, and the alignment parameters (weights, thresholds). A document's measures come with its
    id and never change (a migration that changes them must clear alignment_state), so the same
    documents mean the same measures: read by document, not by measure (10,000 rows at 10,000
    documents, not a million; from the index idx_documents_alignable)."""
    import hashlib

    ids = sorted(r[0] for r in db.execute(
        f"SELECT d.id FROM documents AS d WHERE d.is_current = 1 AND {ALIGNABLE_COUNT} > 0"))
    return FINGERPRINT_FORM + hashlib.sha256(("\n".join(ids) + "|" + params_digest).encode()).hexdigest()


def _measure_fingerprint(db: Database, params_digest: str) -> str:
    """The fingerprint as written before migration 13: a hash of the aligned measures' ids."""
    import hashlib

    # sorted here, not by ORDER BY: walking the id index visits the table in random order
    ids = sorted(r[0] for r in db.execute("SELECT m.id FROM measures m JOIN documents d ON d.id = m.document_id "
                                          f"WHERE d.is_current = 1 AND m.kind != '{UNALIGNED_KIND}'"))
    return hashlib.sha256(("".join(ids) + "|" + params_digest).encode()).hexdigest()


def aligned_model(db: Database) -> str | None:
    """The model the stored links, threads and statuses were last built with."""
    row = db.execute("SELECT model FROM alignment_state WHERE id = 1").fetchone()
    return row[0] if row else None


def alignment_is_current(db: Database, model: str, params_digest: str = "") -> bool:
    """Were the stored links, threads and statuses built, to the end, from these measures, model and
    parameters? (New weights after an upgrade, or --params, re-align even with nothing new.)
    A fingerprint written before migration 13 is compared in its own form (renew_fingerprint
    rewrites it). Reads only."""
    row = db.execute("SELECT model, fingerprint FROM alignment_state WHERE id = 1").fetchone()
    if not row or row[0] != model or row[1] is None:
        return False
    if row[1].startswith(FINGERPRINT_FORM):
        return row[1] == alignment_fingerprint(db, params_digest)
    return row[1] == _measure_fingerprint(db, params_digest)


def renew_fingerprint(db: Database, params_digest: str = "") -> bool:
    """A fingerprint of measure ids (before migration 13) that still holds, rewritten as one of
    documents, checked and written in one write transaction: the next no-op reads documents only.
    True when it was rewritten."""
    row = db.execute("SELECT fingerprint FROM alignment_state WHERE id = 1").fetchone()
    if not row or row[0] is None or row[0].startswith(FINGERPRINT_FORM):
        return False
    with write_tx(db):
        old = _measure_fingerprint(db, params_digest)
        return db.execute("UPDATE alignment_state SET fingerprint = ? WHERE id = 1 AND fingerprint = ?",
                          [alignment_fingerprint(db, params_digest), old]).rowcount == 1


def database_path(db: Database) -> str | None:
    """The file the database lives in (None in memory)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


def prefix(ref: str) -> str:
    """A LIKE pattern for ids starting with ref, its own % and _ matched literally."""
    return ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def exact_target(db: Database, ref: str) -> str | None:
    """'measure', 'thread' or 'alias' when ref is exactly such an id (the web's flag form sends ids)."""
    for kind, sql in (("measure", "SELECT 1 FROM measures WHERE id = ?"),
                      ("thread", "SELECT 1 FROM threads WHERE id = ?"),
                      ("alias", "SELECT 1 FROM thread_aliases WHERE old_id = ?")):
        if db.execute(sql, [ref]).fetchone():
            return kind
    return None


def resolve_measure(db: Database, ref: str) -> str:
    rows = db.execute("SELECT id, text FROM measures WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id",
                      [ref, prefix(ref)]).fetchall()
    if ref in [r[0] for r in rows]:
        return ref
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise ambiguous(ref, "measures", rows)
    raise NotFound(f"no measure '{ref}'")


def ambiguous(ref: str, what: str, matches: list[tuple[str, str | None]], shown: int = 4, chars: int = 16) -> Ambiguous:
    """The one line for an id prefix that matches several: how many, the first few with their text shortened."""
    def brief(text: str | None) -> str:  # control characters out: this line is printed to a terminal
        text = " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text or "").split())
        return text if len(text) <= chars else text[:chars] + "…"

    listed = "; ".join(f"{i} {brief(t)}".strip() for i, t in matches[:shown])
    more = f"; and {len(matches) - shown} more" if len(matches) > shown else ""
    return Ambiguous(f"'{ref}' is ambiguous: it matches {len(matches)} {what} ({listed}{more}); give more of the id")


def add_flag(db: Database, target_id: str, target_type: str, status: str, note: str | None, reviewer: str,
             source: str = "cli", measure_ids: list[str] | None = None, thread_id: str | None = None,
             thread_size: int | None = None, context: dict | None = None) -> int:
    """Append a flag and the measures it covers, in one transaction (both tables refuse changes)."""
    with write_tx(db):
        cur = db.execute("INSERT INTO flags (target_id, target_type, status, note, reviewer, created_at, source) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [target_id, target_type, status, note, reviewer, now(), source])
        flag_id = cur.lastrowid
        db.execute("INSERT INTO flag_scopes (flag_id, measure_ids, thread_id, thread_size, context) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [flag_id, json.dumps(measure_ids if measure_ids is not None else [target_id]), thread_id,
                    thread_size, json.dumps(context or {}, ensure_ascii=False)])
        return flag_id


def measure_snapshots(db: Database, measure_ids: Iterable[str]) -> dict[str, dict]:
    """What a flag keeps of each measure it covers: enough to find the same commitment again."""
    out: dict[str, dict] = {}
    ids = list(measure_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in db.query("SELECT m.id, d.doc_key, d.source, d.version, m.text_hash, m.text, d.is_current, "
                          "m.ordinal, (SELECT count(*) FROM measures x WHERE x.document_id = m.document_id "
                          "AND x.text_hash = m.text_hash AND x.ordinal < m.ordinal) AS occurrence "
                          "FROM measures m JOIN documents d ON d.id = m.document_id "
                          f"WHERE m.id IN ({','.join('?' * len(chunk))})", chunk):
            out[r["id"]] = dict(r)
    return out


def flag_scopes(db: Database) -> list[dict]:
    """Every flag's covered measures and what was kept of them."""
    return [dict(r) | {"measure_ids": json.loads(r["measure_ids"]), "context": json.loads(r["context"])}
            for r in db.query("SELECT s.*, f.target_id, f.target_type FROM flag_scopes s "
                              "JOIN flags f ON f.id = s.flag_id ORDER BY s.flag_id")]


def current_measures_for(db: Database, doc_keys: Iterable[str], sources: Iterable[str]) -> list[dict]:
    """Measures of the current versions of these logical documents (by key or by path)."""
    keys, paths = sorted(set(doc_keys)), sorted(set(sources))
    if not keys and not paths:
        return []
    return [dict(r) for r in db.query(
        "SELECT m.id, m.text_hash, m.text, m.ordinal, d.doc_key, d.source, d.version FROM measures m "
        "JOIN documents d ON d.id = m.document_id WHERE d.is_current = 1 AND "
        f"(d.doc_key IN ({','.join('?' * len(keys)) or 'NULL'}) "
        f"OR d.source IN ({','.join('?' * len(paths)) or 'NULL'})) "
        "ORDER BY d.id, m.ordinal", keys + paths)]


def current_measure_ids(db: Database, ids: Iterable[str]) -> set[str]:
    return {i for i, r in measure_snapshots(db, ids).items() if r["is_current"]}


def stored_placements(db: Database) -> dict[tuple[int, str], tuple[str | None, str]]:
    return {(r[0], r[1]): (r[2], r[3]) for r in db.execute(
        "SELECT flag_id, source_measure_id, measure_id, how FROM flag_placements")}


def replace_placements(db: Database, rows: list[dict]) -> None:
    """Placements are derived data, replaced as a whole (the flags themselves are never touched)."""
    with write_tx(db):
        db.execute("DELETE FROM flag_placements")
        _insert(db, "flag_placements", rows)


def flags_needing_review(db: Database) -> list[dict]:
    """Each mention a flag covered that has nowhere to apply now (needs a reviewer, or document
    removed), with the text it was given to."""
    out = []
    for r in db.query("SELECT f.id, f.status, f.note, f.reviewer, f.created_at, f.target_type, f.target_id, "
                      "p.source_measure_id, p.how, p.detail, s.context FROM flag_placements p "
                      "JOIN flags f ON f.id = p.flag_id JOIN flag_scopes s ON s.flag_id = f.id "
                      "WHERE p.measure_id IS NULL ORDER BY f.id DESC"):
        r = dict(r)
        ctx = json.loads(r.pop("context")).get(r["source_measure_id"]) or {}
        out.append(r | {"text": ctx.get("text"), "doc_key": ctx.get("doc_key"), "source": ctx.get("source"),
                        "version": ctx.get("version")})
    return out


def list_flags(db: Database, reviewer: str | None = None, target_id: str | None = None) -> list[dict]:
    """Flags, newest first, each with where it applies now (placed, moved, unplaced, removed)."""
    sql = ("SELECT f.*, s.thread_id AS scope_thread_id, s.thread_size AS scope_thread_size, "
           "(SELECT count(*) FROM flag_placements p WHERE p.flag_id = f.id AND p.measure_id IS NOT NULL) AS placed, "
           "(SELECT count(*) FROM flag_placements p WHERE p.flag_id = f.id AND p.how = 'new_version') AS moved, "
           "(SELECT count(*) FROM flag_placements p WHERE p.flag_id = f.id AND p.how = 'unplaced') AS unplaced, "
           "(SELECT count(*) FROM flag_placements p WHERE p.flag_id = f.id AND p.how = 'removed') AS removed, "
           "(SELECT json_group_array(p.measure_id) FROM flag_placements p WHERE p.flag_id = f.id "
           "AND p.measure_id IS NOT NULL) AS placed_ids, "
           "(SELECT group_concat(DISTINCT p.detail) FROM flag_placements p WHERE p.flag_id = f.id) AS placement_detail "
           "FROM flags f LEFT JOIN flag_scopes s ON s.flag_id = f.id")
    where, args = [], []
    if reviewer:
        where.append("f.reviewer = ?")
        args.append(reviewer)
    if target_id:
        where.append("f.target_id = ?")
        args.append(target_id)
    if where:
        sql += " WHERE " + " AND ".join(where)
    out = []
    for r in db.query(sql + " ORDER BY f.id DESC", args):
        r = dict(r)
        r["placed_ids"] = json.loads(r["placed_ids"] or "[]")
        r["placement"] = ("needs a reviewer" if r["unplaced"] else "document removed" if r["removed"] and
                          not r["placed"] else f"moved to a new version ({r['placement_detail']})" if r["moved"]
                          else f"on {r['placed']} measure{'s' if r['placed'] != 1 else ''}")
        out.append(r)
    return out


def list_statuses(db: Database, document_id: str | None = None, thread_id: str | None = None) -> list[dict]:
    """Commitments' computed and flagged status, from the `commitments` view Datasette shows too.

    All of them, or those of one document, or those in one thread.
    """
    where, args = "", []
    if document_id:
        where, args = "WHERE document_id = ?", [document_id]
    elif thread_id:
        where, args = "WHERE measure_id IN (SELECT measure_id FROM thread_members WHERE thread_id = ?)", [thread_id]
    out = []
    for r in db.query(f"SELECT * FROM commitments {where} "
                      "ORDER BY sort_date IS NULL, sort_date, document_id, ordinal", args):
        r = dict(r)
        r["evidence_measure_ids"] = json.loads(r["evidence_measure_ids"])
        r["status"] = r["computed_status"]
        out.append(r)
    return out


def status_counts(db: Database) -> dict[str, int]:
    """How many commitments have each effective status."""
    return {r[0]: r[1] for r in db.execute("SELECT effective_status, count(*) FROM commitments "
                                           "GROUP BY effective_status ORDER BY effective_status")}


def search_measures(db: Database, q: str, limit: int = 100) -> list[dict]:
    """Chinese search: the trigram index for three characters or more, LIKE below that. Each hit
    with its status (a commitment's effective status, else None) and threads [(id, label)]."""
    hits = _search_hits(db, q.strip(), limit)
    context = search_context(db, [h["id"] for h in hits])
    return [h | context.get(h["id"], {"status": None, "threads": []}) for h in hits]


def _search_hits(db: Database, q: str, limit: int) -> list[dict]:
    # control characters (a NUL ends an FTS5 string: "unterminated string") are never in a measure
    q = "".join(ch for ch in q if unicodedata.category(ch) != "Cc").strip()
    if not q:
        return []
    cols = ("m.id, m.text, m.kind, m.section, d.id AS document_id, d.title, d.issuer, d.region, d.date, "
            "d.sort_date")
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        sql = (f"SELECT {cols} FROM measures_fts f JOIN measures m ON m.rowid = f.rowid "
               "JOIN documents d ON d.id = m.document_id WHERE measures_fts MATCH ? AND d.is_current = 1 "
               "ORDER BY d.sort_date, m.ordinal LIMIT ?")
        return [dict(r) for r in db.query(sql, [phrase, limit])]
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = (f"SELECT {cols} FROM measures m JOIN documents d ON d.id = m.document_id "
           "WHERE m.text LIKE ? ESCAPE '\\' AND d.is_current = 1 ORDER BY d.sort_date, m.ordinal LIMIT ?")
    return [dict(r) for r in db.query(sql, [like, limit])]


def search_context(db: Database, ids: list[str]) -> dict[str, dict]:
    """For search hits: each measure's effective status (a commitment's, else None) and its
    threads [(id, label)], the core membership first."""
    out: dict[str, dict] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for mid, status, tid, label in db.execute(
                f"SELECT m.id, c.effective_status, tm.thread_id, t.label FROM measures m "
                f"LEFT JOIN commitments c ON c.measure_id = m.id LEFT JOIN thread_members tm ON tm.measure_id = m.id "
                f"LEFT JOIN threads t ON t.id = tm.thread_id WHERE m.id IN ({marks}) "
                f"ORDER BY m.id, tm.role, tm.thread_id", chunk):
            entry = out.setdefault(mid, {"status": status, "threads": []})
            if tid:
                entry["threads"].append((tid, label or tid))
    return out


def measure_rows(db: Database, ids: list[str]) -> dict[str, dict]:
    out = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for r in db.query(f"SELECT m.id, m.text, m.kind, m.document_id, d.date, d.sort_date, d.issuer, d.title "
                          f"FROM measures m "
                          f"JOIN documents d ON d.id = m.document_id WHERE m.id IN ({marks})", chunk):
            out[r["id"]] = dict(r)
    return out


def load_neighbours(db: Database, model: str, channel: str) -> dict[str, tuple[bytes, str | None]]:
    """measure id -> (k best similarities as float32 bytes, the measure ids they belong to, space-separated)."""
    return {r[0]: (r[1], r[2]) for r in db.execute(
        "SELECT measure_id, sims, ids FROM neighbours WHERE model = ? AND channel = ?", [model, channel])}


def store_neighbours(db: Database, model: str, channel: str, rows: dict[str, tuple[bytes, str]]) -> None:
    with write_tx(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO neighbours (model, channel, measure_id, sims, ids) VALUES (?, ?, ?, ?, ?)",
            [(model, channel, m, b, ids) for m, (b, ids) in rows.items()])


# --- a copy to publish -------------------------------------------------------------------

def write_copy(db: Database, target: str) -> None:
    """A standalone copy of the database at `target` (a new file), consistent (SQLite's backup API:
    one snapshot, even while another process writes), in rollback-journal mode (one file, no -wal),
    with the server's absolute folders taken out of every text cell (documents.source, files.path,
    path: doc_keys, runs.params, st: model folders in every model column, flag contexts: a file
    name stays, with as many of its folders as tell it from another of the same name) and freed
    pages wiped (VACUUM).
    The database holds no reviewer secret: names and hashes live in the reviewers file, the session
    key in DATABASE.secret, logins in memory; neither file is read here."""
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        db.conn.backup(dst)
        dst.execute("PRAGMA journal_mode = delete")
        dst.execute("PRAGMA secure_delete = ON")
        dst.execute("BEGIN IMMEDIATE")
        _scrub_folders(dst)
        dst.execute("COMMIT")
        dst.execute("VACUUM")
    finally:
        dst.close()


def published_paths(db: Database) -> dict[str, str]:
    """Every absolute path the database holds -> the tail of folders an export shows instead
    (see _published_paths): a user's folders are not published with an export."""
    return _published_paths(db.conn)


def _published_paths(conn: sqlite3.Connection) -> dict[str, str]:
    """Every absolute path the database holds (documents' sources and path: keys, files, the folders
    a run was given, st: model folders) -> what the copy says instead: its shortest tail of folders
    that no other of these paths shares (a.txt; c1/a.txt and c2/a.txt when both are there), so two
    files of one name in two folders stay two rows."""
    found: set[str] = set()
    for (path,) in conn.execute("SELECT source FROM documents UNION SELECT path FROM files UNION "
                                "SELECT substr(doc_key, 6) FROM documents WHERE doc_key LIKE 'path:%'"):
        found.add(path or "")
    for (params,) in conn.execute("SELECT params FROM runs WHERE params IS NOT NULL"):
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            found.update(p for p in json.loads(params).get("paths") or [] if isinstance(p, str))
    for table, col in _columns(conn, named="model"):
        found.update(m[3:] for (m,) in conn.execute(f'SELECT DISTINCT "{col}" FROM "{table}" '
                                                    f'WHERE "{col}" LIKE \'st:%\''))
    paths = {p.rstrip("/\\") for p in found if p and os.path.isabs(p)} - {""}
    parts = {p: [x for x in p.replace("\\", "/").split("/") if x] for p in paths}
    depth = dict.fromkeys(paths, 1)
    while True:
        tails: dict[str, list[str]] = {}
        for p in paths:
            tails.setdefault("/".join(parts[p][-depth[p]:]), []).append(p)
        shared = [p for group in tails.values() if len(group) > 1 for p in group if depth[p] < len(parts[p])]
        if not shared:
            return {p: "/".join(parts[p][-depth[p]:]) for p in paths}
        for p in shared:
            depth[p] += 1


def _columns(conn: sqlite3.Connection, named: str | None = None) -> list[tuple[str, str]]:
    """(table, text column) of every table but SQLite's own and the measures' (text, full-text index)."""
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                         "name NOT LIKE 'sqlite%' AND name NOT LIKE 'measures%'")]
    return [(t, r[1]) for t in tables for r in conn.execute(f'PRAGMA table_info("{t}")')
            if r[2].upper() in ("TEXT", "") and (named is None or r[1] == named)]


def _scrub_folders(conn: sqlite3.Connection) -> None:
    """Absolute paths out of every text cell of the copy, each replaced by its published tail (also
    where JSON wrote it with escapes). A cell is never merged into another row: an update that would
    make two rows one is left out (UPDATE OR IGNORE), never REPLACE."""
    published = _published_paths(conn)
    if not published:
        return
    swaps = []
    for path in sorted(published, key=len, reverse=True):  # a file before the folder that holds it
        swaps.append((path, published[path]))
        quoted = json.dumps(path)[1:-1]
        if quoted != path:
            swaps.append((quoted, json.dumps(published[path])[1:-1]))
    folders = {os.path.dirname(p) for p in published} - {"", "/"}  # then a path to a file no longer held
    swaps += [(f + "/", "") for f in sorted(folders, key=len, reverse=True)]
    guards = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE UPDATE%'")
    guards = guards.fetchall()
    for name, _ in guards:  # flags and flag scopes refuse updates; in this copy only, for this scrub
        conn.execute(f'DROP TRIGGER "{name}"')
    for table, col in _columns(conn):
        for old, new in swaps:
            conn.execute(f'UPDATE OR IGNORE "{table}" SET "{col}" = replace("{col}", ?, ?) WHERE instr("{col}", ?)',
                         [old, new, old])
    for _, sql in guards:
        conn.execute(sql)
