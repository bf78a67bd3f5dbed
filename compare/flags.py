"""Reviewers' flags: a verdict on the commitments the reviewer saw, kept attached as documents change.

A flag covers a set of measures fixed when it is given (one measure, or the mentions of a thread
the reviewer was looking at). `place` decides where each covered measure's verdict applies now:
the measure itself while its document is current; in a newer version of the document, the same
commitment (same text, else one clear best match above a strict similarity); otherwise nowhere,
and the flag is listed as needing a reviewer (or its document as removed). A thread flag never
spreads to measures that joined the thread later, and after a split it stays on the parts that
hold its measures. Everything here is pure; recording a flag and storing the placements is the
stage runner's (compare/stages.py: `record_flag`, `place_flags`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import CompareError
from .vocabulary import VOCAB

#: The statuses a reviewer can set (statuses.txt, tagged flag), in the order `compare flag --status`
#: offers them: unfulfilled (it puts a commitment on the unfulfilled list) first, then those the rules
#: can give too (fulfilled, in_progress, in file order), then the reviewer's own (disputed).
FLAG_STATUSES = tuple(s.name for s in sorted((s for s in VOCAB.statuses if s.flag),
                                             key=lambda s: (not s.listed, not s.computed)))
MAX_NOTE_CHARS = 4000
MAX_REVIEWER_CHARS = 100
# A reworded sentence in a new version is the same commitment only when it is this close to the
# flagged text and clearly closer than any other measure of the new version.
MIN_CARRY_RATIO = 0.90
MIN_CARRY_MARGIN = 0.03
NUMBER = re.compile(r"\d+(?:\.\d+)?")


class FlagError(CompareError):
    """A flag that cannot be recorded as given (unknown target, bad status, missing note)."""


@dataclass(frozen=True)
class Covered:
    """One measure a flag covered when it was given, as it was then."""

    flag_id: int
    measure_id: str
    doc_key: str | None = None
    source: str | None = None
    version: int | None = None
    text_hash: str | None = None
    text: str = ""
    occurrence: int | None = None  # the k-th measure of that text in its document (None: not known)


@dataclass(frozen=True)
class Candidate:
    """A measure of a current document that a flag may be carried to."""

    measure_id: str
    doc_key: str
    source: str
    version: int
    text_hash: str
    text: str
    ordinal: int = 0


@dataclass(frozen=True)
class Placement:
    flag_id: int
    source_measure_id: str
    measure_id: str | None
    how: str  # given, new_version, unplaced, removed
    detail: str | None = None

    def row(self) -> dict:
        return {"flag_id": self.flag_id, "source_measure_id": self.source_measure_id, "measure_id": self.measure_id,
                "how": self.how, "detail": self.detail}


def _numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def _best_match(c: Covered, candidates: list[Candidate]) -> Candidate | None:
    """The same commitment in a newer version, or None when a reviewer must decide.

    The same sentence: the same occurrence of it (a sentence said twice, under two tasks, is two
    commitments). Else one sentence at least MIN_CARRY_RATIO alike and clearly closer than any other,
    with the same numbers: 不少于50家 reworded is the same commitment, 不少于80家 is another.
    """
    exact = sorted((m for m in candidates if m.text_hash == c.text_hash), key=lambda m: m.ordinal)
    if exact:
        if c.occurrence is not None:
            return exact[c.occurrence] if c.occurrence < len(exact) else None
        return exact[0] if len(exact) == 1 else None
    from rapidfuzz import fuzz

    numbers = _numbers(c.text)
    scored = sorted(((fuzz.ratio(c.text, m.text) / 100, i) for i, m in enumerate(candidates)), reverse=True)
    if not scored or scored[0][0] < MIN_CARRY_RATIO:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < MIN_CARRY_MARGIN:
        return None  # two sentences equally like the flagged one: a reviewer decides
    best = candidates[scored[0][1]]
    return best if _numbers(best.text) == numbers else None


def place(covered: list[Covered], current_ids: set[str], candidates: list[Candidate]) -> list[Placement]:
    """Where each covered measure's verdict applies now (see the module docstring)."""
    by_key: dict[str, list[Candidate]] = {}
    by_source: dict[str, list[Candidate]] = {}
    for m in candidates:
        by_key.setdefault(m.doc_key, []).append(m)
        by_source.setdefault(m.source, []).append(m)
    out = []
    for c in covered:
        if c.measure_id in current_ids:
            out.append(Placement(c.flag_id, c.measure_id, c.measure_id, "given"))
            continue
        same_doc = list({m.measure_id: m for m in by_key.get(c.doc_key, []) + by_source.get(c.source, [])}.values())
        if not same_doc:
            out.append(Placement(c.flag_id, c.measure_id, None, "removed", "document removed"))
            continue
        match = _best_match(c, same_doc) if c.text else None
        if match is None:
            newest = max(m.version for m in same_doc)
            out.append(Placement(c.flag_id, c.measure_id, None, "unplaced",
                                 f"needs a reviewer: not found in version {newest}"))
        else:
            out.append(Placement(c.flag_id, c.measure_id, match.measure_id, "new_version",
                                 f"flagged on version {c.version}" if c.version else "flagged on an earlier version"))
    return out


def validate(status: str, note: str | None, reviewer: str | None) -> tuple[str, str]:
    """The note and reviewer as stored, or a FlagError saying what to change."""
    if status not in FLAG_STATUSES:
        raise FlagError(f"status must be one of {', '.join(FLAG_STATUSES)} (got '{status}')")
    note = (note or "").strip()
    if not note:
        raise FlagError("a note is required: say what you found (e.g. 区内尚未建成)")
    if len(note) > MAX_NOTE_CHARS:
        raise FlagError(f"the note is {len(note)} characters; keep it under {MAX_NOTE_CHARS} "
                        "(link to a longer text instead)")
    reviewer = (reviewer or "").strip()
    if not reviewer or len(reviewer) > MAX_REVIEWER_CHARS:
        raise FlagError(f"a reviewer name of 1 to {MAX_REVIEWER_CHARS} characters is required")
    return note, reviewer


@dataclass
class Recorded:
    flag_id: int
    target_type: str
    target_id: str
    covered: int
    message: str
    placed_ids: list[str]


def covered_by(scopes: list[dict]) -> list[Covered]:
    """The measures each flag covered, as they were then, from the stored flag scopes."""
    covered = []
    for s in scopes:
        for mid in s["measure_ids"]:
            ctx = s["context"].get(mid) or {}
            covered.append(Covered(s["flag_id"], mid, ctx.get("doc_key"), ctx.get("source"), ctx.get("version"),
                                   ctx.get("text_hash"), ctx.get("text") or "", ctx.get("occurrence")))
    return covered


def recorded(flag_id: int, kind: str, target_id: str, status: str, placements: list[Placement],
             said: str) -> Recorded:
    """What a reviewer is told about a flag just recorded: where it applies, and what changed since they looked."""
    mine = [p for p in placements if p.flag_id == flag_id]
    placed = [p for p in mine if p.measure_id]
    if len(placed) < len(mine):
        said += f"{len(mine) - len(placed)} of its mentions could not be placed and need a reviewer; "
    elif any(p.how == "new_version" for p in placed):
        said += "it was placed on the same commitment in the current version; "
    message = f"Flag {flag_id} recorded: {status} on {len(placed)} mention{'s' if len(placed) != 1 else ''}"
    if said:
        message += " (" + said.rstrip("; ") + ")"
    return Recorded(flag_id, kind, target_id, len(placed), message + ".", [p.measure_id for p in placed])


def flags_for_thread(flags: list[dict], tid: str, member_ids: list[str]) -> list[dict]:
    """The flags that apply to some mention of this thread, each saying how much of it they cover.

    A thread flag covers the mentions it was given to; after a merge or a split it is shown with
    "covers N of M mentions" and never applies to mentions that joined later.
    """
    members = set(member_ids)
    out = []
    for f in flags:
        placed = [m for m in f["placed_ids"] if m in members]
        if not placed and f["target_id"] != tid:
            continue
        f = dict(f, covers=len(placed), of=len(members))
        if f["target_type"] == "thread":
            given_here = f["target_id"] == tid
            if not given_here:
                f["coverage"] = (f"given to thread {f['target_id']} before a merge or split; "
                                 f"covers {len(placed)} of {len(members)} mentions here")
            elif len(placed) != len(members):
                f["coverage"] = (f"given when the thread had {f['scope_thread_size']} mentions; "
                                 f"covers {len(placed)} of {len(members)}")
        if f["unplaced"] or f["moved"]:
            f["coverage"] = "; ".join(x for x in (f.get("coverage"), f["placement"]) if x)
        out.append(f)
    return out


@dataclass
class PlacementChange:
    moved: int       # verdicts now carried to a measure of a newer version than before
    unplaced: int    # flags with at least one mention nowhere to be placed (needs a reviewer)
    removed: int     # flags whose documents were removed


def placement_change(before: dict[tuple[int, str], tuple[str | None, str]],
                     after: list[Placement]) -> PlacementChange:
    """What changed between the stored placements and new ones, for `compare align`'s summary."""
    moved = sum(1 for p in after if p.how == "new_version" and before.get((p.flag_id, p.source_measure_id),
                                                                          (None, None))[0] != p.measure_id)
    return PlacementChange(moved, len({p.flag_id for p in after if p.how == "unplaced"}),
                           len({p.flag_id for p in after if p.how == "removed"}))
