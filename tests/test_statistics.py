"""Statistics one document leaves alone (issue 15): a pair's signals do not move when the corpus
grows by measures that share nothing rare with it."""
import numpy as np
import pytest

from compare import align as al
from compare import background


def corpus(texts, docs=None):
    rows = [{"id": f"m{i:04d}", "text": t, "analysis_text": None, "document_id": (docs or {}).get(i, f"d{i}"),
             "region": "上海市"} for i, t in enumerate(texts)]
    V = np.eye(len(rows), dtype=np.float32)
    return al.Corpus.of(rows, V, V)


def signals(c, pairs):
    A, B = (np.array(x, dtype=np.int64) for x in zip(*pairs))
    tfidf = al.pair_tfidf(c.T, A, B)
    rare = al.pair_rarity(c.Bn, c.rarity, A, B)
    context = al.context_features(c, A, B)
    return np.column_stack([tfidf, rare, context])


PAIR = ["建设生物医药概念验证中心", "推动概念验证中心建设，支持生物医药成果转化"]
# measures of another topic, as a district's other documents would hold
OTHER = [f"推进第{i}批老旧小区加装电梯，完善社区养老服务设施" for i in range(al.REFERENCE_SIZE + 300)]


def test_past_the_reference_size_a_pairs_signals_do_not_depend_on_the_corpus_size():
    docs = {0: "d0", 1: "d1"}
    base = corpus(PAIR + OTHER[:al.REFERENCE_SIZE], docs={**docs, **{k: "dx" for k in range(2, al.REFERENCE_SIZE + 2)}})
    more = corpus(PAIR + OTHER, docs={**docs, **{k: "dx" for k in range(2, al.REFERENCE_SIZE + 302)}})
    got, got_more = signals(base, [(0, 1)]), signals(more, [(0, 1)])
    assert got[0, 0] > 0.3 and got[0, 1] > 0.5  # they do share rare n-grams
    assert got.tobytes() == got_more.tobytes()  # 300 more measures, not one signal moved


def test_in_a_small_corpus_statistics_are_measured_against_its_size():
    # 举办 in 3 of 4 measures is common there, however rare it would be in a thousand
    small = al.rarity_of(np.array([3]), 15, 4)[0]
    assert small < al.rarity_of(np.array([3]), 15, al.REFERENCE_SIZE)[0]
    assert al.rarity_of(np.array([3]), 15, 10 * al.REFERENCE_SIZE)[0] == al.rarity_of(np.array([3]), 15,
                                                                                      al.REFERENCE_SIZE)[0]
    assert al.word_cap(28, 6) == al.WORD_MIN_MAX_DF and al.word_cap(28, 100_000) == 28


def test_one_more_measure_changes_the_pairs_sharing_its_rare_ngrams_only():
    base = PAIR + OTHER[:al.REFERENCE_SIZE]
    more = base + ["生物医药概念验证中心建设"]  # holds every n-gram the pair shares
    docs = {k: "dx" for k in range(2, len(more))}
    before, after = corpus(base, docs=docs), corpus(more, docs=docs)
    pairs = [(0, 1), (2, 3)]
    b, a = signals(before, pairs), signals(after, pairs)
    assert a[1].tobytes() == b[1].tobytes()  # 电梯 / 养老: untouched
    assert a[0, 1] < b[0, 1]  # the shared n-grams are in three measures now: less rare


def test_rarity_is_zero_beyond_the_cap():
    r = al.rarity_of(np.array([1, 2, 15, 16, 900]), 15, al.REFERENCE_SIZE)
    assert r[0] == pytest.approx((np.log(1001 / 2) + 1) / (np.log(1001) + 1))
    assert r[0] > r[1] > r[2] > 0 and r[3] == 0 and r[4] == 0


def test_background_idf_is_low_inside_common_words_and_high_for_names():
    grams = ["推进", "建设", "持续举办", "春昇", "GC", "a|b"]
    idf = dict(zip(grams, background.gram_idf(grams)))
    top = background.table()[2]
    assert idf["推进"] < 7 and idf["建设"] < 7  # common words of any Chinese text
    assert idf["持续举办"] < 7.5  # two common words: a phrase no rarer than its rarer word
    assert idf["春昇"] > 9  # a name: as rare as its rarest character
    assert idf["GC"] == top and idf["a|b"] == top  # unknown, or across punctuation: the rarest


def test_the_background_table_is_cached_and_a_broken_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    background.table.cache_clear()
    try:
        first = background.table()
        files = sorted(p.name for p in (tmp_path / "compare").iterdir())
        assert len(files) == 4 and all(f.endswith(".npy") for f in files)
        background.table.cache_clear()
        again = background.table()  # from the cache
        assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
        for f in (tmp_path / "compare").iterdir():
            f.write_bytes(b"not an array")
        background.table.cache_clear()
        rebuilt = background.table()
        assert np.array_equal(first[1], rebuilt[1]) and first[2] == rebuilt[2]
    finally:
        background.table.cache_clear()


def test_the_idf_file_is_read_line_by_line_and_bad_lines_are_skipped():
    got = background.read_idf("推进 5.7\n坏行\n概念 nan\n负数 -1\n建设 4.9\n".encode())
    assert got == {"推进": 5.7, "建设": 4.9}
    keys, values = background.gram_table({"推进建设": 4.0, "建设": 5.0})
    table = dict(zip(keys.tolist(), values.tolist()))
    assert table["建设"] == 4.0 and table["推进建设"] == 4.0 and table["进建"] == 4.0


@pytest.mark.parametrize("a, b, conflict", [
    ("举办生命健康科技概念验证大赛", "持续举办“春昇杯”医学创新人才大赛", 1.0),  # two contests
    ("举办“春昇杯”大赛", "持续举办“春昇杯”医学创新人才大赛", 0.0),  # one contest, named more fully
    ("发挥浦东天使基金作用", "推动成立生物医药产业母基金", 1.0),  # two funds
    ("鼓励设立产业基金", "推动成立生物医药产业母基金", 0.0),  # a fund in general and a named one
])
def test_differently_named_contests_and_funds_are_different_things(a, b, conflict):
    from compare.terms import extract_terms

    ta, tb = (al.own_names([(t.text, t.kind, t.norm) for t in extract_terms(x)]) for x in (a, b))
    assert al.name_conflict(ta, tb) == conflict


def test_a_lone_surrogate_in_a_text_is_weighed_not_a_crash():
    # a file can decode to text holding one (rjieba raises on it): the n-gram is as rare as any
    got = background.gram_idf(["a\ud800", "推进"])
    assert got[0] == background.table()[2] and got[1] < 7


def test_the_signals_cached_by_pair_are_keyed_by_the_vocabularies_too(tmp_path):
    # an industry or institution kind added to compare/vocab changes signals: stored ones must not be reused
    import shutil
    from importlib import resources

    from compare import vocabulary

    src = resources.files("compare") / "vocab"
    copy = tmp_path / "vocab"
    shutil.copytree(str(src), copy)
    assert vocabulary.digest(str(copy)) == vocabulary.digest()
    (copy / "terms.txt").write_text((copy / "terms.txt").read_text(encoding="utf-8") + "\n示范园    general\n",
                                    encoding="utf-8")
    assert vocabulary.digest(str(copy)) != vocabulary.digest()


def test_a_measures_key_changes_when_the_rarity_of_its_ngrams_does_even_when_two_change_alike():
    # two bigrams whose changes cancelled out in a sum of hash ^ (rarity × constant) (found by a
    # review): with each (hash, rarity) mixed before summing, the key moves with the signal
    m1, m2 = "逄邆，魎錍", "魎錍，逄邆"
    filler = [f"推进第{i}批老旧小区加装电梯，完善社区养老服务设施" for i in range(al.REFERENCE_SIZE + 10)]
    docs = {k: "dx" for k in range(3, al.REFERENCE_SIZE + 13)}
    before = corpus([m1, m2, "占位"] + filler, docs=docs)
    after = corpus([m1, m2, "逄邆。魎錍。另"] + filler, docs=docs)
    A, B = np.array([0]), np.array([1])
    assert al.pair_rarity(after.Bn, after.rarity, A, B)[0] < al.pair_rarity(before.Bn, before.rarity, A, B)[0]
    kb, ka = al.measure_keys(before, "salt"), al.measure_keys(after, "salt")
    assert kb[0] != ka[0] and kb[1] != ka[1]
    assert al.pair_keys(kb, A, B)[0] != al.pair_keys(ka, A, B)[0]


def test_the_salt_holds_the_vocabularies_and_the_segmenter(monkeypatch):
    from compare import vocabulary
    from compare.params import load_params

    params = load_params()
    salt = al.feature_salt(params, 5000)
    monkeypatch.setattr(vocabulary, "digest", lambda directory=None: "another vocabulary")
    assert al.feature_salt(params, 5000) != salt
    monkeypatch.undo()
    import importlib.metadata as md

    real = md.version
    for package in ("rjieba", "numpy", "scipy"):  # the segmenter, and the numerics whose bits are cached
        monkeypatch.setattr(md, "version", lambda name, package=package: "9.9" if name == package else real(name))
        assert al.feature_salt(params, 5000) != salt


def test_an_empty_or_forged_cache_file_is_rebuilt_and_a_good_one_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    background.table.cache_clear()
    try:
        first = background.table()
        files = sorted((tmp_path / "compare").iterdir())
        # read from the cache: building it again would need the idf file's words
        monkeypatch.setattr(background, "read_idf", lambda data: (_ for _ in ()).throw(AssertionError("rebuilt")))
        background.table.cache_clear()
        assert np.array_equal(background.table()[0], first[0])
        monkeypatch.undo()
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        files[0].write_bytes(b"")  # a crash before the data reached the disk
        background.table.cache_clear()
        assert np.array_equal(background.table()[1], first[1]) and background.table()[2] == first[2]
        # a header claiming an array larger than memory
        np.save(files[0], np.zeros(3, dtype="<U4"))
        files[0].write_bytes(files[0].read_bytes().replace(b"(3,)", b"(10**12,)"[:4]))
        background.table.cache_clear()
        assert np.array_equal(background.table()[1], first[1])
    finally:
        background.table.cache_clear()


def test_the_background_idf_of_many_n_grams_at_once_is_that_of_each_on_its_own():
    # the runs the table lacks are cut into words and looked up together: each run's words must
    # stay its own (a run of unknown words, one of known words, a name, a lone surrogate, digits)
    # runs of two, three and four words, in turn: each run's words are counted from where it starts
    grams = ["持续举办", "的了在是", "概念验证", "我和你", "春昇杯", "了和", "推进", "a\ud800", "和在的", "2025",
             "|推进", "举办大赛", "一是推进", "验证中心", "在于其", "昇杯赛", "新优药械"]
    together = background.gram_idf(grams * 3)
    alone = np.concatenate([background.gram_idf([g]) for g in grams * 3])
    assert together.tolist() == alone.tolist()
    assert len(set(together.tolist())) > 3  # the grams do not all take one value
