"""Reviewers' login and sessions.

- Reviewer names and password hashes are read from the reviewers file on disk (never from
  Datasette's metadata, which is published at /-/metadata.json).
- A session is a signed cookie naming the reviewer, with an expiry and a digest of their
  password hash: it ends when it expires, when the reviewer leaves the reviewers file, or when
  their password changes. Datasette's own `ds_actor` cookie is not honoured (make_datasette
  unregisters datasette.actor_auth_cookie).
- Login answers take the same time for known and unknown names, hash off the event loop, and
  failed attempts are limited per name and per client address (429 with Retry-After).
"""
from __future__ import annotations

import asyncio
import concurrent.futures

from datasette import hookimpl
from datasette.utils.asgi import Response

from compare.reviewers import SESSION_COOKIE, SESSION_NAMESPACE

from .common import config, current_reviewer, is_compare, local_path, page

# Password hashing runs here, two at a time at most: the event loop keeps answering pages; at most
# MAX_QUEUED_CHECKS wait their turn (more answer 503), so a flood cannot delay real logins for long.
_HASHING = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="compare-login")
MAX_QUEUED_CHECKS = 8
_IN_FLIGHT = {"n": 0}


@hookimpl(tryfirst=True)
def actor_from_request(datasette, request):
    name = current_reviewer(datasette, request)
    return {"id": name, "reviewer": True} if name else None


async def _login_page(datasette, request, error=None, status=200, username="", headers=None, next_path=None):
    """The login form; `next` (where to go after logging in) is kept through a failed attempt."""
    next_path = request.args.get("next") if next_path is None else next_path
    return await page(datasette, request, "compare_login.html", {
        "error": error, "username": username, "next": next_path or "",
        "has_reviewers": bool(config(datasette) and config(datasette).reviewers.path)}, status=status, headers=headers)


async def login(request, datasette):
    from compare.reviewers import session_payload, verify_password

    conf = config(datasette)
    if request.method != "POST":
        return await _login_page(datasette, request)
    form = await request.post_vars()
    username = (form.get("username") or "").strip()[:100]
    password = (form.get("password") or "")[:1024]
    next_path = local_path(form.get("next"), datasette)  # after login: the page asked for, if on this site
    address = (request.scope.get("client") or ("?",))[0]
    wait = conf.limiter.admit(username, address)  # counted now: a parallel burst is limited like a sequence
    if wait:
        return await _login_page(datasette, request, f"Too many failed attempts; try again in {wait // 60 + 1} "
                                 "minute(s).", status=429, username=username, headers={"Retry-After": str(wait)},
                                 next_path=next_path)
    if _IN_FLIGHT["n"] >= MAX_QUEUED_CHECKS:
        return await _login_page(datasette, request, "The server is busy checking passwords; try again shortly.",
                                 status=503, username=username, headers={"Retry-After": "5"}, next_path=next_path)
    password_hash = conf.reviewers.hash_of(username)
    _IN_FLIGHT["n"] += 1
    try:
        ok = await asyncio.get_running_loop().run_in_executor(_HASHING, verify_password, password, password_hash)
    finally:
        _IN_FLIGHT["n"] -= 1
    if not ok:
        return await _login_page(datasette, request, "Wrong name or password.", status=401, username=username,
                                 next_path=next_path)
    conf.limiter.succeeded(username, address)
    response = Response.redirect(next_path)
    max_age = int(conf.session_hours * 3600)
    response.set_cookie(SESSION_COOKIE, datasette.sign(session_payload(username, password_hash, conf.session_hours),
                                                       SESSION_NAMESPACE),
                        max_age=max_age, httponly=True, samesite="lax")
    response.set_cookie("ds_actor", "", expires=0)  # no second login path
    return response


async def logout(request, datasette):
    if request.method != "POST":
        return await page(datasette, request, "compare_login.html", {"logout": True})
    name = current_reviewer(datasette, request)
    if name:  # every session of this reviewer issued until now ends, not only this browser's
        config(datasette).log_out(name)
    response = Response.redirect(datasette.urls.path("/-/compare"))
    response.set_cookie(SESSION_COOKIE, "", expires=0, httponly=True, samesite="lax")
    return response


@hookimpl
def extra_template_vars(datasette):
    """compare_reviewers: whether anyone can log in here now (the pages offer a login only then)."""
    return {"compare_reviewers": bool(config(datasette).reviewers.current())} if is_compare(datasette) else {}


@hookimpl
def register_routes(datasette):
    return [(r"^/-/login$", login), (r"^/-/logout$", logout)] if is_compare(datasette) else []
