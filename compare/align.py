"""Aligning measures across documents: the same commitment, reworded, in another year or district.

Signals for a pair of measures:
- `cos`: semantic cosine of sentence embeddings (one encoder; vectors cached by model);
- `tfidf`: cosine of character 2-4-gram TF-IDF vectors, digits kept (Chinese reuses terms
  verbatim, and numbers matter); its weights are a fixed background idf (compare/background.py),
  which no document changes;
- `rare`: how rare the rarest character n-gram both measures contain is in the corpus, counted
  only for n-grams in at most `rare_max_df` measures (0 beyond), against a fixed corpus size;
- `term`: best fuzzy match between the measures' key terms (《titles》 must match nearly whole);
- `level_conflict`: both state the level they speak for (区级 / 市级) and the levels differ;
- `name_conflict`: both name programmes or policies (“…”, 《…》) and none of the names match;
- `same_doc`: both in one document (links inside a document count, but weigh less);
- `head`: both name an institution of one kind whose names end alike before the suffix
  (概念验证中心 ~ 概念验证平台; 康复中心 and 为老服务中心 do not);
- `other_district`, `other_level`: the places the two speak for, from the places named in the
  measure (vocab places.txt) or else its document's region, are two districts / a city and a
  district;
- `doc_sim`: how alike the two documents are (cosine of their TF-IDF centroids): the topic;
- `industry_conflict`: both name industries or fields (vocab terms.txt, [industries]) and share
  none (智能网联汽车产业规模 is not 具身智能产业规模);
- `name_shared`: a name one measure quotes or titles (“先投后股”, 《…》) stands in the other's text,
  quoted or not;
- `grant_conflict`: one measure grants money (a grant verb, vocab verbs.txt, with an amount:
  给予…最高200万元资助) and the other does not: funding a kind of platform is not building it;
- `word`: the words (segmented) both measures hold, each weighted by how few measures of the
  corpus use it, 0 from `word_max_df` measures on (compare/words.py): 出海 in 支持新优药械出海开拓市场
  and 编制创新产品出海行动方案.

No statistic depends on the corpus's size: a document added changes the counts of its own
n-grams and words, and so the signals of the pairs sharing one that is still rare, and no other
(issue 15; docs/alignment.md, "Statistics one document leaves alone").

Candidates are found by blocked matrix products over the semantic vectors and over a
corpus-independent character-hashing encoder, kept where either cosine passes a floor; by
rare shared character n-grams; and by shared runs of key terms that few measures hold
(`term_max_df`), which finds the same object named in sentences that are otherwise far apart.
The floors do not depend on the corpus, so a pair is a candidate whether its documents
came in one run or in two: incremental alignment equals batch alignment. The combined
score is a logistic model whose weights and thresholds are fitted on the reference
annotations by scripts/fit_alignment.py and shipped in compare/alignment.json.

Pure numerics: arrays and rows in, arrays and dataclasses out. Reading the measures, the
cached vectors, the stored best-k lists and pairs, and storing what changed, is the stage
runner's (compare/stages.py: `candidates`, `link`).
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .encoders import Encoder
from .params import Params, load_params, params_text  # noqa: F401 (the alignment parameters live there)
from .vocabulary import VOCAB
from .words import presence_matrix, shared_words, word_matrix, word_weights

SCORE_FLOOR = 0.05
PAIR_FEATURES = ("cos", "tfidf", "rare", "term", "level_conflict", "name_conflict", "same_doc", "cos_x_tfidf")
# signals of a pair in its corpus: computed when the pairs are scored, from the measures' texts and rows
CONTEXT_FEATURES = ("head", "other_district", "other_level", "doc_sim", "industry_conflict", "name_shared",
                    "grant_conflict", "word")
FEATURES = PAIR_FEATURES + CONTEXT_FEATURES


# --- vectors ----------------------------------------------------------------------------

def to_blob(v: np.ndarray) -> bytes:
    return np.asarray(v, dtype="<f4").tobytes()


def from_blob(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype="<f4")


def measure_text(m: dict) -> str:
    """The text a measure is aligned on: its analysis text (numbering and cue words left out), else its text."""
    return m["analysis_text"] or m["text"]


def encode_missing(encoder: Encoder, texts: dict[str, str], missing: list[str],
                   progress=None) -> list[tuple[str, int, bytes]]:
    """Vectors of the texts not cached yet (text hash -> text), in chunks, as cache rows (hash, dim, blob)."""
    rows = []
    step = 256
    for i in range(0, len(missing), step):
        chunk = missing[i:i + step]
        vecs = encoder.encode([texts[h] for h in chunk])
        rows.extend((h, vecs.shape[1], to_blob(v)) for h, v in zip(chunk, vecs))
        if progress:
            progress(len(chunk))
    return rows


def stack(blobs: dict[str, bytes], hashes: list[str]) -> np.ndarray:
    """One row per text hash, in order, from the cached vectors."""
    if not hashes:
        return np.zeros((0, 1), dtype=np.float32)
    rows = [blobs[h] for h in hashes]
    if len({len(b) for b in rows}) != 1:  # vectors of different widths: vstack says so
        return np.vstack([from_blob(b) for b in rows]).astype(np.float32)
    # one buffer, not a hundred thousand small arrays stacked (1.1 s at 1,000 documents)
    return np.frombuffer(b"".join(rows), dtype="<f4").reshape(len(rows), -1).astype(np.float32)


# --- candidates ---------------------------------------------------------------------------

def candidate_pairs(vectors: list[np.ndarray], floors: list[float], rows: list[int], k: int,
                    block: int = 1024) -> set[tuple[int, int]]:
    """Index pairs (i<j) where, for some signal, j is among row i's k nearest and passes the floor.

    Blocked matrix products: memory stays at block x N, and the cost of new rows grows
    with their number times the corpus, never with the square of the corpus.
    """
    out: set[tuple[int, int]] = set()
    for V, floor in zip(vectors, floors):
        out |= topk_update(V, floor, rows, k, {}, block)[0]
    return out


Best = tuple[np.ndarray, np.ndarray]  # a row's k nearest: similarities (float32) and rows, nearest first

# "The k nearest" is taken in one total order: similarity (rounded to 5 decimals) descending,
# then row ascending. Rows are in measure-id order, which adding or removing measures never
# changes, so equal similarities break the same way in every run.
#
# The similarity of two rows must also not depend on the run: a float32 product's last bits
# depend on the shape of the matrices it is computed in (new rows against the corpus, or the
# corpus against itself), and 5-decimal rounding turns some of those bits into another order.
# So the blocked float32 products only choose the rows that can be among the k nearest (within
# NEAR_MARGIN of the k-th, far more than float32's error), and those similarities are computed
# pair by pair in float64 (`exact_sims`), a function of the two vectors alone.
NEAR_MARGIN = 1e-4


def exact_sims(V: np.ndarray, i: int, cols: np.ndarray) -> np.ndarray:
    """Similarities of row i with the rows cols, in float64 pair by pair, rounded to 5 decimals."""
    prods = V[cols].astype(np.float64) * V[i].astype(np.float64)
    return np.round(prods.sum(axis=1), 5).astype(np.float32)  # each row summed on its own


def _nearest(sims: np.ndarray, cols: np.ndarray, kk: int) -> np.ndarray:
    """Positions into sims/cols of the kk best under (similarity desc, column asc), in that order."""
    if len(sims) > kk:
        v = np.partition(sims, len(sims) - kk)[len(sims) - kk]  # the kk-th largest value
        above = np.flatnonzero(sims > v)
        ties = np.flatnonzero(sims == v)
        ties = ties[np.argsort(cols[ties], kind="stable")][:kk - len(above)]
        pick = np.concatenate([above, ties])
    else:
        pick = np.arange(len(sims))
    return pick[np.lexsort((cols[pick], -sims[pick]))]


def topk_rows(V: np.ndarray, floor: float, rows: list[int], k: int, block: int = 256) -> tuple[
        set[tuple[int, int]], dict[int, Best]]:
    """The k nearest of each of `rows` among all rows, from scratch: candidate pairs and lists.

    Products a block of rows at a time (256 rows against 105,000 at 1,000 documents: 107 MB)."""
    n = V.shape[0]
    pairs: set[tuple[int, int]] = set()
    updated: dict[int, Best] = {}
    rows_ = np.asarray(sorted(rows), dtype=np.int64)
    if len(rows_) == 0 or n < 2:
        return pairs, updated
    kk = min(k, n - 1)
    cols = np.arange(n, dtype=np.int64)
    for start in range(0, len(rows_), block):
        idx = rows_[start:start + block]
        sims = V[idx] @ V.T
        for r, i in enumerate(idx):
            rough = np.delete(sims[r], i)  # not with itself
            others = np.delete(cols, i)
            if len(rough) > kk:
                kth = np.partition(rough, len(rough) - kk)[len(rough) - kk]
                others = others[rough >= kth - NEAR_MARGIN]
            row = exact_sims(V, i, others)
            pick = _nearest(row, others, kk)
            updated[int(i)] = (row[pick], others[pick])
            for j in others[pick][row[pick] >= floor]:
                pairs.add((min(int(i), int(j)), max(int(i), int(j))))
    return pairs, updated


def topk_update(V: np.ndarray, floor: float, new_rows: list[int], k: int, known: dict[int, Best],
                block: int = 1024, recomputed: set[int] | None = None) -> tuple[
        set[tuple[int, int]], dict[int, Best]]:
    """Candidates of new rows, and of old rows that gain a new neighbour in their k nearest.

    known: the lists of old rows. Returns the candidate pairs and the updated lists of every
    row touched, so that "among the k nearest" means the same whether documents came one at a
    time or all at once. Rows in `recomputed` were just computed from scratch against every
    row, new ones included, and are left alone.
    """
    n = V.shape[0]
    pairs, updated = topk_rows(V, floor, new_rows, k, block)
    new = np.asarray(sorted(new_rows), dtype=np.int64)
    if len(new) == 0 or n < 2:
        return pairs, updated
    kk = min(k, n - 1)
    skip = np.zeros(n, dtype=bool)
    skip[new] = True
    skip[list(recomputed or ())] = True
    is_new = np.zeros(n, dtype=bool)
    is_new[new] = True
    # old rows: do new rows enter their k nearest?
    old = np.flatnonzero(~skip)
    empty = (np.zeros(0, np.float32), np.zeros(0, np.int64))
    kth = np.full(n, -np.inf, dtype=np.float32)  # a full list's last similarity: what a new row must reach
    for i, (s, _) in known.items():
        if len(s) >= kk:
            kth[i] = s[-1]
    for start in range(0, len(old), block * 8):
        idx = old[start:start + block * 8]
        sims = V[idx] @ V[new].T
        for r in np.flatnonzero((sims >= kth[idx][:, None] - NEAR_MARGIN).any(axis=1)):  # rows a new row may enter
            i = idx[r]
            prev_s, prev_j = known.get(int(i), empty)
            hits = np.flatnonzero(sims[r] >= kth[i] - NEAR_MARGIN)
            merged_s = np.concatenate([prev_s, exact_sims(V, int(i), new[hits])])
            merged_j = np.concatenate([prev_j, new[hits]])
            pick = _nearest(merged_s, merged_j, kk)
            updated[int(i)] = (merged_s[pick], merged_j[pick])
            for j in merged_j[pick][(merged_s[pick] >= floor) & is_new[merged_j[pick]]]:
                pairs.add((min(int(i), int(j)), max(int(i), int(j))))
    return pairs, updated


def near_codes(lists: dict[int, Best], floor: float, n: int) -> np.ndarray:
    """Pair codes (i * n + j, i < j) of every row with each of its k nearest passing the floor."""
    a, b = [], []
    for i, (s, w) in lists.items():
        ok = w[s >= floor]
        a.append(np.full(len(ok), i, dtype=np.int64))
        b.append(ok)
    if not a:
        return np.zeros(0, dtype=np.int64)
    a, b = np.concatenate(a), np.concatenate(b)
    return sorted_unique(np.minimum(a, b) * n + np.maximum(a, b))


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """np.unique of an integer array by one sort (numpy 2's hashing unique is slower here)."""
    x = np.sort(x)
    return x[np.concatenate(([True], x[1:] != x[:-1]))] if len(x) else x


def locate(x: np.ndarray, sorted_set: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each value of x, by bisection in a sorted array: its index there and whether it is
    there (the index is meaningful only where it is)."""
    if not len(sorted_set):
        return np.zeros(len(x), dtype=np.int64), np.zeros(len(x), dtype=bool)
    k = np.minimum(np.searchsorted(sorted_set, x), len(sorted_set) - 1)
    return k, sorted_set[k] == x


def member(x: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """np.isin(x, sorted_set) for a sorted array, by bisection (x is not sorted or copied)."""
    return locate(x, sorted_set)[1]


# --- lexical signals -----------------------------------------------------------------------

_SEP = re.compile(r"[\s，。、；：:;,.“”\"《》（）()！？!?]+")


def char_ngram_counts(texts: list[str]):
    """Counts of the character 2-4-grams of each text after punctuation and spaces become "|" (a
    CSR matrix, one row per text, float32) and the n-grams, sorted (the columns' order).

    What sklearn's CountVectorizer(analyzer="char", ngram_range=(2, 4)) gives with that
    preprocessor, without importing sklearn (seconds of every `compare align`).
    """
    import scipy.sparse as sp

    vocab: dict[str, int] = {}
    cols: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for text in texts:
        s = _SEP.sub("|", text)
        grams: dict[str, int] = {}
        for n in (2, 3, 4):
            for i in range(len(s) - n + 1):
                g = s[i:i + n]
                grams[g] = grams.get(g, 0) + 1
        cols.extend(vocab.setdefault(g, len(vocab)) for g in grams)
        counts.extend(grams.values())
        indptr.append(len(cols))
    terms = sorted(vocab)
    remap = np.empty(len(vocab), dtype=np.int64)
    remap[[vocab[t] for t in terms]] = np.arange(len(terms))
    C = sp.csr_matrix((np.asarray(counts, dtype=np.float32), remap[np.asarray(cols, dtype=np.int64)],
                       np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(terms)))
    C.sort_indices()
    return C, terms


def l2_rows(X):
    """Each row of a sparse matrix divided by its Euclidean norm (rows of zeros stay zero), as CSR."""
    X = X.tocsr().copy()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1), dtype=np.float64).ravel())
    norms[norms == 0] = 1.0
    X.data = X.data / np.repeat(norms, np.diff(X.indptr))
    return X


def ngram_stats(texts: list[str], rare_max_df: int):
    """Character 2-4-gram statistics of the texts, counted once per distinct text.

    Returns (T, Bn, rarity, df, hashes): T the row-normalised TF-IDF (sublinear tf, background idf:
    compare/background.py, digits kept), Bn the binary presence of n-grams that do not cross
    punctuation, with each such n-gram's document frequency df, rarity (rarity_of: 0..1, 0 for
    an n-gram in more than rare_max_df measures) and 64-bit hash (string_hashes). Duplicate texts
    count as often as they occur, as if each were counted on its own, but are split into n-grams once.
    """
    import scipy.sparse as sp

    from .background import gram_idf

    first: dict[str, int] = {}
    row = np.array([first.setdefault(t, len(first)) for t in texts], dtype=np.int64)
    weight = np.bincount(row, minlength=len(first)).astype(np.float64)
    C, terms = char_ngram_counts(list(first))
    present = C.copy()
    present.data[:] = 1
    df_all = np.asarray(present.T @ weight).ravel()
    T = C.astype(np.float64)
    T.data = np.log(T.data) + 1  # sublinear tf, as sklearn's TfidfVectorizer(sublinear_tf=True)
    T = l2_rows(T @ sp.diags(gram_idf(terms))).astype(np.float32)
    keep = np.flatnonzero(np.array(["|" not in g for g in terms], dtype=bool))
    Bn = present[:, keep].tocsr()
    df = df_all[keep]
    return T[row], Bn[row], rarity_of(df, rare_max_df, len(texts)).astype(np.float32), df, \
        string_hashes([terms[k] for k in keep])


def string_hashes(strings: list[str]) -> np.ndarray:
    """A 64-bit hash of each string (two CRC-32s), the same in every run and process."""
    import zlib

    out = np.empty(len(strings), dtype=np.uint64)
    for k, t in enumerate(strings):
        b = t.encode("utf-8", "surrogatepass")
        out[k] = (zlib.crc32(b) << 32) | zlib.crc32(b, 0x9E3779B9)
    return out


# --- what a pair's signals read, as keys: signals cached by pair are reused while their key holds ---

# A new one whenever a signal's definition changes (cached signals computed before are not reused).
FEATURE_CACHE_VERSION = 2


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser over uint64 values: every input bit moves about half the output bits,
    so sums of mixed values do not cancel by design (a document cannot be written to make two
    measures' keys hold while their signals change)."""
    with np.errstate(over="ignore"):
        z = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _row_sums(M, values: np.ndarray) -> np.ndarray:
    """Per row of a CSR matrix: the sum (modulo 2**64) of values over the row's columns."""
    M = M.tocsr()
    out = np.zeros(M.shape[0], dtype=np.uint64)
    if M.nnz:
        v = values[M.indices]
        ends = M.indptr[1:]
        cum = np.cumsum(v, dtype=np.uint64)  # wraps modulo 2**64, as the sums should
        before = np.concatenate([np.zeros(1, dtype=np.uint64), cum])
        out = before[ends] - before[M.indptr[:-1]]
    return out


def measure_keys(c: Corpus, salt: str) -> np.ndarray:
    """Per measure, a 64-bit key of everything its pairs' signals read besides the pair's stored
    columns: its id (its text), its document and region, its document's current measures (the
    document's centroid: `doc_sim`), the rarity of each of its n-grams and the weight of each of
    its words in the current corpus, and the salt (the statistics' caps and reference size, the
    background table, FEATURE_CACHE_VERSION). Two pairs of the same measures with the same keys
    have the same signals, so signals cached under a pair's key (pair_keys) are reused as long as
    it holds: a new document changes the keys of the measures sharing its still-rare n-grams or
    words, and of no other."""
    import hashlib

    if not c.n:
        return np.zeros(0, dtype=np.uint64)
    # each n-gram's (hash, rarity) and each word's (hash, weight) mixed into one value, summed per
    # measure: the sum changes when any of them does
    rare = mix64(c.gram_hash ^ mix64(c.rarity.astype(np.float64).view(np.uint64)))
    rare[c.rarity == 0] = 0  # an n-gram that is not rare weighs nothing: its count is not read
    weights = word_weights(c.wdf, c.word_cap)
    word = mix64(c.word_hash ^ mix64(weights.astype(np.float64).view(np.uint64)))
    word[weights == 0] = 0
    gram_sums, word_sums = _row_sums(c.Bn, rare), _row_sums(c.W, word)
    docs: dict[str, list[str]] = {}
    for m in c.rows:
        docs.setdefault(m["document_id"], []).append(m["id"])
    doc_key = {d: hashlib.blake2b(" ".join(sorted(ms)).encode(), digest_size=8).hexdigest() for d, ms in docs.items()}
    out = np.empty(c.n, dtype=np.uint64)
    for i, m in enumerate(c.rows):
        text = "\x1f".join((salt, m["id"], m["document_id"], doc_key[m["document_id"]], str(m.get("region")),
                            c.texts[i], str(int(gram_sums[i])), str(int(word_sums[i]))))
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "little")
    return out


def pair_keys(keys: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """The key of each pair (A[k], B[k]) from its measures' keys, as a signed 64-bit integer (what
    SQLite stores)."""
    return mix64(keys[A] ^ mix64(keys[B])).view(np.int64)


def feature_salt(params: Params, n: int) -> str:
    """What every signal of a corpus reads besides its measures (see measure_keys): the caps, the
    reference size, the background table, the vocabularies (industries, institution kinds, places…)
    the segmenter (rjieba's version: it splits the runs the background table does not hold), the
    numerics (numpy's and scipy's versions: a cached value is their sums' bits, and doc_similarity
    gives one pair's value to the others of its two documents) and the code (its version, the
    background table's and FEATURE_CACHE_VERSION)."""
    from importlib.metadata import version

    from . import __version__
    from .background import CACHE_VERSION, digest
    from .vocabulary import digest as vocabulary_digest

    return json.dumps([FEATURE_CACHE_VERSION, __version__, FEATURES, params.rare_max_df, params.word_max_df,
                       reference_size(n), word_cap(params.word_max_df, n), digest(), CACHE_VERSION,
                       version("rjieba"), version("numpy"), version("scipy"), vocabulary_digest()])


PAIR_CHUNK_ENTRIES = 10_000_000  # stored entries of the rows a chunk of pairs copies, at most (about)


def pair_chunk(T, pairs: int = 50000) -> int:
    """How many pairs to take at once from the rows of T: 50,000 rows of a measure's n-grams, far
    fewer of a document's (a centroid holds thousands: 50,000 of them took gigabytes)."""
    per_row = T.nnz / max(1, T.shape[0])
    return max(1, min(pairs, int(PAIR_CHUNK_ENTRIES / max(1.0, 2 * per_row))))


def pair_tfidf(T, a: np.ndarray, b: np.ndarray, progress=None) -> np.ndarray:
    """Cosine of rows a[k] and b[k] of a row-normalised matrix, pair by pair (each pair's sum is
    its own: the chunk the pairs are taken in does not change it)."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.float32)
    out = np.empty(len(a), dtype=np.float32)
    step = pair_chunk(T)
    for s in range(0, len(a), step):
        out[s:s + step] = np.asarray(T[a[s:s + step]].multiply(T[b[s:s + step]]).sum(axis=1)).ravel()
        if progress:
            progress(len(out[s:s + step]))
    return out


def pair_rarity(Bn, rarity: np.ndarray, a: np.ndarray, b: np.ndarray, progress=None) -> np.ndarray:
    """For each pair: the rarity of the rarest 2-4-gram both measures contain (0 if none)."""
    import scipy.sparse as sp

    out = np.zeros(len(a), dtype=np.float32)
    R = sp.diags(rarity)
    for s in range(0, len(a), 50000):
        shared = Bn[a[s:s + 50000]].multiply(Bn[b[s:s + 50000]]) @ R
        out[s:s + 50000] = shared.max(axis=1).toarray().ravel()
        if progress:
            progress(len(out[s:s + 50000]))
    return out


# The corpus size statistics are measured against: the corpus's own up to this many measures (a
# handful of documents, where 举办 in 4 of 6 measures is common), this one from there on, so that
# one more document changes only the statistics of its own n-grams and words (issue 15).
REFERENCE_SIZE = 1000


def reference_size(n: int) -> int:
    return max(1, min(n, REFERENCE_SIZE))


def rarity_of(df: np.ndarray, max_df: int, n: int) -> np.ndarray:
    """The rarity of n-grams found in df of n measures: the smooth idf of df measures in the
    reference size, over that of one (1 for an n-gram in no other measure), and 0 for one in more
    than max_df measures."""
    df = np.asarray(df, dtype=np.float64)
    ref = reference_size(n)
    idf = np.log((ref + 1) / (df + 1)) + 1
    return np.where(df <= max_df, idf / (np.log(ref + 1) + 1), 0.0)


WORD_SHARE = 0.03  # in a small corpus, a word in this share of the reference size weighs 0 …
WORD_MIN_MAX_DF = 3  # … but never under 3 measures: by the share alone no word would count under 67


def word_cap(word_max_df: int, n: int) -> float:
    """The measures from which a shared word weighs 0: word_max_df, or fewer in a small corpus."""
    return min(word_max_df, max(WORD_SHARE * reference_size(n), WORD_MIN_MAX_DF))


def rare_candidates(Bn, rarity: np.ndarray, df: np.ndarray, floor: float) -> set[tuple[int, int]]:
    """Pairs sharing an n-gram at least `floor` rare: a bounded number per n-gram."""
    cols = np.flatnonzero((rarity >= floor) & (df >= 2))
    if len(cols) == 0:
        return set()
    S = (Bn[:, cols] @ Bn[:, cols].T).tocoo()
    return {(int(i), int(j)) for i, j in zip(S.row, S.col) if i < j}


KEY_TERM_KINDS = ("title", "quoted", "institution")
TERM_GRAM = 4  # characters of a key term's runs indexed by the key-term channel


def term_grams(ids: list[str], terms: dict[str, list[tuple[str, str, str]]]):
    """The binary measure × key-term-gram matrix (every 4-character run of a measure's own key
    terms, see own_names) and each gram's document frequency in measures."""
    return presence_matrix({norm[k:k + TERM_GRAM] for _, _, norm in own_names(terms.get(mid, []))
                            for k in range(len(norm) - TERM_GRAM + 1)} for mid in ids)


def term_channel(K, kdf: np.ndarray, max_df: int):
    """The key-term grams that make candidates: shared (df ≥ 2) by at most max_df measures."""
    return K[:, np.flatnonzero((kdf >= 2) & (kdf <= max_df))].tocsr()


def term_candidates(K, kdf: np.ndarray, max_df: int) -> set[tuple[int, int]]:
    """Pairs sharing a 4-character run of their key terms that few measures hold: 概念验证中心 and
    布局概念验证平台 meet here when their sentences are far apart (a bounded number per gram)."""
    if K is None or max_df < 2:
        return set()
    Kc = term_channel(K, kdf, max_df)
    S = (Kc @ Kc.T).tocoo()
    return {(int(i), int(j)) for i, j in zip(S.row, S.col) if i < j}


def share_term(K, kdf: np.ndarray, max_df: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each pair: whether it shares a key-term gram of the channel (term_candidates)."""
    out = np.zeros(len(a), dtype=bool)
    if K is None or max_df < 2 or len(a) == 0:
        return out
    Kc = term_channel(K, kdf, max_df)
    for s in range(0, len(a), 50000):
        out[s:s + 50000] = np.asarray(Kc[a[s:s + 50000]].multiply(Kc[b[s:s + 50000]]).sum(axis=1)).ravel() > 0
    return out


def term_similarity(ta: list[tuple[str, str, str]], tb: list[tuple[str, str, str]]) -> tuple[float, str | None]:
    """Best fuzzy match between two measures' key terms (0..1), and the terms that matched.

    Titles must match nearly whole (two 《上海市促进…》 titles share a prefix, not a topic);
    institutions match only institutions of the same kind (terms.institution_kind), and so does a
    quoted name that says its kind (“某某创新大赛” is no 某某创新中心).
    """
    from rapidfuzz import fuzz

    from .terms import institution_kind, named_kind

    best, match = 0.0, None
    for term_a, kind_a, norm_a in ta:
        if kind_a not in KEY_TERM_KINDS or len(norm_a) < 3:
            continue
        for term_b, kind_b, norm_b in tb:
            if kind_b not in KEY_TERM_KINDS or len(norm_b) < 3:
                continue
            if (kind_a == kind_b == "institution" or (named_kind(norm_a) and named_kind(norm_b))) \
                    and institution_kind(norm_a) != institution_kind(norm_b):
                continue  # a contest is not a centre, a fund not a catalogue, however alike the words
            r = fuzz.ratio(norm_a, norm_b) / 100.0
            if "title" in (kind_a, kind_b) and r < 0.85:
                r = 0.0
            if r > best:
                best, match = r, f"{term_a} ~ {term_b}"
    return round(best, 4), match


NAME_KINDS = ("title", "quoted")
NAME_MATCH = 0.6  # names whose partial fuzzy ratio is under this are different names (春昇杯 ~ 嘉智杯: 0.5)


NAMED_INSTITUTION_KINDS = ("event", "fund")  # institutions that are one of their name (vocab terms.txt kinds)


def _named_institutions(terms: list[tuple[str, str, str]]) -> list[str]:
    """The institution terms of a measure that name one contest or fund (4 characters or more)."""
    from .terms import institution_kind

    return [t[2] for t in terms if t[1] == "institution" and len(t[2]) >= 4
            and institution_kind(t[2]) in NAMED_INSTITUTION_KINDS]


# comparators of a quantity aimed at (不少于, 超, 力争, 新增, 不超过); 达到 (=) also states results
AIM_COMPARATORS = (">=", ">", "~", "+", "<=")


def name_conflict(ta: list[tuple[str, str, str]], tb: list[tuple[str, str, str]],
                  qa: list[tuple[str, str]] = (), qb: list[tuple[str, str]] = ()) -> float:
    """1 when the two measures name different things. Names: programmes and policies (“…”, 《…》),
    and the objects of quantified targets (unit, object). “春昇杯” is not “嘉智杯”, 《…操作细则》
    is not 《…若干意见》, 生物医药产业工业产值突破100亿元 is not 智能网联汽车产业规模突破1500亿元.
    Partial ratio, so that “新优药械” and 《上海市生物医药“新优药械”产品目录》 are alike, and so are
    测试验证平台 and 智能网联汽车测试验证平台."""
    from rapidfuzz import fuzz

    na = [t[2] for t in ta if t[1] in NAME_KINDS and len(t[2]) >= 2]
    nb = [t[2] for t in tb if t[1] in NAME_KINDS and len(t[2]) >= 2]
    if na and nb and max(fuzz.partial_ratio(x, y) for x in na for y in nb) / 100.0 < NAME_MATCH:
        return 1.0
    # a contest or a fund is one of its name: 生命健康科技概念验证大赛 is not “春昇杯”医学创新人才大赛,
    # 浦东天使母基金 not 生物医药产业母基金 (unless some name of one matches some name of the other)
    ea, eb = _named_institutions(ta), _named_institutions(tb)
    if ea and eb and max(fuzz.partial_ratio(x, y) for x in na + ea for y in nb + eb) / 100.0 < NAME_MATCH:
        return 1.0
    # targets of the same unit whose objects differ: one object inside the other is the same
    # thing named more or less fully (孵化器 / 生物医药专业孵化器); otherwise whole-string ratio,
    # since a shared head (企业, 平台) does not make 上市企业 a 核心零部件企业
    pairs = [(x, y) for ux, x in qa for uy, y in qb if ux == uy and len(x) >= 2 and len(y) >= 2]
    if pairs and not any(x in y or y in x or fuzz.ratio(x, y) / 100.0 >= NAME_MATCH for x, y in pairs):
        return 1.0
    return 0.0


# the words by which a measure states the level it speaks for (places.txt: levels tagged stated)
_LEVELS = VOCAB["places"]["levels"]
_CITY_MARK = re.compile(_LEVELS.pattern("stated", "city"))  # 市级, 全市, 本市…
_DISTRICT_MARK = re.compile(_LEVELS.pattern("stated", "district"))  # 区级, 全区, 区内…
_NATION_MARK = re.compile(_LEVELS.pattern("stated", "national"))  # 国家级, 全国…


def stated_level(text: str) -> str | None:
    """The level a measure says it speaks for (区级层面…, 市级层面…), if it says so."""
    marks = {lv for lv, pat in (("city", _CITY_MARK), ("district", _DISTRICT_MARK), ("national", _NATION_MARK))
             if pat.search(text)}
    return marks.pop() if len(marks) == 1 else None


def levels_conflict(la: str | None, lb: str | None) -> float:
    """1 when both measures state their level and the levels differ: a district fund is not the city's."""
    return 1.0 if la and lb and la != lb else 0.0


def level_conflict(a: str, b: str) -> float:
    return levels_conflict(stated_level(a), stated_level(b))


# --- signals of a pair in its corpus: institution heads, places, topic, industries, names -------------

_NAME_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+$")
HEAD_CAP = 4  # characters of a name before its suffix that count


def institution_heads(text: str) -> tuple[tuple[str, str], ...]:
    """(kind, the characters before the suffix) of each institution word in the text: 概念验证中心 →
    (general, …概念验证)."""
    from .terms import institution_kind

    out = []
    for m in _SUFFIXES.finditer(text):
        before = _NAME_RUN.search(text, 0, m.start())
        out.append((institution_kind(m.group()), before.group()[-8:] if before else ""))
    return tuple(out)


def head_match(ha: tuple[tuple[str, str], ...], hb: tuple[tuple[str, str], ...]) -> int:
    """How many characters before the suffix two institutions of one kind share, at most HEAD_CAP."""
    best = 0
    for kind_a, a in ha:
        for kind_b, b in hb:
            if kind_a != kind_b:
                continue
            n = 0
            while n < min(len(a), len(b), HEAD_CAP) and a[-1 - n] == b[-1 - n]:
                n += 1
            best = max(best, n)
    return best


def _words_pattern(words) -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


_DISTRICT_NAMES = {n: p.name for p in VOCAB.districts for n in (p.name, *p.short)}
_DISTRICTS = _words_pattern(_DISTRICT_NAMES)
_LEVEL_OF = {p.name: p.level for p in VOCAB.places}
_INDUSTRY = VOCAB["terms"]["industries"].first_field()
_INDUSTRIES = _words_pattern(_INDUSTRY)


def _suffixes() -> re.Pattern:
    from .terms import INSTITUTION_SUFFIXES

    return _words_pattern(set(INSTITUTION_SUFFIXES))


_SUFFIXES = _suffixes()


def quoted_names(text: str) -> tuple[str, ...]:
    """The names a text quotes (“…”) or titles (《…》), three characters or more."""
    from .terms import QUOTED, TITLE

    return tuple(n for pat in (QUOTED, TITLE) for n in pat.findall(text) if len(n) >= 3)


def name_shared(names_a: tuple[str, ...], text_b: str, names_b: tuple[str, ...], text_a: str) -> float:
    """1 when a name either measure quotes or titles stands in the other's text."""
    return float(any(n in text_b for n in names_a) or any(n in text_a for n in names_b))


def measure_region(text: str, doc_region: str | None) -> str | None:
    """The place a measure speaks for: the one district it names, else the city when it says so
    (全市, 市级), else its document's region."""
    named = {_DISTRICT_NAMES[m.group()] for m in _DISTRICTS.finditer(text)}
    if len(named) == 1:
        return named.pop()
    if not named and stated_level(text) == "city":
        return VOCAB.city.name
    return doc_region


GRANT_REACH = 12  # characters between a grant verb and the amount it grants (给予补贴，单个项目最高30万元)
_GRANT_MONEY = re.compile(rf"(?:{VOCAB['verbs']['verbs'].pattern('grant')})[^。；;！？!?]{{0,{GRANT_REACH}}}?"
                          rf"\d(?:{VOCAB['targets']['units'].pattern('amount')})")


def grants_money(text: str) -> bool:
    """Does the measure grant money (给予…最高200万元资助), rather than build, set up or aim? The
    amount follows the grant verb in the same sentence: 对总投资超过10亿元的重大项目，给予用地保障
    grants land, not money."""
    return bool(_GRANT_MONEY.search(text))


def industries(text: str) -> frozenset[str]:
    """The fields a text names (longest word first: 智能机器人 is robotics, not 机器人 and more)."""
    return frozenset(_INDUSTRY[m.group()] for m in _INDUSTRIES.finditer(text))


def context_features(c: Corpus, A: np.ndarray, B: np.ndarray, progress=None,
                     known: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """One row of CONTEXT_FEATURES per pair (A[k], B[k]) of the corpus.

    Each measure's heads, place, level, industries, names and grant are found once; the pairs are
    compared as arrays, in Python only where both (or either) measures hold what is compared.
    known: pairs (KA, KB) whose `doc_sim` is known (values Kv, from the signals cached under a
    current key), so that a pair of the same two documents, in the same order, takes it
    (doc_similarity)."""
    heads = [institution_heads(t) for t in c.texts]
    regions = [measure_region(t, m.get("region")) for t, m in zip(c.texts, c.rows)]
    levels = [_LEVEL_OF.get(r) if r else None for r in regions]
    out = np.zeros((len(A), len(CONTEXT_FEATURES)))
    both = _holding([bool(h) for h in heads], A, B, all)
    out[both, 0] = [head_match(heads[i], heads[j]) / HEAD_CAP for i, j in zip(A[both].tolist(), B[both].tolist())]
    region = _codes(regions)
    district = np.array([lv == "district" for lv in levels], dtype=bool)
    out[:, 1] = district[A] & district[B] & (region[A] != region[B])
    level = _codes([lv or None for lv in levels])  # code 0: no level
    out[:, 2] = (level[A] > 0) & (level[B] > 0) & (level[A] != level[B])
    out[:, 4] = _industry_conflict([industries(t) for t in c.texts], A, B)
    names = [quoted_names(t) for t in c.texts]
    either = _holding([bool(x) for x in names], A, B, any)
    out[either, 5] = [name_shared(names[i], c.texts[j], names[j], c.texts[i])
                      for i, j in zip(A[either].tolist(), B[either].tolist())]
    grant = np.array([grants_money(t) for t in c.texts], dtype=bool)
    out[:, 6] = grant[A] != grant[B]
    if progress:
        progress(len(A))
    out[:, 3] = doc_similarity(c, A, B, known)
    out[:, 7] = shared_words(c.W, word_weights(c.wdf, c.word_cap), A, B)
    return out


def doc_similarity(c: Corpus, A: np.ndarray, B: np.ndarray,
                   known: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """`doc_sim` of each pair: the cosine of its two documents' TF-IDF centroids, one per ordered
    pair of documents, not per pair of measures. A document's centroid is a function of its own
    measures alone (TF-IDF under the fixed background idf, summed in measure order), so a pair of
    documents cached under a current key (known: KA, KB, values) gives the same value: an added
    document computes its own pairs of documents, not the tens of thousands its touched measures
    meet (3.2 s of the add at 1,000 documents). The centroids' entries are in sorted column order
    (the float32 copy sorts them), so the sum runs in the order of the n-grams' strings whatever
    else the corpus holds; the documents' order is kept all the same (with unsorted entries a
    cosine's bits would depend on it)."""
    import scipy.sparse as sp

    doc = c.documents
    nd = int(doc.max()) + 1 if len(doc) else 0
    codes, inverse = np.unique(doc[A] * nd + doc[B], return_inverse=True)
    sims = np.full(len(codes), np.nan)
    if known is not None and len(known[0]):
        held, first = np.unique(doc[known[0]] * nd + doc[known[1]], return_index=True)
        at, found = locate(codes, held)
        sims[found] = known[2][first[at[found]]]
    todo = np.flatnonzero(np.isnan(sims))
    if len(todo):
        member = sp.csr_matrix((np.ones(c.n), (doc, np.arange(c.n))), shape=(nd, c.n))
        centroids = l2_rows(member @ c.T).astype(np.float32)
        sims[todo] = np.round(pair_tfidf(centroids, codes[todo] // nd, codes[todo] % nd), 5)
    return sims[inverse]


def _holding(has: list[bool], A: np.ndarray, B: np.ndarray, how) -> np.ndarray:
    """Positions of the pairs where both (how=all) or either (how=any) measure holds something."""
    h = np.array(has, dtype=bool)
    return np.flatnonzero(h[A] & h[B] if how is all else h[A] | h[B])


def _codes(values: list) -> np.ndarray:
    """An integer per value, equal where the values are equal; None is 0."""
    index: dict = {None: 0}
    return np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)


def _industry_conflict(fields: list[frozenset[str]], A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """1 where both measures name industries and share none (a bit per industry)."""
    bit: dict[str, int] = {}
    masks = [sum(1 << bit.setdefault(f, len(bit)) for f in sorted(fs)) for fs in fields]
    if len(bit) < 63:
        m = np.array(masks, dtype=np.int64)
        return ((m[A] != 0) & (m[B] != 0) & ((m[A] & m[B]) == 0)).astype(np.float64)
    return np.array([float(bool(fields[i] and fields[j] and not fields[i] & fields[j]))
                     for i, j in zip(A.tolist(), B.tolist())])


def features(cos: np.ndarray, tfidf: np.ndarray, rare: np.ndarray, term: np.ndarray, conflict: np.ndarray,
             names: np.ndarray, same_doc: np.ndarray) -> np.ndarray:
    return np.column_stack([cos, tfidf, rare, term, conflict, names, same_doc, cos * tfidf]).astype(np.float64)


def combine(params: Params, X: np.ndarray) -> np.ndarray:
    """The link probability of each row of X (FEATURES); a signal without a fitted weight weighs 0."""
    w = np.array([params.weights.get(f, 0.0) for f in FEATURES])
    z = X @ w + params.bias
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class PairScores:
    """Scores of the pairs (a[k], b[k]) as arrays, read like a dict {(a, b): score} (items, values,
    len) in the arrays' order: millions of pairs as a dict of tuples and floats cost gigabytes."""
    a: np.ndarray
    b: np.ndarray
    s: np.ndarray

    def __len__(self) -> int:
        return len(self.s)

    def items(self, chunk: int = 65536):
        for k in range(0, len(self.s), chunk):
            yield from zip(zip(self.a[k:k + chunk].tolist(), self.b[k:k + chunk].tolist()),
                           self.s[k:k + chunk].tolist())

    def values(self, chunk: int = 65536):
        for k in range(0, len(self.s), chunk):
            yield from self.s[k:k + chunk].tolist()


@dataclass
class AlignResult:
    model: str
    measures: int
    encoded: int
    new_measures: int
    new_pairs: int
    pairs: int
    links: int
    threads: int
    ids: list[str]
    scores: PairScores  # of the pairs scoring at least SCORE_FLOOR
    rows: list[dict] = field(default_factory=list)  # the measures aligned, in ids order
    touched: dict[str, int] = field(default_factory=dict)  # rows a stage wrote (links written, deleted)


CHANNELS = ("semantic", "hashing")  # the best-k lists kept per measure: sentence vectors, hashing vectors


@dataclass
class Corpus:
    """The measures aligned, in id order, with the vectors of both channels and n-gram statistics."""
    rows: list[dict]
    ids: list[str]
    pos: dict[str, int]
    texts: list[str]
    V: np.ndarray  # semantic vectors
    H: np.ndarray  # hashing vectors
    T: object = None  # n-gram statistics (ngram_stats), None for an empty corpus
    Bn: object = None
    rarity: np.ndarray | None = None
    df: np.ndarray | None = None
    K: object = None  # key-term grams (term_grams), None without terms
    kdf: np.ndarray | None = None
    W: object = None  # the words of each measure (words.word_matrix), None for an empty corpus
    wdf: np.ndarray | None = None
    gram_hash: np.ndarray | None = None  # per column of Bn, per column of W: 64-bit hashes of the
    word_hash: np.ndarray | None = None  # n-grams and words (string_hashes), for measure_keys
    word_cap: float = 0.0  # the measures from which a shared word weighs 0 (word_cap)

    @classmethod
    def of(cls, rows: list[dict], V: np.ndarray, H: np.ndarray,
           terms: dict[str, list[tuple[str, str, str]]] | None = None, rare_max_df: int = 15,
           word_max_df: int = 28) -> Corpus:
        ids = [m["id"] for m in rows]
        texts = [measure_text(m) for m in rows]
        T, Bn, rarity, df, gram_hash = ngram_stats(texts, rare_max_df) if texts else (None,) * 5
        grams = term_grams(ids, terms) if terms is not None and ids else (None, None)
        words: list[str] = []
        W, wdf = word_matrix(texts, words) if texts else (None, None)
        if words:
            # columns in the words' order, not in order of first use: a pair's shared words are then
            # summed in the same order whatever else the corpus holds (its cached `word` is a batch's)
            order = np.argsort(np.array(words, dtype=object), kind="stable")
            W, wdf, words = W[:, order].tocsr(), wdf[order], [words[k] for k in order.tolist()]
        return cls(rows, ids, {mid: i for i, mid in enumerate(ids)}, texts, V, H, T, Bn, rarity, df, *grams, W, wdf,
                   gram_hash, string_hashes(words), word_cap(word_max_df, len(ids)))

    @property
    def n(self) -> int:
        return len(self.ids)

    @functools.cached_property
    def documents(self) -> np.ndarray:
        """Each measure's document as a number (the documents in id order): for a pair, same_doc and
        its documents' cosine (doc_similarity)."""
        docs = {d: i for i, d in enumerate(sorted({m["document_id"] for m in self.rows}))}
        return np.array([docs[m["document_id"]] for m in self.rows], dtype=np.int64)


class Pair(NamedTuple):
    """A candidate pair as stored: its measures and the features that depend on the two alone."""
    a: str
    b: str
    cos: float
    hash_cos: float
    term_sim: float
    term_match: str | None
    level_conflict: float
    name_conflict: float


@dataclass
class CandidateStep:
    """What one alignment step finds, against what is stored."""
    new_rows: list[int]  # rows not yet aligned under this model
    left: list[str]  # measures aligned before that are no longer current (a new version superseded them)
    fresh: np.ndarray  # candidate pairs not stored yet: rows (i, j), i < j, shape (m, 2), sorted
    lists: dict[str, dict[str, tuple[bytes, str]]]  # per channel: the best-k lists that changed, to store
    near: list[np.ndarray]  # per channel: codes of the pairs among some measure's k nearest, now


@dataclass
class Candidates:
    """The candidate stage's output: the corpus, the stored pairs' columns, the new pairs."""
    corpus: Corpus
    stored: dict  # columns of the stored pairs of current measures (db.queries.load_pairs)
    step: CandidateStep
    new_pairs: NewPairs
    encoded: int  # texts encoded (not found in the vector cache)
    cache: FeatureCache | None = None  # the signals stored with those pairs, under their keys


def pair_codes(columns: dict, n: int) -> np.ndarray:
    """Codes (a * n + b) of the stored pairs."""
    return np.frombuffer(columns["a"], dtype=np.int64) * n + np.frombuffer(columns["b"], dtype=np.int64)


def known_lists(stored: dict[str, tuple[bytes, str | None]], pos: dict[str, int]) -> tuple[dict[int, Best], set[int]]:
    """Stored best-k lists by row, and the rows whose lists must be recomputed: lists naming
    measures that left (or from before their ids were kept)."""
    known: dict[int, Best] = {}
    stale: set[int] = set()
    for m, (blob, with_) in stored.items():
        i = pos.get(m)
        if i is None:
            continue
        partners = [pos.get(x) for x in with_.split()] if with_ is not None else [None]
        if None in partners:
            stale.add(i)
            continue
        known[i] = (np.frombuffer(blob, dtype=np.float32), np.array(partners, dtype=np.int64))
    return known, stale


def channel_candidates(M: np.ndarray, floor: float, stored: dict[str, tuple[bytes, str | None]],
                       pos: dict[str, int], new_rows: list[int], k: int) -> tuple[
        set[tuple[int, int]], dict[int, Best], np.ndarray]:
    """One channel: candidates of new rows and stale lists, the lists updated, and the codes of the
    pairs among some row's k nearest now."""
    n = M.shape[0]
    known, stale = known_lists(stored, pos)
    stale -= set(new_rows)
    cands: set[tuple[int, int]] = set()
    updated: dict[int, Best] = {}
    if stale and n > 1:
        found, updated = topk_rows(M, floor, sorted(stale), k)
        cands |= found
    if new_rows and n > 1:
        found, more = topk_update(M, floor, new_rows, k, known, recomputed=stale)
        cands |= found
        updated.update(more)
    return cands, updated, near_codes(known | updated, floor, n)


def find_candidates(c: Corpus, params: Params, done: set[str], stored_lists: dict[str, dict],
                    stored_codes: np.ndarray) -> CandidateStep:
    """Candidates for the measures not yet aligned (`done`: those aligned under this model), given
    the stored best-k lists per channel and the codes of the pairs already stored."""
    new_rows = [i for i, mid in enumerate(c.ids) if mid not in done]
    n = c.n
    cands: set[tuple[int, int]] = set()
    near: list[np.ndarray] = []
    lists: dict[str, dict[str, tuple[bytes, str]]] = {}
    for channel, M, floor in zip(CHANNELS, (c.V, c.H), (params.cos_floor, params.hash_floor)):
        found, updated, codes = channel_candidates(M, floor, stored_lists.get(channel, {}), c.pos, new_rows,
                                                   params.max_candidates)
        cands |= found
        if updated:
            lists[channel] = {c.ids[i]: (v.tobytes(), " ".join(c.ids[j] for j in w)) for i, (v, w) in updated.items()}
        near.append(codes)
    if c.Bn is not None and n > 1:
        # rare shared n-grams: recomputed over the whole corpus, a pair's rarity only falls as it grows
        cands |= rare_candidates(c.Bn, c.rarity, c.df, params.rare_floor)
    if n > 1:
        cands |= term_candidates(c.K, c.kdf, params.term_max_df)  # recomputed too, from the current measures
    codes = np.fromiter((i * n + j for i, j in cands), dtype=np.int64, count=len(cands))
    del cands
    codes.sort()  # the order of sorted (i, j) tuples
    codes = codes[~member(codes, np.sort(stored_codes))]
    fresh = np.column_stack([codes // max(1, n), codes % max(1, n)])
    left = sorted(m for m in done if m not in c.pos)
    return CandidateStep(new_rows, left, fresh, lists, near)


def aimed_targets(rows: list[dict], quantities: dict[str, list[dict]]) -> dict[str, list[tuple[str, str]]]:
    """Per measure: the (unit, object) of the quantities it aims at."""
    is_target = {m["id"] for m in rows if m["kind"] == "target"}
    targets: dict[str, list[tuple[str, str]]] = {}
    for m, qs in quantities.items():
        # 达到 sets a target in a target (到2027年…达到500亿元) but states a result in a report
        objs = [(q["unit"], q["object"]) for q in qs if q["object"] and (
            q["comparator"] in AIM_COMPARATORS or (q["comparator"] == "=" and m in is_target))]
        if objs:
            targets[m] = objs
    return targets


def own_names(terms: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A measure's key terms, less the names quoted inside one of its 《titles》: “大零号湾” in
    《…推进“大零号湾”…行动计划》 names the policy's subject, not a programme of the measure."""
    keys = [t for t in terms if t[1] in KEY_TERM_KINDS and len(t[2]) >= 2]
    titles = [t[0] for t in keys if t[1] == "title"]
    return [t for t in keys if not (t[1] == "quoted" and any(t[0] in title for title in titles))]


@dataclass
class NewPairs:
    """New candidate pairs as columns: rows a, b (a < b), the PAIR_COLUMNS, the key terms that
    matched by (a, b). Iterated, each is a Pair (what is stored), built as it is read: millions of
    pairs as tuples of strings and floats cost gigabytes."""
    ids: list[str]
    a: np.ndarray
    b: np.ndarray
    cos: np.ndarray
    hash_cos: np.ndarray
    term_sim: np.ndarray
    level_conflict: np.ndarray
    name_conflict: np.ndarray
    term_match: dict[tuple[int, int], str]

    def __len__(self) -> int:
        return len(self.a)

    def __iter__(self):
        for s in range(0, len(self.a), 65536):
            cols = (self.a, self.b, self.cos, self.hash_cos, self.term_sim, self.level_conflict, self.name_conflict)
            for i, j, c, h, t, lc, nc in zip(*(x[s:s + 65536].tolist() for x in cols)):
                yield Pair(self.ids[i], self.ids[j], c, h, t, self.term_match.get((i, j)), lc, nc)


def describe_pairs(c: Corpus, fresh, terms: dict[str, list[tuple[str, str, str]]],
                   quantities: dict[str, list[dict]]) -> NewPairs:
    """The new candidate pairs (rows i < j: an array of shape (m, 2) or (i, j) tuples) with the
    features that depend on the two measures alone."""
    fresh = np.asarray(fresh, dtype=np.int64).reshape(-1, 2)
    m = len(fresh)
    out = NewPairs(c.ids, fresh[:, 0].copy(), fresh[:, 1].copy(), *(np.zeros(m) for _ in range(5)), {})
    if not m:
        return out
    key_terms = {m: own_names(ts) for m, ts in terms.items()}
    levels = [stated_level(t) for t in c.texts]
    targets = aimed_targets(c.rows, quantities)
    for k, (i, j) in enumerate(zip(out.a.tolist(), out.b.tolist())):
        a, b = c.ids[i], c.ids[j]
        ta, tb = key_terms.get(a), key_terms.get(b)
        ts, tm = term_similarity(ta, tb) if ta and tb else (0.0, None)
        if tm:
            out.term_match[(i, j)] = tm
        out.term_sim[k] = ts
        out.name_conflict[k] = name_conflict(ta or [], tb or [], targets.get(a, ()), targets.get(b, ()))
        # + 0.0: a cosine of -0.0 is stored as 0.0 (the two zeros would print differently)
        out.cos[k] = round(float(c.V[i] @ c.V[j]), 5) + 0.0
        out.hash_cos[k] = round(float(c.H[i] @ c.H[j]), 5) + 0.0
        out.level_conflict[k] = levels_conflict(levels[i], levels[j])
    return out


@dataclass
class PairFeatures:
    ids: list[str]
    rows: list[dict]
    a: np.ndarray  # indices into ids
    b: np.ndarray
    X: np.ndarray  # one row of FEATURES per pair
    hash_cos: np.ndarray  # per pair: cosine of the hashing vectors (shown among a link's signals)
    term_match: dict[tuple[int, int], str]  # (a, b) -> the key terms that matched, where some did
    encoded: int
    new_measures: int
    new_pairs: int
    keys: np.ndarray | None = None  # per pair: its key (pair_keys), what its signals were computed under
    computed: np.ndarray | None = None  # positions of the pairs whose signals were computed (not cached)
    # the pairs read from the store (not new this run), and where their matched key terms are read:
    # stored_matches([(a id, b id)]) -> {(a id, b id): terms} for those that matched some. It reads
    # the store when links are written: the run holds the database's lock until then (cli: db_lock)
    from_store: np.ndarray | None = None
    stored_matches: Callable[[list[tuple[str, str]]], dict[tuple[str, str], str]] | None = None

    def matches(self, ks: list[int]) -> dict[int, str]:
        """The key terms matched by the pairs ks (positions), for those that matched some: new pairs'
        from term_match, stored ones' read through stored_matches."""
        out, ask = {}, []
        for k in ks:
            m = self.term_match.get((int(self.a[k]), int(self.b[k])))
            if m:
                out[k] = m
            elif self.from_store is not None and self.from_store[k]:
                ask.append(k)
        if ask and self.stored_matches is not None:
            ids = self.ids
            keys = [(ids[int(self.a[k])], ids[int(self.b[k])]) for k in ask]
            got = self.stored_matches(keys)
            out.update((k, got[key]) for k, key in zip(ask, keys) if key in got)
        return out


@dataclass
class FeatureCache:
    """Signals stored by pair (db.queries.load_pairs): pair codes (a * n + b, sorted), the
    key each row was computed under, and the rows of FEATURES."""
    codes: np.ndarray
    keys: np.ndarray
    X: np.ndarray

    @classmethod
    def empty(cls) -> FeatureCache:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros((0, len(FEATURES))))


PAIR_COLUMNS = ("cos", "hash_cos", "term_sim", "level_conflict", "name_conflict")


def pair_features(cands: Candidates, params: Params, bar=None, cache: FeatureCache | None = None,
                  stored_matches: Callable[[list[tuple[str, str]]], dict[tuple[str, str], str]] | None = None
                  ) -> PairFeatures:
    """Every stored pair of current measures and every new one, scored with current corpus statistics.

    A pair counts only while it passes a candidate floor on the current corpus (among the k nearest
    of one of its measures now, or sharing a rare n-gram), so the set does not depend on the order
    documents came in. A pair whose signals the cache holds under its current key (pair_keys) takes
    them from there; the others are computed (`computed`), with the same values. The key terms
    stored pairs matched are read through stored_matches when a link's signals are written.
    """
    c, stored, step, new = cands.corpus, cands.stored, cands.step, cands.new_pairs
    n = c.n
    A = np.concatenate([np.frombuffer(stored["a"], dtype=np.int64), new.a])
    B = np.concatenate([np.frombuffer(stored["b"], dtype=np.int64), new.b])
    cos, hcos, term, conflict, names = (
        np.concatenate([np.frombuffer(stored[k], dtype=np.float64), getattr(new, k)])
        for k in PAIR_COLUMNS)
    order = np.argsort(A * n + B, kind="stable")  # canonical: by measure ids
    A, B, cos, hcos, term, conflict, names = (x[order] for x in (A, B, cos, hcos, term, conflict, names))
    X = np.zeros((0, len(FEATURES)))
    keys = pair_keys(measure_keys(c, feature_salt(params, n)), A, B)
    computed = np.zeros(0, dtype=np.int64)
    if len(A):
        cached = _cached_rows(cache or FeatureCache.empty(), A * n + B, keys)
        with (bar or _no_bar)("scoring", 3 * int((cached < 0).sum())) as progress:
            X, A, B, hcos, keys, computed = _scored(c, params, step, A, B, cos, hcos, term, conflict, names,
                                                    keys, cached, cache, progress)
    from_store = ~member(A * n + B, np.sort(new.a * n + new.b))
    return PairFeatures(c.ids, c.rows, A, B, X, hcos, dict(new.term_match), cands.encoded, len(step.new_rows),
                        len(new), keys, computed, from_store, stored_matches)


def _cached_rows(cache: FeatureCache, codes: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Per pair, the row of the cache holding its signals under its key, else -1."""
    at, found = locate(codes, cache.codes)
    ok = found.copy()
    ok[found] &= cache.keys[at[found]] == keys[found]
    return np.where(ok, at, -1)


def _no_bar(label: str, length: int):
    import contextlib

    return contextlib.nullcontext(None)


_RARE = FEATURES.index("rare")


def _scored(c: Corpus, params: Params, step: CandidateStep, A, B, cos, hcos, term, conflict, names, keys, cached,
            cache, progress):
    """The features of the pairs that pass a candidate floor on the current corpus, with those pairs,
    their keys and the positions of those computed (the others come from the cache's rows `cached`)."""
    n = c.n
    fresh = np.flatnonzero(cached < 0)
    rare = np.empty(len(A))
    rare[cached >= 0] = cache.X[cached[cached >= 0], _RARE]
    rare[fresh] = np.round(pair_rarity(c.Bn, c.rarity, A[fresh], B[fresh], progress), 5)
    codes = A * n + B
    keep = (member(codes, step.near[0]) | member(codes, step.near[1])
            | (rare >= params.rare_floor - 1e-6) | share_term(c.K, c.kdf, params.term_max_df, A, B))
    idx = np.flatnonzero(keep)
    A, B, cos, hcos, term, conflict, names, rare, keys, cached = (
        x[idx] for x in (A, B, cos, hcos, term, conflict, names, rare, keys, cached))
    X = np.empty((len(A), len(FEATURES)))  # filled in place: no stacked copies of millions of rows
    hit = np.flatnonzero(cached >= 0)
    X[hit] = cache.X[cached[hit]]
    todo = np.flatnonzero(cached < 0)
    if progress:
        progress(2 * (len(fresh) - len(todo)))
    a, b = A[todo], B[todo]
    tf = np.round(pair_tfidf(c.T, a, b, progress), 5)
    same = (c.documents[a] == c.documents[b]).astype(float)
    X[todo, :len(PAIR_FEATURES)] = features(cos[todo], tf, rare[todo], term[todo], conflict[todo], names[todo], same)
    doc_sim = len(PAIR_FEATURES) + CONTEXT_FEATURES.index("doc_sim")
    X[todo, len(PAIR_FEATURES):] = context_features(c, a, b, progress, (A[hit], B[hit], X[hit, doc_sim]))
    return X, A, B, hcos, keys, todo


@dataclass
class Links:
    """The pairs passing the link threshold; a row (with its signals) is built only when stored."""
    pf: PairFeatures
    P: np.ndarray
    idx: np.ndarray  # indices into pf's pairs
    method: str
    run_id: str

    def __len__(self) -> int:
        return len(self.idx)

    def changes(self, stored, signals_of=None, chunk: int = 50000,
                recheck: np.ndarray | None = None) -> tuple[list[tuple[str, str]], np.ndarray]:
        """Against the stored links (rows of measure_id, measure_id2, score, method, read in chunks):
        the keys to delete, and the links to write (new, or with another score, method or signals)
        as indices into pf's pairs, in the order they are written (`rows` builds them then).

        signals_of(keys): the stored signals (JSON) of links whose score and method did not change,
        by key: a score saturated near 1 can stay while its signals (tfidf, rare…) move.
        recheck: positions of the pairs whose signals were computed this run; only their links'
        signals are compared (None: every link's). A pair whose signals came from the store has the
        signals its stored link was written with (stages.cluster writes both in one transaction)."""
        ids, n = self.pf.ids, len(self.pf.ids)
        pos = {mid: i for i, mid in enumerate(ids)}
        codes = self.pf.a[self.idx] * n + self.pf.b[self.idx]
        order = np.argsort(codes)
        codes, scores = codes[order], self.P[self.idx][order]
        kept = np.zeros(len(codes), dtype=bool)
        gone: list[tuple[str, str]] = []
        same_at: list[np.ndarray] = []  # positions into codes of links whose score and method stayed
        rows_of = iter(stored)
        while rows := _take(rows_of, chunk):
            i = np.fromiter((pos.get(r[0], -1) for r in rows), dtype=np.int64, count=len(rows))
            j = np.fromiter((pos.get(r[1], -1) for r in rows), dtype=np.int64, count=len(rows))
            k, found = locate(np.where((i >= 0) & (j >= 0), i * n + j, -1), codes)  # codes are >= 0
            same = found.copy()
            if same.any():
                same &= np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows)) == scores[k]
                same &= np.fromiter((r[3] == self.method for r in rows), dtype=bool, count=len(rows))
            kept[k[same]] = True
            same_at.append(k[same])
            gone.extend((rows[x][0], rows[x][1]) for x in np.flatnonzero(~found))
        written = [order[np.flatnonzero(~kept)]]
        if signals_of is not None and recheck is not None:
            computed = np.zeros(len(self.pf.a), dtype=bool)
            computed[recheck] = True
            # positions into codes whose pair was computed: codes[x] is the link self.idx[order[x]]
            same_at = [at[computed[self.idx[order[at]]]] for at in same_at]
        if signals_of is not None:
            for at in (at for at in same_at if len(at)):
                keys = [(ids[c // n], ids[c % n]) for c in codes[at].tolist()]
                stored_signals = signals_of(keys)
                mine = self.signals_of(self.idx[order[at]])
                moved = [x for x, key, s in zip(order[at].tolist(), keys, mine) if stored_signals.get(key) != s]
                written.append(np.asarray(moved, dtype=np.int64))
        return gone, self.idx[np.concatenate(written)]

    def rows(self, ks: np.ndarray, chunk: int = 10000):
        """The rows (LINK_COLUMNS) of the pairs ks, built a chunk at a time as they are written."""
        pf = self.pf
        for s in range(0, len(ks), chunk):
            part = ks[s:s + chunk]
            for a, b, score, signals in zip(pf.a[part].tolist(), pf.b[part].tolist(), self.P[part].tolist(),
                                            self.signals_of(part)):
                yield (pf.ids[a], pf.ids[b], score, signals, self.method, self.run_id)

    def signals_of(self, ks: np.ndarray) -> list[str]:
        """The signals of the pairs ks as `signals` writes them, formatted a chunk at a time: json.dumps
        writes a float as its repr and an int as its digits, and so does this (what is not finite,
        or holds a term match, goes through json.dumps)."""
        pf = self.pf
        X = pf.X[ks]
        matches = pf.matches(ks.tolist())
        if not (np.isfinite(X).all() and np.isfinite(pf.hash_cos[ks]).all()):
            return [self.signals(k, matches.get(k)) for k in ks.tolist()]
        cols = [(X[:, n] + 0.0).tolist() if f != "same_doc" else X[:, n].astype(np.int64).tolist()
                for n, f in enumerate(FEATURES) if f != "cos_x_tfidf"]  # + 0.0: no -0.0
        cols.append((pf.hash_cos[ks] + 0.0).tolist())
        out = [_SIGNALS % values for values in zip(*cols)]
        for x, k in enumerate(ks.tolist()):
            if k in matches:
                out[x] = self.signals(k, matches[k])
        return out

    def signals(self, k: int, match: str | None | bool = False) -> str:
        """The signals of pair k, as stored (JSON); match: its matched key terms when already known."""
        pf = self.pf
        sig = {f: float(pf.X[k, n]) + 0.0 for n, f in enumerate(FEATURES) if f != "cos_x_tfidf"}  # no -0.0
        sig["same_doc"] = int(sig["same_doc"])
        sig["hash_cos"] = float(pf.hash_cos[k]) + 0.0
        if match is False:
            match = pf.matches([k]).get(k)
        if match:
            sig["term_match"] = match
        return json.dumps(sig, ensure_ascii=False)

    def row(self, k: int) -> dict:
        return dict(zip(LINK_COLUMNS, next(self.rows(np.array([k], dtype=np.int64)))))


LINK_COLUMNS = ("measure_id", "measure_id2", "score", "signals", "method", "run_id")
# a link's signals without a term match, as json.dumps writes them (floats as repr, same_doc an int)
_SIGNALS = "{" + ", ".join(f'"{f}": %r' for f in FEATURES if f != "cos_x_tfidf") + ', "hash_cos": %r}'


def _take(it, n: int) -> list:
    """The next n items of an iterator (fewer at its end)."""
    import itertools

    return list(itertools.islice(it, n))


def link(pf: PairFeatures, params: Params, model: str, run_id: str) -> tuple[Links, AlignResult]:
    """Scores of all candidate pairs; the links are those passing the link threshold."""
    P = np.round(combine(params, pf.X), 6) if len(pf.X) else np.zeros(0)
    # pairs scoring under SCORE_FLOOR weigh nothing in a mean of 0.6: clustering leaves them out
    keep = np.flatnonzero(P >= SCORE_FLOOR)
    scores = PairScores(pf.a[keep], pf.b[keep], P[keep])
    links = Links(pf, P, np.flatnonzero(P >= params.link_threshold), "logistic:" + model, run_id)
    result = AlignResult(model, len(pf.ids), pf.encoded, pf.new_measures, pf.new_pairs, len(pf.a),
                         len(links), 0, pf.ids, scores, pf.rows)
    result.touched["pairs computed"] = len(pf.computed) if pf.computed is not None else len(pf.a)
    return links, result
