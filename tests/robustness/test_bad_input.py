"""Whatever an office feeds compare: one clear line per bad file, the rest goes in, no crash."""
import io
import os
import random
import zipfile

from click.testing import CliRunner
from conftest import EXAMPLES

from cli import cli

from .conftest import consistency_problems, record

GOOD = (EXAMPLES / "02_jiading_reply_2025.md").read_text(encoding="utf-8")


def make_bad_inputs(d):
    """(file name, expected outcome) — 'error' lines or 'stored' documents."""
    rnd = random.Random(7)
    d.mkdir()
    cases = {}
    (d / "random.txt").write_bytes(bytes(rnd.randrange(256) for _ in range(4096)))
    cases["random.txt"] = "error"
    (d / "empty.txt").write_bytes(b"")
    cases["empty.txt"] = "error"
    (d / "zero.pdf").write_bytes(b"")
    cases["zero.pdf"] = "error"
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(d / "scan.pdf"))
    c.rect(40, 40, 500, 700, fill=1)
    c.save()
    cases["scan.pdf"] = "error"
    (d / "corrupt.docx").write_bytes(b"PK\x03\x04" + bytes(rnd.randrange(256) for _ in range(2000)))
    cases["corrupt.docx"] = "error"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    (d / "hollow.docx").write_bytes(buf.getvalue())
    cases["hollow.docx"] = "error"
    (d / "nav.html").write_text("<html><body><nav><a href='/'>首页</a> <a>政务公开</a></nav>"
                                "<script>var a=1;</script><footer>版权所有</footer></body></html>", encoding="utf-8")
    cases["nav.html"] = "error"
    with open(d / "huge.txt", "wb") as f:
        chunk = ("一是推进平台建设，加强人才培养。" * 2000 + "\n").encode("utf-8")
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            f.write(chunk)
    cases["huge.txt"] = "error"
    # distinct documents (their own 文号), so none is a duplicate or a version of another
    mixed = GOOD.replace("〔2025〕12号", "〔2025〕13号").splitlines()
    blob = b"\n".join(line.encode("gb18030") if i % 3 == 1 else line.encode("utf-8") for i, line in enumerate(mixed))
    (d / "mixed.md").write_bytes(blob)
    cases["mixed.md"] = "stored"
    (d / "utf16.txt").write_bytes(GOOD.replace("〔2025〕12号", "〔2025〕14号").encode("utf-16-le"))
    cases["utf16.txt"] = "stored"
    (d / "plain.txt").write_text("推进平台建设，加强人才培养。持续举办创新大赛，扩大赛事影响力。到2026年，建成验证平台3家以上。",
                                 encoding="utf-8")
    cases["plain.txt"] = "stored"  # no headings at all: still measures
    (d / "binary.md").write_bytes(b"\x00\x01\x02\x03" * 512)
    cases["binary.md"] = "error"
    (d / "notes.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    cases["notes.xls"] = "error"
    loop = d / "loop"
    loop.mkdir()
    os.symlink(loop, loop / "again")
    cases["again"] = "error"
    os.symlink(d / "does-not-exist.txt", d / "broken.txt")
    cases["broken.txt"] = "error"
    os.mkfifo(d / "pipe.txt")
    cases["pipe.txt"] = "error"
    return cases


def test_bad_inputs_each_get_one_clean_line_and_the_rest_goes_in(tmp_path):
    bad = tmp_path / "inbox"
    cases = make_bad_inputs(bad)
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "r.db"
    # flags written before must survive whatever comes in
    CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(db), str(EXAMPLES / "01_jiading_plan.txt")],
                       catch_exceptions=False)
    import sqlite3

    conn = sqlite3.connect(db)
    mid = conn.execute("SELECT id FROM measures LIMIT 1").fetchone()[0]
    conn.close()
    CliRunner().invoke(cli, ["flag", mid, "--status", "disputed", "--note", "n", "--reviewer", "r", "-d", str(db)],
                       catch_exceptions=False)

    result = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(db), str(bad), str(good),
                                      str(tmp_path / "missing.txt")], catch_exceptions=True)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    cases["missing.txt"] = "error"
    clean = 0
    for name, want in cases.items():
        hits = [line for line in errors if name in line]
        if want == "error":
            assert len(hits) == 1, (name, errors)
            line = hits[0]
            assert "Traceback" not in line and len(line) < 300
            clean += 1
        else:
            assert not hits, (name, hits)
    assert result.exit_code == 1 and not crashed
    conn = sqlite3.connect(db)
    stored = {r[0] for r in conn.execute("SELECT file_name FROM documents")}
    flags = conn.execute("SELECT count(*) FROM flags").fetchone()[0]
    conn.close()
    expected_stored = {"good.md", "01_jiading_plan.txt"} | {n for n, w in cases.items() if w == "stored"}
    lost = len(expected_stored - stored) + (1 - flags)
    assert not consistency_problems(str(db))
    record("bad input", tried=len(cases), clean=clean, crashes=int(crashed), lost=lost)
    assert lost == 0, expected_stored - stored
