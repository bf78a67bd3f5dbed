"""Tables for other programs: CSV that a spreadsheet shows as text, Markdown that a renderer shows as text.

Document text is untrusted. A CSV cell that starts with = + - @ (or a tab or carriage return) is a
formula to Excel and LibreOffice (`=HYPERLINK(...)` phones home), so such a string cell gets a leading
single quote, as OWASP advises; numbers stay numbers. A Markdown cell is HTML to most renderers, so
& < > " are escaped, and so are the characters that would end the cell or start a link.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MD_ESCAPES = str.maketrans({"\\": "\\\\", "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "|": "\\|",
                            "[": "\\[", "]": "\\]", "\n": " ", "\r": " "})


def csv_cell(value: object) -> object:
    """A CSV cell: None is empty, numbers stay numbers, a string that a spreadsheet would run is quoted."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def defuse_csv(text: str) -> str:
    """CSV written by another program (Datasette's .csv pages) with every text cell through
    `csv_cell`; a cell that reads as a plain number (-2.5) is a number, not a formula, and stays."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([cell if _number(cell) else csv_cell(cell) for cell in row])
    return out.getvalue()


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip() == cell and cell[:1] not in ("=", "@")


def md_cell(value: object) -> str:
    """A Markdown table cell: one line, no HTML, no link, no cell break."""
    text = "" if value is None else str(value)
    return text.replace("\r\n", " ").translate(MD_ESCAPES)


def to_csv(rows: Iterable[dict], columns: list[str]) -> str:
    """Rows as CSV with a header, only `columns`, each cell through `csv_cell`."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: csv_cell(r.get(k)) for k in columns})
    return buf.getvalue()


def to_markdown(rows: Iterable[dict], columns: list[str]) -> str:
    """Rows as a Markdown table, each cell through `md_cell`."""
    lines = ["| " + " | ".join(md_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"
