"""The status rules' evidence indexes look titles and figures up by key (issue 15: judging 1,000
documents' commitments tried every title and figure of the corpus against each). A lookup must
answer exactly what trying each in turn answers: these tests try each in turn beside it."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from compare import status as st

# pieces titles are made of: places, openers, modifiers and their synonyms, topics, document nouns
PIECES = ["上海市", "浦东新区", "嘉定区", "市", "关于", "印发", "高质量", "助力", "支持", "扶持", "加快",
          "推进", "生物医药", "产业", "发展", "创新", "孵化器", "概念验证", "若干", "实施", "行动", "的",
          "2024年", "（试行）", "意见", "方案", "措施", "办法", "通知", "规划"]
titles = hs.lists(hs.sampled_from(PIECES), min_size=1, max_size=7).map("".join)


def index_of(ts: list[str]) -> st.TitleIndex:
    docs = [{"id": f"d{i}", "title": t, "sort_date": f"2025-01-{i % 28 + 1:02d}", "issuer": ""}
            for i, t in enumerate(ts)]
    return st.TitleIndex.index(docs, [], {})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(titles, min_size=1, max_size=25), titles)
def test_titles_looked_up_by_key_are_those_titles_match_accepts(corpus, promised):
    index = index_of(corpus)
    want = {t for t in index.positions if st.titles_match(promised, t)}
    assert index.matching(promised) == want


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.lists(titles, min_size=1, max_size=25), titles)
def test_titles_covering_a_description_are_those_description_covered_accepts(corpus, description):
    index = index_of(corpus)
    want = {t for t in index.positions if st._description_covered(description, t) >= 0.6}
    assert index.described(description) == want


def test_a_fuzzy_title_of_another_place_or_noun_is_not_looked_up():
    index = index_of(["浦东新区关于支持生物医药产业高质量发展的若干意见", "关于支持生物医药产业发展的实施方案",
                      "嘉定区关于支持生物医药产业发展的若干意见"])
    got = index.matching("关于助力生物医药产业发展的若干意见")
    assert got == {"浦东新区关于支持生物医药产业高质量发展的若干意见", "嘉定区关于支持生物医药产业发展的若干意见"}
    assert index.matching("嘉定区关于助力生物医药产业发展的若干意见") == {"嘉定区关于支持生物医药产业发展的若干意见"}


WINDOW = ["孵化器", "高质量", "新增", "市级", "累计", "建成", "企业", "家", "个", "，", "培育", "认定"]
windows = hs.lists(hs.sampled_from(WINDOW), min_size=0, max_size=6).map("".join)


@hs.composite
def figures(draw):
    n = draw(hs.integers(0, 30))
    out = []
    for i in range(n):
        window = draw(windows)
        out.append(st.Figure(f"m{i}", f"d{draw(hs.integers(0, 4))}", f"2025-0{draw(hs.integers(1, 9))}-01",
                             draw(hs.sampled_from([None, "上海市", "嘉定区"])), ">=", float(draw(hs.integers(1, 50))),
                             draw(hs.sampled_from(["家", "个"])), "x", window, window, draw(windows)))
    return out


def brute_later(found: list[st.Figure], c: dict, target: dict) -> list[st.Figure]:
    """FigureIndex.later as it was: every later figure of the unit tried in turn."""
    figures = sorted((f for f in found if f.unit == target["unit"]), key=lambda f: f.date)
    key = st.metric_key(target["object"])
    since = str(c.get("sort_date") or "")
    if not since or not key:
        return []
    owner = st._owner(c["text"], target) if key in st.GENERIC_METRICS else ""
    if owner is None:
        return []
    return [f for f in figures if f.date > since and key[-2:] in f.window and f.document_id != c["document_id"]
            and st.counts_metric(key, f) and owner in f.before + f.window]


OBJECTS = ["高质量孵化器", "孵化器", "市级孵化器", "企业", "器", "规模"]
asked = hs.tuples(hs.sampled_from(OBJECTS), hs.sampled_from(["家", "个"]),
                  hs.sampled_from(["2025-01-01", "2025-04-01", "2025-09-01"]), hs.sampled_from(["d0", "d9"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(figures(), hs.lists(asked, min_size=1, max_size=6))
def test_later_figures_looked_up_by_the_metric_head_are_those_tried_in_turn(found, questions):
    index = st.FigureIndex.of(list(found))  # one index asked in turn: what it remembers must not leak
    # each question in both units: a figure's position means another figure in the other unit
    for obj, unit, since, doc in [q for o, u, s, d in questions for q in ((o, u, s, d), (o, "家个"[u == "家"], s, d))]:
        c = {"id": "c", "document_id": doc, "sort_date": since, "text": f"到2027年，新增{obj}10{unit}"}
        target = {"unit": unit, "object": obj, "raw": f"10{unit}", "value": 10.0}
        assert index.later(c, target) == brute_later(found, c, target)
