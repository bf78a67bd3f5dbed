"""Text that makes a reader's or a stage's work grow faster than the file (the security review of
2026-11): each must be read in time proportional to its size. The bounds are generous (the slow
versions took minutes to hours); speed itself is measured in bench/run.py."""
import time

from compare.pipeline import parse_or_problem
from compare.terms import extract_terms

from .conftest import record

HEAD = "一、工作目标\n到2026年建成"


def test_a_long_run_of_digits_with_no_unit_is_read_in_seconds(tmp_path):
    """extract_terms tried its amount pattern at every digit of a run: 20,000 digits took 6 s,
    100,000 about 150 s, a 3 MB file of digits hours."""
    path = tmp_path / "digits.txt"
    path.write_text(HEAD + "1" * 100_000 + "家平台。\n", encoding="utf-8")
    start = time.perf_counter()
    parsed = parse_or_problem(str(path))
    seconds = time.perf_counter() - start
    record("hostile text", tried=1, crashes=int(isinstance(parsed, str) or seconds >= 20))
    assert not isinstance(parsed, str), parsed
    assert seconds < 20, seconds


def test_amounts_are_still_found_where_a_run_of_digits_meets_its_unit():
    terms = [(t.text, t.start) for t in extract_terms("投入1.5亿元和2.3.300万元，另有12345") if t.kind == "amount"]
    assert terms == [("1.5亿元", 2), ("3.300万元", 10)]  # a match may start after a point, not inside a run
