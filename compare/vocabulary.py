"""The Chinese vocabularies the text stages read by, as data: one file each in compare/vocab/.

Numerals, document nouns and genres, verbs by role, clause words, tense and section cues,
places with their levels, page furniture, target words, key-term words and status names
are word lists in plain text files (format: compare/vocab/README.md). `load()` reads them once
into frozen objects; the modules build their regular expressions from these lists, so adding
a word for a new document shape is a change to a data file, not to a module.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

#: The vocabulary files, without their .txt: each is one vocabulary.
FILES = ("numerals", "documents", "organisations", "places", "verbs", "clauses", "cues", "targets", "terms",
         "furniture", "statuses")

_SECTION = re.compile(r"^\[([^\]]+)\](?:\s+(patterns))?$")
_COMMENT = re.compile(r"(?:^|\s)#.*$")


class VocabularyError(ValueError):
    """A vocabulary file that cannot be read; the message names the file and line."""


# NamedTuples rather than frozen dataclasses: as immutable, and ten times cheaper to define
# (the vocabulary is imported on every command, the no-op `compare align` included).

class Entry(NamedTuple):
    """A word (or a pattern) and the columns after it: tags and values."""

    word: str
    fields: tuple[str, ...] = ()


class WordList(NamedTuple):
    """One [list] of a vocabulary file, in file order."""

    name: str
    entries: tuple[Entry, ...]
    patterns: bool = False  # entries are regular expressions, not literal words

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(e.word for e in self.entries)

    def tagged(self, *tags: str) -> tuple[str, ...]:
        """The words whose columns include every one of these tags or values, in file order."""
        return tuple(e.word for e in self.entries if all(t in e.fields for t in tags))

    def pattern(self, *tags: str) -> str:
        """The words (tagged so) as regex alternatives a|b|c, escaped unless the list holds patterns."""
        words = self.tagged(*tags)
        return "|".join(words if self.patterns else map(re.escape, words))

    def first_field(self) -> Mapping[str, str]:
        """word -> its first column (a value such as a comparator's symbol or a suffix's kind)."""
        return MappingProxyType({e.word: e.fields[0] for e in self.entries if e.fields})

    def with_field(self, value: str) -> str | None:
        """The first word with this value among its columns (a field a line gives, e.g. openness)."""
        return next((e.word for e in self.entries if value in e.fields), None)


class VocabFile(NamedTuple):
    name: str
    purpose: str  # the file's opening comment: what the vocabulary is for
    lists: Mapping[str, WordList]

    def __getitem__(self, key):  # type: ignore[override]
        """A list by its name (VOCAB["cues"]["courtesy"]); an int indexes the tuple as usual."""
        if not isinstance(key, str):
            return tuple.__getitem__(self, key)
        try:
            return self.lists[key]
        except KeyError:
            raise KeyError(f"compare/vocab/{self.name}.txt has no [{key}] list") from None


class Numerals(NamedTuple):
    """numerals.txt, read: values and the character sets the patterns are made of."""

    count: Mapping[str, int]  # characters of numbers written in words: 三, 十, 两, 百
    ordinal: str  # heading and item numerals, as one string for a character class: 一二…十
    year: Mapping[str, str]  # digits of a year written digit by digit: 〇 -> "0"
    divisions: tuple[str, ...]  # 章, 节, 部分, 条 (第一章)
    order: tuple[tuple[str, int], ...] = ()  # count characters and values, in file order

    def spelled(self, upto: int) -> str:
        """Count characters of value 1 to `upto`, in file order (一二两三…十百 for 100)."""
        return "".join(c for c, v in self.order if 1 <= v <= upto)

    def written(self, value: int) -> str:
        """The character written for a value (the first listed): 0 -> 〇, 2 -> 二, 10 -> 十."""
        return next(c for c, v in self.order if v == value)


class Place(NamedTuple):
    name: str
    level: str  # city, district
    inside: str | None
    short: tuple[str, ...]  # 宝山 for 宝山区


class Status(NamedTuple):
    name: str
    rank: int  # on the unfulfilled list, 1 first
    label: str  # 已兑现
    computed: bool  # the rules can give it
    flag: bool  # a reviewer can set it
    listed: bool  # on the unfulfilled list
    ring: str = ""  # its colour on a thread's timeline: #2a7d4f


class Vocabulary(NamedTuple):
    files: Mapping[str, VocabFile]
    numerals: Numerals
    places: tuple[Place, ...]  # the home city first, then its districts
    statuses: tuple[Status, ...]

    def __getitem__(self, key):  # type: ignore[override]
        """A vocabulary file by its name (VOCAB["verbs"]); an int indexes the tuple as usual."""
        if not isinstance(key, str):
            return tuple.__getitem__(self, key)
        try:
            return self.files[key]
        except KeyError:
            raise KeyError(f"no vocabulary compare/vocab/{key}.txt") from None

    @property
    def city(self) -> Place:
        """The home city (上海市): the place of level city listed in places.txt."""
        return next(p for p in self.places if p.level == "city")

    @property
    def districts(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.level == "district")


def parse(text: str, name: str) -> VocabFile:
    """One vocabulary file's text (see compare/vocab/README.md)."""
    purpose: list[str] = []  # the opening block of comment lines
    head = True
    lists: dict[str, WordList] = {}
    current: tuple[str, bool, list[Entry]] | None = None
    seen: set[str] = set()  # the words of the current list

    def close() -> None:
        if current is not None:
            lists[current[0]] = WordList(current[0], tuple(current[2]), current[1])

    for n, raw in enumerate(text.splitlines(), 1):
        where = f"compare/vocab/{name}.txt line {n}"
        line = raw.strip()
        if line.startswith("#"):
            if head:
                purpose.append(line.lstrip("#").strip())
            continue
        head = False
        if "#" in line:
            line = _COMMENT.sub("", line).strip()
        if not line:
            continue
        if line[0] == "[" and (m := _SECTION.match(line)):
            close()
            if m.group(1) in lists:
                raise VocabularyError(f"{where}: a second [{m.group(1)}] list")
            current = (m.group(1), bool(m.group(2)), [])
            seen = set()
            continue
        if current is None:
            raise VocabularyError(f"{where}: '{line}' before any [list]")
        word, *fields = line.split()
        if word in seen:
            raise VocabularyError(f"{where}: '{word}' is already in [{current[0]}]")
        seen.add(word)
        current[2].append(Entry(word, tuple(fields)))
    close()
    about = "\n".join(purpose).strip()
    if not about:
        raise VocabularyError(f"compare/vocab/{name}.txt: no opening comment saying what it is for")
    for wl in lists.values():
        if not wl.entries:
            raise VocabularyError(f"compare/vocab/{name}.txt: [{wl.name}] is empty")
    return VocabFile(name, about, MappingProxyType(lists))


def _numerals(f: VocabFile) -> Numerals:
    rows = [(e.word, int(e.fields[0]), e.fields[1:]) for e in f["numerals"].entries]
    order = tuple((c, v) for c, v, roles in rows if "count" in roles)
    return Numerals(count=MappingProxyType(dict(order)),
                    ordinal="".join(c for c, _, roles in rows if "ordinal" in roles),
                    year=MappingProxyType({c: str(v) for c, v, roles in rows if "year" in roles}),
                    divisions=f["divisions"].words, order=order)


def _places(f: VocabFile) -> tuple[Place, ...]:
    return tuple(Place(e.word, e.fields[0], None if e.fields[1] == "-" else e.fields[1], e.fields[2:])
                 for e in f["places"].entries)


def _statuses(f: VocabFile) -> tuple[Status, ...]:
    return tuple(Status(e.word, int(e.fields[0]), e.fields[1], "computed" in e.fields, "flag" in e.fields,
                        "listed" in e.fields, "#" + e.fields[2]) for e in f["statuses"].entries)


def digest(directory: str | None = None) -> str:
    """A hash of the vocabulary files' bytes: what signals read from them were computed under."""
    import hashlib

    root = Path(directory) if directory else resources.files("compare") / "vocab"
    h = hashlib.sha256()
    for name in FILES:
        try:
            h.update(name.encode() + b"\0" + (root / f"{name}.txt").read_bytes() + b"\0")
        except OSError:
            h.update(name.encode() + b"\0unreadable\0")
    return h.hexdigest()[:16]


@cache
def load(directory: str | None = None) -> Vocabulary:
    """The vocabularies, read once: from compare/vocab/ (the package's), or from `directory`."""
    root = Path(directory) if directory else resources.files("compare") / "vocab"
    files = {}
    for name in FILES:
        try:
            text = (root / f"{name}.txt").read_text(encoding="utf-8")
        except OSError as e:
            raise VocabularyError(f"compare/vocab/{name}.txt cannot be read ({e})") from None
        files[name] = parse(text, name)
    return Vocabulary(MappingProxyType(files), _numerals(files["numerals"]), _places(files["places"]),
                      _statuses(files["statuses"]))


VOCAB = load()
