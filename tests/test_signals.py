"""The alignment's context signals (compare/align.py), on sentences written for the tests."""
import numpy as np
import pytest

from compare import align as al


def test_institution_heads_match_across_suffixes_of_one_kind():
    lab = al.institution_heads("推进海洋装备检测中心建设")
    platform = al.institution_heads("布局海洋装备检测平台")
    other = al.institution_heads("新建社区助残服务中心")
    assert al.head_match(lab, platform) == al.HEAD_CAP  # 检测中心 ~ 检测平台: the same facility reworded
    assert al.head_match(lab, other) == 0  # the suffix alone is not a match
    fund = al.institution_heads("设立海洋装备检测基金")
    assert al.head_match(lab, fund) == 0  # a fund is not a centre


def test_measure_region_from_the_places_it_names_else_its_document():
    assert al.measure_region("支持金山区建设检测中心", "上海市") == "金山区"
    assert al.measure_region("全市建成检测中心10家", "奉贤区") == "上海市"
    assert al.measure_region("建成检测中心3家", "奉贤区") == "奉贤区"
    # two districts named: the document says which place the measure speaks for
    assert al.measure_region("金山、奉贤两区共建检测中心", "上海市") == "上海市"


def test_industries_take_the_longest_word():
    assert al.industries("智能机器人产业规模") == {"robotics"}
    assert al.industries("具身智能和人工智能") == {"embodied-ai", "ai"}
    assert al.industries("新建检测中心") == frozenset()


def test_a_quoted_name_in_the_other_text_is_shared():
    a, b = "推广“检测贷”服务", "用好检测贷、设备贷等金融工具"
    assert al.name_shared(al.quoted_names(a), b, al.quoted_names(b), a) == 1.0
    c = "推广“设备贷”服务"
    assert al.name_shared(al.quoted_names(a), c, al.quoted_names(c), a) == 0.0


def test_a_quoted_name_inside_a_title_is_the_titles_subject():
    terms = [("金山区推进“湾区智造”行动计划", "title", "金山区推进湾区智造行动计划"),
             ("湾区智造", "quoted", "湾区智造"), ("检测中心", "institution", "检测中心")]
    assert [t[1] for t in al.own_names(terms)] == ["title", "institution"]


def context(rows):
    texts = [r["text"] for r in rows]
    V = np.eye(len(rows), dtype=np.float32)
    c = al.Corpus.of([dict(r, id=f"m{i}", analysis_text=None) for i, r in enumerate(rows)], V, V)
    n = len(rows)
    A, B = np.triu_indices(n, 1)
    return dict(zip(zip(A.tolist(), B.tolist()), al.context_features(c, A, B))), texts


def test_context_features_tell_look_alikes_apart():
    rows = [{"text": "到2027年，金山区人工智能产业规模突破300亿元", "document_id": "d1", "region": "金山区"},
            {"text": "到2027年，奉贤区生物医药产业规模突破300亿元", "document_id": "d2", "region": "奉贤区"},
            {"text": "全市人工智能产业规模达到3000亿元", "document_id": "d3", "region": "上海市"}]
    X, _ = context(rows)
    col = {f: i for i, f in enumerate(al.CONTEXT_FEATURES)}
    assert X[(0, 1)][col["industry_conflict"]] == 1.0 and X[(0, 1)][col["other_district"]] == 1.0
    assert X[(0, 2)][col["industry_conflict"]] == 0.0 and X[(0, 2)][col["other_level"]] == 1.0
    assert X[(0, 1)][col["doc_sim"]] > 0


def test_a_signal_without_a_weight_weighs_nothing():
    p = al.Params(weights={"cos": 1.0}, bias=0.0, link_threshold=0.5, cluster_threshold=0.5, secondary_threshold=0.5)
    X = np.zeros((1, len(al.FEATURES)))
    X[0, al.FEATURES.index("head")] = 1.0
    assert al.combine(p, X)[0] == 0.5


def test_char_ngram_counts_equal_sklearns_count_vectorizer():
    # compare.align counts n-grams itself so that `compare align` does not import sklearn
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    from compare.align import _SEP, char_ngram_counts, l2_rows

    texts = ["推进智能网联汽车测试道路建设，累计开放1000公里。", "建设“新优药械”目录", "ab", "a", "",
             "完善  人才公寓供给；新增人才住房500套", "推进智能网联汽车测试道路建设"]
    C, terms = char_ngram_counts(texts)
    cv = CountVectorizer(analyzer="char", ngram_range=(2, 4), dtype=np.float32, preprocessor=lambda s: _SEP.sub("|", s))
    want = cv.fit_transform(texts).tocsr()
    assert terms == list(cv.get_feature_names_out())
    assert C.shape == want.shape and (C != want).nnz == 0
    T = C.astype(np.float64)
    T.data = np.log(T.data) + 1
    assert np.array_equal(l2_rows(T).toarray(), normalize(T).toarray())


def test_aligning_does_not_import_sklearn(tmp_path):
    import subprocess
    import sys

    from conftest import EXAMPLES

    code = ("import sys; from compare.encoders import HashingEncoder; from compare.params import load_params; "
            "from compare.stages import align_corpus, ingest; from db import open_db; "
            f"db = open_db({str(tmp_path / 'a.db')!r}); ingest(db, [{str(EXAMPLES)!r}]); "
            "r = align_corpus(db, HashingEncoder(), load_params(), 'r'); assert r.links; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_words_are_segmented_words_not_character_runs():
    from compare.words import words

    w = words("大力支持新优药械出海开拓市场。2026年")
    assert "出海" in w and "药械" in w
    assert "械出" not in w and "。" not in w and "2026" not in w  # no runs across words, no punctuation or bare numbers
    assert len(w) == len(set(w))
    assert words("出海\ud800方案") == ["出海", "方案"]  # a lone surrogate (no UTF-8 for it) does not stop the run


def test_a_rare_shared_word_weighs_more_than_a_common_one():
    from compare.words import shared_words, word_matrix, word_weights

    texts = ["支持新优药械出海开拓市场", "编制创新产品出海行动方案", "加快创新产品审评审批",
             "推进创新产品入院", "推动创新产品示范应用", "创新产品目录征集"]
    W, df = word_matrix(texts)
    w = word_weights(df, 4)
    # 出海 is in 2 of 6 texts, 创新 in 5 and 产品 in 4 (产品目录 is a word of its own): weight 0 from max_df on
    s = shared_words(W, w, np.array([0, 1]), np.array([1, 2]))
    assert s[0] > 0.0  # 出海
    assert s[1] == 0.0  # 创新产品 only: as common as max_df
    # a word in one text weighs 1, in max_df or more 0, between falling with ln(df)
    assert list(word_weights(np.array([1, 2, 5, 9]), 5)) == [1.0, pytest.approx(1 - np.log(2) / np.log(5)), 0.0, 0.0]


def test_the_word_signal_counts_words_by_measures_and_past_the_reference_size_not_by_its_size():
    rows = [{"text": "支持药械出海", "document_id": "d1", "region": "上海市"},
            {"text": "编制产品出海方案", "document_id": "d2", "region": "上海市"},
            {"text": "编制产品目录", "document_id": "d3", "region": "上海市"}]
    filler = [{"text": f"第{i}项工作", "document_id": "d0", "region": "上海市"} for i in range(al.REFERENCE_SIZE + 100)]
    col = al.CONTEXT_FEATURES.index("word")
    X, _ = context(rows + filler[:al.REFERENCE_SIZE])
    assert X[(0, 1)][col] > 0 and X[(0, 2)][col] == 0.0
    # 100 measures more that do not use 出海 leave its weight as it was (word_max_df measures, not a share)
    X_big, _ = context(rows + filler)
    assert X_big[(0, 1)][col] == X[(0, 1)][col]
    # one more measure holding 出海 makes it commoner: its weight falls
    X2, _ = context(rows + [{"text": "举办药械出海活动", "document_id": "d4", "region": "上海市"}]
                    + filler[:al.REFERENCE_SIZE])
    assert 0 < X2[(0, 1)][col] < X[(0, 1)][col]
    # in word_max_df (28) measures it counts no more
    many = [{"text": f"推进第{i}批药械出海", "document_id": f"e{i}", "region": "上海市"} for i in range(26)]
    X3, _ = context(rows + many + filler[:al.REFERENCE_SIZE])
    assert X3[(0, 1)][col] == 0.0
    # a small corpus counts against its own size: in 3 measures of 3, 出海 is common
    small = [{"text": t, "document_id": f"d{i}", "region": "上海市"}
             for i, t in enumerate(["支持药械出海", "编制产品出海方案", "推进药械出海"])]
    X4, _ = context(small)
    assert X4[(0, 1)][col] == 0.0 and X4[(0, 2)][col] > 0  # 出海 is in all three, 药械 in two


@pytest.mark.parametrize("field, value", [("word_max_df", float("nan")), ("word_max_df", 1),
                                          ("rare_max_df", 0), ("bias", float("inf")), ("weights", {"cos": float("nan")})])
def test_parameters_that_are_not_finite_numbers_are_refused(field, value):
    import json

    params = json.loads(al.params_text())
    params[field] = value
    with pytest.raises(ValueError, match="must be"):
        al.Params(**params)
