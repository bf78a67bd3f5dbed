#!/usr/bin/env python3
"""compare's alignment beside the naive baseline, on the same corpus, encoder and gold, in one run.

    python scripts/baseline.py [--corpus ../shared/corpus/seeds] [--gold ../shared/gold/seeds.yml]

Naive baseline: sentence-transformers' util.community_detection over the same sentence
vectors, its threshold tuned on the gold itself (the best it can do, in-sample). compare:
`compare align` with the shipped weights (compare/alignment.json). What each signal
contributes, on held-out documents: `python scripts/fit_alignment.py --ablation`.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compare import align as al  # noqa: E402
from compare import stages  # noqa: E402
from compare.encoders import get_encoder  # noqa: E402
from compare.evaluation import load_gold, pairwise_f1  # noqa: E402
from compare.stages import ingest  # noqa: E402
from db import open_db, queries  # noqa: E402


def naive(vectors: np.ndarray, ids: list[str], gold) -> tuple[float, dict]:
    import torch
    from sentence_transformers.util import community_detection

    emb = torch.from_numpy(vectors)
    best = None
    for t in np.arange(0.30, 0.96, 0.01):
        comms = community_detection(emb, threshold=float(t), min_community_size=2, batch_size=1024)
        r = pairwise_f1(gold, [[ids[i] for i in c] for c in comms])
        if best is None or r["f1"] > best[1]["f1"]:
            best = (round(float(t), 2), r)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "seeds"))
    ap.add_argument("--gold", default=str(ROOT.parent / "shared" / "gold" / "seeds.yml"))
    ap.add_argument("--model", default=None)
    args = ap.parse_args()

    gold_data = yaml.safe_load(open(args.gold, encoding="utf-8"))
    encoder = get_encoder(args.model)
    params = al.load_params()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(os.path.join(tmp, "b.db"))
        ingest(db, [args.corpus])
        t0 = time.perf_counter()
        stages.align_corpus(db, encoder, params, "baseline")
        t_align = time.perf_counter() - t0
        gold = load_gold(gold_data, queries.list_measures(db), queries.list_documents(db))
        ours = pairwise_f1(gold, [t["measure_ids"] for t in queries.list_threads(db)])
        ms = queries.alignable_measures(db)
        ids = [m["id"] for m in ms]
        V, _ = stages.vectors(db, encoder, [m["text_hash"] for m in ms],
                                 [m["analysis_text"] or m["text"] for m in ms])
        t_naive, base = naive(V, ids, gold)

    print(f"corpus {args.corpus}  encoder {encoder.name}  measures {len(ids)}")
    print(f"{'method':<58} {'P':>6} {'R':>6} {'F1':>6} {'must-not-link':>14}")
    print(f"{'naive: community_detection, threshold ' + str(t_naive) + ' tuned on gold':<58} "
          f"{base['precision']:6.3f} {base['recall']:6.3f} {base['f1']:6.3f} {base['violations']:>14}")
    print(f"{'compare align (shipped weights)':<58} {ours['precision']:6.3f} {ours['recall']:6.3f} "
          f"{ours['f1']:6.3f} {ours['violations']:>14}")
    print(f"alignment time from cached vectors: {t_align:.2f} s")


if __name__ == "__main__":
    main()
