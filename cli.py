"""compare's command line: a thin click front over the compare/ and db/ libraries."""
from __future__ import annotations

import csv
import io
import json
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


def _open(database: str):
    from compare.errors import CompareError
    from db import open_db

    try:
        return open_db(database)
    except CompareError as e:
        raise click.ClickException(str(e)) from None


def _emit(rows: list[dict], fmt: str | None, columns: list[str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "nl":
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
        click.echo(buf.getvalue(), nl=False)
    else:
        for r in rows:
            click.echo("  ".join("" if r.get(c) is None else str(r.get(c)) for c in columns))


@click.group(context_settings=CONTEXT)
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
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@database_option
@click.option("--encoding", help="Force the text encoding of .txt/.md/.html files, e.g. gb18030")
@click.option("--silent", is_flag=True, help="Print nothing but errors")
def align(paths, database, encoding, silent):
    """Read documents into the database (incremental: stored files are skipped).

    Files and folders; folders are walked. Formats: .txt .md .html .pdf .docx.
    Exit code 1 when some file could not be read (the others are stored).

    \b
    Example:
        compare align ../shared/corpus/seeds/ new-reply.pdf
    """
    from compare.pipeline import ingest

    db = _open(database)
    report = ingest(db, paths, encoding=encoding)
    for r in report.results:
        if r.skipped:
            click.echo(f"error: {r.message}", err=True)
        elif not silent:
            click.echo(r.message, err=True)
    if not silent:
        added = report.added
        click.echo(f"{len(added)} document(s) added, {sum(r.measures for r in added)} measures; "
                   f"{len([r for r in report.results if r.status in ('unchanged', 'duplicate')])} unchanged; "
                   f"{len(report.problems)} skipped with errors", err=True)
    if report.problems:
        sys.exit(1)


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

    db = _open(database)
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

    db = _open(database)
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

    db = _open(database)
    json.dump(do_export(db), output, ensure_ascii=False, indent=1)
    output.write("\n")


def main():
    cli()


if __name__ == "__main__":
    main()
