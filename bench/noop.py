#!/usr/bin/env python3
"""What a re-run with nothing new costs at N documents, where aligning N is out of reach.

    python bench/noop.py 10000 [--dir /tmp/noop10000] [--runs 3]

A no-op `compare align` reads every file given (to find those it has not stored), then asks the
store whether the alignment is current and whether the statuses were judged from the current
documents; it reads no pair, link, thread or status. So its cost at N documents is measured on a
database of N documents really read and stored (bench/generate.py, paraphrase corpus), whose
alignment state is then written as a complete alignment of those documents would leave it: the
same fingerprint and documents digest, computed by the same functions (db.queries). Aligning
10,000 documents from nothing takes hours on two cores (docs/performance.md, cost model), which
is why this script exists; bench/run.py measures the no-op of really aligned corpora up to 2,000.

Prints the machine's state, the database's size and the wall time of each real CLI run.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(n: int, folder: Path) -> Path:
    """N generated documents under folder/corpus, read and stored in folder/noop.db (once)."""
    from bench.generate import default_source, generate
    from compare.stages import ingest
    from db import open_db

    corpus, db_path = folder / "corpus", folder / "noop.db"
    if not db_path.exists():
        t = time.perf_counter()
        generate(n, corpus, default_source(), 1, "paraphrase")
        print(f"generated {n:,} documents: {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        report = ingest(open_db(str(db_path)), [corpus])
        print(f"read and stored: {time.perf_counter() - t:.1f} s ({len(report.added):,} added)", flush=True)
    return db_path


def mark_aligned(db_path: Path) -> None:
    """The alignment state a complete alignment of the stored documents would write."""
    from compare.encoders import model_name
    from compare.stages import load_params
    from db import open_db, queries

    db = open_db(str(db_path))
    # as the judge stage writes it, with no statuses (none are stored: nothing was aligned)
    queries.replace_statuses(db, [], {"model": model_name(None), "run_id": "bench",
                                      "fingerprint": queries.alignment_fingerprint(db, load_params().digest)},
                             queries.documents_digest(db))
    db.conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    folder = a.dir or Path(f"/tmp/noop{a.n}")
    folder.mkdir(parents=True, exist_ok=True)
    from bench.run import machine_state

    db_path = prepare(a.n, folder)
    mark_aligned(db_path)
    print(f"database: {db_path.stat().st_size / 1e6:,.0f} MB; {machine_state()}", flush=True)
    for _ in range(a.runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "compare", "align", "--silent", "-d", str(db_path),
                        str(folder / "corpus")], check=True, cwd=ROOT)
        print(f"no-op: {time.perf_counter() - t:.2f} s", flush=True)


if __name__ == "__main__":
    main()
