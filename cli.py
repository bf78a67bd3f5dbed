"""compare's command line: a thin click front over the compare/ and db/ libraries."""
from __future__ import annotations

import json
import sqlite3
import sys

import click

CONTEXT = {"help_option_names": ["-h", "--help"]}


def database_option(f):
    return click.option("-d", "--database", type=click.Path(dir_okay=False), envvar="COMPARE_DB",
                        default="compare.db", show_default=True,
                        help="SQLite database file (env COMPARE_DB)")(f)


def output_options(f):
    f = click.option("--csv", "fmt", flag_value="csv", help="Output CSV")(f)
    f = click.option("--nl", "fmt", flag_value="nl", help="Output newline-delimited JSON")(f)
    f = click.option("--json", "fmt", flag_value="json", help="Output a JSON array")(f)
    return f


def _open(database: str, readonly: bool = False):
    """Open the database; `readonly` for commands that only read (they then work on a read-only file)."""
    from compare.errors import CompareError
    from db import open_db

    try:
        db = open_db(database, readonly=readonly)
    except CompareError as e:
        raise click.ClickException(str(e)) from None
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # for CompareGroup: a storage failure later in the command names this file
        ctx.meta["compare.database"], ctx.meta["compare.db"] = database, db
    return db


def _emit(rows: list[dict], fmt: str | None, columns: list[str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "nl":
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
    elif fmt == "csv":
        from compare.formats import to_csv

        click.echo(to_csv(rows, columns), nl=False)
    else:
        for r in rows:
            click.echo("  ".join("" if r.get(c) is None else str(r.get(c)) for c in columns))


class CompareGroup(click.Group):
    """Disk full, database busy or read-only, met anywhere in a command: one line, the transaction rolled back."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (sqlite3.Error, OSError) as e:
            from db import storage_error

            db = ctx.meta.get("compare.db")
            if db is not None and db.conn.in_transaction:
                try:
                    db.conn.rollback()
                except sqlite3.Error:
                    pass
            error = storage_error(e, ctx.meta.get("compare.database") or "the database")
            if error is None:
                raise
            raise click.ClickException(str(error)) from None


@click.group(cls=CompareGroup, context_settings=CONTEXT)
@click.version_option(package_name="zh-policy-compare", prog_name="compare")
def cli():
    """compare: track commitments across Chinese government policy documents.

    \b
    compare align docs/            read, segment and store documents
    compare docs                   what was read
    compare measures DOC_ID        a document's measures
    compare export --format json   everything, as one JSON object
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@database_option
@click.option("--model", default=None, metavar="NAME",
              help="Sentence encoder: default USE multilingual v3 (offline); any sentence-transformers "
                   "name or local path, e.g. BAAI/bge-small-zh-v1.5; 'hashing' for lexical only")
@click.option("--params", "params_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Alignment weights and thresholds (JSON); default: the fitted ones shipped with compare")
@click.option("--encoding", help="Force the text encoding of .txt/.md/.html files, e.g. gb18030")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date at which deadlines are judged (default: today)")
@click.option("--follow-symlinks", is_flag=True,
              help="In folders, also read symlinks that point outside the folder given (left out by default)")
@click.option("--silent", is_flag=True, help="Print nothing but errors")
def align(paths, database, model, params_path, encoding, as_of, follow_symlinks, silent):
    """Read documents and align their measures with the corpus (incremental).

    Files and folders (walked); formats .txt .md .html .pdf .docx. Stored files are
    skipped; only measures not yet aligned under the model get new candidates, and
    threads are rebuilt from all links. Without PATHS, aligns what is stored.
    Exit code 1 when some file could not be read (the others are stored and aligned).
    In folders, symlinks pointing outside the folder are left out (--follow-symlinks reads
    them); reviewers files, *.secret and databases are never read.

    \b
    Example:
        compare align ../shared/corpus/seeds/ new-reply.pdf
        compare align --model BAAI/bge-small-zh-v1.5
    """
    from db import db_lock

    db = _open(database)
    from compare.encoders import model_name as _model_name

    model_name = _model_name(model)
    with db_lock(database, "aligning"):
        report, result = _align_locked(db, paths, model, model_name, params_path, encoding, as_of, silent,
                                       follow_symlinks=follow_symlinks)
        from compare.flags import refresh_and_compare

        placed = refresh_and_compare(db)  # flags follow their commitments into new versions
    if not silent:
        if report:
            added = report.added
            click.echo(f"{len(added)} document(s) added, {sum(r.measures for r in added)} measures; "
                       f"{len([r for r in report.results if r.status in ('unchanged', 'duplicate')])} unchanged; "
                       f"{len(report.problems)} skipped with errors"
                       + (f"; {len(report.ignored)} left out (see the warnings)" if report.ignored else ""), err=True)
        if result:
            click.echo(f"aligned under {result.model}: {result.measures} measures ({result.encoded} embedded, "
                       f"{result.new_measures} new), {result.links} links, {result.threads} threads", err=True)
        else:
            click.echo("alignment up to date", err=True)
        if placed.moved or placed.unplaced or placed.removed:
            click.echo(f"flags: {placed.moved} moved to the same commitment in a new version, "
                       f"{placed.unplaced} need a reviewer, {placed.removed} on removed documents "
                       "(compare flags --unplaced)", err=True)
    if report and report.problems:
        sys.exit(1)


def _align_locked(db, paths, model, model_name, params_path, encoding, as_of, silent, follow_symlinks=False):
    from compare import __version__
    from compare.errors import CompareError
    from compare.pipeline import ingest
    from db import queries

    run_id = queries.start_run(db, "align", __version__, model=model_name,
                               params={"encoding": encoding, "paths": list(paths)})
    status = "failed"
    report = None
    try:
        report = None
        if paths:
            from compare.pipeline import expand_paths

            files = list(expand_paths(paths, follow_symlinks))
            if silent or len(files) < 20:
                report = ingest(db, paths, encoding=encoding, run_id=run_id, follow_symlinks=follow_symlinks)
            else:
                with click.progressbar(length=len(files), label="reading", file=sys.stderr) as bar:
                    report = ingest(db, paths, encoding=encoding, run_id=run_id, on_file=lambda _: bar.update(1),
                                    follow_symlinks=follow_symlinks)
        if report:
            for r in report.results:
                if r.skipped:
                    click.echo(f"error: {r.message}", err=True)
                elif r.status == "ignored":  # said even with --silent: a file in the folder was not read
                    click.echo(f"warning: {r.message}", err=True)
                elif not silent:
                    click.echo(r.message, err=True)
        result = _align_stored(db, model, model_name, params_path, run_id, silent, as_of.date() if as_of else None)
        status = "done"
    except CompareError as e:
        raise click.ClickException(str(e)) from None
    finally:
        added = report.added if report else []
        queries.finish_run(db, run_id, status, len(added), len(report.problems) if report else 0)
    return report, result


def _load_params(params_path):
    """The alignment parameters (compare.params is light: the no-op path stays fast)."""
    from compare.params import load_params

    try:
        return load_params(params_path)
    except (OSError, ValueError, TypeError) as e:
        raise click.ClickException(f"{params_path or 'compare/alignment.json'}: cannot be read as alignment "
                                   f"parameters ({e}); pass a JSON file written by scripts/fit_alignment.py")


def _align_stored(db, model, model_name, params_path, run_id, silent, as_of=None):
    from db import queries

    if not queries.count_alignable(db):
        return None
    params = _load_params(params_path)
    if queries.alignment_is_current(db, model_name, params.digest):
        if as_of:  # nothing new to align, but deadlines are judged at another date
            from compare.status import refresh

            refresh(db, run_id, as_of)
        return None
    # heavy imports (numpy, the encoder) only once there is work to do
    from compare.align import align_corpus
    from compare.encoders import get_encoder

    encoder = get_encoder(model)
    todo = queries.count_alignable(db)
    if silent:
        return align_corpus(db, encoder, params, run_id, as_of=as_of)

    def stage(name, seconds):
        click.echo(f"  {name}: {seconds:.1f} s", err=True)

    with click.progressbar(length=todo, label="embedding", file=sys.stderr) as bar:
        return align_corpus(db, encoder, params, run_id, progress=bar.update, as_of=as_of, on_stage=stage)


@cli.command()
@click.argument("document")
@database_option
@click.option("--model", default=None, metavar="NAME",
              help="Encoder to re-align with, as for compare align (default: the one the corpus was last aligned with)")
@click.option("--params", "params_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Alignment weights and thresholds (JSON), as for compare align")
@click.option("--no-align", is_flag=True, help="Do not re-align now; the next compare align does it")
def remove(document, database, model, params_path, no_align):
    """Remove a document with all its versions, measures, links and statuses. Flags stay.

    DOCUMENT is an id, an id prefix or a file name. Threads and statuses are then rebuilt
    from what is left, as compare align does. Flags on the removed measures are kept (the
    flags table is never changed), attached to nothing.

    \b
    Example:
        compare remove d3f2a1
        compare remove old-reply.pdf --no-align
    """
    from compare import __version__
    from compare.encoders import model_name as _model_name
    from compare.errors import CompareError
    from db import db_lock, queries

    from compare.encoders import model_option

    db = _open(database)
    if model is None and queries.aligned_model(db):  # re-align as the corpus was last aligned
        model = model_option(queries.aligned_model(db))
    model_name = _model_name(model)
    with db_lock(database, "removing a document"):
        try:
            doc = queries.resolve_document(db, document)
        except CompareError as e:
            raise click.ClickException(str(e)) from None
        run_id = queries.start_run(db, "remove", __version__, model=None if no_align else model_name,
                                   params={"document": doc["id"]})
        status, result = "failed", None
        try:
            removed = queries.remove_document(db, doc["id"], run_id)
            if not no_align:
                result = _align_stored(db, model, model_name, params_path, run_id, True)
            status = "done"
        except CompareError as e:
            raise click.ClickException(str(e)) from None
        finally:
            queries.finish_run(db, run_id, status, 0, 0)
        from compare.flags import refresh_and_compare

        refresh_and_compare(db)  # flags on the removed measures: "document removed"
    versions = removed["documents"]
    flags = removed["flags"]
    click.echo(f"removed {doc['title'] or doc['file_name']} ({len(versions)} version{'s' if len(versions) != 1 else ''}"
               f": {', '.join(v['id'] for v in versions)}): {removed['measures']} measures; "
               f"{flags} flag{'s' if flags != 1 else ''} on them kept, now attached to nothing")
    if result:
        click.echo(f"re-aligned under {result.model}: {result.measures} measures, {result.links} links, "
                   f"{result.threads} threads", err=True)
    elif no_align:
        click.echo("alignment left out of date: run compare align to rebuild threads and statuses", err=True)


@cli.command()
@database_option
@output_options
def docs(database, fmt):
    """List stored documents: id, date, level, region, genre, issuer, number, title.

    \b
    Example:
        compare docs --json
    """
    from db import queries

    db = _open(database, readonly=True)
    rows = queries.list_documents(db)
    columns = ["id", "date", "level", "region", "genre", "issuer", "doc_number", "title"]
    if fmt:
        _emit(rows, fmt, columns if fmt == "csv" else list(rows[0].keys()) if rows else columns)
    else:
        for r in rows:
            date = r["date"] or (f"~{r['sort_date']}" if r["sort_date"] else "undated")
            draft = f" [{r['draft_label']}]" if r["draft"] else ""
            click.echo(f"{r['id']}  {date:<10}  {r['level'] or '-':<8}  {r['region'] or '-':<6}  "
                       f"{r['genre']:<27}  {r['doc_number'] or '-'}  {r['title'] or r['file_name']}{draft}")


@cli.command()
@click.argument("document")
@database_option
@output_options
@click.option("--kind", type=click.Choice(["progress", "commitment", "target", "other"]), multiple=True,
              help="Only measures of this kind (repeatable)")
def measures(document, database, fmt, kind):
    """List a document's measures: section path, kind, target, text.

    DOCUMENT is an id, an id prefix or a file name.

    \b
    Example:
        compare measures d3f2a1 --kind target
    """
    from compare.errors import CompareError
    from db import queries

    db = _open(database, readonly=True)
    try:
        doc = queries.resolve_document(db, document)
    except CompareError as e:
        raise click.ClickException(str(e)) from None
    rows = [m for m in queries.list_measures(db, doc["id"]) if not kind or m["kind"] in kind]
    if fmt:
        _emit(rows, fmt, ["id", "ordinal", "section", "kind", "deadline", "comparator", "value", "unit", "object",
                          "text"])
        return
    click.echo(f"{doc['title'] or doc['file_name']}  ({doc['id']})")
    section = None
    for m in rows:
        if m["section"] != section:
            section = m["section"]
            click.echo(click.style(f"\n{section or '(no section)'}", bold=True))
        target = ""
        if m["deadline"] or m["comparator"]:
            parts = []
            if m["comparator"]:
                parts.append(f"{m['comparator']} {m['value']:g} {m['unit']} {m['object'] or ''}".strip())
            if m["deadline"]:
                parts.append(f"by {m['deadline']}")
            target = "  [" + "; ".join(parts) + "]"
        click.echo(f"  {m['kind']:<10} {m['text']}{target}")


@cli.command()
@database_option
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write")
def export(database, fmt, output):
    """Export documents, measures, threads and statuses as one JSON object.

    \b
    Example:
        compare export --format json > export.json
    """
    from compare.export import export as do_export

    db = _open(database, readonly=True)
    try:
        json.dump(do_export(db), output, ensure_ascii=False, indent=1)
        output.write("\n")
        output.flush()  # a full disk is reported here (CompareGroup), not after the command has returned
    except OSError as e:
        e.filename = e.filename or output.name
        raise


@cli.command()
@database_option
@output_options
@click.option("--min-size", type=int, default=2, show_default=True, help="Only threads this large")
def threads(database, fmt, min_size):
    """List commitment threads: label, size, documents, regions, first and last date.

    \b
    Example:
        compare threads --min-size 3
    """
    from db import queries

    db = _open(database, readonly=True)
    rows = [t for t in queries.list_threads(db) if t["size"] >= min_size]
    if fmt:
        _emit(rows, fmt, ["id", "label", "size", "documents", "regions", "first_date", "last_date"])
        return
    for t in rows:
        approx = "~" if t["dates_approximate"] else ""
        click.echo(f"{t['id']}  {t['size']:>3} measures  {t['documents']} docs  "
                   f"{approx}{t['first_date'] or '?'} → {t['last_date'] or '?'}  "
                   f"{','.join(t['regions']) or '-':<12}  {t['label']}")


@cli.command()
@click.argument("thread_id")
@database_option
@output_options
def thread(thread_id, database, fmt):
    """A thread's timeline: date, issuer, kind and text of every mention.

    THREAD_ID is an id, an id prefix, or an old id that was merged into another thread.

    \b
    Example:
        compare thread t3f9a
    """
    from compare.errors import CompareError
    from db import queries

    db = _open(database, readonly=True)
    try:
        tid = queries.resolve_thread(db, thread_id)
    except CompareError as e:
        raise click.ClickException(str(e)) from None
    rows = queries.thread_timeline(db, tid)
    if fmt:
        _emit(rows, fmt, ["sort_date", "issuer", "region", "kind", "role", "text", "measure_id", "document_id"])
        return
    label = next((t["label"] for t in queries.list_threads(db) if t["id"] == tid), tid)
    click.echo(click.style(f"{label}  ({tid})", bold=True))
    for r in rows:
        date = r["date"] or (f"~{r['sort_date']}" if r["sort_date"] else "undated")
        extra = "" if r["role"] == "core" else "  (also)"
        click.echo(f"  {date:<11} {r['issuer'] or r['file_name']}  [{r['kind']}]{extra}")
        click.echo(f"              {r['text']}")


FLAG_STATUSES = ["unfulfilled", "fulfilled", "in_progress", "disputed"]


@cli.command()
@database_option
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date at which deadlines are judged (default: today)")
def status(database, as_of):
    """Recompute the status of every commitment (compare align does this too).

    \b
    Example:
        compare status --as-of 2026-05-31
    """
    from compare import __version__
    from compare.status import refresh
    from db import queries

    db = _open(database)
    run_id = queries.start_run(db, "status", __version__, params={"as_of": as_of.date().isoformat() if as_of else None})
    statuses = refresh(db, run_id, as_of.date() if as_of else None)
    queries.finish_run(db, run_id, "done", 0, 0)
    counts = {}
    for st in statuses:
        counts[st.status] = counts.get(st.status, 0) + 1
    click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no commitments")


@cli.command()
@click.argument("target")
@database_option
@click.option("--status", "flag_status", type=click.Choice(FLAG_STATUSES), required=True)
@click.option("--note", required=True, help="Why: what the reviewer found (at most 4,000 characters)")
@click.option("--reviewer", envvar="COMPARE_REVIEWER", required=True, help="Who flags (env COMPARE_REVIEWER)")
def flag(target, database, flag_status, note, reviewer):
    """Flag a commitment (a measure or a whole thread). Flags are never changed or lost.

    TARGET is a measure id or a thread id (or a unique prefix; an old thread id works).
    A thread flag covers the thread's mentions as they are now, never ones that join later;
    when a document gets a new version, the flag follows the same commitment into it.

    \b
    Example:
        compare flag m3f2a1 --status unfulfilled --note "区内尚未建成" --reviewer 张三
    """
    from compare.errors import CompareError
    from compare.flags import record_flag

    db = _open(database)
    try:
        recorded = record_flag(db, target, flag_status, note, reviewer, source="cli")
    except CompareError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{recorded.message} {recorded.target_type} {recorded.target_id} by {reviewer.strip()}")


@cli.command()
@database_option
@output_options
@click.option("--reviewer", default=None, help="Only this reviewer's flags")
@click.option("--unplaced", is_flag=True, help="Only flags that need a reviewer or whose document was removed")
def flags(database, fmt, reviewer, unplaced):
    """Every flag ever written, newest first, with where it applies now.

    A flag stays on the commitments it was given to: "moved to a new version" when a new
    version of the document has the same commitment, "needs a reviewer" when it has not,
    "document removed" when the document was removed.

    \b
    Example:
        compare flags --reviewer 张三
    """
    from db import queries

    db = _open(database, readonly=True)
    rows = queries.list_flags(db, reviewer=reviewer)
    if unplaced:
        rows = [f for f in rows if f["unplaced"] or (f["removed"] and not f["placed"])]
    if fmt:
        _emit(rows, fmt, ["id", "created_at", "reviewer", "target_type", "target_id", "status", "note", "source",
                          "placement"])
        return
    for f in rows:
        click.echo(f"{f['id']:>4}  {f['created_at']}  {f['reviewer']:<8}  {f['target_type']:<7} {f['target_id']}  "
                   f"{f['status']:<11}  [{f['placement']}]  {f['note'] or ''}")


REPORT_COLUMNS = ["issuer", "date", "region", "deadline", "target", "status", "flagged_status", "effective_status",
                  "last_evidence", "reason", "text", "measure_id"]


@cli.command()
@database_option
@click.option("--status", "statuses", default=None,
              help="Comma-separated statuses to keep (computed or flagged), e.g. unfulfilled,overdue,no_evidence")
@click.option("--region", default=None, help="Only this region, e.g. 宝山区")
@click.option("--issuer", default=None, help="Only issuers containing this text")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True)
def report(database, statuses, region, issuer, fmt):
    """One row per commitment: issuer, date, deadline, target, computed and flagged status, last evidence.

    \b
    Example:
        compare report --status unfulfilled,overdue,no_evidence --region 宝山区 --format csv
    """
    from db import queries

    db = _open(database, readonly=True)
    wanted = {x.strip() for x in statuses.split(",")} if statuses else None
    rows = queries.list_statuses(db)
    evidence = queries.measure_rows(db, sorted({e for r in rows for e in r["evidence_measure_ids"]}))
    out = []
    for r in rows:
        if wanted and not ({r["status"], r["effective_status"]} & wanted):
            continue
        if region and r["region"] != region:
            continue
        if issuer and issuer not in (r["issuer"] or ""):
            continue
        last = evidence.get(r["evidence_measure_ids"][-1]) if r["evidence_measure_ids"] else None
        target = ""
        if r["comparator"]:
            target = f"{r['comparator']} {r['value']:g} {r['unit']} {r['object'] or ''}".strip()
        out.append({"issuer": r["issuer"], "date": r["date"] or (f"~{r['sort_date']}" if r["sort_date"] else None),
                    "region": r["region"], "deadline": r["deadline"], "target": target, "status": r["status"],
                    "flagged_status": r["flagged_status"], "effective_status": r["effective_status"],
                    "last_evidence": f"{last['date'] or last['sort_date']} {last['text']}" if last else None,
                    "reason": r["reason"], "text": r["text"], "measure_id": r["measure_id"]})
    if fmt == "json":
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _emit(out, "csv", REPORT_COLUMNS)
    else:
        from compare.formats import to_markdown

        click.echo(to_markdown(out, REPORT_COLUMNS), nl=False)


@cli.command()
@click.argument("doc_a")
@click.argument("doc_b")
@database_option
@click.option("--json", "as_json", is_flag=True, help="Output JSON")
@click.option("--all", "show_all", is_flag=True, help="Also list measures that stayed the same")
def diff(doc_a, doc_b, database, as_json, show_all):
    """Diff two documents by measures: reworded, number/deadline changed, dropped, new.

    DOC_A and DOC_B are ids, id prefixes or file names (e.g. a draft and its final version).

    \b
    Example:
        compare diff plan-draft.txt plan-final.txt
    """
    from compare.diff import diff_documents
    from compare.errors import CompareError
    from db import queries

    db = _open(database, readonly=True)
    try:
        a, b = queries.resolve_document(db, doc_a), queries.resolve_document(db, doc_b)
    except CompareError as e:
        raise click.ClickException(str(e)) from None
    result = diff_documents(db, a["id"], b["id"])
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"A: {a['title'] or a['file_name']} ({a['id']})\nB: {b['title'] or b['file_name']} ({b['id']})")
    click.echo(", ".join(f"{k} {v}" for k, v in result["summary"].items()))
    for c in result["changes"]:
        st = c["status"]
        if st == "same" and not show_all:
            continue
        if st == "dropped":
            click.echo(click.style(f"- dropped   {c['a']['text']}", fg="red"))
        elif st == "new":
            click.echo(click.style(f"+ new       {c['b']['text']}", fg="green"))
        elif st == "same":
            click.echo(f"  same      {c['a']['text']}")
        else:
            label = f"{st} ({c['direction']}: {'; '.join(c['details'])})" if st == "changed" else st
            click.echo(f"~ {label}\n            {c['char_diff']}")


def web_app(database: str, reviewers_path: str | None = None, *, allow_sql: bool = False,
            session_hours: float | None = None):
    """The Datasette app compare serves (also used by the tests)."""
    import os

    from compare.reviewers import SESSION_HOURS, ReviewersFile, read_or_create_secret
    from compare.web.app import make_datasette

    _open(database).conn.close()  # create or migrate before serving
    reviewers = ReviewersFile(reviewers_path)  # read from disk on each request, never published
    secret = read_or_create_secret(os.path.abspath(database) + ".secret")
    return make_datasette(database, secret, reviewers, allow_sql=allow_sql,
                          session_hours=session_hours or SESSION_HOURS)


@cli.command()
@database_option
@click.option("-h", "--host", default="127.0.0.1", show_default=True, help="Address to bind")
@click.option("-p", "--port", default=8001, show_default=True, type=int)
@click.option("--reviewers", "reviewers_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="JSON file {name: password hash}; those reviewers can log in and flag (re-read on change)")
@click.option("--session-hours", type=click.FloatRange(min=0.05, max=24 * 30), default=12.0, show_default=True,
              help="A reviewer's login lasts this long")
@click.option("--allow-sql", is_flag=True,
              help="Let visitors run arbitrary read-only SQL (?sql=), with time and size caps; off by default")
def serve(database, host, port, reviewers_path, session_hours, allow_sql):
    """Publish the database with Datasette: timelines, unfulfilled list, search, flagging.

    Anonymous visitors read the pages, tables and canned queries; reviewers log in at /-/login
    and flag commitments. Reviewer names and hashes stay in the reviewers file, never published.

    \b
    Example:
        compare hash-password > /dev/null   # then put the hash in reviewers.json
        compare serve --reviewers reviewers.json
    """
    from compare.errors import CompareError

    if host not in ("127.0.0.1", "localhost", "::1") and not reviewers_path:
        click.echo(f"warning: serving on {host} to other machines with no reviewers: everyone reads, "
                   "no one can flag; pass --reviewers to let reviewers log in", err=True)
    try:
        ds = web_app(database, reviewers_path, allow_sql=allow_sql, session_hours=session_hours)
    except CompareError as e:
        raise click.ClickException(str(e)) from None
    import asyncio

    import uvicorn

    asyncio.run(ds.invoke_startup())
    click.echo(f"compare: serving {database} on http://{host}:{port}/-/compare", err=True)
    # proxy_headers off: X-Forwarded-For from anyone who can reach the port would otherwise pick
    # the client address that failed logins are counted by
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", proxy_headers=False)


@cli.command("hash-password")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def hash_password(password):
    """Print a password hash for a reviewers file ({"张三": "<hash>"}).

    \b
    Example:
        compare hash-password
    """
    from compare.reviewers import hash_password as _hash

    click.echo(_hash(password))


def main():
    cli()


if __name__ == "__main__":
    main()
