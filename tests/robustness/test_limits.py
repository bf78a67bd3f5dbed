"""Resource bombs: a small file that expands to gigabytes, or a text of one line repeated, is refused
in one line, quickly and within bounded memory, and the rest of the batch goes in."""
import io
import time
import tracemalloc
import zipfile

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, rows

from cli import cli
from compare.errors import InputError
from compare.pipeline import MAX_MEASURES, MAX_REPEATS
from compare.readers import MAX_DOCX_XML, read_file

from .conftest import consistency_problems, record

GOOD = EXAMPLES / "02_jiading_reply_2025.md"
MB = 1024 * 1024

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Default Extension="png" ContentType="image/png"/>'
                 '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>')
DOC_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
            'Target="media/image1.png"/></Relationships>')
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def write_docx(path, body_chunks, image_bytes: int = 0):
    """A .docx written part by part: the body streamed in chunks, so gigabytes cost no memory here."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/_rels/document.xml.rels", DOC_RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>'.encode())
            for chunk in body_chunks:
                f.write(chunk)
            f.write(b"</w:body></w:document>")
        if image_bytes:
            with z.open("word/media/image1.png", "w", force_zip64=True) as f:
                for _ in range(image_bytes // MB):
                    f.write(b"\0" * MB)


def measured(fn):
    """(result or exception, seconds, peak MB allocated by Python)."""
    tracemalloc.start()
    t = time.perf_counter()
    try:
        out = fn()
    except Exception as e:  # noqa: BLE001 - the caller checks which
        out = e
    seconds = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return out, seconds, peak


def test_a_docx_that_expands_to_a_gigabyte_is_refused_before_it_is_decompressed(tmp_path):
    p = tmp_path / "bomb.docx"
    write_docx(p, [paragraph("一是推进平台建设。").encode()] + [b" " * MB] * 1024)  # 1 GiB of XML
    assert p.stat().st_size < 8 * MB
    out, _seconds, peak = measured(lambda: read_file(p))
    assert isinstance(out, InputError), out
    msg = str(out)
    assert "bomb.docx" in msg and "MB of XML" in msg and "split" in msg and "\n" not in msg, msg
    assert peak < 64, peak  # was 2.1 GB
    record("resource bombs", tried=1, clean=1, refused=1)


def test_an_image_bomb_inside_a_docx_is_never_decompressed(tmp_path):
    p = tmp_path / "pictures.docx"
    write_docx(p, [paragraph("一是推进平台建设，加强人才培养。").encode()], image_bytes=512 * MB)
    out, _seconds, peak = measured(lambda: read_file(p))
    assert not isinstance(out, Exception), out
    assert "推进平台建设" in out.text
    assert peak < 64, peak
    record("resource bombs", tried=1, clean=1, refused=1)


def test_a_docx_whose_sizes_lie_is_refused_cleanly(tmp_path):
    """The zip says its XML is small; reading it must stop at what it said, never take in the rest."""
    p = tmp_path / "liar.docx"
    write_docx(p, [paragraph("一是推进平台建设。").encode()] + [b" " * MB] * 256)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("word/document.xml")
    real = info.file_size
    # rewrite every copy of the true size (local header, zip64 extra, central directory) to claim 1 KB
    data = bytes(data).replace(real.to_bytes(8, "little"), (1024).to_bytes(8, "little"))
    data = data.replace(real.to_bytes(4, "little"), (1024).to_bytes(4, "little"))
    p.write_bytes(data)
    with zipfile.ZipFile(p) as z:
        assert z.getinfo("word/document.xml").file_size == 1024
    out, _seconds, peak = measured(lambda: read_file(p))
    assert isinstance(out, InputError), out
    assert "liar.docx" in str(out) and "\n" not in str(out)
    assert peak < 64, peak
    record("resource bombs", tried=1, clean=1, refused=1)


def test_a_docx_of_60_mb_of_xml_is_refused_in_seconds(tmp_path):
    p = tmp_path / "dense.docx"
    chunk = "".join(paragraph(f"一是推进平台建设，加强第{i}项人才培养。") for i in range(1000)).encode()
    write_docx(p, [chunk] * (60 * MB // len(chunk)))
    assert p.stat().st_size < 2 * MB
    out, seconds, _ = measured(lambda: read_file(p))
    assert isinstance(out, InputError) and "MB of XML" in str(out), out
    assert seconds < 10, seconds  # was over 4 minutes
    record("resource bombs", tried=1, clean=1, refused=1)


def test_a_long_docx_under_the_cap_is_read_in_seconds(tmp_path):
    """python-docx looks a paragraph's style up by scanning every style: once per style id now."""
    import docx

    d = docx.Document()
    d.add_heading("一、工作进展", level=2)
    for i in range(20000):
        d.add_paragraph(f"一是推进第{i}个平台建设，加强人才培养。")
    p = tmp_path / "long.docx"
    d.save(p)
    with zipfile.ZipFile(p) as z:
        assert z.getinfo("word/document.xml").file_size < MAX_DOCX_XML
    out, seconds, _ = measured(lambda: read_file(p))
    assert not isinstance(out, Exception), out
    assert "## 一、工作进展" in out.text and "推进第19999个平台建设" in out.text
    assert seconds < 15, seconds  # was about a minute
    record("resource bombs", tried=1, clean=1)


@pytest.fixture
def bombs(tmp_path):
    d = tmp_path / "inbox"
    d.mkdir()
    line = "一是推进平台建设，加强人才培养。\n"
    (d / "repeated.txt").write_text(line * (2 * MB // len(line.encode())), encoding="utf-8")  # 70,000 copies
    good = GOOD.read_text(encoding="utf-8")
    (d / "padded.md").write_text(good.replace("〔2025〕12号", "〔2025〕15号")
                                 + "\n" + "持续举办创新大赛，扩大赛事影响力。\n" * (MAX_REPEATS + 5), encoding="utf-8")
    (d / "many.txt").write_text("".join(f"推进第{i}号平台建设。\n" for i in range(MAX_MEASURES + 200)),
                                encoding="utf-8")
    return d, {"repeated.txt": "measures", "padded.md": "occurs", "many.txt": "measures"}


def test_documents_with_too_many_or_too_repeated_measures_are_reported_not_stored(tmp_path, bombs):
    inbox, cases = bombs
    db = tmp_path / "c.db"
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(db), str(inbox), str(GOOD)],
                                catch_exceptions=True)
    seconds = time.perf_counter() - start
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, result.output
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    clean = 0
    for name, word in cases.items():
        hits = [e for e in errors if f"{name}:" in e]
        assert len(hits) == 1 and word in hits[0] and len(hits[0]) < 300, (name, errors)
        clean += 1
    stored = {r[0] for r in rows(db, "SELECT file_name FROM documents")}
    assert stored == {GOOD.name}, stored
    assert rows(db, "SELECT max(measure_count) FROM documents")[0][0] < 100
    assert not consistency_problems(str(db))
    assert seconds < 60, seconds
    record("resource bombs", tried=len(cases), clean=clean, refused=clean, crashes=int(crashed),
           lost=int(stored != {GOOD.name}))


def test_a_plan_with_a_phrase_repeated_a_few_times_is_stored(tmp_path):
    p = tmp_path / "plan.md"
    p.write_text(GOOD.read_text(encoding="utf-8") + "\n" + "持续举办创新大赛，扩大赛事影响力。\n" * MAX_REPEATS,
                 encoding="utf-8")
    db = tmp_path / "c.db"
    result = CliRunner().invoke(cli, ["align", "--model", "hashing", "-d", str(db), str(p)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert rows(db, "SELECT count(*) FROM documents")[0][0] == 1
