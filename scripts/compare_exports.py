#!/usr/bin/env python3
"""Are two `compare export` files the same, run ids and times aside? For refactors that must not
change behaviour.

    python scripts/compare_exports.py before.json after.json

Prints each difference (section, key, field) and exits 1 when there is one. Fields that name a
run or a time (run_id, added_at, as_of's clock part is a date and stays) are left out.
"""
from __future__ import annotations

import argparse
import json
import sys

IGNORED = {"run_id", "added_at", "created_run"}
KEYS = {"documents": ("id",), "measures": ("id",), "threads": ("id",), "links": ("measure_id", "measure_id2"),
        "statuses": ("measure_id",)}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, float):
        return round(value, 9)
    return value


def differences(a: dict, b: dict, limit: int = 50) -> list[str]:
    out = []
    for section in sorted(set(a) | set(b)):
        key = KEYS.get(section, ("id",))
        rows_a = {tuple(r.get(k) for k in key): _strip(r) for r in a.get(section, [])}
        rows_b = {tuple(r.get(k) for k in key): _strip(r) for r in b.get(section, [])}
        for k in sorted(set(rows_a) - set(rows_b), key=str):
            out.append(f"{section} {k}: only in the first")
        for k in sorted(set(rows_b) - set(rows_a), key=str):
            out.append(f"{section} {k}: only in the second")
        for k in sorted(set(rows_a) & set(rows_b), key=str):
            ra, rb = rows_a[k], rows_b[k]
            for field in sorted(set(ra) | set(rb)):
                if ra.get(field) != rb.get(field):
                    out.append(f"{section} {k} {field}: {str(ra.get(field))[:80]!r} != {str(rb.get(field))[:80]!r}")
        if len(out) >= limit:
            break
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("first")
    p.add_argument("second")
    args = p.parse_args(argv)
    with open(args.first, encoding="utf-8") as f:
        a = json.load(f)
    with open(args.second, encoding="utf-8") as f:
        b = json.load(f)
    diffs = differences(a, b)
    for d in diffs:
        print(d)
    counts = ", ".join(f"{s} {len(a.get(s, []))}" for s in KEYS)
    print(f"{'identical' if not diffs else f'{len(diffs)}+ differences'} ({counts})")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
