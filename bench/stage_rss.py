#!/usr/bin/env python3
"""Where an alignment's memory goes: align a copy of a database whose vectors are cached, in this
process, sampling RSS every 50 ms, and print each wrapped step's time and its RSS before, at its
peak and after (nested steps indented), then each stage as `compare align` names it.

    python bench/stage_rss.py vectors.db work.db            # align from cached vectors
    python bench/stage_rss.py aligned.db work.db extra/     # add the files of extra/ first

The first database is copied to the second (which is overwritten). A database with cached vectors
and nothing aligned: ingest a corpus and call compare.stages.vectors for both encoders (the default
one and HashingEncoder), as bench/run.py does before timing "align s".
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE = os.sysconf("SC_PAGE_SIZE")
STEPS = {
    "compare.align": ("find_candidates", "channel_candidates", "rare_candidates", "term_candidates", "describe_pairs",
                      "ngram_stats", "_scored", "pair_rarity", "pair_tfidf", "context_features"),
    "compare.stages": ("candidates", "pair_features", "link", "cluster", "judge", "vectors"),
    "compare.threads": ("average_linkage", "neighbours", "build_threads"),
    "db.queries": ("store_candidates", "load_pairs", "replace_alignment", "replace_statuses"),
}
open_steps: list[list] = []  # [name, peak] of the steps running now
peak = [0]


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def sample() -> None:
    while True:
        r = rss()
        peak[0] = max(peak[0], r)
        for step in list(open_steps):
            step[1] = max(step[1], r)
        time.sleep(0.05)


def wrap(module, name: str) -> None:
    fn = getattr(module, name)

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        before, t = rss(), time.perf_counter()
        step = [name, before]
        open_steps.append(step)
        try:
            return fn(*args, **kwargs)
        finally:
            open_steps.remove(step)
            after = rss()
            print(f"{'  ' * len(open_steps)}{name}: {time.perf_counter() - t:.1f} s, RSS {before / 1e6:,.0f} → "
                  f"peak {max(step[1], after) / 1e6:,.0f} → {after / 1e6:,.0f} MB", flush=True)

    setattr(module, name, timed)


def main() -> None:
    import importlib

    from compare import stages
    from compare.encoders import get_encoder
    from db import open_db

    for module, names in STEPS.items():
        for name in names:
            wrap(importlib.import_module(module), name)
    threading.Thread(target=sample, daemon=True).start()
    source, work, *extra = sys.argv[1:]
    shutil.copy(source, work)
    db = open_db(work)
    if extra:
        stages.ingest(db, extra)
    t = time.perf_counter()
    stages.align_corpus(db, get_encoder(), stages.load_params(), "stage-rss", as_of=dt.date(2026, 11, 30),
                        on_stage=lambda s, secs: print(f"STAGE {s}: {secs:.1f} s (RSS peak so far "
                                                       f"{peak[0] / 1e6:,.0f} MB)", flush=True))
    print(f"aligned in {time.perf_counter() - t:.1f} s, RSS peak {peak[0] / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
