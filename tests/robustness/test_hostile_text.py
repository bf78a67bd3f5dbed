"""Text that makes a reader's or a stage's work grow faster than the file (the security review of
2026-11): each must be read in time proportional to its size. The tests check the property that
makes it so, not a time; speed itself is measured in bench/run.py."""
from compare.pipeline import parse_or_problem
from compare.terms import AMOUNT, extract_terms

from .conftest import record

HEAD = "一、工作目标\n到2026年建成"


def test_an_amount_is_tried_only_from_the_first_digit_of_a_run(tmp_path):
    """extract_terms tried its amount pattern at every digit of a run: n digits with no unit after
    them cost n² steps (20,000 digits took 6 s, a 3 MB file of digits hours). The pattern now starts
    only at a run's first digit, so each run is scanned once; how fast is bench/'s business."""
    assert AMOUNT.match("12345万元", 0) and AMOUNT.match("12345万元", 1) is None
    path = tmp_path / "digits.txt"
    path.write_text(HEAD + "1" * 100_000 + "家平台。\n", encoding="utf-8")
    parsed = parse_or_problem(str(path))
    record("hostile text", tried=1, crashes=int(isinstance(parsed, str)))
    assert not isinstance(parsed, str), parsed


def test_amounts_are_still_found_where_a_run_of_digits_meets_its_unit():
    terms = [(t.text, t.start) for t in extract_terms("投入1.5亿元和2.3.300万元，另有12345") if t.kind == "amount"]
    assert terms == [("1.5亿元", 2), ("3.300万元", 10)]  # a match may start after a point, not inside a run
