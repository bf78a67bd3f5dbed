"""How common a character n-gram is in Chinese at large, from a fixed table: the weights of `tfidf`.

The `tfidf` signal weighed each 2-4-gram by its idf in the current corpus, so one more document
moved every weight, every pair's score, every link and thread (issue 15). Its weights now come
from a background table that no document changes: jieba's keyword-extraction idf
(`jieba/analyse/idf.txt`, jieba 0.42.1, MIT licence: 270,131 words with their idf, computed by
jieba's authors on a large general corpus). A run of 2-4 characters weighs the lowest idf of the
dictionary words holding it (推进 inside 推进, 加快推进: common; 概念验证, 春昇杯: not in the table,
so the highest idf, 13.9, like any rare name). The table is built once (about 1 s) and cached as
two numpy arrays in the user's cache folder, named by the hash of the idf file, loaded without
pickles.

Pure apart from reading the table and its cache: n-grams in, weights out.
"""
from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import numpy as np

from .words import _SURROGATE

GRAM_LENGTHS = (2, 3, 4)  # as align.char_ngram_counts
GRAM_DTYPE = np.dtype(f"<U{max(GRAM_LENGTHS)}")  # n-grams and short words as numpy strings


def idf_path() -> Path:
    import jieba.analyse

    return Path(jieba.analyse.__file__).with_name("idf.txt")


def read_idf(data: bytes) -> dict[str, float]:
    """word → idf from the idf file's bytes (one `word idf` a line; other lines are skipped)."""
    out: dict[str, float] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        word, _, value = line.strip().rpartition(" ")
        try:
            v = float(value)
        except ValueError:
            continue
        if word and np.isfinite(v) and v >= 0:
            out[word] = v
    return out


def gram_table(idf: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Every 2-4-character run of the words, sorted, with the lowest idf of the words holding it."""
    low: dict[str, float] = {}
    for word, v in idf.items():
        for n in GRAM_LENGTHS:
            for i in range(len(word) - n + 1):
                g = word[i:i + n]
                if v < low.get(g, np.inf):
                    low[g] = v
    keys = sorted(low)
    return np.array(keys, dtype=GRAM_DTYPE), np.array([low[k] for k in keys], dtype=np.float64)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: ignored, as the XDG spec says
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "compare"


def word_table(idf: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The words of at most 4 characters, sorted, with their own idf."""
    keys = sorted(w for w in idf if len(w) <= max(GRAM_LENGTHS))
    return np.array(keys, dtype=GRAM_DTYPE), np.array([idf[k] for k in keys], dtype=np.float64)


CACHE_VERSION = 2  # of the cached arrays' meaning: a new one is built when it changes


@functools.lru_cache(1)
def digest() -> str:
    """The idf file's hash: what the table is derived from."""
    return hashlib.sha256(idf_path().read_bytes()).hexdigest()[:16]


@functools.lru_cache(1)
def table() -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
    """(sorted n-grams, their idf, the highest idf, sorted short words, their idf), from the cache
    when it holds this idf file's."""
    files = [_cache_dir() / f"background-v{CACHE_VERSION}-{digest()}-{part}.npy"
             for part in ("grams", "gram-idf", "words", "word-idf")]
    try:
        arrays = [np.load(f, allow_pickle=False) for f in files]
        if _valid(arrays):
            return arrays[0], arrays[1], float(arrays[1].max()), arrays[2], arrays[3]
    except Exception:  # noqa: BLE001 - a cache that cannot be read (empty, truncated, a forged header) is rebuilt
        pass
    idf = read_idf(idf_path().read_bytes())
    arrays = [*gram_table(idf), *word_table(idf)]
    for f, a in zip(files, arrays):
        _store(f, a)
    return arrays[0], arrays[1], float(arrays[1].max()), arrays[2], arrays[3]


def _valid(arrays: list[np.ndarray]) -> bool:
    """Cached arrays as table() writes them: strings sorted without repeats, finite values beside them."""
    keys, values, words, word_idf = arrays
    return (all(a.ndim == 1 and len(a) for a in arrays) and keys.dtype == words.dtype == GRAM_DTYPE
            and values.dtype == word_idf.dtype == np.float64 and keys.shape == values.shape
            and words.shape == word_idf.shape and bool(np.all(keys[1:] > keys[:-1]))
            and bool(np.all(words[1:] > words[:-1])) and bool(np.isfinite(values).all())
            and bool(np.isfinite(word_idf).all()))


def _store(path: Path, array: np.ndarray) -> None:
    """Written to a temporary name and renamed: a reader never sees half a file. A cache that cannot
    be written is no error (the table is rebuilt next time)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a new file of our own (never through a link left at that name), on disk before it is renamed
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "wb") as f:
            np.save(f, array, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def gram_idf(grams: list[str]) -> np.ndarray:
    """The background idf of each n-gram: the lowest of the dictionary words holding it; else, for a
    run across words that are all in the dictionary (持续举办 = 持续 + 举办), the highest of theirs (a
    phrase is as rare as its rarest word, no rarer); else the table's highest (a name: 春昇杯)."""
    import rjieba

    from .align import locate

    keys, values, top, words, word_idf = table()
    g = np.array(grams, dtype=GRAM_DTYPE) if grams else np.zeros(0, dtype=GRAM_DTYPE)
    at, found = locate(g, keys)
    out = np.where(found, values[at], top)
    # the runs the table lacks, cut into words, and all their words looked up at once
    runs, pieces = [], []
    for k in np.flatnonzero(~found).tolist():
        if _SURROGATE.search(grams[k]):
            continue  # no UTF-8 for a lone surrogate: rjieba would raise (a hostile file can hold one)
        cut = [p for p in rjieba.cut(grams[k]) if p.strip()]
        if len(cut) >= 2:
            runs.append(k)
            pieces.append(cut)
    if runs:
        flat = np.array([p for cut in pieces for p in cut], dtype=GRAM_DTYPE)
        starts = np.cumsum([0] + [len(cut) for cut in pieces[:-1]])
        at, known = locate(flat, words)
        idf = np.where(known, word_idf[at], -np.inf)
        every = np.logical_and.reduceat(known, starts)  # all of a run's words in the dictionary
        out[np.array(runs)[every]] = np.maximum.reduceat(idf, starts)[every]
    return out
