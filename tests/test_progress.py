"""Progress of long work when stderr is not a terminal: a line every few seconds (issue 15)."""
import re

from conftest import EXAMPLES


def test_progress_lines_count_up_to_the_total_with_time_left(capsys):
    from cli import ProgressLines

    p = ProgressLines("scoring", 200, every=0)
    p.update(50)
    p.update(50)
    p.done()
    lines = capsys.readouterr().err.splitlines()
    assert [re.match(r"scoring: ([\d,]+)/200 \((\d+) %\)", ln).groups() for ln in lines] == [
        ("50", "25"), ("100", "50"), ("200", "100")]
    assert "left" in lines[0] and "left" not in lines[-1]


def test_progress_lines_wait_their_interval(capsys):
    from cli import ProgressLines

    p = ProgressLines("embedding", 10, every=3600)
    for _ in range(10):
        p.update(1)
    p.done()  # short work says nothing
    assert capsys.readouterr().err == ""


def test_silent_align_prints_nothing(run, tmp_path):
    r = run("align", "--silent", "--model", "hashing", "-d", tmp_path / "a.db", EXAMPLES)
    assert r.output == ""


def test_stage_bars_reach_the_runner(tmp_path):
    import contextlib

    from compare.encoders import HashingEncoder
    from compare.params import load_params
    from compare.stages import align_corpus, ingest
    from db import open_db

    seen = {}

    @contextlib.contextmanager
    def bar(label, length):
        seen[label] = [length, 0]

        def advance(k):
            seen[label][1] += k
        yield advance

    db = open_db(str(tmp_path / "b.db"))
    ingest(db, [EXAMPLES])
    align_corpus(db, HashingEncoder(), load_params(), "r1", bar=bar)
    assert {"embedding", "scoring", "clustering"} <= set(seen)
    for label, (length, done) in seen.items():
        assert 0 < done <= length, label
    assert seen["embedding"][1] == seen["embedding"][0]


def test_progress_lines_say_the_end_once_when_the_last_update_reached_it(capsys):
    from cli import ProgressLines

    p = ProgressLines("embedding", 100, every=0)
    p.update(60)
    p.update(40)  # reaches the total and says it
    p.done()
    lines = capsys.readouterr().err.splitlines()
    assert [re.match(r"embedding: ([\d,]+)/100", ln).group(1) for ln in lines] == ["60", "100"], lines
