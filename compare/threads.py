"""Threads: measures of one commitment, grouped from scored links.

Average-linkage clustering over the link graph (a missing pair counts as 0, so one strong
link cannot chain two unrelated groups together), then secondary membership: a measure
that speaks of two commitments ("持续开展市级“新优药械”和区级创新药械目录征集发布") also joins
the other thread when its mean score to that thread's members is high enough.

Thread ids are stable: a thread found again inherits the id of the earlier thread it
overlaps most; merges and splits are recorded, and a merged-away id resolves to the
thread that absorbed it. Clustering is recomputed over the whole link graph on each run
and depends only on the pairs' scores, in canonical (id) order, so adding documents one
at a time gives the same threads as adding them all at once.

Pure: link scores and rows in, thread rows out. The stage runner (compare/stages.py: `cluster`)
reads the stored threads and terms and stores what this returns, with the links.
"""
from __future__ import annotations

import functools
import hashlib
import heapq
import json
import re
from collections import Counter
from typing import NamedTuple


def average_linkage(n: int, scores: dict[tuple[int, int], float], threshold: float,
                    progress=None) -> list[list[int]]:
    """Clusters (lists of indices, size >= 2) merged while the mean pairwise score >= threshold.

    Greedy: the pair of clusters with the highest mean score merges first (ties by index). The
    merged cluster keeps the index of the side with more neighbours and takes in the other's:
    a merge costs the smaller side's neighbours, not both. Means of the kept side's other
    neighbours only fall (its size grew), so their heap entries stay as upper bounds and are
    re-pushed with the true mean when they come up. A merged pair's mean is a weighted mean of
    the two sides' means, so it is pushed only when it exceeds the kept side's (whose entry
    already bounds it): merges push a fraction of the entries, with the same result.

    The first entries (every pair at or over the threshold) are sorted once and read in order; only
    the entries pushed again go on a heap, and the next entry is the smaller of the two heads: the
    same order as one heap of all entries, without a million pops.

    progress(k): k more of the first entries were taken off the heap (for a progress bar). Scores
    are finite (align.link keeps those at or over SCORE_FLOOR): a NaN orders no heap.
    """
    nbr: list[dict[int, float]] = [{} for _ in range(n)]
    for (a, b), s in scores.items():
        nbr[a][b] = s
        nbr[b][a] = s
    size = [1] * n
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    alive = [True] * n
    first, count = _first_entries(scores, threshold)
    heap: list[tuple[float, int, int]] = []
    tick = _ticker(count, progress)
    head = next(first, None)
    while head is not None or heap:
        if heap and (head is None or heap[0] < head):
            neg, a, b = heapq.heappop(heap)
        else:
            neg, a, b = head
            head = next(first, None)
        tick()
        if not (alive[a] and alive[b]):
            continue
        avg = nbr[a].get(b, 0.0) / (size[a] * size[b])
        if abs(avg + neg) > 1e-12:
            if avg < -neg and avg >= threshold:  # a stale upper bound: queue the true mean
                heapq.heappush(heap, (-avg, a, b))
            continue
        keep, gone = (a, b) if len(nbr[a]) >= len(nbr[b]) else (b, a)
        alive[gone] = False
        members[keep] += members.pop(gone)
        _merge(nbr, size, heap, keep, gone, threshold)
    tick(end=True)
    return sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda m: m[0])


def _merge(nbr: list[dict[int, float]], size: list[int], heap: list, keep: int, gone: int, threshold: float) -> None:
    """Cluster `gone` merged into `keep`: its neighbours' summed scores move to keep, and the means
    that may now come first are pushed (see average_linkage)."""
    kept_size = size[keep]
    size[keep] += size[gone]
    mine = nbr[keep]
    mine.pop(gone, None)
    for o, s in nbr[gone].items():
        if o == keep:
            continue
        theirs = nbr[o]
        del theirs[gone]
        before = mine.get(o)
        total = (before or 0.0) + s
        mine[o] = total
        theirs[keep] = total
        mean = total / (size[keep] * size[o])
        if mean < threshold:
            continue
        # the kept side's mean with o, if at or over the threshold, has an entry >= it
        kept_mean = before / (kept_size * size[o]) if before is not None else None
        if kept_mean is None or kept_mean < threshold or mean > kept_mean:
            heapq.heappush(heap, (-mean, min(keep, o), max(keep, o)))
    nbr[gone] = {}


def _first_entries(scores, threshold: float, chunk: int = 65536):
    """The entries (-score, a, b) of the pairs at or over the threshold, in ascending order (as a heap
    gives them), made a chunk at a time; and how many there are."""
    import numpy as np

    A, B, S = score_arrays(scores)
    over = np.flatnonzero(S >= threshold)
    A, B, neg = A[over].astype(np.int64), B[over].astype(np.int64), -S[over].astype(np.float64)
    order = np.lexsort((B, A, neg))

    def entries():
        for k in range(0, len(order), chunk):
            part = order[k:k + chunk]
            yield from zip(neg[part].tolist(), A[part].tolist(), B[part].tolist())

    return entries(), len(order)


def _ticker(length: int, progress, every: int = 20000):
    """A function to call once per entry taken off the heap: advances progress by `every` at a time,
    up to length in all (entries pushed again come on top of the first ones); tick(end=True) at the
    end gives the rest."""
    state = {"popped": 0, "left": length}

    def tick(end: bool = False) -> None:
        state["popped"] += 1
        if progress and (end or state["popped"] % every == 0) and state["left"]:
            step = state["left"] if end else min(every, state["left"])
            state["left"] -= step
            progress(step)

    return tick


class Neighbours:
    """Each measure's scored partners, both ways round: get(i) gives {partner: score}. Held as
    arrays (partners and scores grouped by measure), not as a dict per measure: millions of links
    as dicts of ints and floats cost gigabytes."""

    def __init__(self, a, b, s):
        import numpy as np

        rows = np.concatenate([a, b]).astype(np.int64)
        order = np.argsort(rows, kind="stable")
        self.partners = np.concatenate([b, a]).astype(np.int64)[order]
        self.scores = np.concatenate([s, s]).astype(np.float64)[order]
        rows = rows[order]
        self.rows = rows[np.concatenate(([True], rows[1:] != rows[:-1]))] if len(rows) else rows
        self.start = np.searchsorted(rows, self.rows, side="left")
        self.end = np.searchsorted(rows, self.rows, side="right")

    def get(self, i: int, default=None) -> dict[int, float]:
        import numpy as np

        k = int(np.searchsorted(self.rows, i))
        if k == len(self.rows) or self.rows[k] != i:
            return {} if default is None else default
        p, q = self.start[k], self.end[k]
        return dict(zip(self.partners[p:q].tolist(), self.scores[p:q].tolist()))


def score_arrays(scores):
    """(a, b, score) arrays of {(a, b): score}, or align.PairScores' own."""
    import numpy as np

    if all(hasattr(scores, k) for k in ("a", "b", "s")):
        return np.asarray(scores.a), np.asarray(scores.b), np.asarray(scores.s)
    keys = list(scores)
    return (np.array([a for a, _ in keys], dtype=np.int64), np.array([b for _, b in keys], dtype=np.int64),
            np.array([scores[k] for k in keys], dtype=np.float64))


def neighbours(scores) -> Neighbours:
    """Each measure's scored partners, both ways round, from {(a, b): score} (or align.PairScores)."""
    return Neighbours(*score_arrays(scores))


def secondary_members(clusters: list[list[int]], scores: dict[tuple[int, int], float],
                      threshold: float) -> list[dict[int, float]]:
    """For each cluster: outside measures whose mean score to its members >= threshold."""
    return _secondary(clusters, neighbours(scores), threshold)


def _secondary(clusters: list[list[int]], nbr: Neighbours, threshold: float) -> list[dict[int, float]]:
    out = []
    for c in clusters:
        cset = set(c)
        total: dict[int, float] = {}
        for m in c:  # summed in member order, as a mean over the members would be
            for o, s in nbr.get(m, {}).items():
                if o not in cset:
                    total[o] = total.get(o, 0.0) + s
        out.append({o: total[o] / len(c) for o in sorted(total) if total[o] / len(c) >= threshold})
    return out


def fresh_id(member_ids: list[str]) -> str:
    return "t" + hashlib.sha256("|".join(sorted(member_ids)).encode()).hexdigest()[:11]


def assign_ids(new: list[set[str]], old: dict[str, set[str]], fresh: list[str]) -> tuple[
        list[str], list[tuple[str, str, str]]]:
    """An id for each new cluster: the old thread it overlaps most keeps its id.

    Returns the ids and events (event, thread_id, other_id): merged (an old id absorbed by
    another thread), split (part of an old thread went to a new one), retired.
    """
    # overlaps through an index of old members: cost grows with the members, not new x old
    owner: dict[str, list[str]] = {}
    for tid, members in old.items():
        for m in members:
            owner.setdefault(m, []).append(tid)
    shared: dict[str, dict[int, int]] = {}  # old thread -> new cluster -> shared members
    overlaps = []
    for i, c in enumerate(new):
        for tid, inter in Counter(t for m in c for t in owner.get(m, ())).items():
            shared.setdefault(tid, {})[i] = inter
            overlaps.append((-inter, -inter / (len(c) + len(old[tid]) - inter), tid, i))
    overlaps.sort()
    ids: list[str | None] = [None] * len(new)
    used: set[str] = set()
    for _, _, tid, i in overlaps:
        if ids[i] is None and tid not in used:
            ids[i] = tid
            used.add(tid)
    for i in range(len(new)):
        if ids[i] is None:
            # a fresh id must not repeat one in use or one an old thread had (it may resolve elsewhere)
            candidate = fresh[i]
            while candidate in used or candidate in old:
                candidate = "t" + hashlib.sha256((candidate + "'").encode()).hexdigest()[:11]
            ids[i] = candidate
            used.add(candidate)
    events: list[tuple[str, str, str]] = []
    for tid in sorted(old):
        hits = shared.get(tid, {})
        if tid in used:
            # members that went to other threads: a split
            for i in sorted(hits):
                if ids[i] != tid and ids[i] not in old and hits[i] * 2 >= len(new[i]):
                    events.append(("split", ids[i], tid))
            continue
        if hits:
            best = max(hits, key=lambda i: (hits[i], -i))
            events.append(("merged", tid, ids[best]))
        else:
            events.append(("retired", tid, ""))
    return ids, events


MAX_LABEL = 16  # characters of a label made from a measure's text (a key term is kept whole)
_CLAUSE_END = re.compile(r"[，,；;。：:！？!?]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@functools.cache
def _modifier_end() -> re.Pattern:
    from .vocabulary import VOCAB

    return re.compile(f"(?:{VOCAB['terms']['modifier ends'].pattern()})")


def _head(name: str) -> str:
    """The head of a name after a modifier ending in 的 (terms.txt [modifier ends]: 对经认定的区级平台
    → 区级平台), when long enough to name a thing."""
    head = _modifier_end().split(name)[-1]
    return head if len(head) >= 4 else name


def _unnumbered(text: str) -> str:
    """A measure's text without its item or heading marker (二是, （三）, 1., 其二、), as the
    segmenter numbers items and headings."""
    from .segment import ITEM, analysis_text

    return ITEM.sub("", analysis_text(text), count=1).strip()


def text_object(text: str) -> str:
    """What a measure is about, short: its first clause without its item marker and the words that
    start a clause (二是开展产品应用示范。→ 产品应用示范), at most MAX_LABEL characters."""
    from .terms import LEAD_WORDS

    whole = _unnumbered(text) or text.strip()
    clause = _CLAUSE_END.split(whole, maxsplit=1)[0].strip() or whole.rstrip("。；;，,")
    clause = _head(LEAD_WORDS.sub("", clause)) or clause
    return clause if len(clause) <= MAX_LABEL else clause[:MAX_LABEL - 1] + "…"


def label_for(member_ids: list[str], terms: dict[str, list[tuple[str, str, str]]],
              texts: dict[str, str]) -> str:
    """The thread's canonical term: the key term most of its measures share, else what its
    shortest measure is about (never a whole sentence)."""
    priority = {"title": 3, "quoted": 2, "institution": 1}
    counts: Counter = Counter()
    forms: dict[str, Counter] = {}
    for mid in member_ids:
        seen = set()
        for term, kind, norm in terms.get(mid, []):
            if kind not in priority or len(norm) < 2 or norm in seen:
                continue
            seen.add(norm)
            counts[(norm, kind)] += 1
            forms.setdefault(norm, Counter())[term] += 1
    if counts:
        (norm, kind), n = max(counts.items(), key=lambda kv: (kv[1], priority[kv[0][1]], len(kv[0][0]), kv[0][0]))
        if n >= 2 or len(member_ids) <= 2:
            form = forms[norm].most_common(1)[0][0]
            return f"《{form}》" if kind == "title" else (f"“{form}”" if kind == "quoted" else _head(form))
    shortest = min((texts[m] for m in member_ids), key=lambda t: (len(t), t))
    return text_object(shortest)


MAX_QUALIFIER = 12


def _shares(mids: list[str], texts: dict[str, str], label: str,
            terms: dict[str, list[tuple[str, str, str]]]) -> tuple[dict[str, float], dict[str, float]]:
    """What may set a thread apart, with the share of its measures that hold it: its key terms
    (names), and words (runs of 2-4 Chinese characters) of its texts outside the label (a word
    only one measure holds counts in a thread of two)."""
    from .vocabulary import VOCAB

    core = label.strip("《》“”")
    edges = {w for w in VOCAB["terms"]["name leads"].words if len(w) == 1}
    names: Counter = Counter()
    words: Counter = Counter()
    for mid in mids:
        names.update({h for t, kind, _ in terms.get(mid, []) if kind != "amount"
                      and len(h := _head(t)) <= MAX_QUALIFIER and core not in h and h not in core})
        grams = set()
        for run in _CJK_RUN.findall(texts[mid].replace(core, "，")):
            grams.update(run[i:i + n] for n in (2, 3, 4) for i in range(len(run) - n + 1))
        words.update(g for g in grams if g[0] not in edges and g[-1] not in edges and g not in core)
    least = 1 if len(mids) <= 2 else 2
    return {g: k / len(mids) for g, k in names.items()}, {g: k / len(mids) for g, k in words.items() if k >= least}


def _top_two(held: list[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """For each term or word: the highest and second highest share any thread of a group has."""
    top: dict[str, tuple[float, float]] = {}
    for shares in held:
        for g, v in shares.items():
            a, b = top.get(g, (0.0, 0.0))
            top[g] = (v, a) if v > a else (a, max(b, v))
    return top


def _qualifier(mine: tuple[dict[str, float], dict[str, float]],
               tops: tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]) -> str:
    """What most sets a thread apart from the others of its label: a key term held by most of
    its measures and fewest of theirs (the shorter of equals), else such a word (the longer).
    tops: each term's and word's two highest shares in the group (the others' best is the
    second when this thread holds the first)."""
    for k, longer in ((0, -1), (1, 1)):
        scored = [(share - (tops[k][g][1] if share >= tops[k][g][0] else tops[k][g][0]), longer * len(g), g)
                  for g, share in mine[k].items()]
        best = max(scored, key=lambda t: (round(t[0], 9), t[1], [-ord(c) for c in t[2]]), default=None)
        if best and best[0] > 1e-9:
            return best[2]
    return ""


def distinct_labels(labels: dict[str, str], members: dict[str, list[str]], texts: dict[str, str],
                    spans: dict[str, str], terms: dict[str, list[tuple[str, str, str]]]) -> dict[str, str]:
    """Labels that tell threads apart: threads of one label each get the word that sets them
    apart (高质量孵化器 · 启迪之星), then their years (spans), then a number. Ids do not change."""
    out = dict(labels)
    for label, tids in _same(out).items():
        grams = {t: _shares(members[t], texts, label, terms) for t in tids}
        tops = (_top_two([grams[t][0] for t in tids]), _top_two([grams[t][1] for t in tids]))
        for t in tids:
            q = _qualifier(grams[t], tops)
            out[t] = f"{label} · {q}" if q else label
    for label, tids in _same(out).items():
        for t in tids:
            out[t] = f"{label} ({spans[t]})" if spans.get(t) else label
    for label, tids in _same(out).items():
        # numbered by size, then by their measures: never by id, which depends on the order
        # documents came in (a thread keeps the id it was first given)
        for k, t in enumerate(sorted(tids, key=lambda t: (-len(members[t]), sorted(members[t]), t))):
            out[t] = f"{label} #{k + 1}"
    return out


def _same(labels: dict[str, str]) -> dict[str, list[str]]:
    """Labels held by more than one thread, with their threads (in id order)."""
    by: dict[str, list[str]] = {}
    for tid in sorted(labels):
        by.setdefault(labels[tid], []).append(tid)
    return {label: tids for label, tids in by.items() if len(tids) > 1}


class ThreadRows(NamedTuple):
    """What clustering writes: thread rows, their members, aliases of old ids, events."""
    threads: list[dict]
    members: list[dict]
    aliases: list[dict]
    events: list[dict]


def build_threads(ids: list[str], scores: dict[tuple[int, int], float], measures: dict[str, dict],
                  terms: dict[str, list[tuple[str, str, str]]], old: dict[str, set[str]], created: dict[str, str],
                  params, run_id: str, now: str, bar=None) -> ThreadRows:
    """Clusters → thread rows with stable ids, members, aliases and events.

    ids: the measures aligned (rows of `scores`); measures: their rows by id; old: the stored
    threads' members; created: the run each stored thread was created in.
    """
    if bar:
        with bar("clustering", sum(1 for s in scores.values() if s >= params.cluster_threshold)) as progress:
            clusters = average_linkage(len(ids), scores, params.cluster_threshold, progress)
    else:
        clusters = average_linkage(len(ids), scores, params.cluster_threshold)
    nbr = neighbours(scores)
    extras = _secondary(clusters, nbr, params.secondary_threshold)
    texts = {mid: (m["analysis_text"] or m["text"]) for mid, m in measures.items()}
    core_sets = [set(ids[i] for i in c) for c in clusters]
    full_sets = [core | set(ids[i] for i in extra) for core, extra in zip(core_sets, extras)]
    thread_ids, events = assign_ids(full_sets, old, [fresh_id(sorted(c)) for c in core_sets])
    method = f"average-linkage>={params.cluster_threshold}+secondary>={params.secondary_threshold}"
    out = ThreadRows([], [], [], [])
    for tid, cluster, extra in zip(thread_ids, clusters, extras):
        mids = [ids[i] for i in list(cluster) + sorted(extra)]
        out.members.extend(_member_rows(tid, ids, cluster, extra, nbr))
        out.threads.append(dict(_thread_row(tid, mids, measures, terms, texts), method=method, run_id=run_id,
                                created_run=created.get(tid, run_id)))
        if tid not in old:
            out.events.append({"run_id": run_id, "at": now, "event": "created", "thread_id": tid, "other_id": None,
                               "detail": None})
        elif set(mids) != old[tid]:
            out.events.append({"run_id": run_id, "at": now, "event": "changed", "thread_id": tid, "other_id": None,
                               "detail": json.dumps({"added": sorted(set(mids) - old[tid]),
                                                     "removed": sorted(old[tid] - set(mids))})})
    held: dict[str, list[str]] = {}
    for m in out.members:
        held.setdefault(m["thread_id"], []).append(m["measure_id"])
    _relabel(out.threads, held, texts, terms)
    for event, tid, other in events:
        out.events.append({"run_id": run_id, "at": now, "event": event, "thread_id": tid, "other_id": other or None,
                           "detail": None})
        if event in ("merged", "retired"):
            out.aliases.append({"old_id": tid, "thread_id": other or tid, "event": event, "run_id": run_id, "at": now})
    return out


def _relabel(threads: list[dict], members: dict[str, list[str]], texts: dict[str, str],
             terms: dict[str, list[tuple[str, str, str]]]) -> None:
    """Each thread row's label made distinct among all the threads (distinct_labels)."""
    spans = {t["id"]: "–".join(dict.fromkeys(d[:4] for d in (t["first_date"], t["last_date"]) if d))
             for t in threads}
    labels = distinct_labels({t["id"]: t["label"] for t in threads}, members, texts, spans, terms)
    for t in threads:
        t["label"] = labels[t["id"]]


def _member_rows(tid: str, ids: list[str], cluster: list[int], extra: dict[int, float],
                 nbr: Neighbours) -> list[dict]:
    """Core members with their mean score to the other core members, then secondary members."""
    rows = []
    for i in cluster:
        others = [j for j in cluster if j != i]
        mine = nbr.get(i, {})
        mean = sum(mine.get(j, 0.0) for j in others) / max(1, len(others))
        rows.append({"thread_id": tid, "measure_id": ids[i], "role": "core", "score": round(mean, 4)})
    for i, mean in sorted(extra.items()):
        rows.append({"thread_id": tid, "measure_id": ids[i], "role": "secondary", "score": round(mean, 4)})
    return rows


def _thread_row(tid: str, mids: list[str], ms: dict[str, dict], terms: dict[str, list[tuple[str, str, str]]],
                texts: dict[str, str]) -> dict:
    """A thread's label, size, documents, regions, levels and dates."""
    docs = {ms[m]["document_id"] for m in mids}
    dated = sorted((ms[m]["sort_date"], bool(ms[m]["date_approximate"])) for m in mids if ms[m]["sort_date"])
    regions = sorted({ms[m]["region"] for m in mids if ms[m]["region"]})
    levels = sorted({ms[m]["level"] for m in mids if ms[m]["level"]})
    return {
        "id": tid, "label": label_for(mids, terms, texts), "size": len(mids), "documents": len(docs),
        "regions": json.dumps(regions, ensure_ascii=False), "levels": json.dumps(levels),
        "first_date": dated[0][0] if dated else None, "last_date": dated[-1][0] if dated else None,
        "dates_approximate": int(any(approx for _, approx in dated)),
    }
