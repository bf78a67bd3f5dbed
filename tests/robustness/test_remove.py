"""compare remove: a document and its versions go, with all they derive; flags stay; the alignment
is brought up to date as if the document had never been added."""
import json
import shutil

import pytest
from conftest import EXAMPLES, rows

from .conftest import consistency_problems

REPLY = "02_jiading_reply_2025.md"


@pytest.fixture
def corpus(tmp_path):
    """The example corpus, and a second version of the 2025 reply (same 文号, one sentence changed)."""
    d = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, d)
    v2 = tmp_path / "v2" / REPLY
    v2.parent.mkdir()
    text = (d / REPLY).read_text(encoding="utf-8")
    assert "〔2025〕12号" in text
    v2.write_text(text.replace("。", "，并加强宣传。", 1), encoding="utf-8")
    return d, v2


def snapshot(db):
    """The alignment as data: links with scores, threads as sets of members, statuses."""
    links = set(rows(db, "SELECT measure_id, measure_id2, round(score, 6) FROM links"))
    members: dict[str, set] = {}
    for tid, mid, role in rows(db, "SELECT thread_id, measure_id, role FROM thread_members"):
        members.setdefault(tid, set()).add((mid, role))
    threads = {frozenset(m) for m in members.values()}
    statuses = set(rows(db, "SELECT measure_id, status, rule, evidence_measure_ids FROM statuses"))
    return links, threads, statuses


def measure_ids_of(db, file_name):
    return {r[0] for r in rows(db, "SELECT m.id FROM measures m JOIN documents d ON d.id = m.document_id "
                                   "WHERE d.file_name = ?", [file_name])}


def test_remove_takes_every_version_and_all_it_derives_and_keeps_the_flags(run, tmp_path, corpus):
    d, v2 = corpus
    db = tmp_path / "c.db"
    run("align", "--model", "hashing", "-d", db, d)
    run("align", "--model", "hashing", "-d", db, v2)
    versions = rows(db, "SELECT id, version, is_current FROM documents WHERE file_name = ? ORDER BY version", [REPLY])
    assert [v[1] for v in versions] == [1, 2]
    doc_ids = [v[0] for v in versions]
    gone = measure_ids_of(db, REPLY)
    kept = {r[0] for r in rows(db, "SELECT id FROM measures")} - gone
    # flags: on a measure of each version, on a thread holding a removed measure, on a measure that stays
    in_thread = rows(db, "SELECT thread_id, measure_id FROM thread_members WHERE measure_id IN "
                         f"({','.join('?' * len(gone))}) LIMIT 1", sorted(gone))
    assert in_thread, "the example corpus links the reply to other documents"
    old_measure = rows(db, "SELECT id FROM measures WHERE document_id = ? LIMIT 1", [doc_ids[0]])[0][0]
    new_measure = rows(db, "SELECT id FROM measures WHERE document_id = ? AND kind != 'other' LIMIT 1",
                       [doc_ids[1]])[0][0]
    for target in (old_measure, new_measure, in_thread[0][0], min(kept)):
        run("flag", target, "--status", "disputed", "--note", "核实中", "--reviewer", "张三", "-d", db)
    flags_before = rows(db, "SELECT * FROM flags ORDER BY id")

    result = run("remove", REPLY, "--model", "hashing", "-d", db)

    summary = [line for line in result.output.splitlines() if line.startswith("removed ")]
    assert len(summary) == 1, result.output
    assert f"{len(gone)} measures" in summary[0] and "2 flags on them kept" in summary[0], summary
    assert rows(db, "SELECT * FROM flags ORDER BY id") == flags_before
    marks = ",".join("?" * len(gone))
    ids = sorted(gone)
    for table, where, args in (
        ("documents", f"id IN ({','.join('?' * len(doc_ids))})", doc_ids),
        ("files", f"document_id IN ({','.join('?' * len(doc_ids))})", doc_ids),
        ("measures", f"id IN ({marks})", ids),
        ("quantities", f"measure_id IN ({marks})", ids),
        ("terms", f"measure_id IN ({marks})", ids),
        ("statuses", f"measure_id IN ({marks})", ids),
        ("thread_members", f"measure_id IN ({marks})", ids),
        ("links", f"measure_id IN ({marks}) OR measure_id2 IN ({marks})", ids + ids),
        ("pairs", f"a IN ({marks}) OR b IN ({marks})", ids + ids),
        ("neighbours", f"measure_id IN ({marks})", ids),
        ("aligned", f"measure_id IN ({marks})", ids),
    ):
        assert rows(db, f"SELECT count(*) FROM {table} WHERE {where}", args)[0][0] == 0, table
    # nothing points at them any more: best-k lists and evidence were recomputed
    for (lists,) in rows(db, "SELECT ids FROM neighbours"):
        assert not gone & set((lists or "").split())
    for (evidence,) in rows(db, "SELECT evidence_measure_ids FROM statuses"):
        assert not gone & set(json.loads(evidence))
    assert {r[0] for r in rows(db, "SELECT id FROM measures")} == kept
    assert not consistency_problems(str(db))
    assert "up to date" in run("align", "--model", "hashing", "-d", db).output


def test_after_remove_the_alignment_equals_one_never_given_the_document(run, tmp_path, corpus):
    d, v2 = corpus
    db, fresh = tmp_path / "c.db", tmp_path / "fresh.db"
    run("align", "--model", "hashing", "-d", db, d)
    run("align", "--model", "hashing", "-d", db, v2)
    run("remove", REPLY, "--model", "hashing", "-d", db)
    others = [p for p in sorted(d.iterdir()) if p.name != REPLY]
    run("align", "--model", "hashing", "-d", fresh, *others)
    assert snapshot(db) == snapshot(fresh)


def test_remove_realigns_with_the_model_the_corpus_was_aligned_with(run, tmp_path, corpus):
    d, _ = corpus
    db = tmp_path / "c.db"
    run("align", "--model", "hashing", "-d", db, d)
    out = run("remove", REPLY, "-d", db).output
    assert "re-aligned under hashing" in out
    assert not rows(db, "SELECT 1 FROM embeddings WHERE model != 'hashing-ngram-512'")


def test_remove_no_align_leaves_the_next_align_to_catch_up(run, tmp_path, corpus):
    d, _ = corpus
    db, fresh = tmp_path / "c.db", tmp_path / "fresh.db"
    run("align", "--model", "hashing", "-d", db, d)
    doc_id = rows(db, "SELECT id FROM documents WHERE file_name = '01_jiading_plan.txt'")[0][0]
    result = run("remove", doc_id[:8], "--no-align", "-d", db)
    assert "removed " in result.output and "compare align" in result.output
    assert not consistency_problems(str(db))
    out = run("align", "--model", "hashing", "-d", db).output
    assert "up to date" not in out and "aligned under" in out
    others = [p for p in sorted(d.iterdir()) if p.name != "01_jiading_plan.txt"]
    run("align", "--model", "hashing", "-d", fresh, *others)
    assert snapshot(db) == snapshot(fresh)


def test_remove_an_unknown_document_is_one_clean_line_and_changes_nothing(run, tmp_path, corpus):
    d, _ = corpus
    db = tmp_path / "c.db"
    run("align", "--model", "hashing", "-d", db, d)
    before = rows(db, "SELECT count(*) FROM measures")
    result = run("remove", "no-such-document.txt", "-d", db, ok=False)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "no document 'no-such-document.txt'" in lines[0] and "compare docs" in lines[0], lines
    assert rows(db, "SELECT count(*) FROM measures") == before
