#!/usr/bin/env python3
"""Benchmark compare at growing corpus sizes and print a table of figures (not a pass/fail test).

    python bench/run.py               # N = 10, 100, 1000
    python bench/run.py --full        # and 10,000
    python bench/run.py --sizes 10 100 --check-batch
    python bench/run.py --style recombined   # the earlier generator, for the earlier figures

Each size runs in its own process (so peak RSS is that size's): a generated corpus
(bench/generate.py) is read and segmented, embedded by the default encoder, aligned, then one
more document is added through the real CLI (its stage times and the rows each stage touched
are printed under the table), and a no-op re-run is timed. The naive baseline
(sentence-transformers community_detection over the same vectors, all pairs) is timed beside
it while the corpus fits. Links per measure and threads per 1,000 measures are printed beside
those of the real corpora (seeds and dev2 aligned together), to see how far the generated corpus
is from real. `--check-batch` also aligns the N + 1 documents from nothing and compares links,
threads, members and statuses row for row with the database the one document was added to.
The machine's state (`vmstat 1 5`: load, steal time) is printed before each size.
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


def derived_state(db_path: str) -> dict:
    """Links, threads (by their members), members and statuses of a database, run ids left out."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        members: dict[str, list] = {}
        for tid, mid, role, score in conn.execute("SELECT thread_id, measure_id, role, score FROM thread_members"):
            members.setdefault(tid, []).append((mid, role, score))
        key = {tid: tuple(sorted(m for m, _, _ in ms)) for tid, ms in members.items()}
        return {
            "links": conn.execute("SELECT measure_id, measure_id2, score, signals, method FROM links "
                                  "ORDER BY 1, 2").fetchall(),
            "threads": sorted((key[r[0]], *r[1:]) for r in conn.execute(
                "SELECT id, label, size, documents, regions, levels, first_date, last_date, dates_approximate, "
                "method FROM threads")),
            "members": sorted((key[t], *m) for t, ms in members.items() for m in ms),
            "statuses": conn.execute("SELECT measure_id, status, rule, reason, evidence_measure_ids, deadline, "
                                     "as_of FROM statuses ORDER BY 1").fetchall(),
        }
    finally:
        conn.close()


def machine_state() -> str:
    """One line from `vmstat 1 5`: mean user, system, idle, steal %, and the load average."""
    try:
        out = subprocess.run(["vmstat", "1", "5"], capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "vmstat not available"
    head = out[1].split()
    rows = [dict(zip(head, map(int, ln.split()))) for ln in out[3:]]  # the first sample is since boot
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("us", "sy", "id", "st", "r")}
    return (f"vmstat: us {mean['us']:.0f} % sy {mean['sy']:.0f} % id {mean['id']:.0f} % st {mean['st']:.0f} %, "
            f"{mean['r']:.1f} runnable; load average {os.getloadavg()[0]:.2f}")


def real_figures() -> dict | None:
    """Links per measure and threads per 1,000 measures of the seeds and dev2 aligned together."""
    from bench.generate import default_source

    sources = default_source()
    if len(sources) < 2:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "real.db")
        subprocess.run([sys.executable, "-m", "compare", "align", "--silent", "-d", db, *map(str, sources)],
                       check=True, cwd=ROOT)
        return counts(db)


def counts(db_path: str) -> dict:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        measures = conn.execute("SELECT count(*) FROM measures m JOIN documents d ON d.id = m.document_id "
                                "WHERE d.is_current = 1 AND m.kind != 'other'").fetchone()[0]
        links = conn.execute("SELECT count(*) FROM links").fetchone()[0]
        threads = conn.execute("SELECT count(*) FROM threads").fetchone()[0]
    finally:
        conn.close()
    return {"aligned": measures, "links_per_measure": links / max(1, measures),
            "threads_per_1000": 1000 * threads / max(1, measures)}


def one(n: int, seed: int, style: str = "paraphrase", check_batch: bool = False) -> dict:
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
        source = default_source()[:1] if style == "recombined" else default_source()  # the earlier: seeds only
        paths = generate(n + 1, corpus, source, seed, style)
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

        out.update(counts(db_path))
        compare = [sys.executable, "-m", "compare", "align", "--as-of", "2026-11-30", "-d", db_path]
        t = time.perf_counter()
        said = subprocess.run(compare + [str(extra)], check=True, cwd=ROOT, capture_output=True, text=True).stderr
        out["add_one_s"] = time.perf_counter() - t
        out["add_one_stages"] = [ln.strip() for ln in said.splitlines() if ln.startswith("  ")]
        t = time.perf_counter()
        # nothing new, and no --as-of (which re-judges every status, as it should)
        subprocess.run([*compare[:4], *compare[6:], "--silent", str(corpus), str(extra)], check=True, cwd=ROOT)
        out["noop_s"] = time.perf_counter() - t
        out["db_mb"] = sum(os.path.getsize(p) for p in tmp.glob("bench.db*")) / 1e6
        if check_batch:
            batch = str(tmp / "batch.db")
            subprocess.run([*compare[:-2], "--silent", "-d", batch, str(corpus), str(extra)], check=True, cwd=ROOT)
            got, want = derived_state(db_path), derived_state(batch)
            out["batch_equal"] = {k: got[k] == want[k] for k in want}

        try:
            import torch
            from sentence_transformers.util import community_detection
        except ImportError:  # the naive baseline needs the sentence-transformers extra
            community_detection = None
        if community_detection is not None and len(ms) <= NAIVE_MAX_MEASURES:
            t = time.perf_counter()
            community_detection(torch.from_numpy(V), threshold=0.65, min_community_size=2, batch_size=1024)
            out["naive_s"] = time.perf_counter() - t
    usage_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out["peak_rss_mb"] = max(usage_self, usage_children) / 1024
    return out


def table(rows: list[dict]) -> str:
    head = ("| N docs | measures | read+segment docs/s | embedded | embed measures/s | align s | naive s (ratio) "
            "| add one doc s | no-op s | peak RSS MB | DB MB | links / measure | threads / 1,000 measures |")
    lines = [head, "|" + "---|" * head.count("|")[:-1] if False else "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        naive = f"{r['naive_s']:.1f} ({r['naive_s'] / r['align_s']:.2f}x)" if "naive_s" in r else "not run"
        lines.append(f"| {r['n']:,} | {r['measures']:,} | {r['read_docs_per_s']:.1f} | {r['embedded']:,} | "
                     f"{r['embed_per_s']:.0f} | {r['align_s']:.1f} | {naive} | {r['add_one_s']:.1f} | "
                     f"{r['noop_s']:.2f} | {r['peak_rss_mb']:.0f} | {r['db_mb']:.0f} | "
                     f"{r['links_per_measure']:.1f} | {r['threads_per_1000']:.0f} |")
    return "\n".join(lines)


def details(r: dict) -> str:
    """What the table leaves out: the stages of adding one document, the batch comparison."""
    out = [f"N = {r['n']:,}: adding one document, stage by stage:"] + [f"    {s}" for s in r["add_one_stages"]]
    if "batch_equal" in r:
        same = all(r["batch_equal"].values())
        out.append(f"    incremental equals batch: {'yes' if same else 'NO'} ("
                   + ", ".join(f"{k} {'equal' if v else 'DIFFER'}" for k, v in r["batch_equal"].items()) + ")")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--full", action="store_true", help="also N = 10,000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--style", choices=("paraphrase", "recombined"), default="paraphrase",
                    help="how the corpus is generated (bench/generate.py)")
    ap.add_argument("--check-batch", action="store_true",
                    help="also align the N + 1 documents from nothing and compare with the incremental result")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one is not None:
        print(json.dumps(one(a.one, a.seed, a.style, a.check_batch)))
        return
    sizes = a.sizes or ([10, 100, 1000] + ([10000] if a.full else []))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    real = real_figures()
    if real:
        print(f"real corpora (seeds and dev2 aligned together): {real['aligned']:,} measures, "
              f"{real['links_per_measure']:.1f} links per measure, {real['threads_per_1000']:.0f} threads per "
              "1,000 measures", flush=True)
    rows = []
    for n in sizes:
        print(f"N = {n:,}, {a.style} corpus; {machine_state()}", flush=True)
        cmd = [sys.executable, str(Path(__file__)), "--one", str(n), "--seed", str(a.seed), "--style", a.style]
        p = subprocess.run(cmd + (["--check-batch"] if a.check_batch else []), capture_output=True, text=True,
                           cwd=ROOT)
        if p.returncode != 0:
            print(f"N={n} failed:\n{p.stderr[-2000:]}")
            break
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
        print(details(rows[-1]), flush=True)
    print()
    print(table(rows))
    print(f"after: {machine_state()}")


if __name__ == "__main__":
    main()
