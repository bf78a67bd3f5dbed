"""Thread labels: short (a key term or what the measures are about, never a whole sentence) and
telling threads apart; labels are not ids, and ids do not follow them."""
import re
from types import SimpleNamespace

from conftest import EXAMPLES, rows

from compare import threads as th

SENTENCE = re.compile(r"[。；;！？]$|[，,]")


def test_a_thread_without_a_shared_term_is_labelled_by_its_object_not_its_sentence():
    texts = {"a": "开展产品应用示范。", "b": "推动医疗机构与企业开展产品应用示范，形成一批典型案例。"}
    label = th.label_for(["a", "b"], {}, texts)
    assert label == "产品应用示范"
    long = {"a": "加快构建人工智能、生命健康等领域的概念验证服务体系，推动验证与投资联动。",
            "b": "鼓励境内外龙头企业在本区设立研发中心、科技成果转化中心、高端产业化基地和区域总部。"}
    for ids in (["a", "b"], ["b"]):
        label = th.label_for(ids, {}, long)
        assert not SENTENCE.search(label) and len(label) <= th.MAX_LABEL, label
        assert label not in long.values()


def test_an_institution_label_drops_the_modifier_in_front_of_its_name():
    terms = {m: [("对经认定的区级概念验证平台", "institution", "对经认定区级概念验证平台")] for m in "ab"}
    assert th.label_for(["a", "b"], terms, {"a": "x", "b": "y"}) == "区级概念验证平台"


def test_threads_of_one_label_get_the_word_that_sets_them_apart():
    texts = {"a1": "进一步完善北上海生物医药产业园配套建设", "a2": "加快推动北上海生物医药产业园生物医药智造空间建设",
             "a3": "出台生物医药智造空间建设行动计划",
             "b1": "推动北上海生物医药产业园企业组建产业联合会", "b2": "推动产业联合会实体性运作"}
    terms = {"a2": [("生物医药智造空间", "institution", "生物医药智造空间")],
             "a3": [("生物医药智造空间", "institution", "生物医药智造空间")],
             "b1": [("产业联合会", "institution", "产业联合会")], "b2": [("产业联合会", "institution", "产业联合会")]}
    members = {"tA": ["a1", "a2", "a3"], "tB": ["b1", "b2"], "tC": ["a1", "b2"]}
    base = "北上海生物医药产业园"
    out = th.distinct_labels({"tA": base, "tB": base, "tC": "别的"}, members, texts, {}, terms)
    assert out["tA"] == f"{base} · 生物医药智造空间" and out["tB"] == f"{base} · 产业联合会"
    assert out["tC"] == "别的"  # a label nobody else holds is left alone


def test_threads_nothing_sets_apart_get_their_years_then_a_number():
    texts = {m: "推进平台建设" for m in ("a", "b", "c", "d")}
    members = {"t1": ["a", "b"], "t2": ["c", "d"]}
    out = th.distinct_labels({"t1": "平台", "t2": "平台"}, members, texts, {"t1": "2023–2024", "t2": "2025"}, {})
    assert out == {"t1": "平台 (2023–2024)", "t2": "平台 (2025)"}
    out = th.distinct_labels({"t1": "平台", "t2": "平台"}, members, texts, {"t1": "2025", "t2": "2025"}, {})
    assert sorted(out.values()) == ["平台 (2025) #1", "平台 (2025) #2"]


def test_the_numbers_follow_the_members_not_the_thread_ids():
    # a thread keeps the id it was first given, so the same threads have other ids when the
    # documents came in another order: their numbers must not change with the ids
    texts = {m: "推进平台建设" for m in ("a", "b", "c", "d")}
    spans = {"t1": "2025", "t2": "2025"}
    one = th.distinct_labels({"t1": "平台", "t2": "平台"}, {"t1": ["a", "b"], "t2": ["c", "d"]}, texts, spans, {})
    other = th.distinct_labels({"t1": "平台", "t2": "平台"}, {"t1": ["c", "d"], "t2": ["a", "b"]}, texts, spans, {})
    assert one["t1"] == other["t2"] == "平台 (2025) #1" and one["t2"] == other["t1"] == "平台 (2025) #2"
    # a measure in both (core in one, secondary in the other) is no tie-break: the rest of them is
    texts["e"] = "推进平台建设"
    one = th.distinct_labels({"t1": "平台", "t2": "平台"}, {"t1": ["a", "e"], "t2": ["a", "d"]}, texts, spans, {})
    other = th.distinct_labels({"t1": "平台", "t2": "平台"}, {"t1": ["a", "d"], "t2": ["a", "e"]}, texts, spans, {})
    assert one["t2"] == other["t1"] == "平台 (2025) #1" and one["t1"] == other["t2"] == "平台 (2025) #2"


def _measure(mid, doc, date, text):
    return {"id": mid, "document_id": doc, "sort_date": date, "date_approximate": 0, "region": "上海市",
            "level": "city", "analysis_text": text, "text": text}


def test_build_threads_labels_apart_and_the_ids_are_the_members_not_the_labels():
    ids = ["m1", "m2", "m3", "m4"]
    texts = ["支持高质量孵化器与科创金融联盟合作", "推动高质量孵化器与科创金融联盟签约",
             "到2025年培育高质量孵化器不少于20家。", "新增高质量孵化器6家。"]
    measures = {m: _measure(m, f"d{i % 2}", f"202{3 + i}-05-01", t) for i, (m, t) in enumerate(zip(ids, texts))}
    terms = {m: [("高质量孵化器", "institution", "高质量孵化器")] for m in ids}
    terms["m1"].append(("科创金融联盟", "institution", "科创金融联盟"))
    terms["m2"].append(("科创金融联盟", "institution", "科创金融联盟"))
    params = SimpleNamespace(cluster_threshold=0.6, secondary_threshold=0.95)
    out = th.build_threads(ids, {(0, 1): 0.9, (2, 3): 0.9}, measures, terms, {}, {}, params, "r1", "now")
    labels = {t["id"]: t["label"] for t in out.threads}
    assert len(set(labels.values())) == 2 and all(v.startswith("高质量孵化器") for v in labels.values())
    assert set(labels) == {th.fresh_id(["m1", "m2"]), th.fresh_id(["m3", "m4"])}
    assert labels[th.fresh_id(["m1", "m2"])] == "高质量孵化器 · 科创金融联盟"


def test_the_examples_threads_have_distinct_short_labels(run, db_path):
    run("align", "--model", "hashing", "-d", db_path, EXAMPLES)
    labels = [r[0] for r in rows(db_path, "SELECT label FROM threads")]
    assert labels and len(set(labels)) == len(labels)
    texts = {r[0] for r in rows(db_path, "SELECT text FROM measures")}
    assert not [x for x in labels if x[0] not in "《“" and (SENTENCE.search(x) or x in texts)]
