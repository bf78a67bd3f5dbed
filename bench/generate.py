#!/usr/bin/env python3
"""A synthetic corpus in the seeds' style, scaled to N documents (deterministic with --seed).

    python bench/generate.py 1000 /tmp/corpus1000 [--source ../shared/corpus/seeds] [--seed 1]

Measures of the source documents are recombined (clauses of one measure joined to clauses of
another) and perturbed (districts, numbers, years swapped), under the heading structure of a
reply (工作进展 / 下一步打算) or an action plan (重点任务 / 保障措施), with a title, number and
signature, several regions and years, and lengths like the seeds' (60-140 measures).
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


def pools(source: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"progress": [], "future": []}
    for f in sorted(source.iterdir()):
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


def document(i: int, p: dict[str, list[str]], rnd: random.Random) -> str:
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


def generate(n: int, out: Path, source: Path, seed: int = 1) -> list[Path]:
    rnd = random.Random(seed)
    p = pools(source)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out / f"doc{i:05d}.txt"
        path.write_text(document(i, p, rnd), encoding="utf-8")
        paths.append(path)
    return paths


def default_source() -> Path:
    seeds = ROOT.parent / "shared" / "corpus" / "seeds"
    return seeds if seeds.is_dir() else ROOT / "examples" / "corpus"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--source", default=str(default_source()))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    paths = generate(a.n, Path(a.out), Path(a.source), a.seed)
    print(f"{len(paths)} documents in {a.out}")
