"""Words two measures share, weighted by how few measures of the corpus use them.

Character n-grams (align.ngram_stats) see 出海 inside 新优药械出海开拓市场, but also 械出 and
海开, which no one wrote as a word: their rarity is noise. Segmented into words (rjieba, the
jieba dictionary compiled in Rust: no files written, no network), the same sentence is 新优 /
药械 / 出海 / 开拓市场, and a rare word two measures share (出海, 审评, 孵化器) is the name of
what they are about, not an accident of adjacent characters.

A word's weight is 1 in one measure and falls with the logarithm of its document frequency
to 0 at `max_df` measures: `1 - ln(df) / ln(max_df)`, where the caller makes max_df a share of
the corpus (align: `word_max_share`, 3 %), as idf is a ratio. A pair's `word` signal is
`ln(1 + sum of the weights of the words both contain)`: a second shared rare word counts,
less than the first. The document frequencies are those of the current corpus, recomputed on
every run like the n-gram statistics, so incremental alignment equals batch alignment.

Pure: texts and index arrays in, arrays out.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

_SURROGATE = re.compile(r"[\ud800-\udfff]")  # no UTF-8 for them: rjieba would raise


def words(text: str) -> list[str]:
    """The distinct words of a text, in order of first use: rjieba's tokens of two characters or
    more holding a letter of any script, Chinese characters included (no punctuation, numbers or 的)."""
    import rjieba

    seen: dict[str, None] = {}
    for w in rjieba.cut(_SURROGATE.sub(" ", text)):
        if len(w) >= 2 and any(ch.isalpha() for ch in w):
            seen.setdefault(w, None)
    return list(seen)


def presence_matrix(rows: Iterable[Iterable[str]], keys_out: list[str] | None = None):
    """A binary CSR matrix, one row per set of keys, one column per key (in order of first use),
    and each key's document frequency: how many rows hold it. keys_out, if given, receives the
    keys in column order."""
    import scipy.sparse as sp

    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for keys in rows:
        indices.extend(sorted({vocab.setdefault(k, len(vocab)) for k in keys}))
        indptr.append(len(indices))
    if keys_out is not None:
        keys_out.extend(vocab)
    M = sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                      shape=(len(indptr) - 1, len(vocab)))
    return M, np.asarray(M.sum(axis=0)).ravel().astype(np.int64)


def word_matrix(texts: list[str], keys_out: list[str] | None = None):
    """The words of each text (presence_matrix) and each word's document frequency."""
    return presence_matrix((words(t) for t in texts), keys_out)


def word_weights(df: np.ndarray, max_df: float) -> np.ndarray:
    """1 for a word in one measure, falling with ln(df) to 0 at max_df measures and beyond."""
    if max_df <= 1:
        return np.zeros(len(df), dtype=np.float64)
    return np.clip(1.0 - np.log(np.maximum(df, 1)) / np.log(max_df), 0.0, 1.0)


def shared_words(W, weights: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 50000) -> np.ndarray:
    """For each pair (a[k], b[k]): ln(1 + the summed weights of the words both hold), 5 decimals."""
    out = np.zeros(len(a), dtype=np.float64)
    w = weights.astype(np.float64)
    for s in range(0, len(a), chunk):
        both = W[a[s:s + chunk]].multiply(W[b[s:s + chunk]])
        out[s:s + chunk] = np.asarray(both @ w).ravel()
    return np.round(np.log1p(out), 5)
