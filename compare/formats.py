"""Tables for other programs and for people: CSV that a spreadsheet shows as text, Markdown that a
renderer shows as text, and text tables for a terminal whose columns line up with Chinese text.

Document text is untrusted. A CSV cell that starts with = + - @ (or a tab or carriage return) is a
formula to Excel and LibreOffice (`=HYPERLINK(...)` phones home), so such a string cell gets a leading
single quote, as OWASP advises; numbers stay numbers. A Markdown cell is HTML to most renderers, so
& < > " are escaped, and so are the characters that would end the cell or start a link.
A terminal shows East Asian wide and fullwidth characters (汉字, ，) two columns wide: text tables
pad by that display width, and a cell is one line with no control characters (no escape sequences).
"""
from __future__ import annotations

import csv
import io
import unicodedata
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
    text = "".join(ch for ch in text if ch in "\t\r\n" or unicodedata.category(ch) != "Cc")
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
    text = terminal_text(value)
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


def char_width(ch: str) -> int:
    """Columns a terminal gives a character: 2 for East Asian Wide or Fullwidth, 0 for a combining
    mark or an invisible format character, else 1."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """`text` filled with spaces to `width` display columns (on the left when `right`)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def text_cell(value: object) -> str:
    """A cell for a terminal: None is empty; one line; control characters (ESC…) become spaces."""
    if value is None:
        return ""
    text = str(value)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def terminal_text(value: object) -> str:
    """Text for a terminal, lines kept: every control character but line feed and tab is taken out
    (ESC, CSI, OSC, BEL, carriage return...), so document text cannot move the cursor, recolour,
    retitle or clear the terminal it is printed to."""
    text = "" if value is None else str(value)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def json_text(text: str) -> str:
    """JSON (from json.dumps with ensure_ascii=False) with DEL and the C1 controls written as \\u
    escapes, as C0 already are: the same JSON value, and nothing a terminal runs."""
    return "".join(f"\\u{ord(ch):04x}" if "\x7f" <= ch <= "\x9f" else ch for ch in text)


def text_table(rows: Iterable[dict], columns: list[str], headers: list[str] | None = None, gap: int = 2) -> str:
    """Rows as an aligned text table with a header line: columns padded by display width, numbers
    right-aligned, the last column unpadded (no trailing spaces)."""
    rows = list(rows)
    head = [text_cell(h) for h in (headers or columns)]
    cells = [[text_cell(r.get(c)) for c in columns] for r in rows]
    numeric = [bool(rows) and all(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool)
                                  for r in rows if r.get(c) is not None) for c in columns]
    widths = [max([display_width(head[i])] + [display_width(line[i]) for line in cells]) for i in range(len(columns))]
    out = []
    for line in [head] + cells:
        parts = [pad(v, widths[i], numeric[i]) if i < len(columns) - 1 else
                 (pad(v, widths[i], True) if numeric[i] else v) for i, v in enumerate(line)]
        out.append((" " * gap).join(parts).rstrip())
    return "\n".join(out) + "\n"
