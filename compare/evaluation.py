"""Reference annotations (gold YAML) and the pairwise thread F1 used to fit and to compare.

The gold names documents by file name and mentions by short quotes; a quote is located
in the shortest measure of its document containing it (whitespace ignored), failing that
in the measure sharing the longest run of characters with it — the same rule as
../shared/eval/score.py, so fitted figures and scored figures agree.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub("", s or "")


@dataclass
class Gold:
    located: dict[str, set[str]]  # measure id -> thread keys
    must_not_link: list[tuple[str, str]]
    missing: list[str]


def locate(measures_by_doc: dict[str, list[dict]], doc_name: str, quote: str) -> str | None:
    measures = measures_by_doc.get(doc_name, [])
    q = _norm(quote)
    holding = [m for m in measures if q in _norm(m["text"])]
    if holding:
        return min(holding, key=lambda m: len(m["text"]))["id"]
    best, best_len = None, 0
    for m in measures:
        t = _norm(m["text"])
        match = SequenceMatcher(None, q, t, autojunk=False).find_longest_match(0, len(q), 0, len(t))
        if match.size > best_len:
            best, best_len = m["id"], match.size
    return best if best_len >= max(6, len(q) // 2) else None


def load_gold(gold: dict, measures: list[dict], documents: list[dict]) -> Gold:
    """Map the gold's mentions onto stored measures (dicts with id, document_id, text)."""
    name_of = {}
    for d in documents:
        for name in gold.get("documents", {}):
            if str(d["source"]).replace("\\", "/").endswith(name):
                name_of[d["id"]] = name
    by_doc: dict[str, list[dict]] = {}
    for m in measures:
        if m["document_id"] in name_of:
            by_doc.setdefault(name_of[m["document_id"]], []).append(m)
    located: dict[str, set[str]] = {}
    missing = []
    for th in gold.get("threads", []):
        for mention in th["mentions"]:
            mid = locate(by_doc, mention["doc"], mention["quote"])
            if mid is None:
                missing.append(mention["quote"])
            else:
                located.setdefault(mid, set()).add(th["key"])
    mnl = []
    for a, b in gold.get("must_not_link", []):
        ma, mb = locate(by_doc, a["doc"], a["quote"]), locate(by_doc, b["doc"], b["quote"])
        if ma and mb and ma != mb:
            mnl.append((ma, mb))
    return Gold(located, mnl, missing)


def pair_counts(gold: Gold, threads: list[list[str]], keep=None) -> tuple[int, int, int, int]:
    """(tp, fp, fn, must-not-link violations) over pairs of located measures; `keep(a, b)`, when
    given, restricts the pairs counted (cross-validation scores the pairs touching a fold)."""
    pred: dict[str, set[int]] = {}
    for k, members in enumerate(threads):
        for m in members:
            pred.setdefault(m, set()).add(k)
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold.located), 2):
        if keep and not keep(a, b):
            continue
        g = bool(gold.located[a] & gold.located[b])
        p = bool(pred.get(a, set()) & pred.get(b, set()))
        tp += g and p
        fp += p and not g
        fn += g and not p
    violations = sum(bool(pred.get(a, set()) & pred.get(b, set())) for a, b in gold.must_not_link
                     if not keep or keep(a, b))
    return tp, fp, fn, violations


def pairwise_f1(gold: Gold, threads: list[list[str]]) -> dict:
    """Precision, recall, F1 over pairs of located measures; must-not-link violations."""
    tp, fp, fn, violations = pair_counts(gold, threads)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "violations": violations}
