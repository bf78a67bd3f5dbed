"""The stage runner (compare.stages) and the reports module (compare.reports)."""
import contextlib
import datetime as dt
import json

import pytest
from conftest import EXAMPLES, rows

from compare import reports, stages
from db import open_db
from db.errors import NotFound


def test_run_chains_the_stages_and_says_what_it_does(db_path):
    heard = []

    @contextlib.contextmanager
    def bar(label, length):
        heard.append(("bar", label, length))
        yield lambda n: None

    hooks = stages.Hooks(bar, lambda report: heard.append(("ingested", len(report.added))),
                         lambda name, seconds: heard.append(("stage", name)))
    outcome = stages.run(open_db(db_path), [EXAMPLES], model="hashing", hooks=hooks)
    assert outcome.alignment and outcome.alignment.threads and not outcome.report.problems
    said = [h for h in heard if h[0] != "bar"]
    # each stage says its name, then the rows it touched: "threads (12 links, 12 written, 0 deleted; 3 threads)"
    assert [(h[0], h[1].split(" (")[0] if h[0] == "stage" else h[1]) for h in said] == [
        ("ingested", 4), ("stage", "vectors, candidates and scores"), ("stage", "threads"), ("stage", "statuses")]
    links = rows(db_path, "SELECT count(*) FROM links")[0][0]
    assert f"{links:,} links, {links:,} written, 0 deleted" in said[2][1]
    statuses = rows(db_path, "SELECT count(*) FROM statuses")[0][0]
    assert said[3][1].endswith(f"({statuses:,} statuses, {statuses:,} written)")
    assert ("bar", "reading", 4) in heard and any(h[:2] == ("bar", "embedding") for h in heard)
    # nothing changed: every alignment stage is skipped
    again = stages.run(open_db(db_path), [EXAMPLES], model="hashing")
    assert again.alignment is None and [r.status for r in again.report.results] == ["unchanged"] * 4


def test_as_of_reaches_only_the_judge_stage(run, db_path):
    run("align", "--model", "hashing", EXAMPLES)
    threads = rows(db_path, "SELECT id, run_id FROM threads ORDER BY id")
    links = rows(db_path, "SELECT measure_id, measure_id2, run_id FROM links ORDER BY 1, 2")
    run("align", "--model", "hashing", "--as-of", "2030-01-01")
    assert rows(db_path, "SELECT DISTINCT as_of FROM statuses") == [("2030-01-01",)]
    assert rows(db_path, "SELECT id, run_id FROM threads ORDER BY id") == threads
    assert rows(db_path, "SELECT measure_id, measure_id2, run_id FROM links ORDER BY 1, 2") == links
    assert all(s == "overdue" or s == "fulfilled" for (s,) in rows(db_path, "SELECT status FROM statuses "
                                                                           "WHERE deadline IS NOT NULL"))
    run("status", "--as-of", "2024-01-01")
    assert rows(db_path, "SELECT DISTINCT as_of FROM statuses") == [("2024-01-01",)]
    run("align", "--model", "hashing")  # no date, nothing new: statuses stay as they were judged
    assert rows(db_path, "SELECT DISTINCT as_of FROM statuses") == [("2024-01-01",)]


def test_judge_defaults_to_today(db_path):
    db = open_db(db_path)
    stages.ingest(db, [EXAMPLES / "01_jiading_plan.txt"])
    stages.judge(db, "r")
    assert rows(db_path, "SELECT DISTINCT as_of FROM statuses") == [(dt.date.today().isoformat(),)]


def test_reports_build_the_rows_the_cli_prints(run, db_path):
    run("align", "--model", "hashing", EXAMPLES)
    db = open_db(db_path, readonly=True)
    assert reports.report(db) == json.loads(run("report", "--format", "json").output)
    assert reports.export(db) == json.loads(run("export").output)
    tid = reports.threads(db)[0]["id"]
    timeline = reports.timeline(db, tid)
    assert timeline.rows and timeline.label in run("thread", tid).output
    thread, mentions, flags = reports.thread_view(db, tid)
    assert thread["id"] == tid and {"computed_status", "effective_status", "flag"} <= set(mentions[0])
    doc = reports.documents(db)[0]
    measures, statuses, memberships, threads = reports.document_view(db, doc["id"])
    assert measures and all(m["document_id"] == doc["id"] for m in measures) and tid in threads


def test_the_store_says_what_it_does_not_find(db_path):
    db = open_db(db_path)
    with pytest.raises(NotFound, match="no document 'nope'; list them with: compare docs"):
        reports.diff(db, "nope", "nada")
    with pytest.raises(NotFound, match="no thread 'tnope'"):
        reports.timeline(db, "tnope")


def test_the_collector_is_paused_during_an_alignment_and_back_after_it_even_when_it_fails(db_path, monkeypatch):
    import gc

    seen = []
    judge = stages.judge

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return judge(*args, **kwargs)

    monkeypatch.setattr(stages, "judge", spy)
    assert gc.isenabled()
    stages.run(open_db(db_path), [EXAMPLES], model="hashing")
    assert seen == [False] and gc.isenabled()

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(stages, "judge", broken)
    monkeypatch.setattr(stages.queries, "alignment_is_current", lambda *a: False)
    with pytest.raises(RuntimeError):
        stages.run(open_db(db_path), [EXAMPLES], model="hashing")
    assert gc.isenabled()


def test_a_no_op_at_the_date_the_statuses_were_judged_at_does_not_judge_them_again(db_path, monkeypatch):
    stages.run(open_db(db_path), [EXAMPLES], model="hashing", as_of=dt.date(2026, 11, 30))
    judged = []
    judge = stages.judge
    monkeypatch.setattr(stages, "judge", lambda *a, **k: judged.append(a[2]) or judge(*a, **k))
    stages.run(open_db(db_path), [EXAMPLES], model="hashing", as_of=dt.date(2026, 11, 30))
    assert judged == []  # same measures, model, parameters and date: the stored statuses stand
    stages.run(open_db(db_path), [EXAMPLES], model="hashing", as_of=dt.date(2027, 6, 1))
    assert judged == [dt.date(2027, 6, 1)]
    assert {r[0] for r in rows(db_path, "SELECT DISTINCT as_of FROM statuses")} == {"2027-06-01"}
    stages.run(open_db(db_path), [EXAMPLES], model="hashing")  # no date: nothing judged
    assert judged == [dt.date(2027, 6, 1)]


RULES = """上海市智能网联汽车测试结果互认管理办法

上海市经济和信息化委员会
2026年1月10日

本办法自印发之日起施行，由市经济信息化委负责解释。
"""


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 30), None])
def test_a_document_without_alignable_measures_is_still_judged_from(db_path, tmp_path, as_of):
    # an issued policy of no measures leaves the alignment as it was, but its title fulfils a
    # promise (研究出台《…互认管理办法》): the statuses must be judged again, as a batch run judges them
    rules = tmp_path / "rules.txt"
    rules.write_text(RULES, encoding="utf-8")
    stages.run(open_db(db_path), [EXAMPLES], model="hashing", as_of=as_of)
    promise = "SELECT s.status FROM statuses s JOIN measures m ON m.id = s.measure_id WHERE m.text LIKE '%互认管理办法%'"
    assert {r[0] for r in rows(db_path, promise)} == {"no_evidence"}
    outcome = stages.run(open_db(db_path), [rules], model="hashing", as_of=as_of)
    assert outcome.report.added and outcome.alignment is None  # nothing new to align
    batch = tmp_path / "batch.db"
    stages.run(open_db(batch), [EXAMPLES, rules], model="hashing", as_of=as_of)
    assert {r[0] for r in rows(str(batch), promise)} == {"fulfilled"}
    assert rows(db_path, promise) == rows(str(batch), promise)
