"""Reviewer accounts: password hashes, the reviewers file, sessions and failed-login limits.

Nothing here is published: the reviewers file is read by the server from disk on each
request (a reviewer removed from it loses access at once), never copied into Datasette's
metadata. Hashes are pbkdf2_sha256$iterations$salt$base64, the format of
datasette-auth-passwords, so existing reviewers files keep working.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

from .errors import CompareError

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 480_000
MIN_SECRET_CHARS = 32
SESSION_HOURS = 12.0


class ReviewersError(CompareError):
    """The reviewers file or the signing secret cannot be used."""


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("utf-8"), iterations)
    return f"{ALGORITHM}${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def _valid_hash(h: object) -> bool:
    if not isinstance(h, str) or h.count("$") != 3:
        return False
    algorithm, iterations, salt, _ = h.split("$")
    return algorithm == ALGORITHM and iterations.isdigit() and 1_000 <= int(iterations) <= 10_000_000 and bool(salt)


# Checked against when the name is unknown, so that known and unknown names cost the same
# (a random digest: no password hashes to it).
_DUMMY_HASH = f"{ALGORITHM}${ITERATIONS}${secrets.token_hex(16)}${base64.b64encode(secrets.token_bytes(32)).decode()}"


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant work whatever the name: an unknown name is checked against a dummy hash."""
    known = _valid_hash(password_hash)
    expected = password_hash if known else _DUMMY_HASH
    _, iterations, salt, _ = expected.split("$")
    candidate = hash_password(password, salt, int(iterations))
    if int(iterations) < ITERATIONS:  # a cheaper hash than the standard: spend the rest, so time tells nothing
        hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("utf-8"), ITERATIONS - int(iterations))
    return hmac.compare_digest(candidate.encode(), expected.encode()) and known


def hash_fingerprint(password_hash: str) -> str:
    """A short digest of a reviewer's hash, kept in the session: a new password ends old sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def parse_reviewers(text: str, path: str = "reviewers.json") -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ReviewersError(f"{path}: not a reviewers file ({e}); create hashes with: compare hash-password") \
            from None
    if not isinstance(data, dict) or not data or not all(isinstance(k, str) and k.strip() and _valid_hash(v)
                                                         for k, v in data.items()):
        raise ReviewersError(f"{path}: not a reviewers file (expected {{\"name\": \"pbkdf2_sha256$...\"}}); "
                             "create hashes with: compare hash-password")
    return data


class ReviewersFile:
    """The reviewers file, re-read when it changes on disk (a removed reviewer loses access at once).

    A file that becomes unreadable or invalid while serving admits no one until it is fixed.
    """

    def __init__(self, path: str | None):
        self.path = path
        self._stamp: tuple | None = None
        self._data: dict[str, str] = {}
        self._lock = threading.Lock()
        if path:
            self._load(strict=True)

    def _load(self, strict: bool = False) -> None:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)  # ctime: no utime() hides an edit
            if stamp == self._stamp:
                return
            with open(self.path, encoding="utf-8") as f:
                data = parse_reviewers(f.read(), self.path)
        except (OSError, ReviewersError) as e:
            if strict:
                raise ReviewersError(str(e) if isinstance(e, ReviewersError) else
                                     f"{self.path}: cannot be read ({e.strerror or e})") from None
            self._stamp, self._data = None, {}
            return
        self._stamp, self._data = stamp, data

    def current(self) -> dict[str, str]:
        if not self.path:
            return {}
        with self._lock:
            self._load()
            return dict(self._data)

    def hash_of(self, name: str) -> str | None:
        return self.current().get(name)


@dataclass
class LoginLimiter:
    """Failed logins per name and per client address in a sliding window; over the limit, wait.

    In memory: a restart forgets, which only ever lets an attacker start a new window.
    """

    per_name: int = 5
    per_address: int = 20
    window: float = 15 * 60
    clock: object = time.monotonic
    _failures: dict[str, list[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(key, []) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def retry_after(self, name: str, address: str) -> int:
        """Seconds to wait before another attempt is heard (0: go ahead)."""
        now = self.clock()
        waits = []
        for key, limit in ((f"n:{name}", self.per_name), (f"a:{address}", self.per_address)):
            times = self._recent(key, now)
            if len(times) >= limit:
                waits.append(times[-limit] + self.window - now)
        return max(1, int(max(waits)) + 1) if waits else 0

    def admit(self, name: str, address: str) -> int:
        """Count an attempt before its password is checked (so a burst of parallel attempts is limited
        like a sequence): 0 and counted, or the seconds to wait and not counted."""
        wait = self.retry_after(name, address)
        if not wait:
            self.failed(name, address)
        return wait

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        for key in (f"n:{name}", f"a:{address}"):
            self._failures.setdefault(key, []).append(now)
        if len(self._failures) > 100_000:  # a flood of made-up names: keep memory bounded
            for key in list(self._failures)[:50_000]:
                del self._failures[key]

    def succeeded(self, name: str, address: str | None = None) -> None:
        """The right password: the name's count starts again and the address gets its attempt back."""
        self._failures.pop(f"n:{name}", None)
        times = self._failures.get(f"a:{address}")
        if times:
            times.pop()


@dataclass
class ReviewerAccess:
    """What one server knows of its reviewers: the file, how long a login lasts, the login limits,
    and whether visitors may run arbitrary SQL."""

    reviewers: ReviewersFile
    session_hours: float = SESSION_HOURS
    allow_sql: bool = False
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    # reviewer -> time of their last logout: sessions issued before it are over (in memory: a
    # restart forgets, and such sessions then live until they expire)
    logged_out: dict[str, float] = field(default_factory=dict)

    def log_out(self, name: str) -> None:
        self.logged_out[name] = time.time()


def session_payload(name: str, password_hash: str, hours: float, now: float | None = None) -> dict:
    issued = now if now is not None else time.time()
    return {"n": name, "h": hash_fingerprint(password_hash), "i": issued, "e": int(issued + hours * 3600)}


def session_reviewer(payload: object, reviewers: dict[str, str], now: float | None = None,
                     max_hours: float | None = None, logged_out: dict[str, float] | None = None) -> str | None:
    """The reviewer a signed session names, if it has not expired, lasts no longer than the server
    allows now (`max_hours`), was issued after the reviewer's last logout, and the reviewer is still
    in the reviewers file with the same password."""
    if not isinstance(payload, dict):
        return None
    name, fp, expires, issued = payload.get("n"), payload.get("h"), payload.get("e"), payload.get("i")
    now = now if now is not None else time.time()
    if not isinstance(name, str) or not isinstance(expires, int) or now >= expires:
        return None
    if not isinstance(issued, (int, float)) or issued > now + 60:
        return None
    if max_hours is not None and expires > min(issued, now) + max_hours * 3600 + 60:
        return None  # issued for longer than this server allows
    if logged_out and issued <= logged_out.get(name, float("-inf")):
        return None
    current = reviewers.get(name)
    if current is None or not isinstance(fp, str) or not hmac.compare_digest(fp, hash_fingerprint(current)):
        return None
    return name


SESSION_COOKIE = "compare_session"
SESSION_NAMESPACE = "compare-session"


def reviewer_from_cookie(access: ReviewerAccess | None, raw: str | None, unsign) -> str | None:
    """The reviewer a request's session cookie names, checked against the reviewers file as it is
    now. `unsign(value, namespace)` is the server's signature check (Datasette.unsign)."""
    if access is None or not raw or len(raw) > 4096:
        return None
    try:
        payload = unsign(raw, SESSION_NAMESPACE)
    except Exception:  # noqa: BLE001 - a bad signature or a cookie of another shape: no session
        return None
    return session_reviewer(payload, access.reviewers.current(), max_hours=access.session_hours,
                            logged_out=access.logged_out)


def read_or_create_secret(path: str) -> str:
    """The server's signing secret beside the database: created atomically (temporary file, fsync,
    rename), so a full disk never leaves an empty secret behind; an empty or short one is refused."""
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32))
                    f.flush()
                    os.fsync(f.fileno())
            except BaseException:
                os.unlink(tmp)
                raise
            try:
                os.link(tmp, path)  # never replaces a secret another server wrote meanwhile
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        except OSError as e:
            raise ReviewersError(f"{path}: cannot write the server's signing secret ({e.strerror or e}); "
                                 "free space or pass a database in a writable folder") from None
    try:
        with open(path, encoding="ascii") as f:
            secret = f.read().strip()
    except (OSError, UnicodeDecodeError) as e:
        raise ReviewersError(f"{path}: cannot read the server's signing secret ({e}); delete it to make a new one") \
            from None
    if len(secret) < MIN_SECRET_CHARS:
        raise ReviewersError(f"{path}: the signing secret is empty or too short ({len(secret)} characters); "
                             "delete the file and run compare serve again to make a new one")
    return secret
