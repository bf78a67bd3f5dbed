"""The vocabularies are data: loaded once, each word list defined once, and a word added to a
file changes what compare reads."""
import json
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from compare import vocabulary
from compare.vocabulary import FILES, VOCAB, VocabularyError, load, parse

ROOT = Path(__file__).resolve().parent.parent
VOCAB_DIR = ROOT / "compare" / "vocab"
# the text stages, which build their patterns from the vocabulary
TEXT_MODULES = ["readers", "clean", "metadata", "segment", "targets", "terms"]


# --- the loader -------------------------------------------------------------------------------

def test_every_file_is_loaded_and_says_what_it_is_for():
    assert sorted(p.stem for p in VOCAB_DIR.glob("*.txt")) == sorted(FILES)
    assert (VOCAB_DIR / "README.md").is_file()
    for name in FILES:
        f = VOCAB[name]
        assert f.purpose and f.lists, name
        assert all(wl.entries for wl in f.lists.values()), name


def test_loaded_once_and_frozen():
    assert load() is load() is VOCAB
    with pytest.raises(AttributeError):
        VOCAB.numerals.ordinal = "一"
    with pytest.raises(TypeError):
        VOCAB.files["numerals"] = None
    with pytest.raises(TypeError):
        VOCAB["verbs"].lists["verbs"] = None
    assert isinstance(VOCAB["verbs"]["verbs"].words, tuple)


def test_load_from_another_directory(tmp_path):
    for p in VOCAB_DIR.glob("*.txt"):
        shutil.copy(p, tmp_path)
    with open(tmp_path / "numerals.txt", "a", encoding="utf-8") as f:
        f.write("\n[extra]\n廿\n")
    v = load(str(tmp_path))
    assert v is not VOCAB and v["numerals"]["extra"].words == ("廿",)


def test_parse_reads_tags_values_patterns_and_comments():
    f = parse("# What this is for.\n\n[words]\n推动  action name  # a comment\n印发\n\n[pats] patterns\n抄\\s*送\n", "t")
    assert f.purpose == "What this is for."
    assert f["words"].entries[0] == vocabulary.Entry("推动", ("action", "name"))
    assert f["words"].tagged("action") == ("推动",) and f["words"].words == ("推动", "印发")
    assert f["pats"].patterns and f["pats"].pattern() == "抄\\s*送"
    assert parse("# x\n[w]\n(试行)\n", "t")["w"].pattern() == re.escape("(试行)")  # a word is matched literally


@pytest.mark.parametrize("text, says", [
    ("[w]\n推动\n", "no opening comment"),
    ("# x\n推动\n", "before any [list]"),
    ("# x\n[w]\n推动\n推动\n", "line 4: '推动' is already in [w]"),
    ("# x\n[w]\n推动\n[w]\n促进\n", "a second [w]"),
    ("# x\n[w]\n", "[w] is empty"),
])
def test_parse_refuses_a_broken_file_saying_where(text, says):
    with pytest.raises(VocabularyError, match=re.escape(says)):
        parse(text, "t")


def test_every_pattern_compiles():
    for where, wl in _lists():
        for p in wl.words if wl.patterns else ():
            try:
                re.compile(p)
            except re.error as e:
                pytest.fail(f"{where}: {p!r} is not a regular expression ({e})")


# --- each word list defined once ---------------------------------------------------------------

def _lists():
    return [(f"{name}.txt [{wl.name}]", wl) for name in FILES for wl in VOCAB[name].lists.values()]


def test_no_word_list_is_defined_twice():
    seen: dict[frozenset, str] = {}
    for where, wl in _lists():
        words = frozenset(wl.words)
        if len(words) >= 2:
            assert words not in seen, f"{where} repeats {seen.get(words)}"
            seen[words] = where


def test_a_verb_or_an_adverb_is_listed_once_with_all_its_roles():
    verbs, adverbs = VOCAB["verbs"]["verbs"], VOCAB["clauses"]["adverbs"]
    assert len(set(verbs.words)) == len(verbs.words) and len(set(adverbs.words)) == len(adverbs.words)
    roles = {t for e in verbs.entries for t in e.fields}
    assert roles == {"action", "promised", "quantity", "name", "event", "issue", "deliverable", "completion", "implement",
                     "grant", "milestone"}


def _code(path: Path) -> str:
    """A module's source without its comments (which may quote a vocabulary)."""
    with open(path, "rb") as f:
        return " ".join(t.string for t in tokenize.tokenize(f.readline) if t.type != tokenize.COMMENT)


def _module_sources():
    return {m: _code(ROOT / "compare" / f"{m}.py") for m in TEXT_MODULES}


_ALTERNATION = re.compile(r"[\u4e00-\u9fff]+(?:\|[\u4e00-\u9fff]+){2,}")


def _copies(source: str) -> list[str]:
    """Alternations of three or more words in a module's source that all come from one data list,
    and runs of numerals: a vocabulary copied into code."""
    lists = [set(wl.words) for _, wl in _lists()]
    found = [m.group(0) for m in _ALTERNATION.finditer(source)
             if any(set(m.group(0).split("|")) <= words for words in lists)]
    return found + [run for run in re.findall(r"[〇一二三四五六七八九十]{4,}", source) if len(set(run)) >= 4]


@pytest.mark.parametrize("module", TEXT_MODULES)
def test_text_stages_hold_no_copy_of_a_vocabulary(module):
    assert _copies(_module_sources()[module]) == []


@pytest.mark.parametrize("path", ["compare/status.py", "compare/align.py", "compare/flags.py", "compare/web/common.py",
                                  "compare/web/pages.py", "compare/web/timeline.py"])
def test_other_modules_hold_no_copy_of_a_vocabulary(path):
    source = _code(ROOT / path)
    names = [s.name for s in VOCAB.statuses]
    assert _copies(source) == [] and not re.search(r"\(\s*\"(?:" + "|".join(names) + r")\"\s*,", source)


# --- what the data says ------------------------------------------------------------------------

def test_numerals():
    n = VOCAB.numerals
    assert n.ordinal == "一二三四五六七八九十"
    assert n.spelled(10) == "一二两三四五六七八九十" and n.spelled(1000).endswith("百千")
    assert [n.written(v) for v in (0, 2, 10)] == ["〇", "二", "十"]
    assert n.year["〇"] == n.year["○"] == "0" and "两" not in n.year
    from compare.targets import cn_to_int

    assert [cn_to_int(s) for s in ("三", "十二", "二十五", "一百二十", "两千")] == [3, 12, 25, 120, 2000]


def test_places_and_statuses():
    from compare.metadata import SHANGHAI_DISTRICTS

    assert VOCAB.city.name == "上海市" and len(VOCAB.districts) == 16
    assert SHANGHAI_DISTRICTS == tuple(d.name for d in VOCAB.districts)
    assert all(d.inside == VOCAB.city.name and d.short for d in VOCAB.districts)
    flags = [s.name for s in VOCAB.statuses if s.flag]
    assert sorted(flags) == sorted(["unfulfilled", "fulfilled", "in_progress", "disputed"])
    from compare.flags import FLAG_STATUSES

    assert FLAG_STATUSES == ("unfulfilled", "fulfilled", "in_progress", "disputed")  # compare flag --help's order
    from compare.web.common import FLAG_FORM_STATUSES, STATUS_LABELS, STATUS_RINGS

    assert FLAG_FORM_STATUSES == ["unfulfilled", "disputed", "fulfilled", "in_progress"]  # the thread page's form
    assert STATUS_LABELS["in_progress"] == "推进中 in progress" and list(STATUS_LABELS)[0] == "fulfilled"
    assert STATUS_RINGS["no_evidence"] == "#999" and set(STATUS_RINGS) == set(STATUS_LABELS)
    assert [s.name for s in sorted(VOCAB.statuses, key=lambda s: s.rank) if s.listed] == \
        ["overdue", "unfulfilled", "no_evidence"]


def test_the_copies_of_the_statuses_agree_with_statuses_txt(tmp_path):
    """The schema (db imports nothing from compare, and a landed migration is never edited), the
    style sheet and metadata.yml spell the statuses again: they must say what statuses.txt says."""
    import yaml

    from db import open_db

    names = {s.name for s in VOCAB.statuses}
    schema = dict(open_db(tmp_path / "x.db").execute("SELECT name, sql FROM sqlite_master").fetchall())
    # flags: the statuses a reviewer can set
    flag_check = re.search(r"status IN \(([^)]*)\)", schema["flags"]).group(1)
    assert set(re.findall(r"'(\w+)'", flag_check)) == {s.name for s in VOCAB.statuses if s.flag}
    # commitments: status_rank, the named ranks and the one left to ELSE
    case = re.search(r"CASE coalesce\(mf.status, s.status\)(.*?)ELSE (\d+) END AS status_rank",
                     schema["commitments"], re.S)
    ranks = {name: int(rank) for name, rank in re.findall(r"WHEN '(\w+)' THEN (\d+)", case.group(1))}
    ranks.update({name: int(case.group(2)) for name in names - set(ranks)})
    assert ranks == {s.name: s.rank for s in VOCAB.statuses}
    # unfulfilled_commitments: the listed statuses
    listed = re.search(r"effective_status IN \(([^)]*)\)", schema["unfulfilled_commitments"]).group(1)
    assert set(re.findall(r"'(\w+)'", listed)) == {s.name for s in VOCAB.statuses if s.listed}
    # the style sheet: a class for every status
    css = (ROOT / "compare" / "web" / "static" / "compare.css").read_text(encoding="utf-8")
    assert names <= set(re.findall(r"\.compare-(\w+)", css))
    # metadata.yml: the unfulfilled list's status_rank, as the ranks of the listed statuses
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    rank_doc = metadata["databases"]["compare"]["tables"]["unfulfilled_commitments"]["columns"]["status_rank"]
    documented = {int(r): n.replace(" ", "_") for r, n in re.findall(r"(\d+) (?:flagged )?([a-z][a-z ]*[a-z])", rank_doc)}
    assert documented == {s.rank: s.name for s in VOCAB.statuses if s.listed}


# --- a word added to a file changes what compare reads --------------------------------------------

_PROBE = r"""
import json
from compare.clean import clean
from compare.metadata import extract_metadata
from compare.segment import split_clauses
md = extract_metadata(clean("上海市推进人工智能赋能产业发展工作指引\n一、总体要求\n到2026年，建成不少于5个应用示范场景，形成一批标杆案例。"))
issuer = extract_metadata(clean("关于推进智能制造的实施意见\n各单位：\n一、推进重点项目建设。\n上海市浦江区人民政府\n2025年6月12日"))
print(json.dumps({"title": md.title, "region": [issuer.region, issuer.level],
                  "clauses": len(split_clauses("持续优化区域营商服务环境，赋能中小企业数字化转型升级"))}, ensure_ascii=False))
"""


def _probe(package_parent: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=package_parent, env={"PYTHONPATH": str(package_parent)},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _add(vocab_file: Path, section: str, line: str) -> None:
    text = vocab_file.read_text(encoding="utf-8")
    header = f"[{section}]\n"
    assert header in text
    vocab_file.write_text(text.replace(header, header + line + "\n", 1), encoding="utf-8")


def test_adding_words_to_the_data_files_changes_what_is_read(tmp_path):
    """A new document noun (指引), a new district (浦江区) and a new action verb (赋能), each a
    line added to a vocabulary file: the title, the region and the clauses come out differently."""
    copy = tmp_path / "pkg"
    shutil.copytree(ROOT / "compare", copy / "compare", ignore=shutil.ignore_patterns("__pycache__"))
    before = _probe(copy)
    assert before == {"title": None, "region": ["上海市", "city"], "clauses": 1}
    vocab_dir = copy / "compare" / "vocab"
    _add(vocab_dir / "documents.txt", "nouns", "指引  title line")
    _add(vocab_dir / "places.txt", "places", "浦江区  district  上海市  浦江")
    _add(vocab_dir / "verbs.txt", "verbs", "赋能  action")
    assert _probe(copy) == {"title": "上海市推进人工智能赋能产业发展工作指引", "region": ["浦江区", "district"],
                            "clauses": 2}
