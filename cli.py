"""compare's command line: a thin click front over the stage runner (compare.stages), the reports
(compare.reports) and the store (db): parse options, call the library, print, map errors."""
from __future__ import annotations

import json
import sqlite3
import sys

import click

from compare.flags import FLAG_STATUSES
from compare.formats import json_text

CONTEXT = {"help_option_names": ["-h", "--help"]}


def database_option(f):
    return click.option("-d", "--database", type=click.Path(dir_okay=False), envvar="COMPARE_DB",
                        default="compare.db", show_default=True,
                        help="SQLite database file (env COMPARE_DB)")(f)


class IsoDate(click.ParamType):
    """A calendar date written YYYY-MM-DD; anything else is refused naming the form (click's
    DateTime said "does not match the format '%Y-%m-%d'", even of 2026-02-30)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        import datetime as dt

        if isinstance(value, dt.date):
            return value
        try:
            return dt.datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            self.fail(f"{value!r} is not a calendar date; write it as YYYY-MM-DD, e.g. 2026-05-31", param, ctx)


def as_of_option(f):
    """--as-of, read once into a date (None: the judge stage takes today)."""
    return click.option("--as-of", "as_of", type=IsoDate(), default=None,
                        help="Date at which deadlines are judged (default: today)")(f)


def output_options(f):
    f = click.option("--csv", "fmt", flag_value="csv", help="Output CSV")(f)
    f = click.option("--nl", "fmt", flag_value="nl", help="Output newline-delimited JSON")(f)
    f = click.option("--json", "fmt", flag_value="json", help="Output a JSON array")(f)
    return f


def _open(database: str, readonly: bool = False, create: bool = False):
    """Open the database; `readonly` for commands that only read (they then work on a read-only file).
    Only `create` (compare align) makes a new one: elsewhere a missing file is a one-line error."""
    from db import open_db

    db = open_db(database, readonly=readonly, create=create)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # for CompareGroup: a storage failure later in the command names this file
        ctx.meta["compare.database"], ctx.meta["compare.db"] = database, db
    return db


def _emit(rows: list[dict], fmt: str | None, columns: list[str], headers: list[str] | None = None) -> None:
    """Rows as JSON, newline-delimited JSON, CSV, or (no format) a text table with a header line."""
    if fmt == "json":
        click.echo(json_text(json.dumps(rows, ensure_ascii=False, indent=2)))
    elif fmt == "nl":
        for r in rows:
            click.echo(json_text(json.dumps(r, ensure_ascii=False)))
    elif fmt == "csv":
        from compare.formats import to_csv

        click.echo(to_csv(rows, columns), nl=False)
    elif rows:
        from compare.formats import text_table

        click.echo(text_table(rows, columns, headers), nl=False)


def _say(text: object = "", err: bool = False, nl: bool = True, **style) -> None:
    """Print for a person: document text and file names are untrusted, so control characters
    (terminal escapes) are taken out first (compare.formats.terminal_text), then the style is added."""
    from compare.formats import terminal_text

    text = terminal_text(text)
    click.echo(click.style(text, **style) if style else text, err=err, nl=nl)


class CompareGroup(click.Group):
    """compare's and the store's errors, met anywhere in a command, are one line; so are disk full,
    database busy or read-only (the transaction rolled back)."""

    def invoke(self, ctx):
        from compare.errors import CompareError
        from compare.formats import terminal_text
        from db.errors import StoreError

        try:
            return super().invoke(ctx)
        except (CompareError, StoreError) as e:
            raise click.ClickException(terminal_text(str(e))) from None
        except (sqlite3.Error, OSError) as e:
            from db import storage_error

            db = ctx.meta.get("compare.db")
            try:
                if db is not None and db.conn.in_transaction:
                    db.conn.rollback()
            except sqlite3.Error:  # ProgrammingError too: a connection the command already closed
                pass
            error = storage_error(e, ctx.meta.get("compare.database") or "the database")
            if error is None and isinstance(e, sqlite3.Error):  # a trigger or constraint of a database
                # compare did not write (RAISE(ABORT, '<escape sequences>')): one line, its text cleaned
                error = (f"{ctx.meta.get('compare.database') or 'the database'}: the database refused this "
                         f"command ({e}); if compare did not create it, pass another file with -d")
            if error is None:
                raise
            raise click.ClickException(terminal_text(str(error))) from None


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
@as_of_option
@click.option("--follow-symlinks", is_flag=True,
              help="In folders, also read symlinks that point outside the folder given (left out by default)")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes reading, cleaning and segmenting files (the results are the same as with one)")
@click.option("--silent", is_flag=True, help="Print nothing but errors (no progress either)")
def align(paths, database, model, params_path, encoding, as_of, follow_symlinks, jobs, silent):
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
    from compare import stages
    from db import db_lock

    params = stages.load_params(params_path)  # a bad file is refused before a database is created
    db = _open(database, create=True)
    with db_lock(database, "aligning"):
        outcome = stages.run(db, paths, model=model, params=params, encoding=encoding, as_of=as_of,
                             follow_symlinks=follow_symlinks, hooks=_hooks(silent), jobs=jobs)
    report, result, placed = outcome.report, outcome.alignment, outcome.placed
    if not silent:
        if report:
            added = report.added
            _say(f"{len(added)} document(s) added, {sum(r.measures for r in added)} measures; "
                       f"{len([r for r in report.results if r.status in ('unchanged', 'duplicate')])} unchanged; "
                       f"{len(report.problems)} skipped with errors"
                       + (f"; {len(report.ignored)} left out (see the warnings)" if report.ignored else ""), err=True)
        if result:
            _say(f"aligned under {result.model}: {result.measures} measures ({result.encoded} embedded, "
                       f"{result.new_measures} new), {result.links} links, {result.threads} threads", err=True)
        else:
            _say("alignment up to date", err=True)
        if placed.moved or placed.unplaced or placed.removed:
            _say(f"flags: {placed.moved} moved to the same commitment in a new version, "
                       f"{placed.unplaced} need a reviewer, {placed.removed} on removed documents "
                       "(compare flags --unplaced)", err=True)
    if report and report.problems:
        sys.exit(1)


class ProgressLines:
    """Progress when stderr is not a terminal: `label: done/total (p %), s elapsed, about s left`,
    at most one line every `every` seconds, and one at the end."""

    def __init__(self, label: str, length: int, every: float = 5.0):
        import time

        self.label, self.length, self.every, self.clock = label, length, every, time.monotonic
        self.start = self.last = self.clock()
        self.count = self.last_said = 0

    def update(self, k: int) -> None:
        self.count += k
        if self.clock() - self.last >= self.every:
            self.say()

    def say(self) -> None:
        self.last, self.last_said = self.clock(), self.count
        spent = self.last - self.start
        left = spent * (self.length - self.count) / self.count if 0 < self.count < self.length else 0.0
        click.echo(f"{self.label}: {min(self.count, self.length):,}/{self.length:,} "
                   f"({100 * min(self.count, self.length) / self.length:.0f} %), {spent:.0f} s"
                   + (f", about {left:.0f} s left" if left else ""), err=True)

    def done(self) -> None:
        if self.clock() - self.start >= self.every and not self.said_all:  # short work says nothing
            self.count = self.length
            self.say()

    @property
    def said_all(self) -> bool:
        """The last line said already counted the whole length (the end is not said twice)."""
        return self.last_said >= self.length


def _hooks(silent: bool):
    """What `compare align` shows while it works: progress bars, each file read, each stage's time."""
    import contextlib

    from compare.stages import Hooks

    @contextlib.contextmanager
    def bar(label, length):
        if silent or length <= 0 or (label == "reading" and length < 20):
            yield None
            return
        if not sys.stderr.isatty():  # a log, not a terminal: a line every few seconds
            lines = ProgressLines(label, length)
            yield lines.update
            lines.done()
            return
        with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True, show_eta=True) as b:
            yield b.update

    def ingested(report):
        for r in report.results:
            # one line per file: a line break in a file's name is shown as \n, so a file called
            # "a\nerror: …" cannot print a line of its own
            message = r.message.replace("\r", "\\r").replace("\n", "\\n")
            if r.skipped:
                _say(f"error: {message}", err=True)
            elif r.status == "ignored":  # said even with --silent: a file in the folder was not read
                _say(f"warning: {message}", err=True)
            elif not silent:
                _say(message, err=True)

    def stage(name, seconds):
        _say(f"  {name}: {seconds:.1f} s", err=True)

    return Hooks(bar, ingested, None if silent else stage)


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
    from compare import stages
    from db import db_lock

    params = None if no_align else stages.load_params(params_path)  # refused before anything is removed
    db = _open(database)
    with db_lock(database, "removing a document"):
        removal = stages.remove(db, document, model=model, params=params, realign=not no_align)
    doc, removed, result = removal.document, removal.removed, removal.alignment
    versions = removed["documents"]
    flags = removed["flags"]
    _say(f"removed {doc['title'] or doc['file_name']} ({len(versions)} version{'s' if len(versions) != 1 else ''}"
               f": {', '.join(v['id'] for v in versions)}): {removed['measures']} measures; "
               f"{flags} flag{'s' if flags != 1 else ''} on them kept, now attached to nothing")
    if result:
        _say(f"re-aligned under {result.model}: {result.measures} measures, {result.links} links, "
                   f"{result.threads} threads", err=True)
    elif no_align:
        _say("alignment left out of date: run compare align to rebuild threads and statuses", err=True)


@cli.command()
@database_option
@output_options
def docs(database, fmt):
    """List stored documents: id, date, level, region, genre, issuer, number, title.

    \b
    Example:
        compare docs --json
    """
    from compare import reports

    rows = reports.documents(_open(database, readonly=True))
    columns = ["id", "date", "level", "region", "genre", "issuer", "doc_number", "title"]
    if fmt:
        _emit(rows, fmt, columns if fmt == "csv" else list(rows[0].keys()) if rows else columns)
    else:
        _emit([{"id": r["id"], "date": r["date"] or (f"~{r['sort_date']}" if r["sort_date"] else "undated"),
                "level": r["level"] or "-", "region": r["region"] or "-", "genre": r["genre"],
                "number": r["doc_number"] or "-",
                "title": (r["title"] or r["file_name"]) + (f" [{r['draft_label']}]" if r["draft"] else "")}
               for r in rows], None, ["id", "date", "level", "region", "genre", "number", "title"])


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
    from compare import reports

    doc, rows = reports.measures(_open(database, readonly=True), document, kind)
    if fmt:
        _emit(rows, fmt, ["id", "ordinal", "section", "kind", "deadline", "comparator", "value", "unit", "object",
                          "text"])
        return
    _say(f"{doc['title'] or doc['file_name']}  ({doc['id']})")
    section = None
    for m in rows:
        if m["section"] != section:
            section = m["section"]
            _say(f"\n{section or '(no section)'}", bold=True)
        target = ""
        if m["deadline"] or m["comparator"]:
            parts = []
            if m["comparator"]:
                parts.append(reports.target_text(m["comparator"], m["value"], m["unit"], m["object"]))
            if m["deadline"]:
                parts.append(f"by {m['deadline']}")
            target = "  [" + "; ".join(parts) + "]"
        _say(f"  {m['kind']:<10} {m['text']}{target}")


@cli.command()
@database_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "sqlite"]), default="json", show_default=True,
              help="json: everything, one object; csv: one row per measure with its thread, status and flags; "
                   "sqlite: a standalone copy of the database to publish (needs -o)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write (default: standard output)")
@click.option("--force", is_flag=True, help="With --format sqlite: overwrite an existing file")
def export(database, fmt, output, force):
    """Export documents, measures, threads, statuses and flags.

    JSON: one object (documents, measures, threads, links, statuses, flags with where each applies
    now); documents' sources keep their file names, not the folders above them. CSV: one row per
    measure with its document, thread, computed and flagged status and flags; cells a spreadsheet
    would run as formulas are quoted. SQLite: a consistent, standalone copy for
    Datasette (datasette copy.db -m metadata.yml); the server's absolute folders are taken out
    (file names stay) and no reviewer's password hash or session key is in it.

    \b
    Example:
        compare export --format json > export.json
        compare export --format csv -o commitments.csv
        compare export --format sqlite -o copy.db
    """
    from compare import reports

    db = _open(database, readonly=True)
    if fmt == "sqlite":
        if output == "-":
            raise click.ClickException("--format sqlite writes a database file: pass its name with -o, e.g. -o copy.db")
        reports.sqlite_copy(db, output, force=force)
        _say(f"wrote {output}", err=True)
        return
    from compare.formats import to_csv

    text = (to_csv(reports.export_table(db), reports.EXPORT_TABLE_COLUMNS) if fmt == "csv" else
            json_text(json.dumps(reports.export(db), ensure_ascii=False, indent=1)) + "\n")
    import os
    import stat

    try:
        if output != "-" and (not os.path.exists(output) or stat.S_ISREG(os.stat(output).st_mode)):
            _write_whole(output, text)
            return
        # standard output, a device (/dev/full), a pipe: written in place, never replaced
        with click.open_file(output, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()  # a full disk is reported here (CompareGroup), not after the command has returned
    except OSError as e:
        e.filename = e.filename or output
        raise


def _write_whole(path: str, text: str) -> None:
    """`text` into `path` (a regular file, or none yet) whole or not at all: a temporary file beside
    it, synced, then renamed over it (an existing file keeps its permissions; a symlink is written
    through)."""
    import os
    import tempfile

    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise click.ClickException(f"{path}: no folder {folder}; create it, or pass another file with -o")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".compare-export-", dir=folder)
    except OSError as e:
        raise click.ClickException(f"{path}: cannot be written ({e.strerror}); pass another file with -o") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


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
    from compare import reports

    rows = reports.threads(_open(database, readonly=True), min_size)
    if fmt:
        _emit(rows, fmt, ["id", "label", "size", "documents", "regions", "first_date", "last_date"])
        return
    _emit([{"id": t["id"], "measures": t["size"], "docs": t["documents"],
            "dates": f"{'~' if t['dates_approximate'] else ''}{t['first_date'] or '?'} → {t['last_date'] or '?'}",
            "regions": ",".join(t["regions"]) or "-", "label": t["label"]} for t in rows],
          None, ["id", "measures", "docs", "dates", "regions", "label"])


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
    from compare import reports

    timeline = reports.timeline(_open(database, readonly=True), thread_id)
    if fmt:
        _emit(timeline.rows, fmt, ["sort_date", "issuer", "region", "kind", "role", "text", "measure_id",
                                   "document_id"])
        return
    _say(f"{timeline.label}  ({timeline.thread_id})", bold=True)
    for r in timeline.rows:
        date = r["date"] or (f"~{r['sort_date']}" if r["sort_date"] else "undated")
        extra = "" if r["role"] == "core" else "  (also)"
        _say(f"  {date:<11} {r['issuer'] or r['file_name']}  [{r['kind']}]{extra}")
        _say(f"              {r['text']}")


@cli.command()
@database_option
@as_of_option
def status(database, as_of):
    """Recompute the status of every commitment (compare align does this too).

    \b
    Example:
        compare status --as-of 2026-05-31
    """
    from compare import stages

    statuses = stages.rejudge(_open(database), as_of)
    counts = {}
    for st in statuses:
        counts[st.status] = counts.get(st.status, 0) + 1
    _say(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no commitments")


@cli.command()
@click.argument("target")
@database_option
@click.option("--status", "flag_status", type=click.Choice(list(FLAG_STATUSES)), required=True)
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
    from compare import stages

    recorded = stages.record_flag(_open(database), target, flag_status, note, reviewer, source="cli")
    _say(f"{recorded.message}\n  {recorded.target_type} {recorded.target_id}, by {reviewer.strip()}")


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
    from compare import reports

    rows = reports.flags(_open(database, readonly=True), reviewer, unplaced)
    if fmt:
        _emit(rows, fmt, ["id", "created_at", "reviewer", "target_type", "target_id", "status", "note", "source",
                          "placement"])
        return
    _emit(rows, None, ["id", "created_at", "reviewer", "target_type", "target_id", "status", "placement", "note"],
          ["id", "created", "reviewer", "on", "target", "status", "placement", "note"])


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
    from compare import reports

    wanted = {x.strip() for x in statuses.split(",") if x.strip()} if statuses else None
    out = reports.report(_open(database, readonly=True), wanted, region, issuer)
    if fmt == "json":
        click.echo(json_text(json.dumps(out, ensure_ascii=False, indent=2)))
    elif fmt == "csv":
        _emit(out, "csv", reports.REPORT_COLUMNS)
    else:
        from compare.formats import to_markdown

        click.echo(to_markdown(out, reports.REPORT_COLUMNS), nl=False)


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
    from compare import reports

    a, b, result = reports.diff(_open(database, readonly=True), doc_a, doc_b)
    if as_json:
        click.echo(json_text(json.dumps(result, ensure_ascii=False, indent=2)))
        return
    _say(f"A: {a['title'] or a['file_name']} ({a['id']})\nB: {b['title'] or b['file_name']} ({b['id']})")
    _say(", ".join(f"{k} {v}" for k, v in result["summary"].items()))
    for c in result["changes"]:
        st = c["status"]
        if st == "same" and not show_all:
            continue
        if st == "dropped":
            _say(f"- dropped   {c['a']['text']}", fg="red")
        elif st == "new":
            _say(f"+ new       {c['b']['text']}", fg="green")
        elif st == "same":
            _say(f"  same      {c['a']['text']}")
        else:
            label = st
            if st == "changed":
                said = {None: "", "reported": "reported "}.get(c["direction"], f"{c['direction']}: ")
                label = f"{st} ({said}{'; '.join(c['details'])})"
            _say(f"~ {label}\n            {c['char_diff']}")


def web_app(database: str, reviewers_path: str | None = None, *, allow_sql: bool = False,
            session_hours: float | None = None):
    """The Datasette app compare serves (also used by the tests)."""
    import os

    from compare.reviewers import SESSION_HOURS, ReviewersFile, read_or_create_secret
    from compare.web.app import make_datasette

    _open(database, create=True).conn.close()  # create or migrate before serving
    reviewers = ReviewersFile(reviewers_path)  # read from disk on each request, never published
    secret = read_or_create_secret(os.path.abspath(database) + ".secret")
    return make_datasette(database, secret, reviewers, allow_sql=allow_sql,
                          session_hours=session_hours or SESSION_HOURS)


@cli.command()
@database_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind")
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Port to listen on (0: any free one)")
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
        compare hash-password        # asks a password twice, prints its hash
        echo '{"张三": "PASTE-THE-HASH-HERE"}' > reviewers.json
        compare serve --reviewers reviewers.json --port 8002
    """
    from compare.listen import bind, bound_port

    _open(database, readonly=True).conn.close()  # a missing file is an error here, not a new database
    if host not in ("127.0.0.1", "localhost", "::1") and not reviewers_path:
        _say(f"warning: serving on {host} to other machines with no reviewers: everyone reads, "
                   "no one can flag; pass --reviewers to let reviewers log in", err=True)
    ds = web_app(database, reviewers_path, allow_sql=allow_sql, session_hours=session_hours)
    import asyncio

    import uvicorn

    sock = bind(host, port)  # a busy port is one line, before "serving on"
    asyncio.run(ds.invoke_startup())
    url_host = f"[{host}]" if ":" in host else host
    _say(f"compare: serving {database} on http://{url_host}:{bound_port(sock)}/-/compare", err=True)
    # proxy_headers off: X-Forwarded-For from anyone who can reach the port would otherwise pick
    # the client address that failed logins are counted by
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", proxy_headers=False))
    interrupted = False
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        interrupted = True
    finally:
        sock.close()
    if not server.started and interrupted:  # Ctrl-C while starting: one line, the shell's code for it
        _say("compare: interrupted before the server started", err=True)
        sys.exit(130)
    if not server.started:
        sys.exit(3)  # uvicorn has said why


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
