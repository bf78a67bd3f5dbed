"""From files to document and measure rows: find, screen, read, clean, describe, segment.

Pure but for reading the files: nothing here touches the store. The ingest stage
(compare/stages.py: `ingest`) decides, against what is stored, whether a file is new,
unchanged, a duplicate or the next version of a known document, and stores the rows
built here, one transaction per document.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .clean import Cleaned, clean
from .errors import CompareError, InputError
from .metadata import Metadata, extract_metadata
from .readers import (
    SUPPORTED_EXTENSIONS,
    RawText,
    private_file,
    read_file,
    secret_content,
)
from .segment import YEARLY_TITLE, Measure, analysis_text, segment, text_hash


@dataclass
class FileResult:
    path: str
    status: str  # added, new_version, unchanged, duplicate, error, unsupported, ignored (not a document)
    message: str = ""
    document_id: str | None = None
    measures: int = 0

    @property
    def skipped(self) -> bool:
        return self.status in ("error", "unsupported")


@dataclass
class IngestReport:
    run_id: str | None = None
    results: list[FileResult] = field(default_factory=list)

    @property
    def added(self) -> list[FileResult]:
        return [r for r in self.results if r.status in ("added", "new_version")]

    @property
    def problems(self) -> list[FileResult]:
        return [r for r in self.results if r.skipped]

    @property
    def ignored(self) -> list[FileResult]:
        """Files met in a folder and left out on purpose (secrets, databases, symlinks out of it)."""
        return [r for r in self.results if r.status == "ignored"]


class Found(NamedTuple):
    """A file met on the command line or in a folder, and why it is not read, if it is not."""

    path: str
    problem: str | None = None  # cannot be read: an error (exit code 1)
    notice: str | None = None  # left out on purpose (a symlink out of the folder): not an error
    walked: bool = False  # met in a folder, not named on the command line


def expand_paths(paths: Iterable[str | os.PathLike], follow_symlinks: bool = False) -> Iterator[Found]:
    """Every file under the given paths; folders are walked in order.

    A missing path, an unreadable folder or a symlink loop is reported, not fatal. In a folder,
    a symlink (to a file or a folder) that resolves outside the folder given is left out, with a
    notice, unless follow_symlinks: a corpus folder must not publish /etc/passwd or the reviewers
    file through a link. The same holds for a symlink named on the command line (a shell glob
    names them all), judged against the folder that holds it.
    """
    seen_dirs: set[str] = set()
    for p in paths:
        p = str(p)
        if not os.path.exists(p):
            yield Found(p, "no such file or folder; check the path")
            continue
        if os.path.islink(p) and not follow_symlinks and not _inside(os.path.realpath(p), _folder_of(p)):
            # a shell glob names every entry of a folder: a link out of it is left out as in a walk
            what = "folder" if os.path.isdir(p) else "file"
            yield Found(p, notice=f"symlink to a {what} outside {os.path.dirname(p) or '.'}, skipped; "
                                  "pass --follow-symlinks to read it")
        elif os.path.isdir(p):
            met = yield from _counted(_walk(p, seen_dirs, p, os.path.realpath(p), follow_symlinks))
            if not met:  # said, not silent: a wrong folder would otherwise look like a finished run
                yield Found(p, notice="no files in this folder (compare reads .txt, .md, .html, .pdf and "
                                      ".docx); check the path")
        else:
            yield Found(p)


def _counted(found: Iterator[Found]) -> Generator[Found, None, int]:
    """Yield what found yields; return how many."""
    n = 0
    for f in found:
        n += 1
        yield f
    return n


def _folder_of(path: str) -> str:
    return os.path.realpath(os.path.dirname(os.path.abspath(path)))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _walk(top: str, seen_dirs: set[str], root: str, root_real: str, follow_symlinks: bool) -> Iterator[Found]:
    real = os.path.realpath(top)
    if real in seen_dirs:
        yield Found(top, "folder already visited (a symlink loop?)", walked=True)
        return
    seen_dirs.add(real)
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except PermissionError:
        yield Found(top, "folder cannot be read (permission denied)", walked=True)
        return
    except OSError as e:
        yield Found(top, f"folder cannot be read ({e.strerror or e})", walked=True)
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        path = os.path.join(top, e.name)
        try:
            is_dir = e.is_dir()
            if e.is_symlink() and not follow_symlinks and not _inside(os.path.realpath(path), root_real):
                what = "folder" if is_dir else "file"
                yield Found(path, notice=f"symlink to a {what} outside {root}, skipped; "
                                         "pass --follow-symlinks to read it", walked=True)
                continue
        except OSError:
            yield Found(path, "cannot be read", walked=True)
            continue
        if is_dir:
            yield from _walk(path, seen_dirs, root, root_real, follow_symlinks)
        else:
            yield Found(path, walked=True)


@dataclass
class Parsed:
    raw: RawText
    cleaned: Cleaned
    metadata: Metadata
    measures: list[Measure]

    @property
    def document_id(self) -> str:
        return "d" + hashlib.sha256(self.cleaned.text.encode("utf-8")).hexdigest()[:15]

    @property
    def doc_key(self) -> str:
        md = self.metadata
        if md.doc_number:
            return "number:" + md.doc_number
        if md.title:
            # a report of the year under a title that recurs every year (政府工作报告) is not a new
            # version of last year's: its year is part of what it is
            yearly = YEARLY_TITLE.search(md.title) and not re.search(r"\d{4}", md.title) and md.date
            return "title:" + (md.issuer or "") + "|" + md.title + (f"|{md.date[:4]}" if yearly else "")
        return "path:" + os.path.abspath(self.raw.path)


def _own_file(path: str, own_files: frozenset[tuple[int, int]]) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # reported when it is read
    return "one of the database's own files (or a link to it)" if (st.st_dev, st.st_ino) in own_files else None


def parse_file(path: str, encoding: str | None = None) -> Parsed:
    raw = read_file(path, encoding)
    secret = secret_content(raw.text)
    if secret:
        raise InputError(path, f"holds {secret}, never read as a document", "keep secrets out of corpus folders")
    cleaned = clean(raw.text)
    if not cleaned.text.strip():
        raise InputError(path, "no text left after removing page marks and markup",
                         "check that the file holds the document's text")
    md = extract_metadata(cleaned)
    measures = segment(cleaned, md, limit=MAX_MEASURES)
    check_measures(path, measures)
    return Parsed(raw, cleaned, md, measures)


def parse_or_problem(path: str, encoding: str | None = None) -> Parsed | str:
    """parse_file in a worker process (`compare align --jobs N`): the parsed document, or the one-line
    problem the stage runner reports for the file, worded as when it reads the file itself."""
    try:
        return parse_file(path, encoding)
    except CompareError as e:
        return str(e)
    except OSError as e:
        return f"{path}: cannot be read ({e.strerror or e})"


#: Measures one document may have: a long plan has a few hundred. More is a collection of
#: documents, or a generated file, and would make every alignment after it crawl.
MAX_MEASURES = 3000
#: Times one measure's exact text may recur in a document: a real one repeats a phrase a few
#: times at most; a file of one line pasted over and over is not a document.
MAX_REPEATS = 20


def check_measures(path: str, measures: list[Measure]) -> None:
    """Refuse a document whose measures are too many, or mostly one text repeated."""
    if len(measures) > MAX_MEASURES:
        raise InputError(path, f"more than {MAX_MEASURES:,} measures, the most one document may have",
                         "split it into its documents")
    if not measures:
        return
    counts: dict[str, int] = {}
    for m in measures:
        counts[m.text_hash] = counts.get(m.text_hash, 0) + 1
    h, n = max(counts.items(), key=lambda kv: kv[1])
    if n > MAX_REPEATS:
        text = " ".join(next(m.text for m in measures if m.text_hash == h).split())
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise InputError(path, f"the same measure “{shown}” occurs {n} times (more than {MAX_REPEATS})",
                         "remove the repeated text, or check how the file was exported")


def measure_id(document_id: str, text: str, occurrence: int) -> str:
    return "m" + hashlib.sha256(f"{document_id}|{text_hash(text)}|{occurrence}".encode()).hexdigest()[:15]


def rows_for(parsed: Parsed, run_id: str, version: int,
             added_at: str) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """The rows one document is stored as: the document, its measures, quantities and terms."""
    md, c, doc_id = parsed.metadata, parsed.cleaned, parsed.document_id
    document = {
        "id": doc_id, "doc_key": parsed.doc_key, "version": version, "is_current": 1,
        "source": parsed.raw.path, "file_name": Path(parsed.raw.path).name, "file_sha256": parsed.raw.sha256,
        "format": parsed.raw.format, "encoding": parsed.raw.encoding,
        "title": md.title, "issuer": md.issuer, "doc_number": md.doc_number, "date": md.date,
        "date_source": md.date_source, "sort_date": md.sort_date, "date_approximate": int(md.date_approximate),
        "level": md.level, "region": md.region, "genre": md.genre, "addressee": md.addressee,
        "suggestion_number": md.suggestion_number, "session": md.session,
        "handling_result": md.handling_result, "openness": md.openness, "draft": int(md.draft),
        "draft_label": md.draft_label, "period_start": md.period_start, "period_end": md.period_end,
        "inferred": json.dumps(md.inferred, ensure_ascii=False), "original_text": parsed.raw.text,
        "cleaned_text": c.text, "measure_count": len(parsed.measures), "run_id": run_id,
        "added_at": added_at,
    }
    measures, quantities, terms = [], [], []
    occurrences: dict[str, int] = {}
    for m in parsed.measures:
        h = m.text_hash
        occ = occurrences.get(h, 0)
        occurrences[h] = occ + 1
        mid = measure_id(doc_id, m.text, occ)
        o_start, o_end = c.span_to_original(m.start, m.end)
        q = next((q for q in m.quantities if q.comparator), m.quantities[0] if m.quantities else None)
        d = m.deadlines[0] if m.deadlines else None
        measures.append({
            "id": mid, "document_id": doc_id, "ordinal": m.ordinal, "section": m.section_path, "item": m.item,
            "kind": m.kind, "kind_cues": json.dumps(m.cues, ensure_ascii=False), "text": m.text,
            "analysis_text": analysis_text(m.text), "text_hash": h, "start": m.start, "end": m.end,
            "orig_start": o_start, "orig_end": o_end,
            "deadline": d.iso() if d else None, "deadline_relative": int(bool(d and d.relative)),
            "comparator": q.comparator if q else None, "value": q.value if q else None,
            "unit": q.unit if q else None, "object": q.object if q else None,
            "terms": json.dumps([t.text for t in m.terms], ensure_ascii=False),
        })
        for i, qq in enumerate(m.quantities):
            quantities.append({"measure_id": mid, "ordinal": i, "comparator": qq.comparator, "value": qq.value,
                               "unit": qq.unit, "object": qq.object, "raw": qq.raw})
        for t in m.terms:
            terms.append({"measure_id": mid, "term": t.text, "kind": t.kind, "norm": t.norm})
    return document, measures, quantities, terms


def screen(found: Found, own_files: frozenset[tuple[int, int]] = frozenset()) -> FileResult | None:
    """Why a file met is not read at all (cannot be, must not be, or is not a document type), or None.

    own_files: (device, inode) of the database's own files (the database, its journal, its lock
    and its signing secret): never read, whatever a link or a hard link to them is called.
    """
    path = found.path
    if found.problem:
        return FileResult(path, "error", f"{path}: {found.problem}")
    if found.notice:
        return FileResult(path, "ignored", f"{path}: {found.notice}")
    private = private_file(path) or _own_file(path, own_files)
    if private:
        # met in a folder: left out, said once, not an error; named on the command line: an error
        if found.walked:
            return FileResult(path, "ignored", f"{path}: {private}, never read as a document; skipped")
        return FileResult(path, "error", f"{path}: {private}, never read as a document (leave it out of the command)")
    if os.path.splitext(path)[1].lower() not in SUPPORTED_EXTENSIONS:
        return FileResult(path, "unsupported",
                          f"{path}: skipped, unsupported file type (use .txt, .md, .html, .pdf or .docx)")
    return None
