"""Under /compare/<name>, only a writable canned query takes POST: anything else gets a 405
(Datasette 0.65 answers a POST to a table or a read-only query with a 500)."""
from __future__ import annotations

from datasette import hookimpl

from .common import DB_NAME, is_compare


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        if not is_compare(datasette):
            return app

        async def guarded(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") == "POST":
                parts = scope.get("path", "").strip("/").split("/")
                if parts[0].split(".")[0] == DB_NAME:
                    name = parts[1].split(".")[0] if len(parts) == 2 else None
                    queries = (datasette.metadata("queries", database=DB_NAME) or {})
                    if not (name in queries and queries[name].get("write")):
                        await send({"type": "http.response.start", "status": 405,
                                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET")]})
                        await send({"type": "http.response.body", "body": b"Read-only query: use GET"})
                        return
            await app(scope, receive, send)
        return guarded
    return wrap
