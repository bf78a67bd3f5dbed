import json
import sqlite3

import numpy as np
import pytest
from conftest import EXAMPLES, rows

from compare import align as al
from compare import threads as th

FILES = sorted(p for p in EXAMPLES.iterdir() if p.is_file())


def thread_sets(db_path):
    members = {}
    for tid, mid in rows(db_path, "SELECT thread_id, measure_id FROM thread_members"):
        members.setdefault(tid, set()).add(mid)
    return members


def link_set(db_path):
    return {(a, b, round(s, 4)) for a, b, s in rows(db_path, "SELECT measure_id, measure_id2, score FROM links")}


def test_alignment_builds_threads_across_documents(run, db_path):
    run("align", "--model", "hashing", EXAMPLES)
    threads = json.loads(run("threads", "--json").output)
    assert threads, "no threads"
    # the plan's promise of 3 test platforms is followed up by both district replies
    found = rows(db_path, "SELECT tm.thread_id, count(DISTINCT m.document_id) FROM thread_members tm "
                          "JOIN measures m ON m.id = tm.measure_id WHERE m.text LIKE '%测试验证平台%' "
                          "GROUP BY tm.thread_id ORDER BY 2 DESC")
    assert found and found[0][1] >= 2
    export = json.loads(run("export").output)
    assert export["threads"] and export["links"]
    t = export["threads"][0]
    assert {"id", "label", "measure_ids", "regions", "first_date", "last_date"} <= set(t)
    measure_ids = {m["id"] for m in export["measures"]}
    assert set(t["measure_ids"]) <= measure_ids
    timeline = run("thread", t["id"]).output
    assert t["label"] in timeline


def test_same_corpus_gives_the_same_thread_ids(run, tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    run("align", "--model", "hashing", "-d", a, EXAMPLES)
    run("align", "--model", "hashing", "-d", b, EXAMPLES)
    assert thread_sets(str(a)) == thread_sets(str(b))
    assert thread_sets(str(a))


@pytest.mark.parametrize("model", ["hashing", "default"])
def test_incremental_equals_batch_and_keeps_ids(run, tmp_path, model):
    batch, inc = tmp_path / "batch.db", tmp_path / "inc.db"
    run("align", "--model", model, "-d", batch, *FILES)
    seen_ids = set()
    for f in FILES:
        run("align", "--model", model, "-d", inc, f)
        now = set(thread_sets(str(inc)))
        aliases = {r[0] for r in rows(str(inc), "SELECT old_id FROM thread_aliases")}
        # every id handed out earlier still names a thread, or resolves through an alias
        assert seen_ids <= now | aliases
        seen_ids |= now
    assert link_set(str(inc)) == link_set(str(batch))
    assert sorted(map(sorted, thread_sets(str(inc)).values())) == sorted(map(sorted, thread_sets(str(batch)).values()))


def test_a_crash_while_storing_candidates_leaves_them_unchanged_and_the_rerun_equals_batch(run, tmp_path,
                                                                                             monkeypatch):
    from db import queries

    batch, inc = tmp_path / "batch.db", tmp_path / "inc.db"
    run("align", "--model", "hashing", "-d", batch, *FILES)
    run("align", "--model", "hashing", "-d", inc, FILES[0])
    table = "SELECT model, channel, measure_id, hex(sims) FROM neighbours ORDER BY 1, 2, 3"
    before = rows(str(inc), table)
    assert before

    def crash(*args, **kw):
        raise RuntimeError("power cut")

    # the best-k lists are written first, then the pairs: the crash comes between the two
    monkeypatch.setattr(queries, "store_pairs", crash)
    with pytest.raises(RuntimeError):
        run("align", "--model", "hashing", "-d", inc, *FILES)
    assert rows(str(inc), table) == before
    monkeypatch.undo()
    run("align", "--model", "hashing", "-d", inc, *FILES)
    assert link_set(str(inc)) == link_set(str(batch))
    assert sorted(map(sorted, thread_sets(str(inc)).values())) == sorted(map(sorted, thread_sets(str(batch)).values()))


def test_links_are_written_by_difference(aligned_links):
    db, first, realign = aligned_links
    assert len(first) > 3
    # tamper: one score changed, one link removed, one link that should not exist
    (a, b, *_), (c, d, *_) = first[0], first[1]
    db.execute("UPDATE links SET score = score / 2 WHERE measure_id = ? AND measure_id2 = ?", [a, b])
    db.execute("DELETE FROM links WHERE measure_id = ? AND measure_id2 = ?", [c, d])
    db.execute("INSERT INTO links VALUES ('mX', 'mY', 0.99, '{}', 'm', 'r0')")
    db.conn.commit()
    second = realign()
    # the two repaired rows come from the new run; every untouched row is as it was
    assert [r[:5] for r in second] == [r[:5] for r in first]
    assert {(r[0], r[1]) for r in second if r[5] == "r2"} == {(a, b), (c, d)}


def _reply(title, number, measures):
    lines = [title, "", number, "", "一、主要做法", ""]
    for k, m in enumerate(measures):
        lines += [f"{k + 1}、{m}", ""]
    return "\n".join(lines + ["上海市嘉定区人民政府", "", "2025年3月1日"])


@pytest.mark.parametrize("model", ["hashing", "default"])
def test_a_new_version_aligns_as_if_the_old_one_never_was(run, tmp_path, model):
    # x's k nearest are all in the draft; the final version drops them, so x's nearest are
    # now elsewhere (y and its variants, which have k close variants of their own)
    x = "推进嘉定区智能网联汽车测试道路建设，累计开放测试道路长度达到一千公里"
    y = "推进嘉定区智能网联汽车测试道路扩容，开放测试道路长度继续增加"
    cn = "一二三四五六七八九十"
    near_x = ([x.replace("一千", f"{c}百") + "。" for c in cn[:9]] + [x.replace("累计", f"第{c}批") + "。" for c in cn]
              + [x.replace("达到", f"超过{c}") + "。" for c in cn[:7]])
    near_y = ([y.replace("继续", f"第{c}次") + "。" for c in cn] + [y.replace("扩容", f"扩容{c}期") + "。" for c in cn]
              + [y.replace("增加", f"增加{c}成") + "。" for c in cn[:7]])
    other = ["加快建设生物医药产业园区，引进龙头企业三家。", "完善人才公寓供给，新增人才住房五百套。"]
    for d in ("draft", "final", "rest"):
        (tmp_path / d).mkdir()
    (tmp_path / "draft" / "a.txt").write_text(_reply("关于推进智能网联汽车发展的报告", "嘉府〔2025〕7号", near_x + other),
                                             encoding="utf-8")
    (tmp_path / "final" / "a.txt").write_text(_reply("关于推进智能网联汽车发展的报告", "嘉府〔2025〕7号", other),
                                             encoding="utf-8")
    (tmp_path / "rest" / "b.txt").write_text(_reply("关于道路测试工作的答复", "嘉府〔2025〕8号", [x + "。", other[0]]),
                                            encoding="utf-8")
    (tmp_path / "rest" / "c.txt").write_text(_reply("关于测试道路扩容的答复", "嘉府〔2025〕9号", [y + "。"]), encoding="utf-8")
    (tmp_path / "rest" / "d.txt").write_text(_reply("关于测试道路扩容情况的报告", "嘉府〔2025〕10号", near_y),
                                            encoding="utf-8")
    inc, batch = tmp_path / "inc.db", tmp_path / "batch.db"
    run("align", "--model", model, "-d", inc, tmp_path / "draft", tmp_path / "rest")
    run("align", "--model", model, "-d", inc, tmp_path / "final")
    run("align", "--model", model, "-d", batch, tmp_path / "final", tmp_path / "rest")
    assert rows(str(inc), "SELECT count(*) FROM documents WHERE is_current = 0") == [(1,)]
    assert link_set(str(inc)) == link_set(str(batch))
    assert sorted(map(sorted, thread_sets(str(inc)).values())) == sorted(map(sorted, thread_sets(str(batch)).values()))


def test_best_k_lists_from_before_their_ids_were_kept_are_recomputed(run, tmp_path):
    batch, inc = tmp_path / "batch.db", tmp_path / "inc.db"
    run("align", "--model", "hashing", "-d", batch, *FILES)
    run("align", "--model", "hashing", "-d", inc, *FILES[:-1])
    conn = sqlite3.connect(inc)
    conn.execute("UPDATE neighbours SET ids = NULL")  # as schema m006 left them
    conn.commit()
    conn.close()
    run("align", "--model", "hashing", "-d", inc, FILES[-1])
    assert rows(str(inc), "SELECT count(*) FROM neighbours WHERE ids IS NULL") == [(0,)]
    assert link_set(str(inc)) == link_set(str(batch))


def test_old_thread_ids_resolve_after_a_merge(db_path):
    from db import open_db, queries

    db = open_db(db_path)
    queries.replace_threads(db, [], [], [{"old_id": "tOLD", "thread_id": "tNEW", "event": "merged",
                                                "run_id": "r", "at": "now"}], [])
    db["threads"].insert({"id": "tNEW", "label": "x", "size": 2, "documents": 1, "method": "m", "run_id": "r",
                          "created_run": "r"})
    assert queries.resolve_thread(db, "tOLD") == "tNEW"


@pytest.mark.sentence_transformers
def test_model_switch_never_mixes_vectors(run, db_path, minilm_dir):
    model_dir = minilm_dir
    run("align", "--model", "hashing", EXAMPLES)
    first = thread_sets(db_path)
    run("align", "--model", model_dir)
    dims = dict(rows(db_path, "SELECT model, max(dim) FROM embeddings GROUP BY model"))
    st_name = next(m for m in dims if m.startswith("st:"))
    assert dims["hashing-ngram-512"] == 512 and dims[st_name] == 384
    # each model has its own candidate pairs, and the links now come from the new model only
    models = {r[0] for r in rows(db_path, "SELECT DISTINCT model FROM pairs")}
    assert models == {"hashing-ngram-512", st_name}
    methods = {r[0] for r in rows(db_path, "SELECT DISTINCT method FROM links")}
    assert methods == {"logistic:" + st_name}
    assert first  # the first alignment made threads too


@pytest.mark.sentence_transformers
def test_sentence_transformers_model_directory_loads_offline(monkeypatch, minilm_dir):
    from compare.encoders import get_encoder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = get_encoder(minilm_dir)
    v = enc.encode(["clinical trial base", "clinical trial centre", "mother fund"])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]


@pytest.mark.sentence_transformers
def test_unknown_model_is_a_clean_error(run):
    pytest.importorskip("sentence_transformers", reason="without it, --model says to install the extra "
                        "(tests/test_packaging.py)")
    run("align", "--model", "hashing", EXAMPLES / "01_jiading_plan.txt")
    run("align", "--model", "hashing", EXAMPLES / "02_jiading_reply_2025.md")
    r = run("align", "--model", "/nonexistent/model/dir-xyz", ok=False)
    assert "cannot load model" in r.output


def test_vectors_are_cached_not_recomputed(db_path, monkeypatch):
    from compare.encoders import HashingEncoder
    from compare.stages import align_corpus, ingest
    from db import open_db

    db = open_db(db_path)
    ingest(db, [EXAMPLES])
    calls = []

    class Counting(HashingEncoder):
        name = "counting"

        def encode(self, texts):
            calls.append(len(texts))
            return super().encode(texts)

    params = al.load_params()
    align_corpus(db, Counting(), params, "r1")
    first = sum(calls)
    align_corpus(db, Counting(), params, "r2")
    distinct = db.execute("SELECT count(DISTINCT text_hash) FROM measures WHERE kind != 'other'").fetchone()[0]
    assert first == distinct and sum(calls) == first


def test_candidate_generation_matches_brute_force():
    rng = np.random.default_rng(0)
    V = rng.normal(size=(300, 16)).astype(np.float32)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    got = al.candidate_pairs([V], [0.5], list(range(300)), k=300, block=64)
    S = V @ V.T
    want = {(i, j) for i in range(300) for j in range(i + 1, 300) if S[i, j] >= 0.5}
    assert got == want


def test_k_nearest_break_ties_the_same_way_however_rows_arrive():
    rng = np.random.default_rng(1)
    V = np.repeat(rng.normal(size=(6, 8)), 10, axis=0).astype(np.float32)  # ties everywhere
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    n, k = len(V), 4
    _, batch = al.topk_rows(V, 0.0, list(range(n)), k)
    lists: dict[int, tuple] = {}  # global row -> (sims, global rows)
    for chunk in np.array_split(rng.permutation(n), 4):
        present = sorted(set(lists) | set(chunk.tolist()))
        local = {g: i for i, g in enumerate(present)}
        known = {local[g]: (s, np.array([local[x] for x in w])) for g, (s, w) in lists.items()}
        _, updated = al.topk_update(V[present], 0.0, [local[g] for g in chunk], k, known, block=7)
        for i, (s, w) in updated.items():
            lists[present[i]] = (s, np.array([present[x] for x in w]))
    assert {g: w.tolist() for g, (_, w) in lists.items()} == {g: w.tolist() for g, (_, w) in batch.items()}
    assert set(al.near_codes(batch, 0.0, n)) == set(al.near_codes(
        {g: (s, w) for g, (s, w) in lists.items()}, 0.0, n))


def test_average_linkage_does_not_chain():
    # a-b and b-c strong, a-c unknown: a chain that single linkage would join
    scores = {(0, 1): 0.9, (1, 2): 0.9, (3, 4): 0.95}
    assert th.average_linkage(5, scores, 0.6) == [[0, 1], [3, 4]]
    assert th.average_linkage(5, {**scores, (0, 2): 0.7}, 0.6) == [[0, 1, 2], [3, 4]]


def _reference_average_linkage(n, scores, threshold):
    """Greedy average linkage written plainly: every step recomputes every pair of clusters."""
    clusters = [[i] for i in range(n)]
    while True:
        best = None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                total = sum(scores.get((min(a, b), max(a, b)), 0.0) for a in clusters[x] for b in clusters[y])
                mean = total / (len(clusters[x]) * len(clusters[y]))
                if mean >= threshold and (best is None or mean > best[0]):
                    best = (mean, x, y)
        if best is None:
            return sorted((sorted(c) for c in clusters if len(c) > 1), key=lambda c: c[0])
        _, x, y = best
        clusters[x] += clusters.pop(y)


@pytest.mark.parametrize("seed", range(40))
def test_average_linkage_matches_a_plain_greedy_implementation(seed):
    # dense random graphs with distinct scores (no ties), many merges of merged clusters
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 24))
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.5]
    values = rng.permutation(len(pairs)) / max(1, len(pairs)) * 0.6 + 0.4
    scores = {p: float(v) for p, v in zip(pairs, values)}
    assert th.average_linkage(n, scores, 0.55) == _reference_average_linkage(n, scores, 0.55)


def _one_heap_average_linkage(n, scores, threshold):
    """average_linkage as it was before its first entries became a sorted stream: one heap of every
    entry (-score, a, b), popped in tuple order, so ties go to the lower indices."""
    import heapq

    nbr = [{} for _ in range(n)]
    for (a, b), s in scores.items():
        nbr[a][b] = s
        nbr[b][a] = s
    size, members, alive = [1] * n, {i: [i] for i in range(n)}, [True] * n
    heap = [(-s, a, b) for (a, b), s in scores.items() if s >= threshold]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        avg = nbr[a].get(b, 0.0) / (size[a] * size[b])
        if abs(avg + neg) > 1e-12:
            if avg < -neg and avg >= threshold:
                heapq.heappush(heap, (-avg, a, b))
            continue
        keep, gone = (a, b) if len(nbr[a]) >= len(nbr[b]) else (b, a)
        alive[gone] = False
        kept_size = size[keep]
        size[keep] += size[gone]
        members[keep] += members.pop(gone)
        mine = nbr[keep]
        mine.pop(gone, None)
        for o, s in nbr[gone].items():
            if o == keep:
                continue
            del nbr[o][gone]
            before = mine.get(o)
            total = (before or 0.0) + s
            mine[o] = nbr[o][keep] = total
            mean = total / (size[keep] * size[o])
            if mean < threshold:
                continue
            kept_mean = before / (kept_size * size[o]) if before is not None else None
            if kept_mean is None or kept_mean < threshold or mean > kept_mean:
                heapq.heappush(heap, (-mean, min(keep, o), max(keep, o)))
        nbr[gone] = {}
    return sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda m: m[0])


@pytest.mark.parametrize("seed", range(60))
def test_average_linkage_breaks_ties_as_one_heap_of_every_entry_would(seed):
    # few distinct scores (many ties), keys either way round, a threshold among the scores: the
    # sorted stream of first entries and the heap of entries pushed again give the one heap's order
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 30))
    pairs = [(a, b) if rng.random() < 0.5 else (b, a) for a in range(n) for b in range(a + 1, n)
             if rng.random() < 0.4]
    scores = {p: float(rng.choice([0.5, 0.6, 0.7, 0.8, 0.9, 1.0])) for p in pairs}
    for threshold in (0.6, 0.7):
        got = th.average_linkage(n, scores, threshold)
        assert got == _one_heap_average_linkage(n, scores, threshold)
        arrays = al.PairScores(*(np.array(x) for x in zip(*((a, b, s) for (a, b), s in scores.items()))))
        assert th.average_linkage(n, arrays, threshold) == got


def test_secondary_membership_lets_a_measure_speak_of_two_commitments():
    scores = {(0, 1): 0.9, (2, 3): 0.9, (1, 4): 0.8, (0, 4): 0.8, (2, 4): 0.85, (3, 4): 0.8}
    clusters = th.average_linkage(5, scores, 0.7)
    extras = th.secondary_members(clusters, scores, 0.7)
    placed = [set(c) | set(e) for c, e in zip(clusters, extras)]
    assert sum(4 in p for p in placed) == 2


def test_assign_ids_inherits_merges_and_splits():
    old = {"tA": {"1", "2"}, "tB": {"3", "4"}}
    ids, events = th.assign_ids([{"1", "2", "3", "4", "5"}], old, ["tNEW"])
    assert ids[0] in ("tA", "tB") and ("merged", "tB" if ids[0] == "tA" else "tA", ids[0]) in events
    ids, events = th.assign_ids([{"1", "2"}, {"3"} | {"9", "8"}], {"tA": {"1", "2", "3"}}, ["f1", "f2"])
    assert ids == ["tA", "f2"]


def test_fresh_ids_never_repeat_an_inherited_one():
    # the new cluster {1,2} would get fresh id "tA" — but tA was inherited by {1,2,3}'s successor
    ids, _ = th.assign_ids([{"1", "2", "3", "9"}, {"5", "6"}], {"tA": {"1", "2", "3"}}, ["tX", "tA"])
    assert ids[0] == "tA" and ids[1] != "tA" and len(set(ids)) == 2


def test_term_similarity_titles_must_match_whole():
    from compare.terms import extract_terms

    def terms(s):
        return [(t.text, t.kind, t.norm) for t in extract_terms(s)]

    same, _ = al.term_similarity(terms("落实《上海促进医疗卫生机构科技成果转化操作细则（试行）》"),
                                 terms("印发《上海市促进医疗卫生机构科技成果转化操作细则》"))
    other, _ = al.term_similarity(terms("发布《上海市促进高端医疗器械产业全链条发展的行动方案》"),
                                  terms("印发《上海市促进医疗卫生机构科技成果转化操作细则》"))
    assert same == 1.0 and other == 0.0


def test_stated_levels_conflict():
    assert al.level_conflict("区级层面,浦东科创母基金持续加大投资", "市级层面，已设立225亿元生物医药母基金") == 1.0
    assert al.level_conflict("推动成立总规模225亿元的生物医药产业母基金", "市级层面，已设立225亿元生物医药母基金") == 0.0


@pytest.mark.parametrize("seed", range(10))
def test_membership_by_bisection_agrees_with_numpy(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 50, size=int(rng.integers(0, 200)))
    pool = rng.integers(0, 50, size=int(rng.integers(0, 60)))
    s = al.sorted_unique(pool)
    assert s.tolist() == np.unique(pool).tolist()
    assert al.member(x, s).tolist() == np.isin(x, pool).tolist()


def test_names_of_different_programmes_conflict():
    from compare.terms import extract_terms

    def terms(s):
        return [(t.text, t.kind, t.norm) for t in extract_terms(s)]

    assert al.name_conflict(terms("举办“春昇杯”医学创新人才大赛"), terms("举办“嘉智杯”自动驾驶创新大赛")) == 1.0
    assert al.name_conflict(terms("印发《上海市促进医疗卫生机构科技成果转化操作细则》"),
                            terms("落实《关于支持生物医药产业全链条创新发展的若干意见》")) == 1.0
    # the same name, a name inside a title, or a measure naming nothing: no conflict
    assert al.name_conflict(terms("持续举办“春昇杯”大赛"), terms("举办“春昇杯”医学创新人才大赛")) == 0.0
    assert al.name_conflict(terms("开展“新优药械”目录征集"), terms("制定《上海市生物医药“新优药械”产品目录》")) == 0.0
    assert al.name_conflict(terms("举办“春昇杯”医学创新人才大赛"), terms("举办医学创新人才大赛")) == 0.0


def test_targets_of_different_objects_conflict():
    from compare.targets import find_quantities

    def objects(s):
        return [(q.unit, q.object) for q in find_quantities(s) if q.comparator in al.AIM_COMPARATORS]

    def conflict(a, b):
        return al.name_conflict([], [], objects(a), objects(b))

    assert conflict("到2026年，生物医药产业工业产值突破100亿元", "到2026年，智能网联汽车产业规模突破1500亿元") == 1.0
    assert conflict("培育上市企业不少于5家", "集聚核心零部件企业不少于50家") == 1.0
    # the same object, named more or less fully, or a changed number: no conflict
    assert conflict("引进培育不少于2家生物医药专业孵化器", "新增专业孵化器不少于3家") == 0.0
    assert conflict("建成不少于3家智能网联汽车测试验证平台", "到2026年建成不少于3家测试验证平台") == 0.0
    # different units are not compared
    assert conflict("建成生物医药专业化载体不少于200万方", "引进培育不少于2家生物医药专业孵化器") == 0.0


CONTESTS = {
    "a.txt": "上海市某区人民政府关于对区人大会议第0011号代表建议的答复\n\n王明代表：\n\n您的建议收悉，现答复如下：\n\n"
             "一、工作进展\n\n一是举办“春昇杯”医学创新人才大赛，吸引参赛项目120个。\n\n二、下一步打算\n\n"
             "一是持续举办“春昇杯”医学创新人才大赛。\n\n上海市某区人民政府\n\n2025年5月20日\n",
    "b.txt": "上海市另区人民政府关于对区人大会议第0022号代表建议的答复\n\n李华代表：\n\n您的建议收悉，现答复如下：\n\n"
             "一、工作进展\n\n一是举办“嘉智杯”自动驾驶创新大赛，吸引参赛项目80个。\n\n二、下一步打算\n\n"
             "一是持续举办“嘉智杯”自动驾驶创新大赛。\n\n上海市另区人民政府\n\n2025年6月12日\n",
}


def test_differently_named_contests_stay_in_different_threads(run, db_path, tmp_path):
    for name, text in CONTESTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run("align", "--silent", tmp_path / "a.txt", tmp_path / "b.txt")
    by_thread = {}
    for tid, text in rows(db_path, "SELECT tm.thread_id, m.text FROM thread_members tm "
                                   "JOIN measures m ON m.id = tm.measure_id"):
        by_thread.setdefault(tid, set()).add("春昇杯" if "春昇杯" in text else "嘉智杯" if "嘉智杯" in text else "-")
    assert any({"春昇杯"} == names for names in by_thread.values())  # each contest is followed…
    assert not any({"春昇杯", "嘉智杯"} <= names for names in by_thread.values())  # …but not with the other


def test_new_parameters_realign_even_with_nothing_new(run, db_path, tmp_path):
    run("align", "--silent", "--model", "hashing", EXAMPLES)
    before = rows(db_path, "SELECT count(*) FROM runs")[0][0]
    params = json.loads(al.params_text())
    params["link_threshold"] = 0.95
    custom = tmp_path / "strict.json"
    custom.write_text(json.dumps(params), encoding="utf-8")
    n_links = rows(db_path, "SELECT count(*) FROM links")[0][0]
    run("align", "--silent", "--model", "hashing", "--params", custom, EXAMPLES)
    strict_links = rows(db_path, "SELECT count(*) FROM links")[0][0]
    assert strict_links < n_links  # re-aligned with the new threshold although no file was new
    assert all(s >= 0.95 for (s,) in rows(db_path, "SELECT score FROM links"))
    assert rows(db_path, "SELECT count(*) FROM runs")[0][0] > before
    run("align", "--silent", "--model", "hashing", EXAMPLES)  # and back
    assert rows(db_path, "SELECT count(*) FROM links")[0][0] == n_links


def test_database_from_before_name_conflicts_is_realigned_and_keeps_flags(run, db_path):
    from sqlite_utils import Database

    from db import open_db, queries
    from db.migrations import migrations

    old = Database(db_path)
    migrations.apply(old, stop_before="m008_name_conflict")
    old.conn.close()
    run("align", "--silent", "--model", "hashing", EXAMPLES)  # opens (and migrates) the database
    db = open_db(db_path)
    tid = rows(db_path, "SELECT id FROM threads ORDER BY id LIMIT 1")[0][0]
    queries.add_flag(db, tid, "thread", "unfulfilled", "kept", "r")
    # as an older compare left it: no name_conflict column, derived data to be recomputed
    db.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_name_conflict'")
    db.conn.execute("ALTER TABLE pairs DROP COLUMN name_conflict")
    db.conn.commit()
    db.conn.close()
    threads_before = thread_sets(db_path)
    run("align", "--silent", "--model", "hashing", EXAMPLES)  # migrates, then recomputes the candidates
    assert rows(db_path, "SELECT count(*) FROM pairs")[0][0] > 0
    assert rows(db_path, "SELECT count(*) FROM aligned")[0][0] > 0
    assert thread_sets(db_path) == threads_before  # same weights, same corpus: same threads, same ids
    assert rows(db_path, "SELECT target_id, note FROM flags") == [(tid, "kept")]
    assert all("name_conflict" in json.loads(s) for (s,) in rows(db_path, "SELECT signals FROM links"))


def test_institution_terms_of_different_kinds_do_not_match():
    from compare.terms import extract_terms

    def terms(s):
        return [(t.text, t.kind, t.norm) for t in extract_terms(s)]

    contest_vs_centre, _ = al.term_similarity(terms("举办人工智能创新创业大赛"), terms("建设具身智能创新中心"))
    centre_vs_platform, _ = al.term_similarity(terms("加快生物医药概念验证中心建设"), terms("启动生物医药概念验证平台建设"))
    assert contest_vs_centre == 0.0 and centre_vs_platform > 0.6
    # a quoted name that says its kind is that kind; one that does not (“春昇杯”) matches any
    quoted_contest, _ = al.term_similarity(terms("举办“某区数字健康创新大赛”"), terms("建设某区数字健康创新中心"))
    quoted_centre, _ = al.term_similarity(terms("建设“某区数字健康创新中心”"), terms("建设某区数字健康创新中心"))
    assert quoted_contest == 0.0 and quoted_centre > 0.9


def test_example_corpus_against_its_reference_annotations(run, db_path):
    """A second annotated corpus on another topic (examples/gold.yml): threads and metadata."""
    import yaml
    from conftest import ROOT

    from compare.evaluation import load_gold, pairwise_f1

    gold_data = yaml.safe_load((ROOT / "examples" / "gold.yml").read_text(encoding="utf-8"))
    run("align", "--silent", EXAMPLES)
    export = json.loads(run("export").output)
    gold = load_gold(gold_data, export["measures"], export["documents"])
    assert not gold.missing
    members = [t["measure_ids"] for t in export["threads"]]
    r = pairwise_f1(gold, members)
    assert r["violations"] == 0 and r["precision"] >= 0.9 and r["recall"] >= 0.85, r
    for doc in export["documents"]:
        want = gold_data["documents"][doc["file_name"]]
        for field in ("title", "issuer", "doc_number", "level", "region", "genre"):
            assert doc[field] == want[field], (doc["file_name"], field)
        assert doc["date"] == (str(want["date"]) if want["date"] else None)


def test_key_term_channel_pairs_measures_sharing_an_uncommon_term_run():
    terms = {
        "a": [("概念验证中心", "institution", "概念验证中心")],
        "b": [("全区布局概念验证平台", "institution", "全区布局概念验证平台")],
        "c": [("社区康复中心", "institution", "社区康复中心")],
        "d": [("社区为老服务中心", "institution", "社区为老服务中心")],
        "e": [],
    }
    ids = sorted(terms)
    K, kdf = al.term_grams(ids, terms)
    assert al.term_candidates(K, kdf, 5) == {(0, 1)}  # 概念验证 is shared; 中心 alone is too short a run
    assert al.term_candidates(K, kdf, 1) == set()  # a gram in two measures is over a cap of one
    assert al.term_candidates(K, kdf, 0) == set()  # 0 turns the channel off
    a, b = np.array([0, 0, 2]), np.array([1, 2, 3])
    assert al.share_term(K, kdf, 5, a, b).tolist() == [True, False, False]


def test_key_term_channel_respects_the_gram_cap_as_the_corpus_grows():
    # the same gram in four measures: a candidate while the cap allows four, none under it
    terms = {m: [("高质量孵化器", "institution", "高质量孵化器")] for m in "abcd"}
    K, kdf = al.term_grams(sorted(terms), terms)
    assert len(al.term_candidates(K, kdf, 4)) == 6
    assert al.term_candidates(K, kdf, 3) == set()


@pytest.mark.parametrize("text, grants", [
    ("对经认定的区级平台，按年度运营投入的30%给予支持，最高给予200万元资助。", True),
    ("对认定的孵化器给予一次性奖励50万元", True),
    ("到2026年底，全区布局概念验证平台不少于3家。", False),  # building, not funding
    ("到2027年，产业规模突破1500亿元。", False),  # an amount aimed at, not granted
    ("给予政策支持，推动平台建设。", False),  # a grant verb without an amount
    ("对总投资超过10亿元的重大项目，给予用地保障。", False),  # the amount is not what is granted
    ("按项目实际投入的50%给予补贴，单个项目最高30万元。", True),
])
def test_a_measure_granting_money_is_told_from_one_building_or_aiming(text, grants):
    assert al.grants_money(text) is grants


def test_grant_conflict_is_a_fitted_signal_between_funding_and_building():
    rows = [{"id": "a", "document_id": "d1", "text": "最高给予200万元资助概念验证平台", "region": None, "analysis_text": None},
            {"id": "b", "document_id": "d1", "text": "全区布局概念验证平台不少于3家", "region": None, "analysis_text": None},
            {"id": "c", "document_id": "d2", "text": "最高给予300万元资助概念验证平台", "region": None, "analysis_text": None}]
    V = np.eye(3, dtype=np.float32)
    c = al.Corpus.of(rows, V, V)
    X = al.context_features(c, np.array([0, 0]), np.array([1, 2]))
    col = al.CONTEXT_FEATURES.index("grant_conflict")
    assert X[:, col].tolist() == [1.0, 0.0]
    assert al.load_params().weights["grant_conflict"] < 0


def test_the_default_encoder_gives_a_text_the_same_vector_whatever_it_is_encoded_with():
    # incremental equals batch needs it: a text embedded with one new document must get exactly
    # the vector it gets in a run from nothing, among every other text
    from compare.encoders import get_encoder

    texts = ["到2026年，建成不少于3家智能网联汽车测试验证平台。", "二是加快测试验证平台布局。",
             "持续举办“嘉智杯”自动驾驶创新大赛，扩大赛事影响力。",
             "对经认定的区级概念验证平台，按其年度建设和运营投入的30%给予支持，最高给予200万元资助。"] * 3
    enc = get_encoder()
    together = enc.encode(texts)
    for i, t in enumerate(texts[:4]):
        assert np.array_equal(enc.encode([t])[0], together[i])
        assert np.array_equal(enc.encode(texts[i:] + texts[:i])[0], together[i])


def test_a_cosine_that_rounds_to_zero_is_stored_as_plus_zero():
    # SQLite reads a stored -0.0 back as 0.0: a pair described in this run (-0.0) and one read back
    # from the store (0.0) would give links whose signals print differently (incremental ≠ batch)
    import math

    rows = [{"id": m, "document_id": "d", "text": t, "analysis_text": None, "kind": "commitment", "region": None}
            for m, t in (("a", "推进平台建设"), ("b", "完善政策体系"))]
    V = np.array([[1.0, 0.0], [-1e-9, 1.0]], dtype=np.float32)
    c = al.Corpus.of(rows, V, V)
    (p,) = al.describe_pairs(c, [(0, 1)], {}, {})
    assert p.cos == 0.0 and math.copysign(1.0, p.cos) == 1.0
    assert math.copysign(1.0, p.hash_cos) == 1.0


def _example_corpus(db_path):
    from compare.stages import ingest
    from db import open_db, queries

    db = open_db(db_path)
    ingest(db, [EXAMPLES])
    ms = queries.alignable_measures(db)
    # and two measures speaking for two districts (the examples speak for one)
    from compare.vocabulary import VOCAB

    ms += [dict(ms[0], id=f"zz{k}", text=f"{d.name}推进孵化器建设", analysis_text=None)
           for k, d in enumerate(VOCAB.districts[:2])]
    V = np.zeros((len(ms), 2), dtype=np.float32)
    return al.Corpus.of(ms, V, V)


def test_context_features_as_arrays_equal_their_per_pair_definitions(db_path):
    # the features are computed as arrays over millions of pairs: each must be what its definition
    # (head_match, measure_region, industries, quoted_names, grants_money) says for the pair
    c = _example_corpus(db_path)
    A, B = (x.ravel() for x in np.triu_indices(c.n, 1))
    got = al.context_features(c, A, B)
    regions = [al.measure_region(t, m.get("region")) for t, m in zip(c.texts, c.rows)]
    levels = [al._LEVEL_OF.get(r) if r else None for r in regions]
    seen = np.zeros(len(al.CONTEXT_FEATURES), dtype=bool)
    for k, (i, j) in enumerate(zip(A.tolist(), B.tolist())):
        ti, tj = c.texts[i], c.texts[j]
        fi, fj = al.industries(ti), al.industries(tj)
        want = [al.head_match(al.institution_heads(ti), al.institution_heads(tj)) / al.HEAD_CAP,
                float(levels[i] == levels[j] == "district" and regions[i] != regions[j]),
                float(bool(levels[i] and levels[j] and levels[i] != levels[j])),
                got[k, 3],
                float(bool(fi and fj and not fi & fj)),
                al.name_shared(al.quoted_names(ti), tj, al.quoted_names(tj), ti),
                float(al.grants_money(ti) != al.grants_money(tj)),
                *got[k, 7:]]  # the shared words: arrays already (words.shared_words)
        assert list(got[k]) == want, (c.ids[i], c.ids[j])
        seen |= np.array(want) != 0
    assert seen[[0, 1, 2, 4, 5, 6]].all()  # every feature is non-zero for some pair of the examples


@pytest.mark.parametrize("seed", range(5))
def test_pair_scores_and_neighbours_as_arrays_read_like_the_dicts_they_replace(seed):
    # the link stage hands clustering arrays (PairScores), clustering reads partners from arrays
    # (Neighbours): both must give what the dict {(a, b): score} and a dict of dicts gave
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    pairs = sorted({(int(a), int(b)) for a, b in rng.integers(0, n, (3 * n, 2)) if a < b})
    scores = {p: round(float(rng.random()), 6) for p in pairs}
    arrays = al.PairScores(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]),
                           np.array([scores[p] for p in pairs]))
    assert len(arrays) == len(scores) and list(arrays.items(chunk=3)) == list(scores.items())
    assert list(arrays.values(chunk=2)) == list(scores.values())
    plain: dict[int, dict[int, float]] = {}
    for (a, b), s in scores.items():
        plain.setdefault(a, {})[b] = s
        plain.setdefault(b, {})[a] = s
    for nbr in (th.neighbours(scores), th.neighbours(arrays)):
        assert [nbr.get(i, {}) for i in range(-1, n + 1)] == [plain.get(i, {}) for i in range(-1, n + 1)]
    clusters = th.average_linkage(n, arrays, 0.5)
    assert clusters == th.average_linkage(n, scores, 0.5)
    assert th.secondary_members(clusters, arrays, 0.4) == th.secondary_members(clusters, scores, 0.4)


def test_links_diffed_and_written_a_chunk_at_a_time_are_those_of_one_chunk(db_path):
    # stored links are read, and link rows built, a chunk at a time: the links to delete and the
    # rows written must not depend on the chunk size
    from compare.encoders import HashingEncoder
    from compare.stages import align_corpus, ingest, link
    from db import open_db, queries

    db = open_db(db_path)
    ingest(db, [EXAMPLES])
    params = al.load_params()
    align_corpus(db, HashingEncoder(), params, "r1")
    first = list(queries.stored_links(db))
    a, b = first[0][:2]
    db.execute("UPDATE links SET score = score / 2 WHERE measure_id = ? AND measure_id2 = ?", [a, b])
    db.execute("UPDATE links SET signals = '{}' WHERE measure_id = ? AND measure_id2 = ?", first[1][:2])
    db.execute("INSERT INTO links VALUES ('mX', 'mY', 0.99, '{}', 'm', 'r0')")
    db.conn.commit()
    links, _ = link(db, HashingEncoder(), params, "r2")
    stored = list(queries.stored_links(db))
    signals = lambda keys: queries.link_signals(db, keys)  # noqa: E731
    gone, written = links.changes(iter(stored), signals)
    assert gone == [("mX", "mY")] and len(written) == 2
    rows = list(links.rows(written))
    assert {r[:2] for r in rows} == {(a, b), first[1][:2]}
    for chunk in (1, 2, 5):
        g, w = links.changes(iter(stored), signals, chunk=chunk)
        assert g == gone and w.tolist() == written.tolist()
        assert list(links.rows(w, chunk=chunk)) == rows
    assert [tuple(links.row(k).values()) for k in written.tolist()] == rows
    assert queries.LINK_COLUMNS == al.LINK_COLUMNS
    assert queries.PAIR_VALUES == al.PAIR_COLUMNS  # the store's columns of a pair, as the engine reads them


def test_pair_cosines_do_not_depend_on_the_chunk_they_are_computed_in(db_path, monkeypatch):
    # rows of documents' centroids hold thousands of n-grams: their pairs are taken a few at a time
    # (memory), and each pair's cosine must be what it is when all pairs are taken at once
    c = _example_corpus(db_path)
    A, B = (x.ravel() for x in np.triu_indices(c.n, 1))
    whole = al.pair_tfidf(c.T, A, B)
    features = al.context_features(c, A, B)
    monkeypatch.setattr(al, "PAIR_CHUNK_ENTRIES", 1)
    assert al.pair_chunk(c.T) == 1
    assert al.pair_tfidf(c.T, A, B).tobytes() == whole.tobytes()
    assert al.context_features(c, A, B).tobytes() == features.tobytes()
    assert np.count_nonzero(whole) > 100


def test_link_signals_formatted_a_chunk_at_a_time_are_json_dumps_of_each_link(db_path):
    # the signals of millions of links are formatted together, without a dict and json.dumps per
    # link: each must be, character for character, what json.dumps of the link's signals gives
    from compare.encoders import HashingEncoder
    from compare.stages import ingest, link
    from db import open_db

    db = open_db(db_path)
    ingest(db, [EXAMPLES])
    links, _ = link(db, HashingEncoder(), al.load_params(), "r1")
    ks = np.arange(len(links.pf.a))
    got = links.signals_of(ks)
    want = [links.signals(k) for k in ks.tolist()]
    assert got == want and len(want) > 100
    assert any("term_match" in s for s in want) and any('"same_doc": 1' in s for s in want)
    assert [json.loads(s) for s in got] == [json.loads(s) for s in want]
    links.pf.X[0, 1] = np.nan  # what JSON cannot write as a number goes through json.dumps
    assert links.signals_of(ks[:3]) == [links.signals(k) for k in range(3)]


def test_the_key_terms_of_stored_pairs_are_read_by_pair(db_path):
    from db import open_db, queries

    db = open_db(db_path)
    rows = [(f"m{i:05d}", f"m{i + 1:05d}", f"术语{i}|术语{i}" if i % 3 else None) for i in range(25000)]
    with db.conn:
        db.conn.executemany("INSERT INTO pairs (model, a, b, cos, hash_cos, term_sim, term_match) "
                            "VALUES ('m', ?, ?, 0.5, 0.5, 0.0, ?)", rows)
        db.conn.execute("INSERT INTO pairs (model, a, b, cos, hash_cos, term_sim, term_match) "
                        "VALUES ('other', 'm00001', 'm00002', 0.5, 0.5, 0.0, 'x|x')")
    asked = [(a, b) for a, b, _ in rows] + [("m99999", "m99998"), ("m00002", "m00001")]
    got = queries.term_matches(db, "m", asked)  # past one chunk of 20,000
    assert got == {(a, b): m for a, b, m in rows if m}
    assert queries.term_matches(db, "other", [("m00000", "m00001"), ("m00001", "m00002")]) == {
        ("m00001", "m00002"): "x|x"}
    assert queries.term_matches(db, "m", []) == {}


@pytest.mark.parametrize("block", [256, 5])
def test_k_nearest_by_blocks_equal_each_row_chosen_on_its_own(block):
    # rows are taken a block at a time; repeated texts (here 60 copies of a few vectors) give rows
    # thousands of near-equal neighbours to compute exactly: each row's list must be the one its own
    # float64 similarities give (exact_sims), ordered by similarity then row (_nearest)
    rng = np.random.default_rng(2)
    V = np.vstack([np.repeat(rng.normal(size=(5, 12)), 60, axis=0), rng.normal(size=(100, 12))]).astype(np.float32)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    n, k = len(V), 70
    pairs, lists = al.topk_rows(V, 0.2, list(range(n)), k, block=block)
    want_pairs = set()
    for i in range(n):
        others = np.delete(np.arange(n), i)
        sims = al.exact_sims(V, i, others)
        pick = al._nearest(sims, others, k)
        s, w = lists[i]
        assert s.tobytes() == sims[pick].tobytes() and w.tolist() == others[pick].tolist()
        want_pairs |= {(min(i, j), max(i, j)) for j in others[pick][sims[pick] >= 0.2].tolist()}
    assert pairs == want_pairs


def test_cached_vectors_stack_in_order_and_ragged_widths_are_refused():
    rng = np.random.default_rng(4)
    vs = {f"h{i}": al.to_blob(rng.standard_normal(6).astype(np.float32)) for i in range(5)}
    order = ["h3", "h0", "h3", "h4"]
    got = al.stack(vs, order)
    assert got.dtype == np.float32 and got.flags.writeable
    assert np.array_equal(got, np.vstack([al.from_blob(vs[h]) for h in order]))
    with pytest.raises(ValueError):
        al.stack({**vs, "odd": al.to_blob(np.zeros(4))}, ["h0", "odd"])


def test_documents_cosines_known_from_cached_pairs_are_the_ones_computed(db_path):
    # doc_sim is a function of the two documents alone: a pair whose two documents (in that order)
    # some pair cached under a current key already holds takes its value instead of computing it
    c = _example_corpus(db_path)
    A, B = (x.ravel() for x in np.triu_indices(c.n, 1))
    whole = al.doc_similarity(c, A, B)
    assert len(np.unique(whole)) > 3  # documents differ
    half = np.arange(len(A)) % 2 == 0
    got = al.doc_similarity(c, A[~half], B[~half], (A[half], B[half], whole[half]))
    assert got.tobytes() == whole[~half].tobytes()
    # and the known values are the ones taken: marked ones come back wherever the documents match
    docs = np.array([m["document_id"] for m in c.rows])
    marked = whole[half] + 1.0
    got = al.doc_similarity(c, A[~half], B[~half], (A[half], B[half], marked))
    ka, kb = docs[A[half]], docs[B[half]]
    held = set(zip(ka.tolist(), kb.tolist()))
    taken = np.array([(x, y) in held for x, y in zip(docs[A[~half]].tolist(), docs[B[~half]].tolist())])
    assert taken.any()
    assert np.array_equal(got[taken], whole[~half][taken] + 1.0)
    assert np.array_equal(got[~taken], whole[~half][~taken])


def test_a_pair_of_documents_has_the_same_cosine_whatever_else_the_corpus_holds(db_path):
    # what makes a cached doc_sim reusable: computed among fewer documents, each ordered pair of
    # documents gives the same bits as in the whole corpus
    c = _example_corpus(db_path)
    docs = sorted({m["document_id"] for m in c.rows})
    assert len(docs) >= 3
    for keep in (docs[:2], docs[1:], docs[::2]):
        rows = [m for m in c.rows if m["document_id"] in keep]
        zeros = np.zeros((len(rows), 2), dtype=np.float32)
        part = al.Corpus.of(rows, zeros, zeros)
        A, B = (x.ravel() for x in np.triu_indices(part.n, 1))
        got = al.doc_similarity(part, A, B)
        at = np.array([c.pos[i] for i in part.ids])
        assert got.tobytes() == al.doc_similarity(c, at[A], at[B]).tobytes()
        assert got.min() < got.max()
