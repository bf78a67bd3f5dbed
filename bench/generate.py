#!/usr/bin/env python3
"""A synthetic corpus in the real corpora's style, scaled to N documents (deterministic with --seed).

    python bench/generate.py 1000 /tmp/corpus1000 [--source DIR ...] [--seed 1] [--style paraphrase]

Measures of the source documents (default: the seeds and dev2 of ../shared, else the examples)
are put under the heading structure of a reply (工作进展 / 下一步打算) or an action plan
(重点任务 / 保障措施), with a title, number and signature, several regions and years, and
lengths like the seeds' (60-140 measures).

Two styles:
- `paraphrase` (default): each measure is a source measure rewritten the way another district or
  year would word it: clauses reordered, some clauses taken from another measure, action verbs,
  adverbs and industries swapped for others of the vocabularies (compare/vocab: verbs.txt,
  clauses.txt, terms.txt), districts, numbers and years changed. The same commitment recurs (a
  district's plan and its later replies share measures), but most measures do not repeat.
- `recombined`: the earlier generator (clauses of two seed measures joined, districts, numbers
  and years swapped): measures recur far more than in real corpora (37 links per measure at 1,000
  documents), kept to reproduce the earlier figures.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compare.pipeline import parse_file  # noqa: E402
from compare.vocabulary import VOCAB  # noqa: E402

CN = VOCAB.numerals.ordinal  # 一二三四五六七八九十
CITY = VOCAB.city.name  # 上海市
DISTRICTS = tuple(d.name for d in VOCAB.districts)


def pools(sources: Path | list[Path]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"progress": [], "future": []}
    files = [f for src in ([sources] if isinstance(sources, Path) else sources) for f in sorted(src.iterdir())]
    for f in files:
        if not f.is_file():
            continue
        try:
            parsed = parse_file(str(f))
        except Exception:
            continue
        for m in parsed.measures:
            text = re.sub(rf"^(?:[{CN}]+是|\d+、)", "", m.text).rstrip("。；，")
            if len(text) < 8:
                continue
            out["progress" if m.kind == "progress" else "future"].append(text)
    return out


def perturb(text: str, rnd: random.Random, district: str) -> str:
    text = re.sub("|".join(DISTRICTS), district, text)
    text = re.sub(r"\d+(?:\.\d+)?", lambda m: str(max(1, int(float(m.group(0)) * rnd.uniform(0.5, 1.8))))
                  if not m.group(0).startswith("20") else str(int(m.group(0)) + rnd.choice([-1, 0, 1])), text)
    return text


def measure(pool: list[str], rnd: random.Random, district: str) -> str:
    a = rnd.choice(pool)
    if rnd.random() < 0.5:
        b = rnd.choice(pool).split("，")
        a = a.split("，")[0] + "，" + b[-1]
    return perturb(a, rnd, district) + "。"


VERBS = VOCAB["verbs"]["verbs"].tagged("action", "promised")
ADVERBS = VOCAB["clauses"]["adverbs"].tagged("action", "promised")
INDUSTRY_WORDS = tuple(VOCAB["terms"]["industries"].first_field())
_VERB = re.compile("|".join(sorted(VERBS, key=len, reverse=True)))
_ADVERB = re.compile("|".join(sorted(ADVERBS, key=len, reverse=True)))
_INDUSTRY = re.compile("|".join(sorted(INDUSTRY_WORDS, key=len, reverse=True)))


# characters names are made of: the programmes, parks and platforms one district names are not
# another's (real corpora share a name only when they speak of one thing)
NAME_CHARS = "华金星海创新联智汇达博瑞宏远康泰恒安嘉明光启航开源同济临港张江漕河泾紫竹松虹湾谷园桥港城"
_QUOTED = re.compile(r"“([^”]{2,20})”")
_TITLE = re.compile(r"《([^》]{4,40})》")


def _suffixes() -> re.Pattern:
    from compare.terms import INSTITUTION_SUFFIXES

    return re.compile(r"[\u4e00-\u9fff]{2}(?=" + "|".join(sorted(map(re.escape, set(INSTITUTION_SUFFIXES)), key=len,
                                                                  reverse=True)) + ")")


_INSTITUTION = _suffixes()


def rename(text: str, rnd: random.Random) -> str:
    """Names of programmes, policies and institutions made another district's own."""
    def name(k: int) -> str:
        return "".join(rnd.choice(NAME_CHARS) for _ in range(k))

    text = _QUOTED.sub(lambda m: "“" + name(2) + m.group(1)[-2:] + "”", text)
    text = _TITLE.sub(lambda m: "《" + m.group(1)[:3] + name(3) + m.group(1)[-4:] + "》", text)
    return _INSTITUTION.sub(lambda m: name(2) if rnd.random() < 0.7 else m.group(), text)


def paraphrase(pool: list[str], rnd: random.Random, district: str, names: bool = True) -> str:
    """A source measure as another district or year would word it (see the module's docstring)."""
    clauses = rnd.choice(pool).split("，")
    if len(clauses) > 1 and rnd.random() < 0.5:  # a clause of another measure in place of the last
        clauses[-1] = rnd.choice(rnd.choice(pool).split("，"))
    if len(clauses) > 2 and rnd.random() < 0.5:  # the clauses after the first, in another order
        rest = clauses[1:]
        rnd.shuffle(rest)
        clauses = clauses[:1] + rest
    text = "，".join(clauses)
    text = _VERB.sub(lambda m: rnd.choice(VERBS) if rnd.random() < 0.3 else m.group(), text)
    text = _ADVERB.sub(lambda m: rnd.choice(ADVERBS) if rnd.random() < 0.3 else m.group(), text)
    text = _INDUSTRY.sub(lambda m: rnd.choice(INDUSTRY_WORDS) if rnd.random() < 0.5 else m.group(), text)
    return perturb(rename(text, rnd) if names else text, rnd, district) + "。"


def document(i: int, p: dict[str, list[str]], rnd: random.Random, style: str = "recombined",
             memory: dict | None = None) -> str:
    """A reply or a plan. paraphrase style: a district's documents share some of its earlier measures
    (`memory`, per district), reworded again, as a later reply takes up a plan's commitments."""
    if style == "paraphrase":
        return _document(i, p, rnd, _paraphraser(rnd, memory if memory is not None else {}))
    return _document(i, p, rnd, measure)


def _paraphraser(rnd: random.Random, memory: dict):
    def one(pool: list[str], r: random.Random, district: str) -> str:
        kept = memory.setdefault((district, id(pool)), [])
        if kept and r.random() < 0.15:  # the district takes up one of its earlier measures
            return paraphrase([r.choice(kept)], r, district, names=False)
        out = paraphrase(pool, r, district)
        kept.append(out.rstrip("。"))
        if len(kept) > 200:
            kept.pop(0)
        return out
    return one


def _document(i: int, p: dict[str, list[str]], rnd: random.Random, measure) -> str:
    year = rnd.choice([2023, 2024, 2025, 2026])
    city = rnd.random() < 0.25
    district = rnd.choice(DISTRICTS)
    issuer = f"{CITY}科学技术委员会" if city else f"{CITY}{district}人民政府"
    n_measures = rnd.randint(60, 140)
    if rnd.random() < 0.3:
        title = f"{CITY if city else district}促进产业高质量发展行动方案（{year}-{year + 2}年）"
        # a document number of its own: otherwise plans of one district and year are versions of one document
        number = f"{'沪府办发' if city else district[0] + '府发'}〔{year}〕{i}号"
        lines = [title, "", number, "", "一、重点任务", ""]
        for k in range(n_measures // 4):
            lines.append(f"{k + 1}、{measure(p['future'], rnd, district)}" +
                         "".join(measure(p["future"], rnd, district) for _ in range(3)))
            lines.append("")
        lines += ["二、保障措施", "", measure(p["future"], rnd, district), ""]
        return "\n".join(lines)
    number = f"{'沪科建复' if city else district[0] + '府'}〔{year}〕{i}号"
    lines = ["办理结果：解决采纳", "", number, "",
             f"{issuer}关于对市十六届人大{CN[rnd.randrange(5)]}次会议第{1000 + i}号代表建议的答复", "",
             "王明代表：", "", "您提出的建议收悉，经研究，现将办理情况答复如下：", "", "一、主要做法", ""]
    half = n_measures // 2
    for k in range(0, half, 4):
        lines.append(f"{CN[(k // 4) % 10]}是" + "".join(measure(p["progress"], rnd, district) for _ in range(4)))
        lines.append("")
    lines += ["二、下一步打算", ""]
    for k in range(0, n_measures - half, 4):
        lines.append(f"{CN[(k // 4) % 10]}是" + "".join(measure(p["future"], rnd, district) for _ in range(4)))
        lines.append("")
    lines += ["感谢您对我们工作的关心和支持！", "", issuer, "",
              f"{year}年{rnd.randint(1, 12)}月{rnd.randint(1, 28)}日", ""]
    return "\n".join(lines)


def generate(n: int, out: Path, source: Path | list[Path], seed: int = 1, style: str = "paraphrase") -> list[Path]:
    rnd = random.Random(seed)
    p = pools(source)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    memory: dict = {}
    for i in range(n):
        path = out / f"doc{i:05d}.txt"
        path.write_text(document(i, p, rnd, style, memory), encoding="utf-8")
        paths.append(path)
    return paths


def default_source() -> list[Path]:
    shared = ROOT.parent / "shared" / "corpus"
    found = [shared / name for name in ("seeds", "dev2") if (shared / name).is_dir()]
    return found or [ROOT / "examples" / "corpus"]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--source", nargs="+", default=[str(p) for p in default_source()])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--style", choices=("paraphrase", "recombined"), default="paraphrase")
    a = ap.parse_args()
    paths = generate(a.n, Path(a.out), [Path(s) for s in a.source], a.seed, a.style)
    print(f"{len(paths)} documents in {a.out}")
