"""The alignment parameters: fitted weights, thresholds and candidate floors.

Fitted on the reference annotations by scripts/fit_alignment.py and shipped in
compare/alignment.json; `compare align --params FILE` uses another file. Light on purpose
(no numpy): the no-op path of `compare align` reads the parameters' digest to tell whether
the stored alignment was built with them.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources


@dataclass
class Params:
    weights: dict[str, float]
    bias: float
    link_threshold: float  # a pair scoring this much is a link
    cluster_threshold: float  # average-linkage merge threshold
    secondary_threshold: float  # a measure also joins a thread it links to this much on average
    cos_floor: float = 0.35  # candidate floors
    hash_floor: float = 0.30
    rare_floor: float = 0.60  # a shared 2-4-gram at least this rare makes a candidate
    rare_max_df: int = 15  # an n-gram in more measures has no rarity (`rare` 0, no candidates): this
    # bounds the pairs one n-gram makes and the pairs one more document can change
    max_candidates: int = 10  # per measure and signal
    term_max_df: int = 0  # a 4-character run of a key term (institution, title, quoted name) shared by
    # at most this many measures makes a candidate; 0: no key-term channel
    word_max_df: int = 28  # a shared word weighs 1 in one measure, 0 in this many measures and more (`word`)
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Numbers that are numbers: a NaN weight (JSON files may hold NaN) would make every score
        NaN and every link vanish without a word."""
        numbers = {f"weights.{k}": v for k, v in dict(self.weights).items()}
        numbers.update((k, getattr(self, k)) for k in ("bias", "link_threshold", "cluster_threshold",
                                                          "secondary_threshold", "cos_floor", "hash_floor",
                                                          "rare_floor", "rare_max_df", "word_max_df"))
        for name, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
        for name in ("rare_max_df", "word_max_df"):
            if getattr(self, name) < 2:
                raise ValueError(f"{name} must be a number of measures of at least 2, not {getattr(self, name)!r}")

    @property
    def digest(self) -> str:
        """What the alignment depends on (weights, thresholds, floors), hashed; provenance left out."""
        import hashlib

        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("weights", "bias", "link_threshold", "cluster_threshold",
                                              "secondary_threshold", "cos_floor", "hash_floor", "rare_floor",
                                              "rare_max_df", "max_candidates", "term_max_df",
                                              "word_max_df")}


def params_text(path: str | None = None) -> str:
    """The parameters file's text: the --params file, else the fitted compare/alignment.json."""
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read()
    return resources.files("compare").joinpath("alignment.json").read_text(encoding="utf-8")


def load_params(path: str | None = None) -> Params:
    return Params(**json.loads(params_text(path)))
