#!/usr/bin/env python3
"""How much of an aligned corpus would one more document touch? Prints, for a few of its documents
taken as the one added last, the measures of other documents whose `rare` or `word` statistics it
changes (the only corpus counts a pair's signals use past align.REFERENCE_SIZE measures:
docs/alignment.md, "Statistics one document leaves alone"), as a count and a share.

    python bench/touched.py DB [--docs 5] [--seed 1]

DB: a database `compare align` wrote (bench/run.py leaves one per size under its work folder).
No alignment is run: the counts are recomputed from the measures' texts.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compare import align as al  # noqa: E402
from compare.params import load_params  # noqa: E402
from compare.words import word_matrix  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("--docs", type=int, default=5, help="documents taken in turn as the one added last")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    params = load_params()
    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute(
        "SELECT m.id, m.document_id, m.text, m.analysis_text FROM measures m JOIN documents d ON d.id = m.document_id "
        "WHERE d.is_current = 1 AND m.kind != 'other' ORDER BY m.id")]
    texts = [al.measure_text(m) for m in rows]
    doc = np.array([m["document_id"] for m in rows])
    t = time.perf_counter()
    C, terms = al.char_ngram_counts(texts)
    C.data[:] = 1
    keep = np.flatnonzero(np.array(["|" not in g for g in terms], dtype=bool))
    C = C[:, keep].tocsc()
    W, _ = word_matrix(texts)
    W = W.tocsc()
    n = len(texts)
    print(f"{n:,} measures, {len(set(doc)):,} documents; n-grams and words counted in {time.perf_counter() - t:.1f} s")
    if n - 200 < al.REFERENCE_SIZE:
        print(f"note: under {al.REFERENCE_SIZE:,} measures every statistic counts against the corpus's size: "
              "one more document touches every measure")
    word_cap = al.word_cap(params.word_max_df, n)
    full_c, full_w = (np.asarray(M.sum(axis=0)).ravel() for M in (C, W))
    rng = np.random.default_rng(args.seed)
    shares = []
    for d in rng.choice(sorted(set(doc)), min(args.docs, len(set(doc))), replace=False):
        inside = doc == d
        touched = np.zeros(n, dtype=bool)
        moved = {}
        for name, M, full, cap in (("n-grams", C, full_c, params.rare_max_df), ("words", W, full_w, word_cap)):
            mine = np.asarray(M[np.flatnonzero(inside)].sum(axis=0)).ravel()
            before = full - mine
            # a count that changed and that a signal reads: at or under the cap before or after
            cols = np.flatnonzero((mine > 0) & (before > 0) & (np.minimum(before, full) <= cap))
            moved[name] = len(cols)
            touched |= np.asarray(M[:, cols].sum(axis=1)).ravel() > 0
        touched &= ~inside
        shares.append(touched.mean())
        print(f"document {d[:12]} ({inside.sum()} measures): {moved['n-grams']:,} n-grams and {moved['words']:,} "
              f"words change count under their caps; {touched.sum():,} measures of other documents touched "
              f"({touched.mean():.2%})")
    print(f"mean share touched: {np.mean(shares):.2%} (with the corpus's own idf, before: 100 %)")


if __name__ == "__main__":
    main()
