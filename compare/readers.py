"""Reading files into text: .txt/.md, .html, .pdf (text layer), .docx.

Every failure is an InputError that names the file and says what to do, so a batch
can report it in one line and carry on with the next file.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError
from .vocabulary import VOCAB

TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".text"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS | HTML_EXTENSIONS | {".pdf", ".docx"}

#: Files larger than this are refused: a policy document is rarely over 1 MB of text, and a
#: file of tens of MB is a collection that should be split, not one document.
MAX_BYTES = 16 * 1024 * 1024

#: XML a .docx may expand to, all its parts together: a long plan's is 1-3 MB. A few hundred KB
#: of zip can expand to gigabytes (a zip bomb), so sizes are checked before anything is
#: decompressed, and the bytes actually decompressed are counted too (a zip's sizes can lie).
MAX_DOCX_XML = 16 * 1024 * 1024

#: Files that are never read as documents, whatever they are called or however they are reached
#: (a symlink named x.txt): reviewers' password hashes, the web server's signing secret, SQLite
#: databases and the files SQLite and compare keep beside them. (pattern, what it is)
PRIVATE_FILES = (
    ("reviewers*.json", "a reviewers file (password hashes)"),
    ("*.secret", "a secret (a signing key)"),
    ("*.db", "a database"),
    ("*.sqlite", "a database"),
    ("*.sqlite3", "a database"),
    ("*-wal", "a database's write-ahead log"),
    ("*-shm", "a database's shared-memory file"),
    ("*-journal", "a database's journal"),
    ("*.lock", "a lock file"),
)
SQLITE_HEADER = b"SQLite format 3\x00"


SECRET_CONTENT = ((re.compile(r"pbkdf2_sha256\$\d+\$"), "a password hash"),
                  (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"))
BARE_TOKEN = re.compile(r"[A-Fa-f0-9]{32,}|[A-Za-z0-9+/=_-]{40,}")


def secret_content(text: str) -> str | None:
    """What secret a text holds (a password hash, a private key, or nothing but a key or token,
    like a server's signing secret), or None: such a text is never stored or published."""
    for pattern, what in SECRET_CONTENT:
        if pattern.search(text):
            return what
    return "a bare key or token" if BARE_TOKEN.fullmatch(text.strip()) else None


def _private_name(name: str) -> str | None:
    """What PRIVATE_FILES says a file of this name is, or None."""
    import fnmatch

    lower = name.lower()
    return next((what for pattern, what in PRIVATE_FILES if fnmatch.fnmatchcase(lower, pattern)), None)


def private_file(path: str | os.PathLike) -> str | None:
    """What makes this file one that is never read as a document (see PRIVATE_FILES), or None.

    Looks at the name given, at the name a symlink resolves to, and at the first bytes of a
    regular file (an SQLite database under any name). Never blocks: a pipe is not opened.
    """
    import stat

    p = str(path)
    name = os.path.basename(p)
    what = _private_name(name)
    if what:
        return what
    if os.path.islink(p.rstrip(os.sep) or p):  # only a link's name can differ from the name it resolves to
        real = os.path.basename(os.path.realpath(p))
        what = _private_name(real) if real != name else None
        if what:
            return f"a symlink to {real}, {what}"
    try:
        if not stat.S_ISREG(os.stat(p).st_mode):
            return None
        with open(p, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError:
        return None  # reported when it is read
    return "an SQLite database" if head == SQLITE_HEADER else None


@dataclass(frozen=True)
class RawText:
    """What a reader produced: the text, and how it was obtained."""

    path: str
    text: str
    format: str  # txt, md, html, pdf, docx
    encoding: str | None  # for byte-level formats
    sha256: str  # of the file's bytes


def file_format(path: str | os.PathLike) -> str | None:
    ext = Path(path).suffix.lower()
    if ext in {".md", ".markdown"}:
        return "md"
    if ext in TEXT_EXTENSIONS:
        return "txt"
    if ext in HTML_EXTENSIONS:
        return "html"
    if ext == ".pdf":
        return "pdf"
    if ext == ".docx":
        return "docx"
    return None


def read_file(path: str | os.PathLike, encoding: str | None = None) -> RawText:
    """Read one file of a supported format. Raises InputError on anything unusable."""
    p = Path(path)
    fmt = file_format(p)
    if fmt is None:
        raise InputError(str(path), f"unsupported file type '{p.suffix or '(none)'}'",
                         "use .txt, .md, .html, .pdf or .docx")
    data = _read_bytes(p)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InputError(str(path), "file is empty", "check the export; nothing to read")
    if data.startswith(SQLITE_HEADER):
        raise InputError(str(path), "is an SQLite database, never read as a document", "pass the documents only")
    if fmt in ("txt", "md"):
        text, enc = decode_bytes(data, str(path), encoding)
    elif fmt == "html":
        declared = None if encoding else _html_declared_encoding(data)
        try:
            raw, enc = decode_bytes(data, str(path), encoding or declared)
        except InputError:
            if not declared:
                raise
            raw, enc = decode_bytes(data, str(path))  # the page's label is wrong: detected, as for a .txt
        text = html_to_text(raw)
        if not text.strip():
            raise InputError(str(path), "HTML page has no main text (only navigation or markup)",
                             "save the article itself, or paste its text into a .txt file")
    elif fmt == "pdf":
        text, enc = _read_pdf(data, str(path)), None
    else:
        text, enc = _read_docx(data, str(path)), None
    text = drop_controls(text)
    if not text.strip():
        raise InputError(str(path), "no text found", "check that the file holds the document's text")
    return RawText(path=str(path), text=text, format=fmt, encoding=enc, sha256=digest)


#: Control characters a document never means: C0 (but tab, line feed, carriage return), DEL and C1.
#: A terminal runs ESC, CSI (\x9b) and OSC sequences (set the title, clear the screen, colour), so
#: they are dropped when a file is read; the ones that break a line (\v \f FS GS RS NEL, which
#: str.splitlines splits at) become a line feed, so the lines of the text stay where they were.
CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
LINE_CONTROLS = str.maketrans({c: "\n" for c in "\v\f\x1c\x1d\x1e\x85"})


def drop_controls(text: str) -> str:
    """`text` without control characters: tab, line feed and carriage return stay, the other line
    breaks become a line feed, the rest (ESC, BEL, NUL, DEL, C1...) are taken out."""
    return CONTROLS.sub("", text.translate(LINE_CONTROLS))


def read_checked_bytes(path: str | os.PathLike) -> bytes:
    """A file's bytes, after the checks that keep a batch moving: exists, regular, not too large."""
    return _read_bytes(Path(path))


def _read_bytes(p: Path) -> bytes:
    import stat

    try:
        st = os.stat(p)  # one stat for the checks below (Path.is_dir, exists, is_file and stat are four)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(str(p), "is a directory", "pass the folder itself to walk it")
        if not stat.S_ISREG(st.st_mode):
            # a FIFO, socket or device would block or never end
            raise InputError(str(p), "is not a regular file (a pipe, socket or device)", "copy the document to a file")
        if st.st_size > MAX_BYTES:
            raise InputError(str(p), f"file is too large ({st.st_size // (1024 * 1024)} MB)",
                             f"split it into documents under {MAX_BYTES // (1024 * 1024)} MB")
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(p), "no such file", "check the path") from None
    except PermissionError:
        raise InputError(str(p), "permission denied", "make the file readable (chmod +r)") from None
    except IsADirectoryError:
        raise InputError(str(p), "is a directory", "pass the folder itself to walk it") from None
    except OSError as e:
        raise InputError(str(p), f"cannot be read ({e.strerror or e})", "check the file") from None


# --- encodings -------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _common_share(text: str, family: str) -> float:
    """Share of CJK characters that are frequent characters of the encoding's script.

    A right decoding of Chinese text is almost all frequent characters (GB2312 level 1
    for GB encodings, Big5 level 1 for Big5); a wrong one lands on rare characters about
    half of the time. This is what tells GBK from Big5 when both decode without error.
    """
    n = common = 0
    for ch in text:
        if not _is_cjk(ch):
            continue
        n += 1
        try:
            if family == "gb":
                b = ch.encode("gb2312")
                common += 0xB0 <= b[0] <= 0xD7
            else:
                b = ch.encode("big5")
                common += 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
        except UnicodeEncodeError:
            pass
    return common / n if n else 1.0


def _plausible(text: str) -> bool:
    """Most characters are what a Chinese document is made of: CJK, ASCII, punctuation, space."""
    good = sum(1 for ch in text if _is_cjk(ch) or (" " <= ch <= "~") or ch in "\r\n\t"
               or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’—…·")
    return good >= 0.9 * max(1, len(text))


def _control_share(text: str) -> float:
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t\f") or "\ue000" <= ch <= "\uf8ff"
              or ch == "\ufffd")
    return bad / max(1, len(text))


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes of a Chinese text file; returns (text, encoding used)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(name, f"unknown encoding '{encoding}'",
                             "use e.g. --encoding gb18030, big5, utf-16") from None
        except UnicodeError as e:  # a decoding error, or a codec that never decodes ('undefined')
            where = f" (byte {e.start})" if isinstance(e, UnicodeDecodeError) else ""
            raise InputError(name, f"cannot be decoded as {encoding}{where}",
                             "try another --encoding, e.g. gb18030 or utf-8") from None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        return _decode_utf16_without_bom(data, name)
    try:
        text = data.decode("utf-8")
        if _control_share(text) < 0.01:
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed, "mixed(utf-8,gb18030)"
    candidates: list[tuple[float, str, str]] = []
    for enc, family in (("gb18030", "gb"), ("big5", "big5")):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _control_share(text) >= 0.01:
            continue
        candidates.append((_common_share(text, family), enc, text))
    if candidates:
        score, enc, text = max(candidates)
        if score >= 0.6:
            return text, enc
    if _looks_binary(data):
        raise InputError(name, "is binary, not text", "convert it to .txt, .pdf or .docx first")
    raise InputError(name, "cannot be decoded as UTF-8, GB18030 or Big5",
                     "pass --encoding with the file's encoding")


def _decode_mixed(data: bytes) -> str | None:
    """A file pasted together from UTF-8 and GBK pieces: decode each line by itself.

    Only when most lines are valid UTF-8 with Chinese in them and every other line is
    good GB18030 (frequent characters); otherwise None.
    """
    lines = data.split(b"\n")
    out, utf8_cjk, gb = [], 0, 0
    for line in lines:
        try:
            text = line.decode("utf-8")
            utf8_cjk += any(_is_cjk(c) for c in text)
        except UnicodeDecodeError:
            try:
                text = line.decode("gb18030")
            except UnicodeDecodeError:
                return None
            if _control_share(text) >= 0.01 or _common_share(text, "gb") < 0.8:
                return None
            gb += 1
        out.append(text)
    if gb == 0 or utf8_cjk == 0:
        return None
    return "\n".join(out)


def _decode_utf16_without_bom(data: bytes, name: str) -> tuple[str, str]:
    if len(data) % 2 == 0:
        even_zero = data[0::2].count(0)
        odd_zero = data[1::2].count(0)
        order = ("utf-16-le", "utf-16-be") if odd_zero >= even_zero else ("utf-16-be", "utf-16-le")
        for enc in order:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _control_share(text) < 0.01 and _common_share(text, "gb") >= 0.6 and _plausible(text):
                return text, enc
    raise InputError(name, "is binary, not text", "convert it to .txt, .pdf or .docx first")


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return ctrl / max(1, len(sample)) > 0.05


# --- HTML ---------------------------------------------------------------------

_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.I)

#: The encodings a page's <meta charset> is taken at (those of the WHATWG Encoding Standard, which
#: browsers read, as Python names them). Python knows codecs no browser does ('undefined' raises on
#: any input, unicode_escape and utf-7 turn bytes into other characters, rot13 and zlib are not text
#: encodings): a page naming one of them is read as if it named none.
PAGE_ENCODINGS = frozenset(codecs.lookup(e).name for e in (
    "utf-8", "utf-16-le", "utf-16-be", "utf-16", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "euc-jp",
    "iso-2022-jp", "shift_jis", "euc-kr", "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874",
    *(f"cp{n}" for n in range(1250, 1259)), *(f"iso-8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
    "ascii"))


def _html_declared_encoding(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    enc = m.group(1).decode("ascii").lower()
    if enc in ("gb2312", "gbk"):
        enc = "gb18030"  # a superset: pages labelled gb2312 often use GBK characters
    try:
        known = codecs.lookup(enc).name in PAGE_ENCODINGS
    except LookupError:
        return None
    return enc if known else None


ROW_LABEL = 12  # characters a table row's first cell holds at most to be its label
ROW_VALUE = 8  # characters the rest of its row holds at least, or without a comma or full stop, to be its value


class _MainText(HTMLParser):
    """Collects the page's text, skipping scripts, styles and navigation furniture."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template",
            "form", "button", "select", "svg", "iframe", "head"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
             "article", "main", "table", "ul", "ol", "blockquote", "pre", "hr", "td", "th"}

    # elements whose class or id says they are page furniture: 导航, 当前位置, 分享, 页脚…
    FURNITURE = re.compile(rf"(?:^|[-_\s])(?:{VOCAB['furniture']['html classes'].pattern()})(?:$|[-_\s\d])", re.I)
    VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.parts: list[str] = []
        self.main_parts: list[str] | None = None
        self.main_depth = 0
        self.open: list[tuple[str, bool]] = []  # open elements, and whether each was skipped as furniture
        self.open_names: dict[str, int] = {}  # how many of each are open: an end tag with none open is
        # ignored without scanning the stack (a hostile page of unmatched end tags would be quadratic)
        self.label_cell = False  # a table cell ending in a colon was just closed
        # the table row being read: where its text starts, its cells, whether all are headers (th)
        self.row: dict | None = None
        self.cell_start = 0

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            names = " ".join(v for k, v in attrs if k in ("class", "id") and v)
            furniture = tag not in self.SKIP and bool(names) and bool(self.FURNITURE.search(names))
            self.open.append((tag, furniture))
            self.open_names[tag] = self.open_names.get(tag, 0) + 1
            if furniture:
                self.skip_depth += 1
        if tag in self.SKIP:
            self.skip_depth += 1
        if tag in ("article", "main") and self.main_parts is None:
            self.main_parts, self.main_depth = [], 1
        elif self.main_depth and tag in ("article", "main"):
            self.main_depth += 1
        if tag in self.BLOCK and not (self.label_cell and tag in ("td", "th")):
            self._emit("\n")
        self.label_cell = False
        if tag == "tr":
            self.row = {"parts": len(self.parts), "main": self._main_len(), "cells": 0, "headers": True}
        elif tag in ("td", "th"):
            self.cell_start = len(self.parts)
            if tag == "td" and self.row:
                self.row["headers"] = False

    def handle_endtag(self, tag):
        if self.open_names.get(tag):
            while self.open:  # close up to the matching element (unclosed children with it)
                t, furniture = self.open.pop()
                self.open_names[t] -= 1
                if furniture and self.skip_depth:
                    self.skip_depth -= 1
                if t == tag:
                    break
        if tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag in ("td", "th") and self.row is not None:
            self._cell_closed()
        if tag == "tr" and self.row is not None:
            self._row_closed()
        self.label_cell = tag in ("td", "th") and self._ends_with_label()
        if self.label_cell:
            pass  # a label cell (发文字号：) and the value cell after it make one line
        elif tag in self.BLOCK:
            self._emit("\n")
        if self.main_depth and tag in ("article", "main"):
            self.main_depth -= 1

    def handle_data(self, data):
        if not self.skip_depth:
            self._emit(data)

    def _cell_closed(self) -> None:
        """A row's first cell that is a short label (引进首店) leads the value cell after it, as a
        label with a colon does: 引进首店：2024年引进各类首店186家."""
        self.row["cells"] += 1
        text = "".join(self.parts[self.cell_start:]).strip()
        if self.row["cells"] == 1 and _short_label(text):
            self.row["colon"] = (len(self.parts), self._main_len())
            self._emit("：")

    def _row_closed(self) -> None:
        """A row of header cells only (工作事项 | 进展情况) names the columns: not text of the page;
        a label whose row holds no sentence after it (序号 | 任务) stays a line of its own."""
        row, self.row = self.row, None
        if row["headers"] and row["cells"] >= 2:
            del self.parts[row["parts"]:]
            if self.main_parts is not None and row["main"] is not None:
                del self.main_parts[row["main"]:]
            return
        if "colon" in row:
            at, main_at = row["colon"]
            value = "".join(self.parts[at + 1:]).strip()
            if len(value) < ROW_VALUE and not re.search(r"[。；;，,]", value):
                self.parts[at] = "\n"
                if main_at is not None and self.main_parts is not None:
                    self.main_parts[main_at] = "\n"

    def _main_len(self) -> int | None:
        return len(self.main_parts) if self.main_depth and self.main_parts is not None else None

    def _ends_with_label(self) -> bool:
        """The text so far ends with a colon (in the cell just closed)."""
        for part in reversed(self.parts):
            if part.strip():
                return part.rstrip().endswith(("：", ":"))
        return False

    def _emit(self, s):
        self.parts.append(s)
        if self.main_depth and self.main_parts is not None:
            self.main_parts.append(s)


def html_to_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    parser.close()
    parts = parser.main_parts if parser.main_parts and "".join(parser.main_parts).strip() else parser.parts
    text = "".join(parts)
    lines = [re.sub(r"[ \t\u00a0\u3000]+", " ", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


# --- PDF and DOCX ---------------------------------------------------------------

def _read_pdf(data: bytes, name: str) -> str:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not data.startswith(b"%PDF"):
        raise InputError(name, "is not a PDF (no %PDF header)", "check the file or its extension")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise InputError(name, "PDF is encrypted", "save an unencrypted copy") from None
        pages = [(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, Exception) as e:  # pypdf raises many types on damaged files
        raise InputError(name, f"PDF cannot be parsed ({type(e).__name__})",
                         "re-export the PDF or convert it to .txt") from None
    text = "\n".join(pages)
    if len(re.sub(r"\s", "", text)) < 10:
        raise InputError(name, "PDF has no text layer (a scan)",
                         "it needs OCR first, e.g. ocrmypdf --language chi_sim in.pdf out.pdf")
    return text


def _read_docx(data: bytes, name: str) -> str:
    import io

    try:
        import docx
    except ImportError:  # pragma: no cover - a dependency
        raise InputError(name, "python-docx is not installed", "pip install python-docx") from None
    package = _docx_xml_parts(data, name)  # python-docx itself would decompress every part, whatever its size
    try:
        document = docx.Document(io.BytesIO(package))
    except (zipfile.BadZipFile, KeyError, ValueError, Exception) as e:
        raise InputError(name, f"corrupt .docx ({type(e).__name__})",
                         "open and re-save it in Word/WPS, or export it as .txt") from None
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    numbering = _DocxNumbering(document)
    styles: dict[str | None, object] = {}
    # paragraphs and tables in the order they stand: a table of work done under 一、工作进展 belongs
    # there (read after every paragraph, it came after the signature and was cut off as its footer)
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            para = Paragraph(child, document)
            # para.style scans every style of the document each time: one lookup per style id
            sid = para._p.style
            if sid not in styles:
                styles[sid] = para.style
            style = styles[sid]
            lines.append(numbering.label(para, style) + _docx_paragraph(para, style))
        elif child.tag == qn("w:tbl"):
            lines.extend(table_lines([[cell.text for cell in row.cells] for row in Table(child, document).rows]))
    return "\n".join(lines)


def table_lines(rows: list[list[str]]) -> list[str]:
    """A table's rows as lines, as a reader sees them: a row whose first cell is a short label reads
    as label and value (引进首店：2024年引进…); a first row of short headings only (工作事项 | 进展情况)
    names the columns and is left out; any other row, its cells side by side."""
    out = []
    for k, cells in enumerate(rows):
        cells = [re.sub(r"\s+", " ", c).strip() for c in cells]
        cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]  # merged cells repeat
        if not cells:
            continue
        if k == 0 and len(cells) >= 2 and all(_short_label(c) for c in cells):
            continue
        if len(cells) >= 2 and _short_label(cells[0]) and not all(_short_label(c) for c in cells[1:]):
            out.append(cells[0] + "：" + "；".join(cells[1:]))
        else:
            out.append("\t".join(cells))
    return out


def _short_label(text: str) -> bool:
    return 2 <= len(text) <= ROW_LABEL and not re.search(r"[。；;，,！？!?：:\d]", text)


def _docx_xml_parts(data: bytes, name: str) -> bytes:
    """The .docx rebuilt from its XML parts alone, decompressed up to MAX_DOCX_XML in all.

    Images, fonts and embedded files are kept as empty parts: never decompressed, never needed
    for the text. The sizes the zip declares are checked first, and the bytes read are counted,
    since a crafted zip can declare less than it holds.
    """
    import io

    fix = "split it into documents, or save it as .txt"
    limit_mb = MAX_DOCX_XML // (1024 * 1024)
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        infos = zin.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as e:
        raise InputError(name, f"corrupt .docx ({type(e).__name__})",
                         "open and re-save it in Word/WPS, or export it as .txt") from None
    xml = [i.filename.lower().endswith((".xml", ".rels")) and not i.is_dir() for i in infos]
    declared = sum(i.file_size for i, is_xml in zip(infos, xml) if is_xml)
    if declared > MAX_DOCX_XML:
        raise InputError(name, f".docx expands to {declared / (1024 * 1024):.1f} MB of XML, more than "
                               f"{limit_mb} MB (a zip bomb, or many documents in one)", fix)
    out = io.BytesIO()
    budget = MAX_DOCX_XML
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
            for info, is_xml in zip(infos, xml):
                blob = b""
                if is_xml:
                    with zin.open(info) as f:
                        blob = f.read(budget + 1)
                    if len(blob) > budget:
                        raise InputError(name, f".docx expands to more than {limit_mb} MB of XML (its sizes "
                                               "are false: a zip bomb, or many documents in one)", fix)
                    budget -= len(blob)
                zout.writestr(info.filename, blob)
    except InputError:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError, zlib.error) as e:
        raise InputError(name, f"corrupt .docx ({type(e).__name__})",
                         "open and re-save it in Word/WPS, or export it as .txt") from None
    return out.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (list numbers up to 99)."""
    digit = VOCAB.numerals.written
    if n < 10:
        return digit(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digit(tens)) + digit(10) + (digit(ones) if ones else "") if n < 100 else str(n)


class _DocxNumbering:
    """Word's automatic list numbering (一、 （一） 1. written by Word, not in the text), rebuilt
    from numbering.xml so the heading hierarchy survives: each numbered paragraph gets its label."""

    CHINESE = ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional",
               "japaneseCounting", "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital")

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstractNumId -> ilvl -> (fmt, text, start)
        self.abstract_of: dict[str, str] = {}  # numId -> abstractNumId
        self.start_override: dict[tuple[str, int], int] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        for an in root.iter(_W + "abstractNum"):
            aid = an.get(_W + "abstractNumId")
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.iter(_W + "lvl"):
                fmt, text, start = "decimal", "", 1
                for child in lvl:
                    if child.tag == _W + "numFmt":
                        fmt = child.get(_W + "val") or fmt
                    elif child.tag == _W + "lvlText":
                        text = child.get(_W + "val") or ""
                    elif child.tag == _W + "start":
                        start = int(child.get(_W + "val") or 1)
                lv[int(lvl.get(_W + "ilvl") or 0)] = (fmt, text, start)
            self.levels[aid] = lv
        for num in root.iter(_W + "num"):
            nid = num.get(_W + "numId")
            ref = num.find(_W + "abstractNumId")
            if ref is not None:
                self.abstract_of[nid] = ref.get(_W + "val")
            for ov in num.iter(_W + "lvlOverride"):
                so = ov.find(_W + "startOverride")
                if so is not None:
                    self.start_override[(nid, int(ov.get(_W + "ilvl") or 0))] = int(so.get(_W + "val") or 1)

    def _num_pr(self, para, style) -> tuple[str, int] | None:
        ppr = para._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is None and style is not None:
            style_ppr = style.element.pPr
            num_pr = style_ppr.numPr if style_ppr is not None else None
        if num_pr is None or num_pr.numId is None:
            return None
        nid = str(num_pr.numId.val)
        ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        return (nid, ilvl) if nid != "0" else None

    def label(self, para, style) -> str:
        """The label Word would show before this paragraph (of this style), or "" (and counts it)."""
        try:
            found = self._num_pr(para, style)
        except (AttributeError, ValueError, TypeError):
            return ""
        if not found or not para.text.strip():
            return ""
        nid, ilvl = found
        aid = self.abstract_of.get(nid)
        levels = self.levels.get(aid or "", {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(aid, {})
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts the levels below it
        fmt, text, start = levels[ilvl]
        start = self.start_override.get((nid, ilvl), start)
        counters[ilvl] = counters.get(ilvl, start - 1) + 1

        def shown(level: int) -> str:
            f = levels.get(level, ("decimal", "", 1))[0]
            n = counters.get(level, levels.get(level, ("", "", 1))[2])
            if f in self.CHINESE:
                return _chinese_number(n)
            if f == "decimalFullWidth":
                return str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
            if f in ("bullet", "none"):
                return ""
            return str(n)

        if fmt in ("bullet", "none"):
            return ""
        return re.sub(r"%(\d)", lambda m: shown(int(m.group(1)) - 1), text)


def _docx_paragraph(para, style) -> str:
    """Paragraph text (of a paragraph of this style), with bold runs marked as Markdown so lead
    phrases survive."""
    out = []
    for run in para.runs:
        t = run.text
        if t and run.bold and t.strip():
            out.append(f"**{t}**")
        else:
            out.append(t)
    text = "".join(out).replace("****", "")
    style = (style.name or "").lower() if style is not None else ""
    if style.startswith("heading") or style == "title":
        return "## " + text.replace("**", "")
    return text
