"""The robustness suite: each scenario family reports what it tried and what happened."""
import sqlite3
from collections import defaultdict

STATS: dict[str, dict[str, int]] = defaultdict(
    lambda: {"tried": 0, "clean": 0, "refused": 0, "crashes": 0, "lost": 0, "exposed": 0})


def record(family: str, tried: int = 0, clean: int = 0, crashes: int = 0, lost: int = 0, refused: int = 0,
           exposed: int = 0) -> None:
    """Count one family's scenarios: `clean` errors reported in one line, `refused` attacks turned away,
    `lost` rows or flags lost or misplaced, `exposed` secrets or names readable by a visitor."""
    s = STATS[family]
    s["tried"] += tried
    s["clean"] += clean
    s["refused"] += refused
    s["crashes"] += crashes
    s["lost"] += lost
    s["exposed"] += exposed


def pytest_terminal_summary(terminalreporter):
    if not STATS:
        return
    terminalreporter.section("robustness summary")
    for family, s in STATS.items():
        terminalreporter.write_line(
            f"{family:<30} tried {s['tried']:>5}  clean errors {s['clean']:>4}  refused {s['refused']:>4}  "
            f"crashes {s['crashes']}  lost {s['lost']}  exposed {s['exposed']}")


def consistency_problems(db_path: str) -> list[str]:
    """Integrity, no half-written documents, no orphan rows."""
    conn = sqlite3.connect(db_path)
    try:
        problems = []
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        checks = {
            "half-written document": "SELECT count(*) FROM documents d WHERE d.measure_count != "
                                     "(SELECT count(*) FROM measures m WHERE m.document_id = d.id)",
            "orphan measure": "SELECT count(*) FROM measures m LEFT JOIN documents d ON d.id = m.document_id "
                              "WHERE d.id IS NULL",
            "orphan term": "SELECT count(*) FROM terms t LEFT JOIN measures m ON m.id = t.measure_id WHERE m.id IS NULL",
            "orphan quantity": "SELECT count(*) FROM quantities q LEFT JOIN measures m ON m.id = q.measure_id "
                               "WHERE m.id IS NULL",
            "orphan thread member": "SELECT count(*) FROM thread_members tm LEFT JOIN threads t ON t.id = tm.thread_id "
                                    "WHERE t.id IS NULL",
            "orphan status": "SELECT count(*) FROM statuses s LEFT JOIN measures m ON m.id = s.measure_id "
                             "WHERE m.id IS NULL",
            "file without document": "SELECT count(*) FROM files f LEFT JOIN documents d ON d.id = f.document_id "
                                     "WHERE d.id IS NULL",
        }
        for name, sql in checks.items():
            n = conn.execute(sql).fetchone()[0]
            if n:
                problems.append(f"{n} {name}")
        return problems
    finally:
        conn.close()
