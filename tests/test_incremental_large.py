"""Past the reference size (1,000 measures), adding a document recomputes the signals of the pairs
it touches only, and still equals batch alignment row for row (issue 15)."""
import re
import sys
from pathlib import Path

from conftest import EXAMPLES, rows
from test_incremental import AS_OF, assert_same

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import generate  # noqa: E402
from compare import align as al  # noqa: E402

# a reply on another topic: it shares few rare n-grams or words with the generated corpus
OTHER_TOPIC = """上海市某区民政局关于对区人大会议第0031号代表建议的答复

张强代表：

您提出的关于加快社区养老服务设施建设的建议收悉，现答复如下：

一、工作进展

一是新建社区长者食堂12家，覆盖全部街镇。二是完成老旧小区加装电梯318台。三是开展适老化改造2100户。

二、下一步打算

一是到2026年底，新增养老床位不少于800张。二是推进嵌入式养老服务综合体建设，每个街镇至少建成1家。三是完善家庭照护床位服务规范。

上海市某区民政局

2025年6月18日
"""


def test_adding_a_document_past_the_reference_size_scores_what_it_touches_and_equals_batch(run, tmp_path):
    files = generate(13, tmp_path / "corpus", EXAMPLES, seed=3)
    files.append(tmp_path / "corpus" / "zz_other_topic.txt")
    files[-1].write_text(OTHER_TOPIC, encoding="utf-8")
    batch, inc = tmp_path / "batch.db", tmp_path / "inc.db"
    run("align", "--model", "hashing", "--as-of", AS_OF, "-d", batch, *files)
    before_last = rows(str(batch), "SELECT count(*) FROM measures m JOIN files f ON f.document_id = m.document_id "
                                   "WHERE m.kind != 'other' AND f.path NOT LIKE ?", ["%zz_other_topic.txt"])[0][0]
    run("align", "--model", "hashing", "--as-of", AS_OF, "-d", inc, *files[:-1])
    out = run("align", "--model", "hashing", "--as-of", AS_OF, "-d", inc, files[-1]).output
    assert_same(inc, batch)
    scored, computed = (int(x.replace(",", "")) for x in
                        re.search(r"([\d,]+) pairs scored, ([\d,]+) computed", out).groups())
    assert before_last > al.REFERENCE_SIZE  # the corpus before the last document was past it too
    assert 0 < computed < scored / 2, out  # most pairs kept the signals stored for them
    # every stored row of signals is what a batch run computes for its pair
    got = dict(((a, b), x) for a, b, x in rows(str(inc), "SELECT a, b, x FROM pairs WHERE x IS NOT NULL"))
    want = dict(((a, b), x) for a, b, x in rows(str(batch), "SELECT a, b, x FROM pairs WHERE x IS NOT NULL"))
    common = got.keys() & want.keys()
    assert len(common) > 0.9 * len(want) and all(got[k] == want[k] for k in common)
