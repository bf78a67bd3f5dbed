"""Property tests: any input parses or raises compare's own error, never crashes or hangs."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare.clean import clean
from compare.errors import InputError
from compare.metadata import extract_metadata
from compare.readers import decode_bytes
from compare.segment import segment
from compare.targets import find_deadlines, find_quantities
from compare.terms import extract_terms

from .conftest import record

FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})
POLICY_CHARS = st.sampled_from(list("一二三是、（）。，；：“”《》到年月日不少于家个亿元推进建设平台中心2026 \n\t#*-—"))
TEXT = st.one_of(st.text(max_size=400), st.text(POLICY_CHARS, max_size=400),
                 st.lists(st.sampled_from(["一、主要做法", "（一）推进", "1、建设平台。", "**一是加强。**", "— 2 —",
                                           "上海", "市宝", "http://x.cn/a?b", "到2026年，建成不少于2家平台。",
                                           "下一步，我们将加快建设。", "", "  "]), max_size=30).map("\n".join))
SETTINGS = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=2000))
def test_reader_decodes_or_raises_its_own_error(data):
    try:
        text, enc = decode_bytes(data, "x.txt")
        assert isinstance(text, str) and enc
        record("property: reader", tried=1)
    except InputError as e:
        assert str(e).startswith("x.txt:")
        record("property: reader", tried=1, clean=1)


@SETTINGS
@given(TEXT)
def test_cleaner_offsets_map_back_into_the_original(text):
    c = clean(text)
    for i, ch in enumerate(c.text):
        if ch in "\n ":
            continue
        o = c.to_original(i)
        assert 0 <= o < len(text) and text[o].translate(FULLWIDTH) == ch
    for p in c.paragraphs:
        a, b = c.span_to_original(p.start, p.end)
        assert 0 <= a <= b <= len(text)
    record("property: cleaner", tried=1)


@SETTINGS
@given(TEXT)
def test_segmenter_never_crashes_and_measures_point_into_the_text(text):
    c = clean(text)
    md = extract_metadata(c)
    for m in segment(c, md):
        assert c.text[m.start:m.end] == m.text and m.kind in ("progress", "commitment", "target", "other")
        a, b = c.span_to_original(m.start, m.end)
        assert 0 <= a <= b <= len(text)
    record("property: segmenter", tried=1)


@SETTINGS
@given(TEXT)
def test_target_and_term_parsers_never_crash(text):
    for q in find_quantities(text):
        assert q.value >= 0 and 0 <= q.start <= q.end <= len(text)
    for d in find_deadlines(text, (2024, 2026), 2025):
        assert 1900 < d.year < 2200
    for t in extract_terms(text):
        assert t.text and 0 <= t.start <= t.end <= len(text)
    record("property: targets", tried=1)
