#!/usr/bin/env python3
"""Benchmark compare at growing corpus sizes and print a table of figures (not a pass/fail test).

    python bench/run.py               # N = 10, 100, 1000
    python bench/run.py --full        # and 10,000
    python bench/run.py --sizes 10 100

Each size runs in its own process (so peak RSS is that size's): a generated corpus
(bench/generate.py) is read and segmented, embedded by the default encoder, aligned, then one
more document is added through the real CLI, and a no-op re-run is timed. The naive baseline
(sentence-transformers community_detection over the same vectors, all pairs) is timed beside
it while the corpus fits.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NAIVE_MAX_MEASURES = 40000


def one(n: int, seed: int) -> dict:
    from bench.generate import default_source, generate
    from compare.align import load_params
    from compare.encoders import get_encoder
    from compare.pipeline import parse_file
    from compare.stages import align_corpus, ingest
    from compare.stages import vectors as ensure_vectors
    from db import open_db, queries

    out: dict = {"n": n}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "corpus"
        paths = generate(n + 1, corpus, default_source(), seed)
        extra = tmp / "extra"
        extra.mkdir()
        paths[-1].rename(extra / paths[-1].name)
        files = sorted(corpus.iterdir())

        t = time.perf_counter()
        measures = sum(len(parse_file(str(f)).measures) for f in files)
        out["read_docs_per_s"] = n / (time.perf_counter() - t)
        out["measures"] = measures

        db_path = str(tmp / "bench.db")
        db = open_db(db_path)
        t = time.perf_counter()
        ingest(db, [corpus])
        out["ingest_s"] = time.perf_counter() - t

        t = time.perf_counter()
        encoder = get_encoder()
        encoder._load()
        out["model_load_s"] = time.perf_counter() - t
        ms = queries.alignable_measures(db)
        t = time.perf_counter()
        V, encoded = ensure_vectors(db, encoder, [m["text_hash"] for m in ms], [m["analysis_text"] for m in ms])
        dt = time.perf_counter() - t
        out["embedded"] = encoded
        out["embed_per_s"] = encoded / dt if dt else 0.0

        t = time.perf_counter()
        result = align_corpus(db, encoder, load_params(), "bench")
        out["align_s"] = time.perf_counter() - t
        out["links"], out["threads"] = result.links, result.threads
        db.conn.close()

        compare = [sys.executable, "-m", "compare", "align", "--silent", "-d", db_path]
        t = time.perf_counter()
        subprocess.run(compare + [str(extra)], check=True, cwd=ROOT)
        out["add_one_s"] = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run(compare + [str(corpus), str(extra)], check=True, cwd=ROOT)
        out["noop_s"] = time.perf_counter() - t
        out["db_mb"] = sum(os.path.getsize(p) for p in tmp.glob("bench.db*")) / 1e6

        if len(ms) <= NAIVE_MAX_MEASURES:
            import torch
            from sentence_transformers.util import community_detection

            t = time.perf_counter()
            community_detection(torch.from_numpy(V), threshold=0.65, min_community_size=2, batch_size=1024)
            out["naive_s"] = time.perf_counter() - t
    usage_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out["peak_rss_mb"] = max(usage_self, usage_children) / 1024
    return out


def table(rows: list[dict]) -> str:
    head = ("| N docs | measures | read+segment docs/s | embedded | embed measures/s | align s | naive s (ratio) "
            "| add one doc s | no-op s | peak RSS MB | DB MB |")
    lines = [head, "|" + "---|" * head.count("|")[:-1] if False else "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        naive = f"{r['naive_s']:.1f} ({r['naive_s'] / r['align_s']:.2f}x)" if "naive_s" in r else "did not fit"
        lines.append(f"| {r['n']:,} | {r['measures']:,} | {r['read_docs_per_s']:.1f} | {r['embedded']:,} | "
                     f"{r['embed_per_s']:.0f} | {r['align_s']:.1f} | {naive} | {r['add_one_s']:.1f} | "
                     f"{r['noop_s']:.2f} | {r['peak_rss_mb']:.0f} | {r['db_mb']:.0f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--full", action="store_true", help="also N = 10,000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one is not None:
        print(json.dumps(one(a.one, a.seed)))
        return
    sizes = a.sizes or ([10, 100, 1000] + ([10000] if a.full else []))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    rows = []
    for n in sizes:
        p = subprocess.run([sys.executable, str(Path(__file__)), "--one", str(n), "--seed", str(a.seed)],
                           capture_output=True, text=True, cwd=ROOT)
        if p.returncode != 0:
            print(f"N={n} failed:\n{p.stderr[-2000:]}")
            break
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
