"""The stage runner: the one engine module that reads and writes the store (reports.py only reads).

    ingest      files → documents, measures, quantities, terms           (per file: skipped when its bytes are stored)
    candidates  current measures → vectors, best-k lists, candidate pairs  ┐ skipped, with link, cluster and judge,
    link        candidate pairs → scored links                             │ when the alignment was built from these
    cluster     links → threads, members, aliases, events (with the links) │ measures, model and parameters
    judge       measures, threads, as-of date → statuses                   ┘ (`alignment_is_current`)
    place       flags, current documents → where each verdict applies now

Each stage reads its inputs from the store, calls the pure core (pipeline, align, threads,
status, flags) and writes its outputs; `run` chains them as `compare align` does. The heavy
imports (numpy, the encoders) wait until there is work: a no-op `compare align` stays fast.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from db import queries, write_tx
from db.errors import Ambiguous, NotFound

from . import __version__
from .errors import CompareError
from .flags import (
    Candidate,
    FlagError,
    Placement,
    PlacementChange,
    Recorded,
    covered_by,
    place,
    placement_change,
    recorded,
    validate,
)

if TYPE_CHECKING:
    import os

    from sqlite_utils import Database

    from .align import AlignResult, Candidates, Links, PairFeatures
    from .encoders import Encoder
    from .params import Params
    from .pipeline import FileResult, Found, IngestReport, Parsed
    from .status import Status

Progress = Callable[[int], None]
Bar = Callable[[str, int], contextlib.AbstractContextManager[Progress | None]]


def no_bar(label: str, length: int) -> contextlib.AbstractContextManager[Progress | None]:
    return contextlib.nullcontext(None)


@dataclass(frozen=True)
class Hooks:
    """What a caller hears while the stages run; by default, nothing.

    bar(label, length): a context giving a function that advances a progress bar (or None);
    ingested(report): the files were read (before the alignment starts);
    stage(name, seconds): an alignment stage ended.
    """
    bar: Bar = no_bar
    ingested: Callable[[IngestReport], None] = lambda report: None
    stage: Callable[[str, float], None] | None = None


QUIET = Hooks()


class ParamsError(CompareError):
    """The alignment parameters file cannot be used."""


# --- ingest ---------------------------------------------------------------------------------

def ingest(db: Database, paths: Iterable[str | os.PathLike], encoding: str | None = None, run_id: str | None = None,
           follow_symlinks: bool = False, bar: Bar = no_bar, jobs: int = 1) -> IngestReport:
    """Read, segment and store every file under paths; one transaction per document.

    Without a run id, the ingest is a run of its own (recorded in `runs`). With jobs > 1, files
    are read, cleaned and segmented in that many processes, ahead of the one loop that stores them
    in order: the same rows and messages as with one process.
    """
    from .pipeline import IngestReport, expand_paths

    report = IngestReport(run_id=run_id)
    own_run = run_id is None
    if own_run:
        run_id = queries.start_run(db, "ingest", __version__, params={"encoding": encoding})
        report.run_id = run_id
    status = "failed"
    try:
        found = list(expand_paths(paths, follow_symlinks))
        own = own_files(db)
        with ParseAhead(_to_parse(db, found, own) if jobs > 1 else [], encoding, jobs) as ahead, \
                bar("reading", len(found)) as progress:
            for f in found:
                if progress:
                    progress(1)
                report.results.append(ingest_file(db, f, encoding, run_id, own, ahead.take(f.path)))
        status = "done"
    finally:
        if own_run:
            queries.finish_run(db, run_id, status, len(report.added), len(report.problems))
    return report


def _to_parse(db: Database, found: list[Found], own: frozenset[tuple[int, int]]) -> list[str]:
    """The files `ingest_file` will parse, as far as can be told before storing any: screened in,
    readable, bytes not stored yet."""
    from .pipeline import screen
    from .readers import read_checked_bytes

    out = []
    for f in found:
        if screen(f, own):
            continue
        try:
            digest = hashlib.sha256(read_checked_bytes(f.path)).hexdigest()
        except (CompareError, OSError):
            continue  # reported by ingest_file, in its place
        if not queries.document_for_file(db, digest):
            out.append(f.path)
    return out


class ParseAhead:
    """Files parsed in worker processes (pipeline.parse_or_problem), a bounded window ahead of the
    loop that stores them; `take(path)` gives the future of a file submitted, else None."""

    def __init__(self, paths: list[str], encoding: str | None, jobs: int):
        self.paths, self.encoding, self.jobs = paths, encoding, jobs
        self.index = {p: k for k, p in enumerate(paths)}
        self.futures: dict[str, object] = {}
        self.submitted = 0
        self.pool = None

    def __enter__(self) -> ParseAhead:
        if self.paths:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.jobs)
        return self

    def __exit__(self, *exc) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)

    def take(self, path: str):
        k = self.index.pop(path, None)
        if k is None or self.pool is None:
            return None
        from .pipeline import parse_or_problem

        while self.submitted < min(len(self.paths), k + 1 + 4 * self.jobs):
            p = self.paths[self.submitted]
            self.futures[p] = self.pool.submit(parse_or_problem, p, self.encoding)
            self.submitted += 1
        return self.futures.pop(path)


def own_files(db: Database) -> frozenset[tuple[int, int]]:
    """(device, inode) of the database's own files: itself, its journal and lock, its signing secret."""
    path = queries.database_path(db)
    out = set()
    for suffix in ("", "-wal", "-shm", "-journal", ".lock", ".secret"):
        try:
            st = os.stat(path + suffix) if path else None
        except OSError:
            continue
        if st:
            out.add((st.st_dev, st.st_ino))
    return frozenset(out)


def ingest_file(db: Database, found: Found, encoding: str | None, run_id: str,
                own: frozenset[tuple[int, int]] = frozenset(), ahead=None) -> FileResult:
    """One file: skipped when its bytes are stored, else read and stored (see `store_parsed`).

    ahead: the future of the file parsed in a worker process (see `ParseAhead`), if it was."""
    from .pipeline import FileResult, parse_file, screen
    from .readers import read_checked_bytes

    refused = screen(found, own)
    if refused:
        return refused
    path = found.path
    try:
        # cheap check first: the same bytes were read before
        digest = hashlib.sha256(read_checked_bytes(path)).hexdigest()
        known = queries.document_for_file(db, digest)
        if known:
            queries.record_file(db, digest, path, known["id"], run_id)
            return FileResult(path, "unchanged", f"{path}: already stored as {known['id']}, skipped", known["id"])
        parsed = ahead.result() if ahead is not None else parse_file(path, encoding)
        if isinstance(parsed, str):  # the worker's one-line problem with the file
            return FileResult(path, "error", parsed)
    except CompareError as e:
        return FileResult(path, "error", str(e))
    except OSError as e:
        return FileResult(path, "error", f"{path}: cannot be read ({e.strerror or e})")
    return store_parsed(db, parsed, path, run_id)


def store_parsed(db: Database, parsed: Parsed, path: str, run_id: str) -> FileResult:
    """A document read: a duplicate when its cleaned text is stored, else stored (as the next version
    of a known document: same number, or title and issuer, or path)."""
    from .pipeline import FileResult, rows_for

    doc_id = parsed.document_id
    existing = queries.document_exists(db, doc_id)
    if existing:
        queries.record_file(db, parsed.raw.sha256, path, doc_id, run_id)
        return FileResult(path, "duplicate", f"{path}: same text as {existing['source']} ({doc_id}), skipped", doc_id)
    previous = queries.current_version(db, parsed.doc_key, path)
    version = previous["version"] + 1 if previous else 1
    document, measures, quantities, terms = rows_for(parsed, run_id, version, queries.now())
    file_row = {"sha256": parsed.raw.sha256, "path": path, "document_id": doc_id, "first_seen": queries.now(),
                "run_id": run_id}
    if not queries.store_document(db, document, measures, quantities, terms, file_row,
                                  supersedes=previous["id"] if previous else None):
        return FileResult(path, "duplicate", f"{path}: stored meanwhile by another process as {doc_id}, skipped",
                          doc_id)
    status = "new_version" if previous else "added"
    msg = f"{path}: {'new version ' + str(version) + ' of ' + previous['id'] if previous else 'added'} " \
          f"as {doc_id} ({len(measures)} measures)"
    return FileResult(path, status, msg, doc_id, len(measures))


# --- candidates, link -----------------------------------------------------------------------

def vectors(db: Database, encoder: Encoder, hashes: list[str], texts: list[str], progress: Progress | None = None,
            bar: Bar = no_bar):
    """Vectors for texts in order, from the cache or encoded once per distinct text (and cached).

    Returns the matrix and how many texts were encoded. Progress: `progress`, else an "embedding" bar
    of the texts to encode.
    """
    from .align import encode_missing, stack

    unique: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        unique.setdefault(h, t)
    cached = queries.cached_vectors(db, encoder.name, list(unique))
    missing = [h for h in unique if h not in cached]
    if missing:
        with bar("embedding", len(missing)) as own:
            new_rows = encode_missing(encoder, unique, missing, progress or own)
        queries.store_vectors(db, encoder.name, new_rows)
        cached.update({h: blob for h, _, blob in new_rows})
    return stack(cached, hashes), len(missing)


def candidates(db: Database, encoder: Encoder, params: Params, run_id: str,
               progress: Progress | None = None, bar: Bar = no_bar) -> Candidates:
    """Inputs: the current alignable measures; the cached vectors, best-k lists and pairs under this
    model. Outputs (stored in one transaction): new vectors, the best-k lists that changed, the new
    candidate pairs and the measures now aligned; marks and lists of measures that left go.

    Best-k lists, pairs and "aligned" marks go in together: lists that already hold the new rows,
    stored without those rows marked aligned, would count them twice on the next run.
    """
    from .align import (
        CHANNELS,
        FEATURES,
        Candidates,
        Corpus,
        FeatureCache,
        describe_pairs,
        find_candidates,
        measure_text,
        pair_codes,
    )
    from .encoders import HashingEncoder

    rows = queries.alignable_measures(db)
    hashes, texts = [m["text_hash"] for m in rows], [measure_text(m) for m in rows]
    V, encoded = vectors(db, encoder, hashes, texts, progress, bar)
    H, _ = vectors(db, HashingEncoder(), hashes, texts)
    terms = queries.measure_terms(db)
    corpus = Corpus.of(rows, V, H, terms, params.rare_max_df, params.word_max_df)
    done = queries.aligned_measure_ids(db, encoder.name)
    stored, cache = queries.load_pairs(db, encoder.name, corpus.pos, len(FEATURES))
    lists = {channel: queries.load_neighbours(db, encoder.name, channel) for channel in CHANNELS}
    step = find_candidates(corpus, params, done, lists, pair_codes(stored, corpus.n))
    new_pairs = describe_pairs(corpus, step.fresh, terms, queries.quantities_by_measure(db) if len(step.fresh) else {})
    if step.new_rows or new_pairs or step.lists or step.left:
        queries.store_candidates(db, encoder.name, run_id, new_pairs, [corpus.ids[i] for i in step.new_rows],
                                 step.lists, step.left)
    return Candidates(corpus, stored, step, new_pairs, encoded, FeatureCache(*cache))


def pair_features(db: Database, encoder: Encoder, params: Params, run_id: str,
                  progress: Progress | None = None, bar: Bar = no_bar) -> PairFeatures:
    """The candidate stage, then the features of every pair (what the link model scores): those
    stored under the pair's current key (read with the pairs) are taken, the others computed
    (`cluster` stores them, with the links they give)."""
    from .align import pair_features as features

    cands = candidates(db, encoder, params, run_id, progress, bar)
    return features(cands, params, bar, cands.cache, lambda pairs: queries.term_matches(db, encoder.name, pairs))


def link(db: Database, encoder: Encoder, params: Params, run_id: str,
         progress: Progress | None = None, bar: Bar = no_bar) -> tuple[Links, AlignResult]:
    """Candidates, then their scores: the links are the pairs over the link threshold (stored with
    the threads, by `cluster`)."""
    from .align import link as score

    return score(pair_features(db, encoder, params, run_id, progress, bar), params, encoder.name, run_id)


# --- cluster, judge -------------------------------------------------------------------------

def cluster(db: Database, links: Links, result: AlignResult, params: Params, run_id: str, bar: Bar = no_bar) -> int:
    """Inputs: the links' scores, the aligned measures and their terms, the stored threads.
    Outputs (one transaction): the signals computed this run, by pair; links written by difference
    from the stored ones; threads, members, aliases and events. Returns the number of threads.

    A link whose pair's signals came from the store keeps its stored row when its score and method
    are the same: its signals are those the row was written with, in the same transaction."""
    from .threads import build_threads

    measures = {m["id"]: m for m in (result.rows or queries.alignable_measures(db))}
    rows = build_threads(result.ids, result.scores, measures, queries.measure_terms(db), queries.current_threads(db),
                         queries.thread_created_runs(db), params, run_id, queries.now(), bar)
    pf = links.pf
    with write_tx(db):
        if pf.computed is not None and len(pf.computed):
            ids, k = pf.ids, pf.computed
            queries.store_pair_features(db, result.model, (
                (ids[a], ids[b], key, x.astype("<f8").tobytes())
                for a, b, key, x in zip(pf.a[k].tolist(), pf.b[k].tolist(), pf.keys[k].tolist(), pf.X[k])))
        gone, written = links.changes(queries.stored_links(db), lambda keys: queries.link_signals(db, keys),
                                      recheck=pf.computed)
        queries.replace_alignment(db, gone, links.rows(written), *rows)
    result.touched.update({"links written": len(written), "links deleted": len(gone)})
    return len(rows.threads)


def judge(db: Database, run_id: str, as_of: dt.date | None = None, state: dict | None = None,
          touched: dict[str, int] | None = None) -> list[Status]:
    """Inputs: measures of current documents, thread memberships, quantities, documents; the as-of
    date (default today). Output: every status, stored by difference (touched["statuses written"]:
    rows written or deleted); with `state` (model, fingerprint, run), the alignment is marked
    complete in the same transaction."""
    from .status import Evidence, status_rows
    from .status import judge as rules

    as_of = as_of or dt.date.today()
    judged = queries.documents_digest(db)
    measures = queries.status_inputs(db)
    evidence = Evidence.index(measures, queries.thread_memberships(db), queries.quantities_by_measure(db),
                              queries.list_documents(db))
    statuses = rules(measures, evidence, as_of)
    written = queries.replace_statuses(db, status_rows(statuses, as_of, run_id), state, judged)
    if touched is not None:
        touched["statuses written"] = written
    return statuses


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused for the block. An alignment builds millions of
    objects that live to its end (rows, tuples, dicts of neighbours) and makes few cycles; each
    full collection walks all of them again: 11 of 78 s when one document is added to 1,000
    (docs/performance.md). What it would have freed is freed when it runs again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def align_corpus(db: Database, encoder: Encoder, params: Params, run_id: str, progress: Progress | None = None,
                 as_of: dt.date | None = None, on_stage: Callable[[str, float], None] | None = None,
                 bar: Bar = no_bar) -> AlignResult:
    """Candidates, link, cluster, judge over every current measure, whatever is stored. Idempotent.

    on_stage(name, seconds) hears when each stage ends (for progress output); bar(label, length)
    shows the long steps: embedding, scoring, clustering.
    """
    with collector_paused():
        return _align_corpus(db, encoder, params, run_id, progress, as_of, on_stage, bar)


def _align_corpus(db: Database, encoder: Encoder, params: Params, run_id: str, progress: Progress | None,
                  as_of: dt.date | None, on_stage: Callable[[str, float], None] | None, bar: Bar) -> AlignResult:
    def timed(name, rows, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        if on_stage:  # the stage's name, with the rows it touched
            on_stage(f"{name} ({rows(out)})", time.perf_counter() - t)
        return out

    fingerprint = queries.alignment_fingerprint(db, params.digest)
    links, result = timed("vectors, candidates and scores", lambda out: (
        f"{out[1].measures:,} measures, {out[1].encoded:,} embedded, {out[1].new_measures:,} new; "
        f"{out[1].new_pairs:,} new pairs, {out[1].pairs:,} pairs scored, "
        f"{out[1].touched.get('pairs computed', 0):,} computed"), link, db, encoder, params, run_id,
        progress, bar)
    result.threads = timed("threads", lambda out: (
        f"{len(links):,} links, {result.touched.get('links written', 0):,} written, "
        f"{result.touched.get('links deleted', 0):,} deleted; {out:,} threads"),
        cluster, db, links, result, params, run_id, bar)
    timed("statuses", lambda out: f"{len(out):,} statuses, {result.touched.get('statuses written', 0):,} written",
          judge, db, run_id, as_of, {"model": encoder.name, "fingerprint": fingerprint, "run_id": run_id},
          result.touched)
    return result


def load_params(path: str | None = None) -> Params:
    """The alignment parameters: the --params file, else the fitted ones shipped with compare."""
    from .params import load_params as load

    try:
        return load(path)
    except (OSError, ValueError, TypeError) as e:
        raise ParamsError(f"{path or 'compare/alignment.json'}: cannot be read as alignment parameters ({e}); "
                          "pass a JSON file written by scripts/fit_alignment.py") from None


def align(db: Database, model: str | None, params: Params, run_id: str, as_of: dt.date | None = None,
          hooks: Hooks = QUIET) -> AlignResult | None:
    """The alignment stages, skipped when the stored alignment was built from the current measures
    with this model and these parameters. Then the statuses are judged again only when they were
    judged from other documents (one without alignable measures leaves the alignment as it was:
    an issued policy's title can still fulfil a promise), or at another date than `--as-of` (from
    the same inputs at the same date they would be the same). None when skipped."""
    from .encoders import model_name

    if not queries.count_alignable(db):
        return None
    if queries.alignment_is_current(db, model_name(model), params.digest):
        queries.renew_fingerprint(db, params.digest)
        if queries.judged_documents(db) != queries.documents_digest(db) or (
                as_of and queries.statuses_as_of(db) != {as_of.isoformat()}):  # deadlines judged at another date
            judge(db, run_id, as_of)
        return None
    from .encoders import get_encoder

    encoder = get_encoder(model)
    return align_corpus(db, encoder, params, run_id, None, as_of, hooks.stage, hooks.bar)


# --- place ----------------------------------------------------------------------------------

def placements(db: Database) -> list[Placement]:
    """Place every flag on the current documents and store the placements (derived data)."""
    covered = covered_by(queries.flag_scopes(db))
    current = queries.current_measure_ids(db, {c.measure_id for c in covered})
    away = [c for c in covered if c.measure_id not in current]
    carry = [Candidate(r["id"], r["doc_key"], r["source"], r["version"], r["text_hash"], r["text"], r["ordinal"])
             for r in queries.current_measures_for(db, {c.doc_key for c in away if c.doc_key},
                                                   {c.source for c in away if c.source})]
    placed = place(covered, current, carry)
    queries.replace_placements(db, [p.row() for p in placed])
    return placed


def place_flags(db: Database) -> PlacementChange:
    """Flags follow their commitments into new versions: placements refreshed, and what changed."""
    before = queries.stored_placements(db)
    return placement_change(before, placements(db))


def record_flag(db: Database, target: str, status: str, note: str | None, reviewer: str, source: str = "cli",
                seen: list[str] | None = None, exact: bool = False) -> Recorded:
    """Store a flag on a measure or a thread and place it at once, in one transaction.

    `seen`: the measure ids the reviewer was looking at (a web page); a thread flag covers those
    of them that are in the thread, so a page older than a merge flags what it showed, not what
    joined since. `exact`: the target must be a whole id (the web form sends ids, never prefixes).
    """
    note, reviewer = validate(status, note, reviewer)
    target = (target or "").strip()
    target_id, kind = _flag_target(db, target, exact)
    covered, thread_id, said = _flag_scope(db, target, target_id, kind, seen)
    snap = queries.measure_snapshots(db, covered)
    kept = ("doc_key", "source", "version", "text_hash", "text", "ordinal", "occurrence")
    context = {m: {k: snap[m][k] for k in kept} for m in covered if m in snap}
    with write_tx(db):
        flag_id = queries.add_flag(db, target_id, kind, status, note, reviewer, source, covered, thread_id,
                                   len(covered) if thread_id else None, context)
        placed = placements(db)
    return recorded(flag_id, kind, target_id, status, placed, said)


def _flag_target(db: Database, target: str, exact: bool = False) -> tuple[str, str]:
    """(id, "measure" or "thread") of what a reviewer names."""
    if not target:
        raise FlagError("say what to flag: a measure id or a thread id")
    if exact and queries.exact_target(db, target) is None:
        raise FlagError(f"no measure or thread '{target}'; reload the page and flag again")
    try:
        return queries.resolve_measure(db, target), "measure"
    except Ambiguous as e:  # several measures (and maybe threads too): say which
        raise FlagError(str(e)) from None
    except NotFound:
        try:
            return queries.resolve_thread(db, target), "thread"
        except Ambiguous as e:
            raise FlagError(str(e)) from None
        except NotFound:
            raise FlagError(f"no measure or thread '{target}'; see compare threads / compare measures DOC") \
                from None


def _flag_scope(db: Database, target: str, target_id: str, kind: str,
                seen: list[str] | None) -> tuple[list[str], str | None, str]:
    """The measures a flag covers, its thread (for a thread flag), and what the reviewer should be told."""
    if kind == "measure":
        snap = queries.measure_snapshots(db, [target_id])[target_id]
        said = "" if snap["is_current"] else f"that mention is from version {snap['version']}, since replaced; "
        return [target_id], None, said
    said = ""
    members = queries.list_threads(db, target_id)[0]["measure_ids"]
    if seen is not None:
        covered = sorted(set(seen) & set(members))  # what the page showed, of this thread only
        if not covered:
            raise FlagError("none of the mentions on that page are in this thread any more; reload the page "
                            "and flag again")
    else:
        covered = list(members)
    if target_id != target and queries.exact_target(db, target) == "alias":  # not a prefix of the id
        said = f"thread {target} has since become part of thread {target_id}; "
    if seen is not None and set(covered) != set(members):
        said += f"the flag covers the {len(covered)} mentions you saw, not the {len(members)} the thread has now; "
    if seen is not None and len(set(seen)) > len(covered):
        said += (f"{len(set(seen)) - len(covered)} mentions on that page are no longer in this thread "
                 "and were left out; ")
    return covered, target_id, said


# --- commands -------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What `run` did: the run, the files read, the alignment (None when up to date), the flags moved."""
    run_id: str
    report: IngestReport | None
    alignment: AlignResult | None
    placed: PlacementChange = field(default_factory=lambda: PlacementChange(0, 0, 0))


def run(db: Database, paths: Iterable[str | os.PathLike] = (), *, model: str | None = None,
        params: Params | None = None, encoding: str | None = None, as_of: dt.date | None = None,
        follow_symlinks: bool = False, hooks: Hooks = QUIET, jobs: int = 1) -> Outcome:
    """`compare align`: ingest the paths (in `jobs` processes), align what is stored, place the flags;
    one recorded run. params: load_params(its file), read before the run; None: the shipped ones."""
    from .encoders import model_name

    paths = [str(p) for p in paths]
    params = params if params is not None else load_params()
    run_id = queries.start_run(db, "align", __version__, model=model_name(model),
                               params={"encoding": encoding, "paths": paths})
    status, report, result = "failed", None, None
    try:
        if paths:
            report = ingest(db, paths, encoding, run_id, follow_symlinks, hooks.bar, jobs)
            hooks.ingested(report)
        result = align(db, model, params, run_id, as_of, hooks)
        status = "done"
    finally:
        queries.finish_run(db, run_id, status, len(report.added) if report else 0,
                           len(report.problems) if report else 0)
    return Outcome(run_id, report, result, place_flags(db))


@dataclass
class Removal:
    document: dict  # the document named
    removed: dict  # db.queries.remove_document's answer: versions, measures, flags left unattached
    alignment: AlignResult | None


def remove(db: Database, ref: str, *, model: str | None = None, params: Params | None = None,
           realign: bool = True) -> Removal:
    """`compare remove`: a document with all its versions and what they derive, then the alignment
    rebuilt from what is left (with the model it was last built with, unless another is given;
    with `params`, else the shipped ones)."""
    from .encoders import model_name, model_option

    if realign and params is None:
        params = load_params()

    if model is None and queries.aligned_model(db):
        model = model_option(queries.aligned_model(db))
    doc = queries.resolve_document(db, ref)
    run_id = queries.start_run(db, "remove", __version__, model=model_name(model) if realign else None,
                               params={"document": doc["id"]})
    status, result = "failed", None
    try:
        removed = queries.remove_document(db, doc["id"], run_id)
        if realign:
            result = align(db, model, params, run_id)
        status = "done"
    finally:
        queries.finish_run(db, run_id, status, 0, 0)
    place_flags(db)  # flags on the removed measures: "document removed"
    return Removal(doc, removed, result)


def rejudge(db: Database, as_of: dt.date | None = None) -> list[Status]:
    """`compare status`: the judge stage alone, as a recorded run."""
    run_id = queries.start_run(db, "status", __version__, params={"as_of": as_of.isoformat() if as_of else None})
    statuses = judge(db, run_id, as_of)
    queries.finish_run(db, run_id, "done", 0, 0)
    return statuses
